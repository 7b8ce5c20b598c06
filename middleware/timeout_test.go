package middleware_test

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeoutLetsAHandlerThatReturnsInTimeAnswer(t *testing.T) {
	app := quietApp()
	app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			c.SetHeader("X-Outer", "set before Timeout")
			return next(c)
		}
	})
	app.Use(middleware.Timeout(time.Second))
	app.AfterRequest(func(c *flagon.Context) { c.SetHeader("X-After", "hook") })
	app.Get("/ok", func(c *flagon.Context) error {
		_, hasDeadline := c.Context().Deadline()
		c.SetHeader("X-Deadline", strconv.FormatBool(hasDeadline))
		return c.Text(202, "done")
	})
	app.Get("/status", func(c *flagon.Context) error { c.Status(201); return nil })
	app.Get("/fail", func(c *flagon.Context) error { return flagon.Abort(409, "Taken.") })
	app.Get("/panic", func(c *flagon.Context) error { panic("boom") })
	srv := serve(t, app)

	cases := []struct {
		name, path string
		code       int
		body       string
		headers    map[string]string
	}{
		{"its answer is sent with every header", "/ok", 202, "done", map[string]string{"X-Outer": "set before Timeout", "X-After": "hook", "X-Deadline": "true"}},
		{"a status without a body is kept", "/status", 201, "", map[string]string{"X-After": "hook"}},
		{"an error gets the app's error page", "/fail", 409, "Taken.", nil},
		{"a panic gets the app's 500", "/panic", 500, "Internal Server Error", nil},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res, body := do(t, "GET", srv.URL+tt.path, nil, nil)
			assert.Equal(t, tt.code, res.StatusCode)
			assert.Contains(t, body, tt.body)
			for k, v := range tt.headers {
				assert.Equal(t, v, res.Header.Get(k), k)
			}
		})
	}
}

func TestTimeoutAnswers503AtTheDeadline(t *testing.T) {
	var handlerDone, doneAtTeardown atomic.Bool
	var lateWrite atomic.Value
	release := make(chan struct{})
	app := quietApp()
	app.TeardownRequest(func(c *flagon.Context, err error) {
		if c.Request.URL.Path == "/stubborn" {
			doneAtTeardown.Store(handlerDone.Load())
		}
	})
	app.Get("/watching", func(c *flagon.Context) error {
		<-c.Context().Done()
		_, err := c.Response.Write([]byte("too late"))
		lateWrite.Store(err)
		return c.Context().Err()
	}).Use(middleware.Timeout(50 * time.Millisecond))
	app.Get("/stubborn", func(c *flagon.Context) error {
		defer handlerDone.Store(true)
		c.Set("partial", true)
		_, _ = c.Response.Write([]byte("partial"))
		<-release // ignores its context
		return c.Text(200, "finally")
	}).Use(middleware.Timeout(50 * time.Millisecond))
	srv := serve(t, app)

	t.Run("a handler watching its context gets 503 and its late write fails", func(t *testing.T) {
		start := time.Now()
		res, body := do(t, "GET", srv.URL+"/watching", nil, nil)
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.Equal(t, 503, res.StatusCode)
		assert.Equal(t, "503 Service Unavailable: the server took too long to answer.\n", body)
		assert.Equal(t, strconv.Itoa(len(body)), res.Header.Get("Content-Length"))
		require.Eventually(t, func() bool { return lateWrite.Load() != nil }, time.Second, 5*time.Millisecond)
		assert.True(t, errors.Is(lateWrite.Load().(error), http.ErrHandlerTimeout))
	})
	t.Run("a handler ignoring its context gets 503 at once, then is waited for", func(t *testing.T) {
		got := make(chan time.Duration, 1)
		start := time.Now()
		go func() {
			res, body := do(t, "GET", srv.URL+"/stubborn", nil, nil)
			assert.Equal(t, 503, res.StatusCode)
			assert.NotContains(t, body, "partial")
			got <- time.Since(start)
		}()
		select {
		case d := <-got:
			assert.Less(t, d, time.Second, "the 503 does not wait for the handler")
		case <-time.After(5 * time.Second):
			t.Fatal("the 503 waited for the handler")
		}
		close(release)
		require.Eventually(t, handlerDone.Load, time.Second, 5*time.Millisecond)
		require.Eventually(t, doneAtTeardown.Load, time.Second, 5*time.Millisecond, "the request ends only after its handler returned")
	})
}

// Under -race: handlers that write and set values while the deadline
// passes, many at once.
func TestTimeoutHasNoDataRace(t *testing.T) {
	app := quietApp()
	app.Use(middleware.RequestID(), middleware.Timeout(5*time.Millisecond))
	app.AfterRequest(func(c *flagon.Context) { c.Set("after", true) })
	app.Get("/", func(c *flagon.Context) error {
		n, _ := strconv.Atoi(c.Query("n"))
		for i := range n {
			c.Set("i", i)
			c.SetHeader("X-I", strconv.Itoa(i))
			if _, err := c.Response.Write([]byte("x")); err != nil {
				return nil
			}
			time.Sleep(time.Millisecond)
		}
		return nil
	})
	srv := serve(t, app)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, body := do(t, "GET", srv.URL+"/?n="+strconv.Itoa(i%10), nil, nil)
			if res.StatusCode == 200 {
				assert.Len(t, body, i%10)
			} else {
				assert.Equal(t, 503, res.StatusCode)
			}
		}()
	}
	wg.Wait()
}

func TestTimeoutPanicsOnANonPositiveDuration(t *testing.T) {
	assert.PanicsWithValue(t, "flagon: Timeout(0s): the timeout must be positive", func() { middleware.Timeout(0) })
}

func TestTimeoutRaisesAHandlersPanicWithItsStack(t *testing.T) {
	var logs strings.Builder
	app := flagon.New()
	app.Config.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	app.Get("/", func(c *flagon.Context) error { panic("boom") }).Use(middleware.Timeout(time.Second))
	res := app.TestClient().Get("/")
	assert.Equal(t, 500, res.Code)
	assert.Contains(t, logs.String(), "boom")
	assert.Contains(t, logs.String(), "handler goroutine under middleware.Timeout")
	assert.Contains(t, logs.String(), "TestTimeoutRaisesAHandlersPanicWithItsStack.func1", "the stack of the handler's goroutine")
}
