package middleware_test

import (
	"net/http"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
)

// discardWriter reuses its header map and discards the body, as the
// benchmarks' writer does.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header               { return d.h }
func (d *discardWriter) Write(b []byte) (int, error)       { return len(b), nil }
func (d *discardWriter) WriteString(s string) (int, error) { return len(s), nil }
func (d *discardWriter) WriteHeader(int)                   {}

// The middleware on the hot path of every request add no allocation to
// the hello-world route (0 allocs/op, checked by .ci/run without -race).
func TestMiddlewareAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items); .ci/run runs this test without -race")
	}
	cases := []struct {
		name    string
		mw      flagon.Middleware
		headers map[string]string
	}{
		{"RequestID with an incoming ID and NoContext", middleware.RequestID(middleware.RequestIDConfig{NoContext: true}),
			map[string]string{"X-Request-ID": "0f8c2a4e-9b1d-4c7e"}},
		{"CORS answering an allowed origin", middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{"https://app.example.com", "https://*.example.org"}, AllowCredentials: true, ExposeHeaders: []string{"X-Total"}}),
			map[string]string{"Origin": "https://app.example.com"}},
		{"CORS answering a wildcard origin", middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{"https://*.example.org"}}),
			map[string]string{"Origin": "https://a.example.org"}},
		{"CORS answering star", middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{"*"}}),
			map[string]string{"Origin": "https://app.example.com"}},
		{"SecureHeaders with a fixed policy", middleware.SecureHeaders(middleware.SecureHeadersConfig{ContentSecurityPolicy: "default-src 'self'"}), nil},
	}
	for _, tt := range cases {
		t.Run(tt.name+" allocates nothing", func(t *testing.T) {
			app := flagon.New()
			app.Use(tt.mw)
			app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
			req, _ := http.NewRequest("GET", "/", nil)
			req.RemoteAddr = "192.0.2.7:50000"
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			w := &discardWriter{h: http.Header{}}
			app.ServeHTTP(w, req)
			assert.Zero(t, testing.AllocsPerRun(200, func() {
				clear(w.h)
				app.ServeHTTP(w, req)
			}))
		})
	}
}

// The request context is the one thing RequestID pays for: a new context
// and a copy of the request, as net/http's WithContext requires.
func TestRequestIDInTheRequestContextCostsTwoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	app := flagon.New()
	app.Use(middleware.RequestID())
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
	req, _ := http.NewRequest("GET", "/", nil)
	req.RemoteAddr = "192.0.2.7:50000"
	req.Header.Set("X-Request-ID", "0f8c2a4e-9b1d-4c7e")
	w := &discardWriter{h: http.Header{}}
	app.ServeHTTP(w, req)
	assert.Equal(t, 2.0, testing.AllocsPerRun(200, func() {
		clear(w.h)
		app.ServeHTTP(w, req)
	}))
}
