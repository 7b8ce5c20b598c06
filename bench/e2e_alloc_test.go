package bench

import (
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"
)

// bareHelloSniffed is bare net/http without a Content-Type: net/http sniffs
// the body and sets one itself.
var bareHelloSniffed = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	_, _ = io.WriteString(w, helloBody)
})

// serveRaw serves h on a fresh 127.0.0.1 port until the benchmark or test
// ends and returns a raw keep-alive client of GET / on it, warmed up.
func serveRaw(tb testing.TB, h http.Handler) *rawClient {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	tb.Cleanup(func() { _ = srv.Close() })
	c, err := dialRaw(l.Addr().String(), "/")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	// The connection's buffers, the pools and the frameworks' lazy state
	// are filled before anything is counted.
	for range 200 {
		if status, err := c.Do(); err != nil || status != 200 || string(c.Body()) != helloBody {
			tb.Fatalf("warm-up: %d %q %v", status, c.Body(), err)
		}
	}
	return c
}

// perRequest sends n requests with c and returns the heap allocations and
// bytes the whole process made per request (runtime.MemStats deltas).
func perRequest(tb testing.TB, c *rawClient, n int) (allocs, bytes float64) {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		if status, err := c.Do(); err != nil || status != 200 {
			tb.Fatalf("request: %d %v", status, err)
		}
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / float64(n), float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}

// BenchmarkE2EAllocs serves hello world from each framework on a real
// net/http.Server at 127.0.0.1 and sends b.N requests over one keep-alive
// connection with a raw TCP client that allocates nothing (see
// TestTheRawClientAllocatesNothing), so allocs/req and B/req are what the
// server allocates per request, net/http's own allocations included.
// nethttp is a bare http.HandlerFunc setting the same Content-Type as the
// frameworks; nethttp-notype sets none and lets net/http sniff it. Run it
// with a fixed count of requests: -benchtime 20000x.
func BenchmarkE2EAllocs(b *testing.B) {
	handlers := []struct {
		name string
		h    http.Handler
	}{{"nethttp", bareHello}, {"nethttp-notype", bareHelloSniffed}}
	for _, fw := range Frameworks {
		handlers = append(handlers, struct {
			name string
			h    http.Handler
		}{fw.Name, fw.Hello()})
	}
	for _, s := range handlers {
		b.Run(s.name, func(b *testing.B) {
			c := serveRaw(b, s.h)
			b.ResetTimer()
			allocs, bytes := perRequest(b, c, b.N)
			b.StopTimer()
			b.ReportMetric(allocs, "allocs/req")
			b.ReportMetric(bytes, "B/req")
		})
	}
}

// rawHello answers every GET / on conn with a pre-built hello-world
// response, reading into a fixed buffer: a server that allocates nothing.
func rawHello(conn net.Conn) {
	defer conn.Close()
	res := []byte("HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + helloBody)
	buf := make([]byte, 4096)
	n := 0
	for {
		m, err := conn.Read(buf[n:])
		if err != nil {
			return
		}
		n += m
		if n >= 4 && string(buf[n-4:n]) == "\r\n\r\n" { // one request at a time
			n = 0
			if _, err := conn.Write(res); err != nil {
				return
			}
		}
	}
}

// TestTheRawClientAllocatesNothing is why BenchmarkE2EAllocs counts the
// server's allocations only: against a server that allocates nothing, the
// whole process allocates nothing per request.
func TestTheRawClientAllocatesNothing(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go rawHello(conn)
		}
	}()
	c, err := dialRaw(l.Addr().String(), "/")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 200 {
		if status, err := c.Do(); err != nil || status != 200 || string(c.Body()) != helloBody {
			t.Fatalf("warm-up: %d %q %v", status, c.Body(), err)
		}
	}
	if allocs, bytes := perRequest(t, c, 5000); allocs > 0.01 {
		t.Errorf("the raw client and a raw server allocate %.3f times (%.1f B) per request, want 0", allocs, bytes)
	}
}
