package middleware

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/flagon-go/flagon"
)

// CompressConfig configures Compress. The zero value is ready to use.
type CompressConfig struct {
	// Level is the gzip level, from gzip.BestSpeed (1) to
	// gzip.BestCompression (9). Default gzip.DefaultCompression.
	Level int
	// MinLength is the smallest body compressed, in bytes; shorter ones
	// are sent as they are, since gzip would make them longer. Default
	// 1024; a body flushed before reaching it is compressed anyway.
	MinLength int
	// SkipTypes lists more media types sent as they are ("application/x-
	// custom-archive"), besides those already compressed: images but SVG,
	// audio, video, fonts in WOFF, and zip, gzip, bzip2, xz, zstd, 7z,
	// rar archives.
	SkipTypes []string
}

// Compress gzips response bodies for clients whose Accept-Encoding accepts
// gzip (a q-value above 0, directly or through "*"). Bodies shorter than
// MinLength, HEAD answers, protocol upgrades (WebSocket), 204, 304 and 206
// answers, answers with a Content-Range or a Content-Encoding already set,
// and media types that are already compressed are sent as they are. Every answer gets
// Vary: Accept-Encoding, and a compressed one loses its Content-Length.
//
// Streaming works: a Flush (c.Response.Flush, http.ResponseController,
// server-sent events) sends what was written so far, compressed, at once.
// The writer unwraps to the one it wraps, so http.ResponseController
// reaches deadlines and hijacking too. gzip writers are pooled. A
// malformed or oversized Accept-Encoding is read as not accepting gzip. It
// panics on a level gzip does not know.
func Compress(cfg CompressConfig) flagon.Middleware {
	level := cfg.Level
	if level == 0 {
		level = gzip.DefaultCompression
	}
	if _, err := gzip.NewWriterLevel(nil, level); err != nil {
		panic(fmt.Sprintf("flagon: CompressConfig.Level %d is not a gzip level; use 1 (fastest) to 9 (smallest), or 0 for the default", cfg.Level))
	}
	minLength := cfg.MinLength
	if minLength <= 0 {
		minLength = 1024
	}
	skip := map[string]bool{}
	for _, t := range cfg.SkipTypes {
		skip[strings.ToLower(strings.TrimSpace(t))] = true
	}
	pool := &sync.Pool{New: func() any {
		gz, _ := gzip.NewWriterLevel(nil, level)
		return &gzipWriter{gz: gz}
	}}
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			addVary(c.Response.Header(), valAcceptEncoding)
			if c.Request.Method == http.MethodHead || len(c.Request.Header["Upgrade"]) > 0 || !acceptsGzip(c.Request.Header["Accept-Encoding"]) {
				return next(c)
			}
			prev := c.Response
			gw := pool.Get().(*gzipWriter)
			gw.reset(prev, minLength, skip)
			inner := prev.WithWriter(gw)
			c.Response = inner
			defer func() {
				c.Response = prev
				if !inner.Written() {
					c.Status(inner.Status()) // a status set without a body
				}
				gw.close()
				gw.reset(nil, 0, nil)
				pool.Put(gw)
			}()
			return next(c)
		}
	}
}

var (
	valAcceptEncoding = []string{"Accept-Encoding"}
	valGzip           = []string{"gzip"}
)

// first returns the first value of the canonical header key.
func first(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// gzipWriter decides at the first write, or at the flush, whether to
// compress; until then it holds up to minLength bytes.
type gzipWriter struct {
	w         http.ResponseWriter // the response it writes to
	gz        *gzip.Writer
	buf       []byte
	minLength int
	skip      map[string]bool
	code      int
	started   bool // WriteHeader was called
	decided   bool
	compress  bool
}

func (g *gzipWriter) reset(w http.ResponseWriter, minLength int, skip map[string]bool) {
	g.w, g.minLength, g.skip = w, minLength, skip
	g.buf = g.buf[:0]
	if cap(g.buf) > 64<<10 {
		g.buf = nil
	}
	g.code, g.started, g.decided, g.compress = 0, false, false, false
}

// Header returns the headers of the response.
func (g *gzipWriter) Header() http.Header { return g.w.Header() }

// Unwrap returns the writer it wraps, for http.ResponseController.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.w }

// WriteHeader records the status; the headers go once it is known whether
// the body is compressed.
func (g *gzipWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		g.w.WriteHeader(code)
		return
	}
	if g.started {
		return
	}
	g.started, g.code = true, code
	if !g.eligible() {
		g.decide(false)
	}
}

// eligible reports whether the answer may be compressed, from its status
// and headers.
func (g *gzipWriter) eligible() bool {
	switch {
	case g.code < 200, g.code == http.StatusNoContent, g.code == http.StatusNotModified, g.code == http.StatusPartialContent:
		return false
	}
	h := g.w.Header()
	if first(h, "Content-Encoding") != "" || first(h, "Content-Range") != "" {
		return false
	}
	if cl := first(h, "Content-Length"); cl != "" {
		if n, err := strconv.Atoi(cl); err == nil && n < g.minLength {
			return false
		}
	}
	if ct := first(h, "Content-Type"); ct != "" && compressedType(ct, g.skip) {
		return false
	}
	return true
}

// decide sends the headers, compressed or not.
func (g *gzipWriter) decide(compress bool) {
	g.decided, g.compress = true, compress
	h := g.w.Header()
	if compress {
		if first(h, "Content-Type") == "" && len(g.buf) > 0 {
			// net/http would sniff the compressed bytes: sniff the real ones.
			h.Set("Content-Type", http.DetectContentType(g.buf))
			if compressedType(h.Get("Content-Type"), g.skip) {
				g.compress = false
			}
		}
	}
	if g.compress {
		delete(h, "Content-Length")
		h["Content-Encoding"] = valGzip[:1:1]
		g.gz.Reset(g.w)
	}
	g.w.WriteHeader(g.code)
	if len(g.buf) > 0 {
		_, _ = g.out(g.buf)
		g.buf = g.buf[:0]
	}
}

func (g *gzipWriter) out(b []byte) (int, error) {
	if g.compress {
		return g.gz.Write(b)
	}
	return g.w.Write(b)
}

// Write compresses b, or holds it until MinLength bytes have come.
func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.started {
		g.WriteHeader(http.StatusOK)
	}
	if g.decided {
		return g.out(b)
	}
	g.buf = append(g.buf, b...)
	if len(g.buf) >= g.minLength {
		g.decide(true)
	}
	return len(b), nil
}

// WriteString writes s like Write, without converting all of it to a
// byte slice at once.
func (g *gzipWriter) WriteString(s string) (int, error) {
	if !g.decided || !g.compress {
		if !g.started {
			g.WriteHeader(http.StatusOK)
		}
		if !g.decided {
			g.buf = append(g.buf, s...)
			if len(g.buf) >= g.minLength {
				g.decide(true)
			}
			return len(s), nil
		}
		return io.WriteString(g.w, s)
	}
	// gzip.Writer takes bytes: copy through the (empty) hold buffer.
	n := 0
	for n < len(s) {
		chunk := s[n:min(len(s), n+4096)]
		g.buf = append(g.buf[:0], chunk...)
		if _, err := g.gz.Write(g.buf); err != nil {
			g.buf = g.buf[:0]
			return n, err
		}
		n += len(chunk)
	}
	g.buf = g.buf[:0]
	return n, nil
}

// Flush sends what was written so far, compressed, and flushes the
// writer below.
func (g *gzipWriter) Flush() {
	if !g.started {
		g.WriteHeader(http.StatusOK)
	}
	if !g.decided {
		g.decide(true) // a stream: its length is unknown
	}
	if g.compress {
		_ = g.gz.Flush()
	}
	_ = http.NewResponseController(g.w).Flush()
}

// close ends the body: what is held is sent as it is when shorter than
// MinLength, and the gzip stream is closed.
func (g *gzipWriter) close() {
	if !g.started {
		return // nothing written: the app answers as usual
	}
	if !g.decided {
		g.w.Header().Set("Content-Length", strconv.Itoa(len(g.buf)))
		g.decide(false)
	}
	if g.compress {
		_ = g.gz.Close() // the next Reset prepares it again
	}
}

// acceptsGzip reads Accept-Encoding: gzip (or x-gzip) with a q-value above
// 0, or "*" with one and gzip not refused. Malformed entries are skipped;
// a header longer than 1 KB is ignored.
func acceptsGzip(lines []string) bool {
	gzipQ, starQ := -1, -1 // thousandths; -1 when absent
	for _, line := range lines {
		if len(line) > 1024 {
			return false
		}
		for line != "" {
			var item string
			item, line, _ = strings.Cut(line, ",")
			name, params, _ := strings.Cut(item, ";")
			name = strings.TrimSpace(name)
			q := 1000
			if params != "" {
				var ok bool
				if q, ok = qValue(params); !ok {
					continue
				}
			}
			switch {
			case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
				gzipQ = q
			case name == "*":
				starQ = q
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// qValue parses "q=0.5" (spaces allowed around it) into thousandths.
func qValue(params string) (int, bool) {
	p := strings.TrimSpace(params)
	if len(p) < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=' {
		return 0, false
	}
	v := p[2:]
	switch {
	case v == "1" || strings.HasPrefix(v, "1.") && strings.Trim(v[2:], "0") == "" && len(v) <= 5:
		return 1000, true
	case v == "0" || strings.HasPrefix(v, "0."):
		if len(v) > 5 {
			return 0, false
		}
		n := 0
		for i := 2; i < 5; i++ {
			n *= 10
			if i < len(v) {
				if v[i] < '0' || v[i] > '9' {
					return 0, false
				}
				n += int(v[i] - '0')
			}
		}
		return n, true
	}
	return 0, false
}

// compressedType reports whether the media type of ct is already
// compressed, or listed in skip.
func compressedType(ct string, skip map[string]bool) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if skip[mt] {
		return true
	}
	switch {
	case strings.HasPrefix(mt, "image/"):
		return mt != "image/svg+xml" && mt != "image/bmp" && mt != "image/x-icon"
	case strings.HasPrefix(mt, "video/"), strings.HasPrefix(mt, "audio/"):
		return true
	}
	switch mt {
	case "application/zip", "application/gzip", "application/x-gzip", "application/x-bzip2",
		"application/x-xz", "application/zstd", "application/x-7z-compressed",
		"application/x-rar-compressed", "application/vnd.rar", "font/woff", "font/woff2":
		return true
	}
	return false
}
