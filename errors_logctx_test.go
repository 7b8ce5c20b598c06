package flagon_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type traceKey struct{}

// ctxHandler records, for each log message, the traceKey value of the
// context it was logged with.
type ctxHandler struct {
	mu  *sync.Mutex
	got map[string]any
}

func (h ctxHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got[r.Message] = ctx.Value(traceKey{})
	return nil
}
func (h ctxHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h ctxHandler) WithGroup(string) slog.Handler      { return h }

// TestErrorLogsCarryTheRequestsContext: the framework's own error logs are
// written with the request's context, so a slog handler can add what a
// middleware put there (a trace ID).
func TestErrorLogsCarryTheRequestsContext(t *testing.T) {
	h := ctxHandler{mu: &sync.Mutex{}, got: map[string]any{}}
	app := flagon.New()
	app.Config.Logger = slog.New(h)
	trace := func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), traceKey{}, "trace-1"))
			return next(c)
		}
	}
	app.Use(trace)
	app.Get("/fail", func(c *flagon.Context) error { return errors.New("db down") })
	app.Get("/panic", func(c *flagon.Context) error { panic("boom") })
	app.ErrorHandler(418, func(c *flagon.Context, err error) error { return errors.New("handler broke") })
	app.Get("/teapot", func(c *flagon.Context) error { return flagon.Abort(418) })
	srv := httptest.NewServer(app)
	defer srv.Close()

	sessions := flagon.New()
	sessions.Config.Logger = app.Config.Logger
	sessions.Config.SecretKey = "test secret key, long enough to sign with"
	sessions.Use(trace)
	sessions.Get("/load", func(c *flagon.Context) error { c.Session().Get("n"); return c.Text(200, "ok") })
	sessions.Config.SessionStore = failingStore{}
	ssrv := httptest.NewServer(sessions)
	defer ssrv.Close()
	res, err := http.Get(ssrv.URL + "/load")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)

	for _, p := range []string{"/fail", "/panic", "/teapot"} {
		res, err := http.Get(srv.URL + p)
		require.NoError(t, err)
		res.Body.Close()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, msg := range []string{"flagon: request failed", "flagon: panic serving request", "flagon: error handler failed",
		"flagon: loading the session failed; the response will be an error", "flagon: cannot send the response"} {
		assert.Equal(t, "trace-1", h.got[msg], msg)
	}
}

// failingStore is a session store that is down.
type failingStore struct{}

func (failingStore) Load(*flagon.Context) (map[string]any, bool, error) {
	return nil, false, flagon.Abort(http.StatusServiceUnavailable, "the session store is down")
}

func (failingStore) Save(*flagon.Context, map[string]any, bool) error { return nil }

// TestRefusalLogCarriesTheRequestsContext: an app that failed to start
// logs each refused request with that request's context.
func TestRefusalLogCarriesTheRequestsContext(t *testing.T) {
	h := ctxHandler{mu: &sync.Mutex{}, got: map[string]any{}}
	app := flagon.New()
	app.Config.Logger = slog.New(h)
	app.Use(func(flagon.HandlerFunc) flagon.HandlerFunc { return nil }) // composing fails
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "ok") })
	srv := httptest.NewUnstartedServer(app)
	srv.Config.BaseContext = func(net.Listener) context.Context {
		return context.WithValue(context.Background(), traceKey{}, "trace-2")
	}
	srv.Start()
	defer srv.Close()
	res, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Equal(t, "trace-2", h.got["flagon: request refused: the app failed to start"])
}
