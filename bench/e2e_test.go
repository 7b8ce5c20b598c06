package bench

import (
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
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

// e2eRounds is how many turns each framework's load is cut into: E2E_ROUNDS,
// else 6. The frameworks take turns in a rotating order, so a slow spell
// of the shared machine falls on all of them instead of on whichever ran
// then.
func e2eRounds() int {
	if n, err := strconv.Atoi(os.Getenv("E2E_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 6
}

// BenchmarkE2EHello serves hello world from each framework on a real
// net/http.Server at 127.0.0.1 and loads it over loopback for a fixed
// time, in turns (see e2eRounds); each sub-benchmark reports its
// framework's requests per second (req/s) and time per request over all
// its turns. The load runs before the sub-benchmarks, which only report,
// so run it with -benchtime=1x.
func BenchmarkE2EHello(b *testing.B) {
	type server struct {
		name string
		url  string
		res  LoadResult
	}
	handlers := map[string]http.Handler{"nethttp": bareHello}
	names := []string{"nethttp"}
	for _, fw := range Frameworks {
		handlers[fw.Name] = fw.Hello()
		names = append(names, fw.Name)
	}
	servers := make([]*server, 0, len(names))
	for _, name := range names {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: handlers[name], ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(l) }()
		defer srv.Close()
		s := &server{name: name, url: "http://" + l.Addr().String() + "/"}
		Load(s.url, e2eConns, 100*time.Millisecond) // warm up
		servers = append(servers, s)
	}
	rounds := e2eRounds()
	turn := e2eDuration() / time.Duration(rounds)
	for r := range rounds {
		for i := range servers {
			s := servers[(i+r)%len(servers)]
			res := Load(s.url, e2eConns, turn)
			s.res.OK += res.OK
			s.res.Errors += res.Errors
			s.res.Elapsed += res.Elapsed
		}
	}
	for _, s := range servers {
		b.Run(s.name, func(b *testing.B) {
			if s.res.OK == 0 || s.res.Errors > s.res.OK/100 {
				b.Fatalf("%s: %d ok, %d errors", s.name, s.res.OK, s.res.Errors)
			}
			b.ReportMetric(s.res.RPS(), "req/s")
			b.ReportMetric(float64(s.res.Elapsed.Nanoseconds())/float64(s.res.OK), "ns/op")
		})
	}
}
