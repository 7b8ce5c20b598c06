package bench

import (
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// e2eDuration is how long each end-to-end run lasts: E2E_DURATION, else
// 2s (CI sets it short; it only checks the suite still runs).
func e2eDuration() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("E2E_DURATION")); err == nil && d > 0 {
		return d
	}
	return 2 * time.Second
}

// e2eConns is the number of keep-alive connections of the load.
const e2eConns = 16

// bareHello is the bare net/http baseline: a plain HandlerFunc.
var bareHello = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, helloBody)
})

// BenchmarkE2EHello serves hello world from each framework on a real
// net/http.Server at 127.0.0.1 and loads it over loopback for a fixed
// time; it reports requests per second (req/s) and the time per request.
func BenchmarkE2EHello(b *testing.B) {
	handlers := []struct {
		name string
		h    http.Handler
	}{{"nethttp", bareHello}}
	for _, fw := range Frameworks {
		handlers = append(handlers, struct {
			name string
			h    http.Handler
		}{fw.Name, fw.Hello()})
	}
	for _, s := range handlers {
		b.Run(s.name, func(b *testing.B) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 5 * time.Second}
			go func() { _ = srv.Serve(l) }()
			defer srv.Close()
			url := "http://" + l.Addr().String() + "/"
			Load(url, e2eConns, 100*time.Millisecond) // warm up
			b.ResetTimer()
			res := Load(url, e2eConns, e2eDuration())
			b.StopTimer()
			if res.OK == 0 || res.Errors > res.OK/100 {
				b.Fatalf("%s: %d ok, %d errors", s.name, res.OK, res.Errors)
			}
			b.ReportMetric(res.RPS(), "req/s")
			b.ReportMetric(float64(res.Elapsed.Nanoseconds())/float64(res.OK), "ns/op")
		})
	}
}
