package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
)

// fuzzApp has every middleware that reads a client-controlled header.
func fuzzApp() *flagon.App {
	app := quietApp()
	app.Use(
		middleware.RequestID(),
		middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{"https://*.example.com"}, AllowOriginFunc: func(o string) bool { return strings.HasSuffix(o, ".test") }, AllowCredentials: true}),
		middleware.Compress(middleware.CompressConfig{MinLength: 1}),
	)
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "hello hello hello") }).
		Use(middleware.BasicAuth("r", func(u, p string) bool { return u == "a" }))
	return app
}

// No header value makes a middleware panic, and none is reflected into a
// response header unless it is well-formed.
func FuzzMiddlewareHeaders(f *testing.F) {
	f.Add("https://a.example.com", "gzip;q=0.5, *;q=0", "Basic YTpi", "abc-123")
	f.Add("null", "*", "Basic", "")
	f.Add("https://a.example.com\r\nX: y", "gzip;q=", "Basic !!!", "a b")
	f.Add("http://[::1", ";;,,q=1", "Bearer x", strings.Repeat("x", 65))
	f.Add("https://evil.com/.example.com", "GZIP;Q=1.000", "basic YTpi", "\x00")
	app := fuzzApp()
	f.Fuzz(func(t *testing.T, origin, acceptEncoding, authorization, requestID string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header["Origin"] = []string{origin}
		req.Header["Accept-Encoding"] = []string{acceptEncoding}
		req.Header["Authorization"] = []string{authorization}
		req.Header["X-Request-Id"] = []string{requestID}
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		for k, vs := range rec.Header() {
			for _, v := range vs {
				for i := 0; i < len(v); i++ {
					if v[i] < ' ' && v[i] != '\t' || v[i] == 0x7f {
						t.Fatalf("header %s holds a control character: %q", k, v)
					}
				}
			}
		}
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" && got != origin {
			t.Fatalf("Access-Control-Allow-Origin %q for Origin %q", got, origin)
		}
		if got := rec.Header().Get("X-Request-ID"); got != requestID && len(got) != 32 {
			t.Fatalf("X-Request-ID %q for %q", got, requestID)
		}
		if rec.Code != http.StatusOK && rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d", rec.Code)
		}
	})
}
