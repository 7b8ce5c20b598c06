package flagon

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// staticEndpoint is the endpoint of the folder Config.StaticDir (or
// Config.StaticFS) serves, as in Flask: URLFor("static", "filename", "app.css").
const staticEndpoint = "static"

// Static serves the files of the folder dir under prefix, as the rule
// prefix + "/<path:filename>", and returns the route. Its endpoint is
// "static:" + prefix without its slashes ("/assets" gives "static:assets",
// "/a/b" gives "static:a:b"); rename it with Name. Files are opened through
// os.Root, so no name (.., backslashes, NUL bytes, absolute paths, symlinks
// that point outside) reaches a file outside dir, and a name whose slash
// was sent as %2F is refused too, so a route guarding a subfolder
// ("/files/admin/<path:p>") cannot be bypassed with "admin%2Fkey.pem":
// those answer 404, as do missing files and directories (there are no
// listings). Answers follow http.ServeContent: Range, If-Modified-Since,
// ETag and If-None-Match, HEAD, Content-Type from the extension; see
// Config.SendFileMaxAge for Cache-Control. Range headers are normalized
// first, so they cannot amplify an answer: overlapping and adjacent ranges
// are coalesced, a header with more than 200 ranges, an unknown unit or a
// syntax error is ignored (200 with the whole file), as is one whose
// multipart answer would be larger than the file.
func (a *App) Static(prefix, dir string) *Route {
	return a.StaticFS(prefix, &rootFS{dir: dir})
}

// StaticFS serves the files of fsys (an embed.FS, say) under prefix like
// Static.
func (a *App) StaticFS(prefix string, fsys fs.FS) *Route {
	p := strings.TrimRight(prefix, "/")
	name := "static:" + strings.ReplaceAll(strings.Trim(p, "/"), "/", ":")
	return a.addStatic(p, fsys).Name(name)
}

func (a *App) addStatic(prefix string, fsys fs.FS) *Route {
	fs := &fileServer{fsys: fsys}
	return a.Get(prefix+"/<path:filename>", func(c *Context) error {
		return fs.serve(c, c.Param("filename"))
	})
}

// ensureStatic registers the "static" endpoint from the configuration,
// once: when the app is frozen, when Run prints its banner, or when a URL
// for "static" is built before that. It is left out when the app already
// has a "static" endpoint, when Config.StaticURLPath is empty, or when
// there is no Config.StaticFS and Config.StaticDir is not a directory.
func (a *App) ensureStatic() {
	if a.staticDone || a.serving.Load() {
		return
	}
	a.staticDone = true
	cfg := &a.Config
	if cfg.StaticURLPath == "" || len(a.endpoints[staticEndpoint]) > 0 {
		return
	}
	fsys := cfg.StaticFS
	if fsys == nil {
		if st, err := os.Stat(cfg.StaticDir); cfg.StaticDir == "" || err != nil || !st.IsDir() {
			return
		}
		fsys = &rootFS{dir: cfg.StaticDir}
	}
	a.addStatic(strings.TrimRight(cfg.StaticURLPath, "/"), fsys).Name(staticEndpoint)
}

// File sends the file at path with http.ServeContent: Content-Type from
// the extension, Range (normalized as for App.Static), conditional requests
// and HEAD. A missing file or a directory answers 404. It also answers 404
// when a route variable of the request holds a separator the router did not
// route on (a slash sent as %2F, a backslash) and path carries it: two
// neighbouring parts of the variable joined by a separator, ignoring ASCII
// case, or any variable with an empty, "." or ".." part. So a handler that
// builds path from a variable cannot be led past a route guarding a
// subfolder; still, prefer App.Static to serve files by a name from the
// request, as it cannot leave its folder.
func (c *Context) File(path string) error {
	if c.smuggledPath(path) {
		return Abort(http.StatusNotFound)
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Abort(http.StatusNotFound)
		}
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return Abort(http.StatusNotFound)
	}
	serveContent(c, st, f, "")
	return nil
}

// Attachment sends the file at path like File, as a download named
// filename: Content-Disposition: attachment, with an ASCII filename for
// old clients and the exact name in RFC 6266's filename* (UTF-8,
// percent-encoded). Quotes, backslashes, CR, LF and other control
// characters in filename can never break the header. It answers 404 when
// File does, and that answer is not sent as a download.
func (c *Context) Attachment(path, filename string) error {
	h := c.Response.Header()
	h.Set("Content-Disposition", contentDisposition("attachment", filename))
	err := c.File(path)
	if err != nil && !c.Response.written {
		h.Del("Content-Disposition") // the error page is not the download
	}
	return err
}

// contentDisposition formats a Content-Disposition value for filename.
func contentDisposition(kind, filename string) string {
	if filename == "" {
		return kind
	}
	var ascii, ext strings.Builder
	plain := true
	for _, r := range filename {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			ascii.WriteRune(r)
		} else {
			ascii.WriteByte('_')
			plain = false
		}
	}
	if plain {
		return kind + `; filename="` + ascii.String() + `"`
	}
	const hexDigits = "0123456789ABCDEF"
	for _, b := range []byte(filename) {
		if isAttrChar(b) {
			ext.WriteByte(b)
		} else {
			ext.WriteByte('%')
			ext.WriteByte(hexDigits[b>>4])
			ext.WriteByte(hexDigits[b&15])
		}
	}
	return kind + `; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}

// isAttrChar reports whether b may appear unencoded in an RFC 8187 value.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

// fileServer answers requests for the files of one file system.
type fileServer struct {
	fsys  fs.FS
	etags sync.Map // name → ETag of files without a modification time
}

func (s *fileServer) serve(c *Context, name string) error {
	if name == "" || !fs.ValidPath(name) || strings.IndexByte(name, 0) >= 0 || smuggledName(c.Request, name) {
		return Abort(http.StatusNotFound)
	}
	f, err := s.fsys.Open(name)
	if err != nil {
		return Abort(http.StatusNotFound)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return Abort(http.StatusNotFound)
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		rs = bytes.NewReader(b)
	}
	etag := ""
	if st.ModTime().IsZero() { // embed.FS: no time, so the content names the version
		if v, ok := s.etags.Load(name); ok {
			etag = v.(string)
		} else {
			h := sha256.New()
			if _, err := io.Copy(h, rs); err != nil {
				return err
			}
			if _, err := rs.Seek(0, io.SeekStart); err != nil {
				return err
			}
			etag = `"` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
			s.etags.Store(name, etag)
		}
	}
	serveContent(c, st, rs, etag)
	return nil
}

// serveContent sends a file with http.ServeContent, adding an ETag (the
// given one, or one made of the size and modification time) and the
// Cache-Control of Config.SendFileMaxAge unless the handler set one.
func serveContent(c *Context, st fs.FileInfo, rs io.ReadSeeker, etag string) {
	h := c.Response.Header()
	if etag == "" {
		etag = `"` + strconv.FormatInt(st.ModTime().UnixNano(), 16) + "-" + strconv.FormatInt(st.Size(), 16) + `"`
	}
	if h.Get("Etag") == "" {
		h.Set("Etag", etag)
	}
	if h.Get("Cache-Control") == "" {
		if age := c.app.Config.SendFileMaxAge; age > 0 {
			h.Set("Cache-Control", "public, max-age="+strconv.FormatInt(int64(age/time.Second), 10))
		} else {
			h.Set("Cache-Control", "no-cache")
		}
	}
	http.ServeContent(c.Response, rangeRequest(c.Request, h, st.Name(), st.Size()), st.Name(), st.ModTime(), rs)
}

// rootFS is an fs.FS over a directory opened with os.Root, so the OS
// refuses any name that would lead outside it, symlinks included. The
// directory is opened on first use (and again while it does not exist).
type rootFS struct {
	dir  string
	mu   sync.Mutex
	root atomic.Pointer[os.Root]
}

// Open implements fs.FS.
func (r *rootFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	root, err := r.open()
	if err != nil {
		return nil, err
	}
	return root.Open(filepath.FromSlash(name))
}

func (r *rootFS) open() (*os.Root, error) {
	if root := r.root.Load(); root != nil {
		return root, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if root := r.root.Load(); root != nil {
		return root, nil
	}
	root, err := os.OpenRoot(r.dir)
	if err != nil {
		return nil, fmt.Errorf("flagon: static folder: %w", err)
	}
	r.root.Store(root)
	return root, nil
}
