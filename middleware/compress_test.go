package middleware_test

import (
	"bufio"
	"compress/gzip"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var long = strings.Repeat("Flagon compresses text that repeats. ", 100) // 3 700 bytes

func compressApp() *flagon.App {
	app := quietApp()
	app.Use(middleware.Compress(middleware.CompressConfig{MinLength: 512}))
	app.Get("/text", func(c *flagon.Context) error { return c.Text(200, long) })
	app.Get("/short", func(c *flagon.Context) error { return c.Text(200, "short") })
	app.Get("/json", func(c *flagon.Context) error { return c.JSON(200, map[string]string{"text": long}) })
	app.Get("/png", func(c *flagon.Context) error { return c.Blob(200, "image/png", []byte(long)) })
	app.Get("/zip", func(c *flagon.Context) error { return c.Blob(200, "application/zip", []byte(long)) })
	app.Get("/svg", func(c *flagon.Context) error { return c.Blob(200, "image/svg+xml", []byte(long)) })
	app.Get("/encoded", func(c *flagon.Context) error {
		c.SetHeader("Content-Encoding", "br")
		return c.Blob(200, "text/plain", []byte(long))
	})
	app.Get("/range", func(c *flagon.Context) error {
		c.SetHeader("Content-Range", "bytes 0-3699/9000")
		return c.Blob(206, "text/plain", []byte(long))
	})
	app.Get("/created", func(c *flagon.Context) error { c.Status(201); return nil })
	app.Get("/nocontent", func(c *flagon.Context) error { return c.NoContent(204) })
	app.Get("/sniffed", func(c *flagon.Context) error {
		_, err := c.Response.Write([]byte("<!doctype html><p>" + long))
		return err
	})
	app.Get("/fail", func(c *flagon.Context) error { return flagon.Abort(503, long) })
	return app
}

// fetchRaw sends a request without the client's own gzip handling.
func fetchRaw(t *testing.T, method, url, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := tr.RoundTrip(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, b
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(b)))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return string(out)
}

func TestCompressFollowsAcceptEncoding(t *testing.T) {
	srv := serve(t, compressApp())
	cases := []struct {
		name, accept string
		gzipped      bool
	}{
		{"gzip is compressed", "gzip", true},
		{"gzip among others is compressed", "br, gzip, deflate", true},
		{"gzip with a q-value is compressed", "br;q=1.0, gzip;q=0.5", true},
		{"x-gzip is compressed", "x-gzip", true},
		{"GZIP in capitals is compressed", "GZIP", true},
		{"star is compressed", "*", true},
		{"gzip;q=0 refuses", "gzip;q=0", false},
		{"gzip;q=0.000 refuses", "gzip; q=0.000", false},
		{"star;q=0 refuses", "*;q=0", false},
		{"gzip refused under a star is refused", "gzip;q=0, *", false},
		{"identity only is not compressed", "identity", false},
		{"no header is not compressed", "", false},
		{"a malformed q-value is skipped", "gzip;q=abc", false},
		{"a q-value above 1 is skipped", "gzip;q=2", false},
		{"a q-value with four decimals is skipped", "gzip;q=0.0001", false},
		{"garbage is ignored", ";;;,,,=q;", false},
		{"an oversized header is ignored", strings.Repeat("br, ", 400) + "gzip", false},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res, body := fetchRaw(t, "GET", srv.URL+"/text", tt.accept)
			assert.Equal(t, 200, res.StatusCode)
			assert.Equal(t, "Accept-Encoding", res.Header.Get("Vary"))
			if tt.gzipped {
				assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
				if cl := res.Header.Get("Content-Length"); cl != "" {
					assert.Equal(t, strconv.Itoa(len(body)), cl, "the compressed length (net/http's), not the handler's")
				}
				assert.Less(t, len(body), len(long)/4)
				assert.Equal(t, long, gunzip(t, body))
			} else {
				assert.Empty(t, res.Header.Get("Content-Encoding"))
				assert.Equal(t, long, string(body))
			}
		})
	}
}

func TestCompressSkipsWhatShouldNotBeCompressed(t *testing.T) {
	srv := serve(t, compressApp())
	cases := []struct {
		name, method, path string
		code               int
		gzipped            bool
		body               string
	}{
		{"a body shorter than MinLength is sent as is, with its length", "GET", "/short", 200, false, "short"},
		{"a PNG is sent as is", "GET", "/png", 200, false, long},
		{"a zip is sent as is", "GET", "/zip", 200, false, long},
		{"an SVG is compressed", "GET", "/svg", 200, true, long},
		{"JSON with a Content-Length is compressed", "GET", "/json", 200, true, ""},
		{"a body with a Content-Encoding already is sent as is", "GET", "/encoded", 200, false, long},
		{"a partial answer is sent as is", "GET", "/range", 206, false, long},
		{"a HEAD answer is not compressed", "HEAD", "/text", 200, false, ""},
		{"a status without a body keeps its status", "GET", "/created", 201, false, ""},
		{"a 204 stays empty", "GET", "/nocontent", 204, false, ""},
		{"an error page is compressed", "GET", "/fail", 503, true, ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res, body := fetchRaw(t, tt.method, srv.URL+tt.path, "gzip")
			assert.Equal(t, tt.code, res.StatusCode)
			assert.Equal(t, "Accept-Encoding", res.Header.Get("Vary"))
			if tt.gzipped {
				assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
				text := gunzip(t, body)
				if tt.body != "" {
					assert.Equal(t, tt.body, text)
				}
				return
			}
			if tt.path == "/encoded" {
				assert.Equal(t, "br", res.Header.Get("Content-Encoding"))
			} else {
				assert.Empty(t, res.Header.Get("Content-Encoding"))
			}
			assert.Equal(t, tt.body, string(body))
			if tt.path == "/short" {
				assert.Equal(t, "5", res.Header.Get("Content-Length"))
			}
		})
	}
	t.Run("the content type of an unlabelled body is sniffed before compression", func(t *testing.T) {
		res, body := fetchRaw(t, "GET", srv.URL+"/sniffed", "gzip")
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Equal(t, "<!doctype html><p>"+long, gunzip(t, body))
	})
	t.Run("a level gzip does not know panics at once", func(t *testing.T) {
		assert.Panics(t, func() { middleware.Compress(middleware.CompressConfig{Level: 42}) })
	})
}

func TestCompressStreams(t *testing.T) {
	step := make(chan struct{})
	app := quietApp()
	app.Use(middleware.Compress(middleware.CompressConfig{}))
	app.Get("/events", func(c *flagon.Context) error {
		c.SetHeader("Content-Type", "text/event-stream")
		rc := http.NewResponseController(c.Response)
		if err := rc.SetWriteDeadline(time.Now().Add(10 * time.Second)); err != nil {
			return err // http.ResponseController must reach the connection
		}
		for i := range 3 {
			if _, err := c.Response.WriteString("data: event " + string(rune('0'+i)) + "\n\n"); err != nil {
				return err
			}
			if err := rc.Flush(); err != nil {
				return err
			}
			<-step // the client has read the event before the next is written
		}
		return nil
	})
	srv := serve(t, app)

	req, _ := http.NewRequest("GET", srv.URL+"/events", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := tr.RoundTrip(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))

	zr, err := gzip.NewReader(res.Body)
	require.NoError(t, err)
	lines := bufio.NewReader(zr)
	for i := range 3 {
		line, err := lines.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, "data: event "+string(rune('0'+i))+"\n", line, "each event arrives when flushed")
		_, _ = lines.ReadString('\n')
		step <- struct{}{}
	}
	rest, err := io.ReadAll(lines)
	require.NoError(t, err)
	assert.Empty(t, rest)
}

func TestCompressLetsAHandlerHijackTheConnection(t *testing.T) {
	for _, upgrade := range []bool{false, true} {
		name := "a hijack through the compressing writer answers nothing else"
		if upgrade {
			name = "an Upgrade request is left uncompressed and can be hijacked"
		}
		t.Run(name, func(t *testing.T) {
			var logs strings.Builder
			app := quietApp()
			app.Get("/ws", func(c *flagon.Context) error {
				conn, rw, err := http.NewResponseController(c.Response).Hijack()
				if err != nil {
					return err
				}
				defer conn.Close()
				_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nraw")
				return rw.Flush()
			}).Use(middleware.Compress(middleware.CompressConfig{}))
			srv := httptest.NewUnstartedServer(app)
			srv.Config.ErrorLog = log.New(&logs, "", 0)
			srv.Start()
			defer srv.Close()

			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			req := "GET /ws HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
			if upgrade {
				req += "Connection: Upgrade\r\nUpgrade: test\r\n"
			}
			_, err = conn.Write([]byte(req + "\r\n"))
			require.NoError(t, err)
			b, _ := io.ReadAll(conn)
			assert.True(t, strings.HasPrefix(string(b), "HTTP/1.1 101 Switching Protocols\r\n"), "%q", b)
			assert.True(t, strings.HasSuffix(string(b), "\r\n\r\nraw"), "%q", b)
			srv.Close()
			assert.NotContains(t, logs.String(), "hijacked")
		})
	}
}
