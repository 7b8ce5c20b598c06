package bench

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
)

// idleDialEnv tells the test binary to run as the client process of
// BenchmarkIdleConns: "addr,n".
const idleDialEnv = "BENCH_IDLE_DIAL"

// idleConns is how many idle connections BenchmarkIdleConns opens:
// IDLE_CONNS, else 2000, within the limit of open files.
func idleConns() int {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("IDLE_CONNS")); err == nil && v > 0 {
		n = v
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < uint64(n)+100 {
		n = int(lim.Cur) - 100
	}
	return n
}

// TestIdleClientProcess is the client of BenchmarkIdleConns, run as a
// child process so that the server's process holds only the server's
// ends: it opens n connections, sends one GET / on each and reads the
// answer, so each is an idle keep-alive connection, prints "open n" and
// holds them until its standard input closes.
func TestIdleClientProcess(t *testing.T) {
	target := os.Getenv(idleDialEnv)
	if target == "" {
		return // only as the child process
	}
	addr, count, _ := strings.Cut(target, ",")
	n, _ := strconv.Atoi(count)
	conns := make([]*rawClient, 0, n)
	for len(conns) < n {
		c, err := dialRaw(addr, "/")
		if err == nil {
			_, err = c.Do()
		}
		if err != nil {
			fmt.Printf("error after %d connections: %v\n", len(conns), err)
			os.Exit(1)
		}
		_ = c.conn.(*net.TCPConn).SetLinger(0) // reset on exit: no TIME_WAIT left behind
		conns = append(conns, c)
	}
	fmt.Printf("open %d\n", len(conns))
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// memory is what the process holds after a garbage collection that
// returned all it could to the operating system.
type memory struct {
	heap, stack, rss uint64 // live heap, goroutine stacks, resident set
}

func measureMemory() memory {
	debug.FreeOSMemory() // a full collection, then free pages go back
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := memory{heap: ms.HeapAlloc, stack: ms.StackInuse}
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			pages, _ := strconv.ParseUint(f[1], 10, 64)
			m.rss = pages * uint64(os.Getpagesize())
		}
	}
	return m
}

// BenchmarkIdleConns measures what one idle keep-alive HTTP/1.1 connection
// costs the server: a child process opens the connections to a server on
// 127.0.0.1, sends one request on each and keeps them open; the server's
// live heap (heap-B/conn), goroutine stacks (stack-B/conn) and resident
// set (rss-B/conn) grow by this much per connection. flagon is app.Server()
// serving hello world; nethttp is the same server with a bare handler;
// goroutine is the heap the runtime keeps for good for each goroutine the
// process has run at once, which the first n connections also pay. Run it
// with -benchtime 1x: b.N plays no part.
func BenchmarkIdleConns(b *testing.B) {
	n := idleConns()
	if n < 100 {
		b.Skipf("open files limited: %d connections", n)
	}
	// The runtime keeps the descriptor of every goroutine it has run, for
	// reuse: the first n goroutines of the process cost it that heap for
	// good. Starting and ending n goroutines first spares the servers below
	// this cost, whichever runs first, and measures it.
	b.Run("goroutine", func(b *testing.B) {
		before := measureMemory()
		var wg sync.WaitGroup
		release := make(chan struct{})
		for range n {
			wg.Go(func() { <-release })
		}
		close(release)
		wg.Wait()
		after := measureMemory()
		b.ReportMetric((float64(after.heap)-float64(before.heap))/float64(n), "heap-B/conn")
		b.ReportMetric(float64(n), "conns")
	})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, name := range []string{"flagon", "nethttp"} {
		b.Run(name, func(b *testing.B) {
			app := flagon.New()
			app.Config.Logger = quiet
			app.Get("/", func(c *flagon.Context) error { return c.Text(200, helloBody) })
			srv := app.Server()
			if name == "nethttp" {
				srv.Handler = bareHello
			}
			var idle atomic.Int64
			allIdle := make(chan struct{})
			srv.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateIdle && idle.Add(1) == int64(n) {
					close(allIdle)
				}
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			go func() { _ = srv.Serve(l) }()
			defer srv.Close()

			before := measureMemory()
			cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClientProcess$")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d", idleDialEnv, l.Addr(), n))
			stdin, err := cmd.StdinPipe()
			if err != nil {
				b.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				b.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			defer func() {
				stdin.Close() // the child closes its connections and exits
				_ = cmd.Wait()
			}()
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			if strings.TrimSpace(line) != fmt.Sprintf("open %d", n) {
				b.Fatalf("client process: %q", line)
			}
			select {
			case <-allIdle:
			case <-time.After(30 * time.Second):
				b.Fatalf("%d of %d connections went idle", idle.Load(), n)
			}
			after := measureMemory()
			per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) }
			b.ReportMetric(per(after.heap, before.heap), "heap-B/conn")
			b.ReportMetric(per(after.stack, before.stack), "stack-B/conn")
			if before.rss > 0 {
				b.ReportMetric(per(after.rss, before.rss), "rss-B/conn")
			}
			b.ReportMetric(float64(n), "conns")
		})
	}
}
