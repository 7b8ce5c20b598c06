package flagon_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func buildHello(t *testing.T) string { return buildExample(t, "hello") }

func TestHelloExampleServesAndStopsCleanly(t *testing.T) {
	port := deployFreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := deployStart(t, []string{"FLAGON_ADDR=" + addr}, buildHello(t))
	deployWaitDial(t, p, "tcp", addr)

	res, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "Hello, World!", string(body))

	p.Signal(t, syscall.SIGINT)
	require.NoError(t, p.Wait(t, 10*time.Second), "exit status 0 after Ctrl+C")
	out := p.Output.String()
	assert.Contains(t, out, " * Running on http://"+addr)
	assert.Contains(t, out, "Debug mode: on")
	assert.Regexp(t, `GET\s+/\s+hello`, out, "the route table")
	assert.Regexp(t, `"GET /" 200 13B`, out, "the request log")
}

func TestRunHonoursPORT(t *testing.T) {
	port := deployFreePort(t)
	env := []string{"FLAGON_ADDR=", fmt.Sprintf("PORT=%d", port)}
	p := deployStart(t, env, buildHello(t))
	deployWaitDial(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	p.Signal(t, syscall.SIGTERM)
	require.NoError(t, p.Wait(t, 10*time.Second))
	assert.Contains(t, p.Output.String(), fmt.Sprintf(":%d", port))
}

func TestServerAlwaysHasTimeouts(t *testing.T) {
	app := flagon.New()
	app.Config.ReadTimeout = 0 // zero falls back to the default
	srv := app.Server()
	assert.NotZero(t, srv.ReadHeaderTimeout)
	assert.NotZero(t, srv.ReadTimeout)
	assert.NotZero(t, srv.IdleTimeout)
	assert.NotZero(t, srv.MaxHeaderBytes)
	assert.Equal(t, app.Config.Addr, srv.Addr)
	assert.Same(t, app, srv.Handler)
}

func TestServeAndGracefulShutdown(t *testing.T) {
	app := quietApp()
	started := make(chan struct{}, 20)
	app.Get("/slow", func(c *flagon.Context) error {
		started <- struct{}{}
		time.Sleep(300 * time.Millisecond)
		return c.Text(200, "finished")
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	url := "http://" + l.Addr().String() + "/slow"

	var wg sync.WaitGroup
	results := make([]string, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Get(url)
			if err != nil {
				results[i] = err.Error()
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			results[i] = fmt.Sprintf("%d %s", res.StatusCode, b)
		}()
	}
	for range results {
		<-started
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, app.Shutdown(ctx))
	wg.Wait()
	for _, r := range results {
		assert.Equal(t, "200 finished", r)
	}
	assert.NoError(t, <-served, "Serve returns nil after a graceful shutdown")
	_, err = net.DialTimeout("tcp", l.Addr().String(), time.Second)
	assert.Error(t, err, "no new connections after shutdown")
}

func TestRegisteringAfterServingPanics(t *testing.T) {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return nil })
	app.TestClient().Get("/")
	for name, fn := range map[string]func(){
		"a route":      func() { app.Get("/x", func(c *flagon.Context) error { return nil }) },
		"a middleware": func() { app.Use(func(n flagon.HandlerFunc) flagon.HandlerFunc { return n }) },
		"a hook":       func() { app.BeforeRequest(func(c *flagon.Context) error { return nil }) },
		"a blueprint":  func() { app.Register(flagon.NewBlueprint("late"), "/late") },
	} {
		t.Run(name+" panics with what to do", func(t *testing.T) {
			msg := registerPanic(fn)
			assert.True(t, strings.HasPrefix(msg, "flagon:"), msg)
			assert.Contains(t, msg, "before calling Run, Serve or ServeHTTP")
		})
	}
}

// TestTenThousandIdleConnections opens 10 000 idle connections to the app
// (a separate process, so each side has its own descriptor limit) and
// checks a normal request is still answered promptly.
func TestTenThousandIdleConnections(t *testing.T) {
	const n = 10000
	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	if lim.Cur < n+500 && lim.Max >= n+500 {
		lim.Cur = lim.Max
		require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))
	}
	require.GreaterOrEqual(t, lim.Cur, uint64(n+500), "the descriptor limit (ulimit -n) must allow %d connections", n)

	port := deployFreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := deployStart(t, []string{"FLAGON_ADDR=" + addr}, deployBuildProxied(t))
	deployWaitDial(t, p, "tcp", addr)

	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for len(conns) < n && time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		require.NoError(t, err, "connection %d", len(conns))
		conns = append(conns, c)
	}
	require.Len(t, conns, n)

	client := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	res, err := client.Get("http://" + addr + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, "Hello, World!", string(body))
	assert.Less(t, time.Since(start), 5*time.Second)
}

// registerPanic runs fn and returns the panic message ("" if none).
func registerPanic(fn func()) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprint(p)
		}
	}()
	fn()
	return ""
}
