package middleware_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
)

// benchMiddleware measures the hello-world route behind mw; compare with
// BenchmarkNoMiddleware. bench/ measures the same against Gin, Echo and chi.
func benchMiddleware(b *testing.B, mw flagon.Middleware, headers ...string) {
	app := flagon.New()
	if mw != nil {
		app.Use(mw)
	}
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
	req, _ := http.NewRequest("GET", "/", nil)
	req.RemoteAddr = "192.0.2.7:50000"
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		app.ServeHTTP(w, req)
	}
}

func BenchmarkNoMiddleware(b *testing.B) { benchMiddleware(b, nil) }

func BenchmarkRequestID(b *testing.B) {
	benchMiddleware(b, middleware.RequestID(), "X-Request-ID", "0f8c2a4e-9b1d-4c7e")
}

func BenchmarkRequestIDNoContext(b *testing.B) {
	benchMiddleware(b, middleware.RequestID(middleware.RequestIDConfig{NoContext: true}), "X-Request-ID", "0f8c2a4e-9b1d-4c7e")
}

func BenchmarkCORS(b *testing.B) {
	benchMiddleware(b, middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{"https://app.example.com"}}), "Origin", "https://app.example.com")
}

func BenchmarkCORSPreflight(b *testing.B) {
	benchMiddleware(b, middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{"https://app.example.com"}}),
		"Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT")
}

func BenchmarkSecureHeaders(b *testing.B) {
	benchMiddleware(b, middleware.SecureHeaders(middleware.SecureHeadersConfig{ContentSecurityPolicy: "default-src 'self'"}))
}

func BenchmarkSecureHeadersNonce(b *testing.B) {
	benchMiddleware(b, middleware.SecureHeaders(middleware.SecureHeadersConfig{ContentSecurityPolicy: "script-src 'nonce-{nonce}'"}))
}

func BenchmarkCompressShort(b *testing.B) {
	benchMiddleware(b, middleware.Compress(middleware.CompressConfig{}), "Accept-Encoding", "gzip")
}

func BenchmarkBodyLimit(b *testing.B) { benchMiddleware(b, middleware.BodyLimit(1<<20)) }

func BenchmarkTimeout(b *testing.B) { benchMiddleware(b, middleware.Timeout(time.Second)) }

func BenchmarkBasicAuth(b *testing.B) {
	benchMiddleware(b, middleware.BasicAuth("r", middleware.BasicAuthUsers(map[string]string{"ada": "lovelace"})),
		"Authorization", "Basic YWRhOmxvdmVsYWNl")
}

func BenchmarkRateLimit(b *testing.B) {
	benchMiddleware(b, middleware.RateLimit(middleware.RateLimitConfig{Requests: 1_000_000_000, Per: time.Second}))
}
