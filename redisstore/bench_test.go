package redisstore

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
)

// BenchmarkRateLimit runs one request through RateLimit with each store,
// in process (no HTTP), against a redis-server on loopback. The limit is
// never reached, so every request is let through.
func BenchmarkRateLimit(b *testing.B) {
	rdb := startRedis(b).client(b)
	stores := []struct {
		name  string
		store middleware.Store
	}{
		{"memory", middleware.NewMemoryStore(0)},
		{"redis", NewRateLimitStore(rdb, "bench:")},
	}
	for _, s := range stores {
		app := flagon.New()
		app.Use(middleware.RateLimit(middleware.RateLimitConfig{Requests: 1 << 30, Per: time.Second, Store: s.store}))
		app.Get("/", func(c *flagon.Context) error { return c.Text(200, "ok") })
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				app.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatal(w.Code)
				}
			}
		})
		b.Run(s.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := httptest.NewRecorder()
					app.ServeHTTP(w, req)
				}
			})
		})
	}
}

// BenchmarkSession measures a request reading the session (one GET) and
// one reading and writing it (a GET, then a SET), reporting Redis round
// trips per request.
func BenchmarkSession(b *testing.B) {
	rdb := startRedis(b).client(b)
	counter := &roundTrips{}
	rdb.AddHook(counter)
	app := newTestApp(rdb, appOptions{})
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/login?user=ada", nil))
	cookie := w.Result().Cookies()[0]
	for _, path := range []string{"/me", "/count"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		name := map[string]string{"/me": "load", "/count": "load+save"}[path]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			counter.take()
			for b.Loop() {
				w := httptest.NewRecorder()
				app.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatal(w.Code, w.Body.String())
				}
			}
			b.ReportMetric(float64(counter.take())/float64(b.N), "roundtrips/op")
		})
	}
}
