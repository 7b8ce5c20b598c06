package flagon

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// limitsApp is a quiet app with "/" answering "ok" and "/slow" answering
// "finished" after d.
func limitsApp(d time.Duration) *App {
	app := New()
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	app.Get("/", func(c *Context) error { return c.Text(200, "ok") })
	app.Get("/slow", func(c *Context) error {
		time.Sleep(d)
		return c.Text(200, "finished")
	})
	return app
}

// serveLoopback serves app with Serve on a fresh 127.0.0.1 port until the
// test ends and returns the address. wrap, when not nil, wraps the
// listener.
func serveLoopback(t *testing.T, app *App, wrap func(net.Listener) net.Listener) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	if wrap != nil {
		l = wrap(l)
	}
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = app.Shutdown(ctx)
		<-served
	})
	return addr
}

// serverSettings are the fields of http.Server that Server sets from Config.
type serverSettings struct {
	Addr                                                      string
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

func TestServerSettings(t *testing.T) {
	def := DefaultConfig()
	cases := []struct {
		name   string
		config func(*Config)
		want   serverSettings
	}{
		{"the defaults are the timeouts of DefaultConfig", func(*Config) {},
			serverSettings{Addr: "127.0.0.1:5000", ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}},
		{"zero timeouts fall back to the defaults", func(c *Config) {
			c.ReadHeaderTimeout, c.ReadTimeout, c.IdleTimeout = 0, 0, 0
		}, serverSettings{Addr: "127.0.0.1:5000", ReadHeaderTimeout: def.ReadHeaderTimeout, ReadTimeout: def.ReadTimeout, IdleTimeout: def.IdleTimeout}},
		{"a Config built by hand still gets every timeout", func(c *Config) { *c = Config{} },
			serverSettings{ReadHeaderTimeout: def.ReadHeaderTimeout, ReadTimeout: def.ReadTimeout, IdleTimeout: def.IdleTimeout}},
		{"set values are used", func(c *Config) {
			c.Addr = ":8080"
			c.ReadHeaderTimeout, c.ReadTimeout, c.WriteTimeout, c.IdleTimeout = time.Second, 2*time.Second, 3*time.Second, 4*time.Second
		}, serverSettings{Addr: ":8080", ReadHeaderTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 3 * time.Second, IdleTimeout: 4 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := New()
			tc.config(&app.Config)
			srv := app.Server()
			assert.Equal(t, tc.want.Addr, srv.Addr)
			assert.Equal(t, tc.want.ReadHeaderTimeout, srv.ReadHeaderTimeout)
			assert.Equal(t, tc.want.ReadTimeout, srv.ReadTimeout)
			assert.Equal(t, tc.want.WriteTimeout, srv.WriteTimeout, "WriteTimeout is 0 unless set, so streams can run")
			assert.Equal(t, tc.want.IdleTimeout, srv.IdleTimeout)
			assert.Equal(t, 64<<10, srv.MaxHeaderBytes)
			assert.Same(t, app, srv.Handler)
			assert.NotNil(t, srv.ErrorLog, "server errors go to Config.Logger")
		})
	}
}

func TestASlowClientIsCutOffByTheReadHeaderTimeout(t *testing.T) {
	app := limitsApp(0)
	app.Config.ReadHeaderTimeout = 300 * time.Millisecond
	addr := serveLoopback(t, app, nil)

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()

	// The client would need 100 × 50ms = 5s to send its headers.
	const start = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "
	header := start + strings.Repeat("a", 100-len(start)-4) + "\r\n\r\n"
	require.Len(t, header, 100)
	began := time.Now()
	closed := make(chan time.Duration, 1)
	go func() {
		// A timed-out header read is closed without a response.
		_, _ = io.Copy(io.Discard, conn)
		closed <- time.Since(began)
	}()
	var closedAfter time.Duration
	wrote := 0
write:
	for ; wrote < len(header); wrote++ {
		if _, err := conn.Write([]byte{header[wrote]}); err != nil {
			break
		}
		select {
		case closedAfter = <-closed:
			break write
		case <-time.After(50 * time.Millisecond):
		}
	}
	if closedAfter == 0 {
		select {
		case closedAfter = <-closed:
		case <-time.After(5 * time.Second):
			t.Fatal("the server kept the slow connection open")
		}
	}
	assert.Less(t, closedAfter, 2*time.Second, "closed soon after the 300ms read-header timeout")
	assert.Less(t, wrote, len(header)-1, "closed before the client finished its headers")
}

func TestAOneMebibyteHeaderGets431(t *testing.T) {
	addr := serveLoopback(t, limitsApp(0), nil)
	cases := []struct {
		name string
		size int
		want int
	}{
		{"a 1 MiB header gets 431 Request Header Fields Too Large", 1 << 20, http.StatusRequestHeaderFieldsTooLarge},
		{"a 128 KiB header gets 431 too", 128 << 10, http.StatusRequestHeaderFieldsTooLarge},
		{"a 32 KiB header is served", 32 << 10, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", "http://"+addr+"/", nil)
			require.NoError(t, err)
			req.Header.Set("X-Big", strings.Repeat("a", tc.size))
			client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
			res, err := client.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, tc.want, res.StatusCode)
		})
	}
}

// trackingListener counts the connections the server has accepted and
// those it still holds open.
type trackingListener struct {
	net.Listener
	accepted, open atomic.Int64
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.accepted.Add(1)
	l.open.Add(1)
	return &trackedConn{Conn: c, l: l}, nil
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// raiseOpenFiles raises the soft limit on open files towards want, as far
// as the hard limit allows (root may raise that too), and returns the
// limit in force and how to restore the old one.
func raiseOpenFiles(want uint64) (uint64, func()) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil || old.Cur >= want {
		return old.Cur, func() {}
	}
	lim := syscall.Rlimit{Cur: want, Max: max(old.Max, want)}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		lim = syscall.Rlimit{Cur: old.Max, Max: old.Max}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
			lim = old
		}
	}
	return lim.Cur, func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) }
}

const (
	idleWant   = 10000
	idleMargin = 200 // descriptors for the binary, the listener, the probe
	idleEnv    = "FLAGON_TEST_IDLE_DIAL"
)

// TestIdleClientProcess is the client side of
// TestManyIdleConnectionsDoNotExhaustTheServer, run as a child process so
// that the server's process has its whole descriptor limit for the
// server's ends. It opens the connections, prints "open N", and holds
// them until its standard input closes.
func TestIdleClientProcess(t *testing.T) {
	target := os.Getenv(idleEnv)
	if target == "" {
		return // only as the child process
	}
	addr, count, _ := strings.Cut(target, ",")
	var n int
	_, _ = fmt.Sscan(count, &n)
	_, restore := raiseOpenFiles(uint64(n + idleMargin))
	defer restore()
	d := net.Dialer{Timeout: 5 * time.Second}
	conns := make([]*net.TCPConn, 0, n)
	for len(conns) < n {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			fmt.Printf("error after %d connections: %v\n", len(conns), err)
			os.Exit(1)
		}
		tc := c.(*net.TCPConn)
		_ = tc.SetLinger(0) // reset on exit: no TIME_WAIT left behind
		conns = append(conns, tc)
	}
	fmt.Printf("open %d\n", len(conns))
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

func TestManyIdleConnectionsDoNotExhaustTheServer(t *testing.T) {
	limit, restore := raiseOpenFiles(idleWant + idleMargin)
	t.Cleanup(restore)
	n := idleWant
	if limit < idleWant+idleMargin {
		n = int(limit) - idleMargin
		t.Logf("open files limited to %d: testing %d idle connections", limit, n)
	}
	require.Greater(t, n, 1000, "too few file descriptors for the test")

	app := limitsApp(0)
	// A connection that sends nothing is closed after ReadHeaderTimeout;
	// keep them all for the length of the test.
	app.Config.ReadHeaderTimeout = time.Minute
	var tracker *trackingListener
	addr := serveLoopback(t, app, func(l net.Listener) net.Listener {
		tracker = &trackingListener{Listener: l}
		return tracker
	})

	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClientProcess$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d", idleEnv, addr, n))
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		stdin.Close() // the child closes its connections and exits
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})

	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		s.Scan()
		line <- s.Text()
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case l := <-line:
		require.Equal(t, fmt.Sprintf("open %d", n), l)
	case <-time.After(60 * time.Second):
		t.Fatal("the client process did not open its connections in time")
	}
	for deadline := time.Now().Add(30 * time.Second); tracker.accepted.Load() < int64(n); time.Sleep(10 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "the server accepted %d of %d connections", tracker.accepted.Load(), n)
	}

	start := time.Now()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	res, err := client.Get("http://" + addr + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "ok", string(body))
	assert.Less(t, time.Since(start), 2*time.Second, "answered promptly")
	client.CloseIdleConnections()
	assert.GreaterOrEqual(t, tracker.open.Load(), int64(n), "the server still holds every idle connection")
}

func TestGracefulShutdownLetsRequestsInFlightFinish(t *testing.T) {
	const inFlight = 20
	app := limitsApp(300 * time.Millisecond)
	started := make(chan struct{}, inFlight)
	app.BeforeRequest(func(c *Context) error {
		started <- struct{}{}
		return nil
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: inFlight}}
	results := make([]string, inFlight)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := client.Get("http://" + addr + "/slow")
			if err != nil {
				results[i] = err.Error()
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			results[i] = fmt.Sprintf("%d %s %v", res.StatusCode, b, err)
		}()
	}
	for range inFlight {
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatal("the requests did not all start")
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, app.Shutdown(ctx), "Shutdown returns once every request has finished")
	wg.Wait()
	for i, r := range results {
		assert.Equal(t, "200 finished <nil>", r, "request %d", i)
	}
	select {
	case err := <-served:
		assert.NoError(t, err, "Serve returns nil after a graceful shutdown")
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after Shutdown")
	}
	_, err = net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err, "new connections are refused after Shutdown")
}

func TestListenOnAUnixSocket(t *testing.T) {
	isSocket := func(path string) bool {
		fi, err := os.Lstat(path)
		return err == nil && fi.Mode()&os.ModeSocket != 0
	}
	t.Run("unix:/path creates the socket and closing the listener removes it", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "app.sock")
		ls, err := listen("unix:" + path)
		require.NoError(t, err)
		require.Len(t, ls, 1)
		assert.Equal(t, "unix", ls[0].Addr().Network())
		assert.True(t, isSocket(path))
		require.NoError(t, ls[0].Close())
		assert.NoFileExists(t, path)
	})
	t.Run("a stale socket left by a killed process is replaced", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "app.sock")
		stale, err := net.Listen("unix", path)
		require.NoError(t, err)
		stale.(*net.UnixListener).SetUnlinkOnClose(false)
		require.NoError(t, stale.Close()) // the file stays, as after kill -9
		require.True(t, isSocket(path))
		ls, err := listen("unix:" + path)
		require.NoError(t, err)
		defer ls[0].Close()
		assert.True(t, isSocket(path))
	})
	t.Run("a socket another server still listens on is left alone", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "app.sock")
		live, err := net.Listen("unix", path)
		require.NoError(t, err)
		defer live.Close()
		_, err = listen("unix:" + path)
		assert.ErrorIs(t, err, syscall.EADDRINUSE)
		c, err := net.Dial("unix", path)
		require.NoError(t, err, "the other server still has its socket")
		c.Close()
	})
	t.Run("a file that is not a socket is never removed", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "important.txt")
		require.NoError(t, os.WriteFile(path, []byte("data"), 0o600))
		_, err := listen("unix:" + path)
		assert.Error(t, err)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, "data", string(b))
	})
	t.Run("host:port listens on TCP", func(t *testing.T) {
		ls, err := listen("127.0.0.1:0")
		require.NoError(t, err)
		defer ls[0].Close()
		assert.Len(t, ls, 1, "only the default address adds [::1]")
		assert.Equal(t, "tcp", ls[0].Addr().Network())
	})
}

func TestRunAddress(t *testing.T) {
	cases := []struct {
		name, addr, flagonAddr, port, want string
	}{
		{"the default address with no environment", defaultAddr, "", "", defaultAddr},
		{"an empty address is the default", "", "", "", defaultAddr},
		{"FLAGON_ADDR replaces the default address", defaultAddr, "0.0.0.0:8000", "", "0.0.0.0:8000"},
		{"PORT replaces the default address on every interface", defaultAddr, "", "8080", ":8080"},
		{"FLAGON_ADDR wins over PORT", "", "unix:/run/app.sock", "8080", "unix:/run/app.sock"},
		{"a Config.Addr that is set wins over FLAGON_ADDR and PORT", "127.0.0.1:9000", "0.0.0.0:8000", "8080", "127.0.0.1:9000"},
		{"a unix Config.Addr wins over the environment", "unix:/run/app.sock", "0.0.0.0:8000", "8080", "unix:/run/app.sock"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FLAGON_ADDR", tc.flagonAddr)
			t.Setenv("PORT", tc.port)
			assert.Equal(t, tc.want, runAddr(tc.addr))
		})
	}
}

// TestRunOnAUnixSocketStopsGracefullyOnSIGTERM runs Run in this process
// and signals it: Run has its signal handler in place before it serves, so
// once a request is answered the SIGTERM goes to Run, not to the test.
func TestRunOnAUnixSocketStopsGracefullyOnSIGTERM(t *testing.T) {
	app := limitsApp(500 * time.Millisecond)
	app.Config.ShutdownTimeout = 0 // falls back to the default, like the server timeouts
	path := filepath.Join(t.TempDir(), "app.sock")
	app.Config.Addr = "unix:" + path
	ran := make(chan error, 1)
	go func() { ran <- app.Run(false) }()

	client := unixClient(path)
	ready := false
	for deadline := time.Now().Add(5 * time.Second); !ready && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := client.Get("http://app/"); err == nil {
			res.Body.Close()
			ready = res.StatusCode == 200
		}
	}
	require.True(t, ready, "Run serves on the socket")

	slow := make(chan string, 1)
	go func() {
		res, err := client.Get("http://app/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		slow <- fmt.Sprintf("%d %s", res.StatusCode, b)
	}()
	time.Sleep(100 * time.Millisecond) // the slow request is in flight
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))

	select {
	case err := <-ran:
		assert.NoError(t, err, "Run returns nil after a graceful shutdown")
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after SIGTERM")
	}
	assert.Equal(t, "200 finished", <-slow, "the request in flight finished")
	assert.NoFileExists(t, path, "the socket is removed on exit")
}
