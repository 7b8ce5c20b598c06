package flagon_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// staticTree lays out a project folder: static/ with a stylesheet, a
// subfolder, a symlink inside and one pointing outside, next to a secret
// that must never be served.
func staticTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	static := filepath.Join(root, "static")
	require.NoError(t, os.MkdirAll(filepath.Join(static, "sub", "deeper"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(static, "app.css"), []byte("body{color:red}"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(static, "sub", "notes.txt"), []byte("notes"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "secret.txt"), []byte("TOP SECRET"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(root, "secret.txt"), filepath.Join(static, "outside")))
	require.NoError(t, os.Symlink("../secret.txt", filepath.Join(static, "relative-outside")))
	require.NoError(t, os.Symlink("app.css", filepath.Join(static, "inside.css")))
	return root
}

func staticApp(t *testing.T) (*flagon.App, string) {
	root := staticTree(t)
	app := quietApp()
	app.Config.StaticDir = filepath.Join(root, "static")
	return app, root
}

func TestTheStaticFolderIsServedLikeFlask(t *testing.T) {
	app, _ := staticApp(t)
	u, err := app.URLFor("static", "filename", "app.css")
	require.NoError(t, err, "the static endpoint exists before the app serves")
	assert.Equal(t, "/static/app.css", u)
	srv := serveApp(t, app)

	res, body := request(t, "GET", srv.URL+"/static/app.css", nil)
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "body{color:red}", body)
	assert.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"))
	etag, modified := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	require.NotEmpty(t, etag)
	require.NotEmpty(t, modified)

	t.Run("a subfolder", func(t *testing.T) {
		res, body := request(t, "GET", srv.URL+"/static/sub/notes.txt", nil)
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "notes", body)
	})
	t.Run("a symlink inside the folder", func(t *testing.T) {
		res, body := request(t, "GET", srv.URL+"/static/inside.css", nil)
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "body{color:red}", body)
	})
	t.Run("a range", func(t *testing.T) {
		res, body := request(t, "GET", srv.URL+"/static/app.css", map[string]string{"Range": "bytes=0-3"})
		assert.Equal(t, 206, res.StatusCode)
		assert.Equal(t, "body", body)
		assert.Equal(t, "bytes 0-3/15", res.Header.Get("Content-Range"))
	})
	t.Run("an unsatisfiable range", func(t *testing.T) {
		res, _ := request(t, "GET", srv.URL+"/static/app.css", map[string]string{"Range": "bytes=100-200"})
		assert.Equal(t, 416, res.StatusCode)
	})
	t.Run("If-None-Match", func(t *testing.T) {
		res, body := request(t, "GET", srv.URL+"/static/app.css", map[string]string{"If-None-Match": etag})
		assert.Equal(t, 304, res.StatusCode)
		assert.Empty(t, body)
	})
	t.Run("If-Modified-Since", func(t *testing.T) {
		res, _ := request(t, "GET", srv.URL+"/static/app.css", map[string]string{"If-Modified-Since": modified})
		assert.Equal(t, 304, res.StatusCode)
	})
	t.Run("HEAD", func(t *testing.T) {
		res, body := request(t, "HEAD", srv.URL+"/static/app.css", nil)
		assert.Equal(t, 200, res.StatusCode)
		assert.Empty(t, body)
		assert.Equal(t, "15", res.Header.Get("Content-Length"))
	})
	t.Run("no directory listing", func(t *testing.T) {
		for _, p := range []string{"/static/sub", "/static/sub/", "/static/sub/deeper", "/static/", "/static"} {
			res, body := request(t, "GET", srv.URL+p, nil)
			assert.Equal(t, 404, res.StatusCode, p)
			assert.NotContains(t, body, "notes.txt", p)
		}
	})
	t.Run("a missing file", func(t *testing.T) {
		res, _ := request(t, "GET", srv.URL+"/static/nope.css", nil)
		assert.Equal(t, 404, res.StatusCode)
	})
}

// rawGet sends target exactly as written and follows up to three
// redirects; it returns the last status and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	for range 4 {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		require.NoError(t, err)
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		_, err = io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n\r\n")
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		conn.Close()
		if loc := res.Header.Get("Location"); res.StatusCode/100 == 3 && loc != "" {
			target = loc
			continue
		}
		return res.StatusCode, string(body)
	}
	t.Fatalf("too many redirects for %s", target)
	return 0, ""
}

func TestStaticFilesNeverLeaveTheirFolder(t *testing.T) {
	app, _ := staticApp(t)
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "home") })
	srv := serveApp(t, app)
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, target := range []string{
		"/static/../secret.txt",
		"/static/%2e%2e/secret.txt",
		"/static/%2E%2E/secret.txt",
		"/static/..%2fsecret.txt",
		"/static/%2e%2e%2fsecret.txt",
		"/static/sub/..%2f..%2fsecret.txt",
		"/static/..%5csecret.txt",
		"/static/sub%5c..%5c..%5csecret.txt",
		"/static/..\\secret.txt",
		"/static/app.css%00",
		"/static/%00",
		"/static/app.css%00.png",
		"/static//etc/passwd",
		"/static/%2fetc%2fpasswd",
		"/static/%2F..%2F..%2Fsecret.txt",
		"/static/outside",
		"/static/relative-outside",
		"/static/C:%5cWindows%5cwin.ini",
	} {
		t.Run(target, func(t *testing.T) {
			code, body := rawGet(t, addr, target)
			assert.Contains(t, []int{400, 404}, code)
			assert.NotContains(t, body, "TOP SECRET")
		})
	}
}

func TestStaticSettings(t *testing.T) {
	t.Run("SendFileMaxAge sets the cache lifetime", func(t *testing.T) {
		app, _ := staticApp(t)
		app.Config.SendFileMaxAge = time.Hour
		srv := serveApp(t, app)
		res, _ := request(t, "GET", srv.URL+"/static/app.css", nil)
		assert.Equal(t, "public, max-age=3600", res.Header.Get("Cache-Control"))
	})
	t.Run("StaticURLPath moves the folder", func(t *testing.T) {
		app, _ := staticApp(t)
		app.Config.StaticURLPath = "/assets/"
		srv := serveApp(t, app)
		res, body := request(t, "GET", srv.URL+"/assets/app.css", nil)
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "body{color:red}", body)
		u, err := app.URLFor("static", "filename", "a b/c.css")
		require.NoError(t, err)
		assert.Equal(t, "/assets/a%20b/c.css", u)
	})
	t.Run("no static folder, no static route", func(t *testing.T) {
		app := quietApp()
		app.Config.StaticDir = filepath.Join(t.TempDir(), "absent")
		_, err := app.URLFor("static", "filename", "x.css")
		assert.ErrorContains(t, err, `endpoint "static"`)
		srv := serveApp(t, app)
		res, _ := request(t, "GET", srv.URL+"/static/x.css", nil)
		assert.Equal(t, 404, res.StatusCode)
	})
	t.Run("an app's own static endpoint wins", func(t *testing.T) {
		app, _ := staticApp(t)
		app.Get("/cdn/<path:filename>", func(c *flagon.Context) error { return nil }).Name("static")
		u, err := app.URLFor("static", "filename", "app.css")
		require.NoError(t, err)
		assert.Equal(t, "/cdn/app.css", u)
	})
	t.Run("StaticFS serves an embedded folder with content ETags", func(t *testing.T) {
		app := quietApp()
		app.Config.StaticFS = fstest.MapFS{"js/app.js": {Data: []byte("console.log(1)")}}
		srv := serveApp(t, app)
		res, body := request(t, "GET", srv.URL+"/static/js/app.js", nil)
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "console.log(1)", body)
		assert.Equal(t, "text/javascript; charset=utf-8", res.Header.Get("Content-Type"))
		etag := res.Header.Get("ETag")
		require.Regexp(t, `^"[0-9a-f]{24}"$`, etag)
		res, _ = request(t, "GET", srv.URL+"/static/js/app.js", map[string]string{"If-None-Match": etag})
		assert.Equal(t, 304, res.StatusCode)
	})
	t.Run("Static and StaticFS add more folders", func(t *testing.T) {
		root := staticTree(t)
		app := quietApp()
		app.Static("/media/", filepath.Join(root, "static", "sub"))
		app.StaticFS("/embedded/files", fstest.MapFS{"a.txt": {Data: []byte("A")}})
		srv := serveApp(t, app)
		_, body := request(t, "GET", srv.URL+"/media/notes.txt", nil)
		assert.Equal(t, "notes", body)
		_, body = request(t, "GET", srv.URL+"/embedded/files/a.txt", nil)
		assert.Equal(t, "A", body)
		u, err := app.URLFor("static:media", "filename", "notes.txt")
		require.NoError(t, err)
		assert.Equal(t, "/media/notes.txt", u)
		u, err = app.URLFor("static:embedded:files", "filename", "a.txt")
		require.NoError(t, err)
		assert.Equal(t, "/embedded/files/a.txt", u)
	})
}

func TestFileAndAttachment(t *testing.T) {
	root := staticTree(t)
	app := quietApp()
	app.Get("/file", func(c *flagon.Context) error { return c.File(filepath.Join(root, "static", "app.css")) })
	app.Get("/missing", func(c *flagon.Context) error { return c.File(filepath.Join(root, "nope")) })
	app.Get("/dir", func(c *flagon.Context) error { return c.File(root) })
	app.Get("/download", func(c *flagon.Context) error {
		return c.Attachment(filepath.Join(root, "static", "sub", "notes.txt"), c.Query("name"))
	})
	srv := serveApp(t, app)

	res, body := request(t, "GET", srv.URL+"/file", nil)
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "body{color:red}", body)
	assert.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))
	res, _ = request(t, "GET", srv.URL+"/file", map[string]string{"Range": "bytes=5-"})
	assert.Equal(t, 206, res.StatusCode)
	res, _ = request(t, "GET", srv.URL+"/missing", nil)
	assert.Equal(t, 404, res.StatusCode)
	res, _ = request(t, "GET", srv.URL+"/dir", nil)
	assert.Equal(t, 404, res.StatusCode)

	cases := []struct{ name, want string }{
		{"report.txt", `attachment; filename="report.txt"`},
		{"résumé 2026.txt", `attachment; filename="r_sum_ 2026.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%202026.txt`},
		{"a\"b.txt", `attachment; filename="a_b.txt"; filename*=UTF-8''a%22b.txt`},
		{"x\r\nX-Evil: 1\r\n.txt", `attachment; filename="x__X-Evil: 1__.txt"; filename*=UTF-8''x%0D%0AX-Evil%3A%201%0D%0A.txt`},
		{"back\\slash;.txt", `attachment; filename="back_slash;.txt"; filename*=UTF-8''back%5Cslash%3B.txt`},
		{"", `attachment`},
	}
	for _, tc := range cases {
		t.Run("download named "+tc.name, func(t *testing.T) {
			res, body := request(t, "GET", srv.URL+"/download?name="+url.QueryEscape(tc.name), nil)
			assert.Equal(t, 200, res.StatusCode)
			assert.Equal(t, "notes", body)
			assert.Equal(t, tc.want, res.Header.Get("Content-Disposition"))
			assert.Empty(t, res.Header.Get("X-Evil"))
		})
	}
}

// guardedTree lays out a folder whose admin/ subfolder a guard route
// protects, with names that need escapes beside it.
func guardedTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "admin"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "admin", "private.txt"), []byte("GUARDED"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "notes.txt"), []byte("notes"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a b.txt"), []byte("spaced"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "café.txt"), []byte("accented"), 0o644))
	return dir
}

// smuggledSpellings spell admin/private.txt (under prefix) as one segment
// the router does not split, or with backslashes it never splits on.
func smuggledSpellings(prefix string) []string {
	return []string{
		prefix + "/admin%2Fprivate.txt",
		prefix + "/admin%2fprivate.txt",
		prefix + "/admin%5Cprivate.txt",
		prefix + "/admin%5cprivate.txt",
		prefix + "/admin\\private.txt",
		prefix + "/%61dmin%2Fprivate.txt",
		prefix + "/sub%2F..%2Fadmin%2Fprivate.txt",
		prefix + "/sub%2f..%2fadmin%2fprivate.txt",
		prefix + "/sub/..%2Fadmin%2Fprivate.txt",
		prefix + "/sub%5C..%5Cadmin%5Cprivate.txt",
		prefix + "/ADMIN%2FPRIVATE.TXT",
		prefix + "/admin%2F.%2Fprivate.txt",
		prefix + "/admin%2F%2Fprivate.txt",
	}
}

func TestEncodedSeparatorsNeverReachAGuardedFile(t *testing.T) {
	dir := guardedTree(t)
	app := quietApp()
	guard := func(c *flagon.Context) error { return flagon.Abort(403) }
	app.Get("/files/admin/<path:p>", guard)
	app.Static("/files", dir)
	app.Get("/dl/admin/<path:p>", guard)
	app.Get("/dl/<name>", func(c *flagon.Context) error {
		return c.File(filepath.Join(dir, c.Param("name")))
	})
	app.Get("/dlp/admin/<path:p>", guard)
	app.Get("/dlp/<path:name>", func(c *flagon.Context) error {
		return c.File(filepath.Join(dir, c.Param("name")))
	})
	app.Get("/lower/admin/<path:p>", guard)
	app.Get("/lower/<name>", func(c *flagon.Context) error {
		return c.File(filepath.Join(dir, strings.ToLower(c.Param("name"))))
	})
	app.Get("/att/admin/<path:p>", guard)
	app.Get("/att/<name>", func(c *flagon.Context) error {
		return c.Attachment(filepath.Join(dir, c.Param("name")), "download.txt")
	})
	app.Get("/label/<label>", func(c *flagon.Context) error {
		return c.File(filepath.Join(dir, "sub", "notes.txt")) // the variable is not part of the path
	})
	srv := serveApp(t, app)
	addr := strings.TrimPrefix(srv.URL, "http://")

	t.Run("the guard answers the plain spelling", func(t *testing.T) {
		for _, p := range []string{"/files", "/dl", "/dlp", "/lower", "/att"} {
			code, body := rawGet(t, addr, p+"/admin/private.txt")
			assert.Equal(t, 403, code, p)
			assert.NotContains(t, body, "GUARDED", p)
		}
	})
	for _, prefix := range []string{"/files", "/dl", "/dlp", "/lower", "/att"} {
		for _, target := range smuggledSpellings(prefix) {
			t.Run(target+" never serves the guarded file", func(t *testing.T) {
				code, body := rawGet(t, addr, target)
				assert.Contains(t, []int{400, 403, 404}, code)
				assert.NotContains(t, body, "GUARDED")
			})
		}
	}
	t.Run("a backslash is a separator on every system", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("Windows has no file names with backslashes")
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, `x\y.txt`), []byte("BACKSLASHED"), 0o644))
		for _, target := range []string{"/files/x%5Cy.txt", "/dl/x%5Cy.txt", "/dl/x%5cy.txt", "/dlp/x%5Cy.txt"} {
			code, body := rawGet(t, addr, target)
			assert.Equal(t, 404, code, target)
			assert.NotContains(t, body, "BACKSLASHED", target)
		}
	})
	t.Run("a refused attachment is not a download", func(t *testing.T) {
		for _, target := range []string{"/att/admin%2Fprivate.txt", "/att/missing.txt"} {
			res, body := request(t, "GET", srv.URL+target, nil)
			assert.Equal(t, 404, res.StatusCode, target)
			assert.Empty(t, res.Header.Get("Content-Disposition"), target)
			assert.NotContains(t, body, "GUARDED", target)
		}
		res, _ := request(t, "GET", srv.URL+"/att/a%20b.txt", nil)
		assert.Equal(t, `attachment; filename="download.txt"`, res.Header.Get("Content-Disposition"))
	})
	t.Run("ordinary names with escapes still serve", func(t *testing.T) {
		for target, want := range map[string]string{
			"/files/a%20b.txt":     "spaced",
			"/files/caf%C3%A9.txt": "accented",
			"/files/sub/notes.txt": "notes",
			"/dl/a%20b.txt":        "spaced",
			"/dl/caf%C3%A9.txt":    "accented",
			"/dlp/sub/notes.txt":   "notes",
			"/dlp/caf%C3%A9.txt":   "accented",
			"/att/a%20b.txt":       "spaced",
			"/label/a%2Fb":         "notes",
			"/label/x%5Cy":         "notes",
		} {
			code, body := rawGet(t, addr, target)
			assert.Equal(t, 200, code, target)
			assert.Equal(t, want, body, target)
		}
	})
}
