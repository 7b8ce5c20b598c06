package flagon_test

import (
	"context"
	"errors"
	"log/slog"
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
	app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), traceKey{}, "trace-1"))
			return next(c)
		}
	})
	app.Get("/fail", func(c *flagon.Context) error { return errors.New("db down") })
	app.Get("/panic", func(c *flagon.Context) error { panic("boom") })
	app.ErrorHandler(418, func(c *flagon.Context, err error) error { return errors.New("handler broke") })
	app.Get("/teapot", func(c *flagon.Context) error { return flagon.Abort(418) })
	srv := httptest.NewServer(app)
	defer srv.Close()

	for _, p := range []string{"/fail", "/panic", "/teapot"} {
		res, err := http.Get(srv.URL + p)
		require.NoError(t, err)
		res.Body.Close()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, msg := range []string{"flagon: request failed", "flagon: panic serving request", "flagon: error handler failed"} {
		assert.Equal(t, "trace-1", h.got[msg], msg)
	}
}
