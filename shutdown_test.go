package flagon_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
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

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/internal/proctest"
	"github.com/flagon-go/flagon/render"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitRefused waits until addr refuses connections: the server has closed
// its listener, so its shutdown has begun.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	for i := 0; i < 500; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond) // polling the listener: there is no event for its close
	}
	t.Fatal("the listener was never closed")
}

func TestServeReturnsOnlyAfterEveryRequestInFlightFinished(t *testing.T) {
	const inFlight = 200
	var entered sync.WaitGroup
	entered.Add(inFlight)
	release := make(chan struct{})
	var finished atomic.Int64
	app := flagon.New()
	app.Get("/slow", func(c *flagon.Context) error {
		entered.Done()
		<-release
		finished.Add(1)
		return c.Text(200, "done")
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var finishedWhenServeReturned int64 = -1
	served := make(chan error, 1)
	go func() {
		err := app.Serve(l)
		finishedWhenServeReturned = finished.Load()
		served <- err
	}()

	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: inFlight}}
	answers := make([]<-chan string, inFlight)
	for i := range answers {
		answers[i] = getAsync(client, "http://"+l.Addr().String()+"/slow")
	}
	entered.Wait()

	shut := make(chan error, 1)
	go func() { shut <- app.Shutdown(context.Background()) }()
	waitRefused(t, l.Addr().String())
	select {
	case <-served:
		t.Fatal("Serve returned while requests were in flight")
	default:
	}
	close(release)

	lost := 0
	for _, answer := range answers {
		if a := <-answer; a != "200 done" {
			lost++
			t.Log(a)
		}
	}
	assert.Zero(t, lost, "requests lost")
	require.NoError(t, <-shut)
	require.NoError(t, <-served)
	assert.EqualValues(t, inFlight, finishedWhenServeReturned, "Serve returned after every request finished")
}

func TestServeAfterShutdownReturnsAtOnce(t *testing.T) {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "ok") })
	require.NoError(t, app.Shutdown(context.Background()))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	assert.NoError(t, app.Serve(l), "a shut-down app serves nothing")
}

func TestRunReturnsOnlyAfterAShutdownCalledElsewhereFinished(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "up") })
	app.Get("/slow", func(c *flagon.Context) error {
		close(entered)
		<-release
		return c.Text(200, "finished")
	})
	path := filepath.Join(t.TempDir(), "app.sock")
	app.Config.Addr = "unix:" + path
	var returned atomic.Bool
	ran := make(chan error, 1)
	go func() {
		err := app.Run(false)
		returned.Store(true)
		ran <- err
	}()
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
	waitUp(t, client, "http://app/")

	slow := getAsync(client, "http://app/slow")
	<-entered
	shut := make(chan error, 1)
	go func() { shut <- app.Shutdown(context.Background()) }()
	for _, err := os.Stat(path); err == nil; _, err = os.Stat(path) {
		time.Sleep(10 * time.Millisecond) // the socket file goes when the listener closes
	}
	assert.False(t, returned.Load(), "Run returned while a request was in flight")
	close(release)
	assert.Equal(t, "200 finished", <-slow)
	require.NoError(t, <-shut)
	require.NoError(t, <-ran)
}

// getAsync sends a GET with client in the background; the channel gets
// "status body", or the error's text.
func getAsync(client *http.Client, url string) <-chan string {
	out := make(chan string, 1)
	go func() {
		res, err := client.Get(url)
		if err != nil {
			out <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		out <- fmt.Sprintf("%d %s", res.StatusCode, b)
	}()
	return out
}

// testChild is this test binary started again to run one test function as
// a server process, with env telling it so; the test stops it.
type testChild struct {
	cmd    *exec.Cmd
	out    *proctest.Buffer
	exited chan error
}

func startTestChild(t *testing.T, test string, env ...string) *testChild {
	t.Helper()
	p := &testChild{out: &proctest.Buffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(os.Args[0], "-test.run=^"+test+"$")
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	require.NoError(t, p.cmd.Start())
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("child output:\n%s", p.out.String())
		}
	})
	return p
}

// waitUp polls url until it answers 200: the server is listening.
func waitUp(t *testing.T, client *http.Client, url string) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if res, err := client.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond) // polling a server starting in another goroutine
	}
	t.Fatal("the server never answered")
}

// sseApp streams an event per tick until its request's context ends.
func sseApp(started chan<- struct{}) *flagon.App {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "up") })
	app.Get("/events", func(c *flagon.Context) error {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		if err := c.Render(200, render.Event{Data: "hello"}); err != nil {
			return err
		}
		if started != nil {
			close(started)
		}
		for {
			select {
			case <-c.Context().Done():
				return nil
			case <-tick.C:
				if err := c.Render(200, render.Event{Data: "tick"}); err != nil {
					return err
				}
			}
		}
	})
	return app
}

func TestShutdownEndsStreamsThroughTheirContext(t *testing.T) {
	started, slowEntered := make(chan struct{}), make(chan struct{})
	app := sseApp(started)
	app.Get("/slow", func(c *flagon.Context) error {
		close(slowEntered)
		select {
		case <-c.Context().Done():
			return c.Text(500, "cancelled")
		case <-time.After(200 * time.Millisecond): // the handler's own work
			return c.Text(200, "finished")
		}
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	base := "http://" + l.Addr().String()

	res, err := http.Get(base + "/events")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	<-started
	slow := getAsync(&http.Client{Transport: &http.Transport{}}, base+"/slow")
	<-slowEntered

	// A deadline far away: the stream must not hold the shutdown until it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- app.Shutdown(ctx) }()
	body, err := io.ReadAll(res.Body)
	assert.NoError(t, err, "the stream ends cleanly")
	assert.Contains(t, string(body), "data: hello")
	assert.NoError(t, <-shut, "Shutdown finished before its deadline")
	assert.NoError(t, <-served)
	assert.Equal(t, "200 finished", <-slow, "an ordinary request keeps its grace period")
}

func TestShutdownDeadlineCancelsTheRequestsLeft(t *testing.T) {
	entered := make(chan struct{})
	sawCancel := make(chan bool, 1)
	app := flagon.New()
	app.Get("/stuck", func(c *flagon.Context) error {
		close(entered)
		<-c.Context().Done()
		sawCancel <- true
		return c.Context().Err()
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	go func() {
		res, err := http.Get("http://" + l.Addr().String() + "/stuck")
		if err == nil {
			res.Body.Close()
		}
	}()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = app.Shutdown(ctx)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "Shutdown reports the deadline: %v", err)
	assert.True(t, <-sawCancel, "the request left at the deadline sees its context end")
	assert.NoError(t, <-served)
}

const sseChildEnv = "FLAGON_TEST_SSE_CHILD"

// TestSSEChildProcess is the server of TestSIGTERMEndsAnOpenStream, run as
// a child process so that the SIGTERM goes to Run alone.
func TestSSEChildProcess(t *testing.T) {
	addr := os.Getenv(sseChildEnv)
	if addr == "" {
		return // only as the child process
	}
	app := sseApp(nil)
	app.Config.Addr = addr
	app.Config.ShutdownTimeout = 10 * time.Minute // a stream must not wait for it
	if err := app.Run(false); err != nil {
		fmt.Fprintln(os.Stderr, "Run:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func TestSIGTERMEndsAnOpenStream(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", deployFreePort(t))
	child := startTestChild(t, "TestSSEChildProcess", sseChildEnv+"="+addr)
	waitUp(t, http.DefaultClient, "http://"+addr+"/")

	res, err := http.Get("http://" + addr + "/events")
	require.NoError(t, err)
	defer res.Body.Close()
	lines := bufio.NewReader(res.Body)
	first, err := lines.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "data: hello\n", first)

	require.NoError(t, child.cmd.Process.Signal(syscall.SIGTERM))
	rest, err := io.ReadAll(lines)
	assert.NoError(t, err, "the stream ends cleanly when shutdown begins")
	assert.NotContains(t, string(rest), "hello")
	select {
	case err := <-child.exited:
		assert.NoError(t, err, "exit status 0")
	case <-time.After(30 * time.Second): // a hang guard; the shutdown timeout is 10 minutes
		t.Fatal("the child did not exit: the stream held the shutdown")
	}
	assert.True(t, strings.Contains(child.out.String(), "shutting down"), "Run logged the shutdown")
}
