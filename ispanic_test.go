package flagon_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIsPanicTellsARecoveredPanicFromAnError: a middleware sees what the
// handler ended with; IsPanic says whether it was a panic.
func TestIsPanicTellsARecoveredPanicFromAnError(t *testing.T) {
	app := flagon.New()
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	seen := make(chan bool, 1)
	app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			err := next(c)
			seen <- flagon.IsPanic(err)
			return err
		}
	})
	app.Get("/panic", func(c *flagon.Context) error { panic("boom") })
	app.Get("/error", func(c *flagon.Context) error { return errors.New("failed") })
	app.Get("/wrapped", func(c *flagon.Context) error { return flagon.Abort(404) })
	srv := httptest.NewServer(app)
	defer srv.Close()

	for path, want := range map[string]bool{"/panic": true, "/error": false, "/wrapped": false} {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, want, <-seen, path)
	}
	assert.False(t, flagon.IsPanic(nil))
	assert.False(t, flagon.IsPanic(fmt.Errorf("x: %w", errors.New("y"))))
}
