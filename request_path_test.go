package flagon_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/flagon-go/flagon/render"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logBuffer is a concurrency-safe buffer for an app's slog output.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// loggedApp is an app whose framework log goes to the returned buffer.
func loggedApp() (*flagon.App, *logBuffer) {
	var logs logBuffer
	app := flagon.New()
	app.Config.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return app, &logs
}

// seen records the status and size app middleware saw for each request.
type seen struct {
	mu      sync.Mutex
	answers []string
}

func (s *seen) middleware() flagon.Middleware {
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			err := next(c)
			s.mu.Lock()
			s.answers = append(s.answers, fmt.Sprintf("%d %t", c.Response.Status(), c.Response.Size() > 0))
			s.mu.Unlock()
			return err
		}
	}
}

func (s *seen) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.answers) == 0 {
		return ""
	}
	return s.answers[len(s.answers)-1]
}

func TestA413PassesThroughTheAppMiddleware(t *testing.T) {
	app, logs := loggedApp()
	app.Config.MaxBodyBytes = 10
	var rec seen
	app.Use(middleware.RequestID(), middleware.Logger(), rec.middleware(),
		middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{"http://app.example"}}))
	app.Post("/upload", func(c *flagon.Context) error {
		_, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return err
		}
		return c.Text(200, "stored")
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%t", chunked), func(t *testing.T) {
			var body io.Reader = strings.NewReader(strings.Repeat("x", 100))
			if chunked {
				body = io.MultiReader(body) // no length: sent chunked
			}
			req, err := http.NewRequest("POST", srv.URL+"/upload", body)
			require.NoError(t, err)
			req.Header.Set("Origin", "http://app.example")
			res, err := srv.Client().Do(req)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, 413, res.StatusCode)
			assert.Equal(t, "http://app.example", res.Header.Get("Access-Control-Allow-Origin"), "CORS saw it")
			assert.NotEmpty(t, res.Header.Get("X-Request-Id"), "RequestID saw it")
			assert.Equal(t, "413 true", rec.last(), "app middleware saw the final status and body")
		})
	}
	assert.Equal(t, 2, strings.Count(logs.String(), "status=413"), "the request log has both: %s", logs)
}

func TestBlueprintMiddlewareErrorsAreSeenByAppMiddleware(t *testing.T) {
	app, logs := loggedApp()
	var rec seen
	app.Use(middleware.Logger(), rec.middleware())
	admin := flagon.NewBlueprint("admin")
	admin.Use(middleware.BasicAuth("admin", func(u, p string) bool { return u == "ada" && p == "secret" }))
	admin.Get("/", func(c *flagon.Context) error { return c.Text(200, "dashboard") })
	api := flagon.NewBlueprint("api")
	api.Use(middleware.RateLimit(middleware.RateLimitConfig{Requests: 1, Per: time.Hour}))
	api.Get("/items", func(c *flagon.Context) error { return c.Text(200, "items") })
	app.Register(admin, "/admin")
	app.Register(api, "/api")
	srv := httptest.NewServer(app)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/admin/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 401, res.StatusCode)
	assert.NotEmpty(t, res.Header.Get("WWW-Authenticate"))
	assert.Equal(t, "401 true", rec.last())
	assert.Contains(t, logs.String(), "status=401")

	for _, want := range []int{200, 429} {
		res, err := http.Get(srv.URL + "/api/items")
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, want, res.StatusCode)
	}
	assert.Equal(t, "429 true", rec.last())
	assert.Contains(t, logs.String(), "status=429")
	assert.NotContains(t, logs.String(), "status=200 size=0", "no answer is logged as an empty 200")
}

// rawExchange sends head and body on a new connection, closes the
// sending side, and returns the status line of the answer.
func rawExchange(t *testing.T, addr, head, body string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, head+body)
	require.NoError(t, err)
	require.NoError(t, conn.(*net.TCPConn).CloseWrite())
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	line, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	return strings.TrimSpace(line)
}

func TestATruncatedBodyIsTheClientsFault(t *testing.T) {
	app, logs := loggedApp()
	app.Post("/echo", func(c *flagon.Context) error {
		b, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return err
		}
		return c.Text(200, string(b))
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	cases := []struct{ name, head, body string }{
		{"a Content-Length body that ends early", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", "only ten b"},
		{"a chunked body cut off inside a chunk", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", "a\r\nhello"},
		{"a chunked body without its last chunk", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", "5\r\nhello\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, "HTTP/1.1 400 Bad Request", rawExchange(t, addr, tc.head, tc.body))
		})
	}
	assert.Equal(t, "HTTP/1.1 200 OK", rawExchange(t, addr, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", "hello"))
	assert.NotContains(t, logs.String(), "level=ERROR", "a bad body is not the app's error")
}

func TestAClientLeavingAStreamIsNotAnError(t *testing.T) {
	app, logs := loggedApp()
	ended := make(chan error, 1)
	app.Get("/events", func(c *flagon.Context) error {
		err := func() error {
			for {
				if err := c.Render(200, render.Event{Data: strings.Repeat("x", 1024)}); err != nil {
					return err
				}
				select {
				case <-c.Context().Done():
					return c.Context().Err()
				default:
				}
			}
		}()
		ended <- err
		return err
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/events")
	require.NoError(t, err)
	_, err = bufio.NewReader(res.Body).ReadString('\n')
	require.NoError(t, err)
	res.Body.Close() // the client goes away
	assert.Error(t, <-ended, "the handler's stream ended with an error")
	assert.NotContains(t, logs.String(), "level=ERROR", "a client that left is not an error")
}

type missingRecord struct{ id string }

func (e missingRecord) Error() string { return "no record " + e.id }

func TestAnErrorHandlersAnswerDecidesWhatIsLogged(t *testing.T) {
	app, logs := loggedApp()
	flagon.HandleError(app, func(c *flagon.Context, err missingRecord) error {
		return c.Text(404, "not here")
	})
	app.ErrorHandler(500, func(c *flagon.Context, err error) error {
		if strings.Contains(err.Error(), "quota") {
			return c.Text(429, "slow down")
		}
		return c.Text(500, "sorry")
	})
	app.Get("/record", func(c *flagon.Context) error { return missingRecord{"7"} })
	app.Get("/quota", func(c *flagon.Context) error { return errors.New("quota used up") })
	app.Get("/broken", func(c *flagon.Context) error { return errors.New("database is down") })
	srv := httptest.NewServer(app)
	defer srv.Close()
	for path, want := range map[string]int{"/record": 404, "/quota": 429} {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, want, res.StatusCode, path)
	}
	assert.NotContains(t, logs.String(), "level=ERROR", "answers below 500 are not errors: %s", logs)
	res, err := http.Get(srv.URL + "/broken")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 500, res.StatusCode)
	assert.Contains(t, logs.String(), "level=ERROR")
	assert.Contains(t, logs.String(), "status=500")
	assert.Contains(t, logs.String(), "database is down")
}

func TestHEADHasNoBodyWhateverHostsTheHandler(t *testing.T) {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "hello") })
	app.Get("/stream", func(c *flagon.Context) error {
		c.Response.WriteHeader(200)
		_, err := io.WriteString(c.Response, "streamed")
		return err
	})
	for _, path := range []string{"/", "/stream", "/missing"} {
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, httptest.NewRequest("HEAD", path, nil))
		assert.Empty(t, rec.Body.String(), "HEAD %s through a recorder", path)
		get := httptest.NewRecorder()
		app.ServeHTTP(get, httptest.NewRequest("GET", path, nil))
		assert.Equal(t, get.Code, rec.Code, path)
		assert.Equal(t, get.Header().Get("Content-Type"), rec.Header().Get("Content-Type"), path)
	}
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest("HEAD", "/", nil))
	assert.Equal(t, "5", rec.Header().Get("Content-Length"), "the length of the body GET would send")
	res := app.TestClient().Head("/")
	assert.Equal(t, 200, res.Code)
	assert.Empty(t, res.Body)
}

func TestNilRegistrationsPanicWithTheCallSite(t *testing.T) {
	app := flagon.New()
	h := func(c *flagon.Context) error { return nil }
	cases := map[string]func(){
		"Route.Use(nil)":       func() { app.Get("/a", h).Use(nil) },
		"App.Use(nil)":         func() { app.Use(nil) },
		"BeforeRequest(nil)":   func() { app.BeforeRequest(nil) },
		"AfterRequest(nil)":    func() { app.AfterRequest(nil) },
		"TeardownRequest(nil)": func() { app.TeardownRequest(nil) },
		"ErrorHandler(nil)":    func() { app.ErrorHandler(404, nil) },
		"HandleError(nil)":     func() { flagon.HandleError[missingRecord](app, nil) },
		"a nil handler":        func() { app.Get("/b", nil) },
	}
	for name, register := range cases {
		t.Run(name, func(t *testing.T) {
			msg := panicMessage(register)
			assert.True(t, strings.HasPrefix(msg, "flagon: "), msg)
			assert.Contains(t, msg, "request_path_test.go:", "names the call site")
		})
	}
}

func TestAnAppThatFailsToStartSaysSoOnEveryRequest(t *testing.T) {
	app, logs := loggedApp()
	app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc { return nil })
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "hi") })
	srv := httptest.NewServer(app)
	defer srv.Close()
	for range 3 {
		res, err := http.Get(srv.URL + "/")
		require.NoError(t, err, "the connection is answered, not dropped")
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, 500, res.StatusCode)
		assert.Contains(t, string(b), "failed to start")
		assert.NotContains(t, string(b), "goroutine", "no internals outside debug mode")
	}
	assert.Equal(t, 3, strings.Count(logs.String(), "request refused"), "every request is logged with the reason")
	assert.Contains(t, logs.String(), "returned a nil handler")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	err = app.Serve(l)
	require.Error(t, err, "Serve reports it instead of serving")
	assert.Contains(t, err.Error(), "returned a nil handler")
}

const debugLogChildEnv = "FLAGON_TEST_DEBUG_LOG_CHILD"

// TestDebugLogChildProcess is the server of
// TestDebugModeWithLoggerLogsEachRequestOnce.
func TestDebugLogChildProcess(t *testing.T) {
	addr := os.Getenv(debugLogChildEnv)
	if addr == "" {
		return // only as the child process
	}
	app := flagon.New()
	app.Use(middleware.Logger())
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "up") })
	app.Get("/once", func(c *flagon.Context) error { return c.Text(200, "logged once") })
	app.Config.Addr = addr
	if err := app.Run(true); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

func TestDebugModeWithLoggerLogsEachRequestOnce(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", deployFreePort(t))
	child := startTestChild(t, "TestDebugLogChildProcess", debugLogChildEnv+"="+addr)
	waitUp(t, http.DefaultClient, "http://"+addr+"/")
	res, err := http.Get("http://" + addr + "/once")
	require.NoError(t, err)
	res.Body.Close()
	require.NoError(t, child.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, <-child.exited)
	assert.Equal(t, 1, strings.Count(child.out.String(), `"GET /once"`), "one line for the request:\n%s", child.out.String())
}
