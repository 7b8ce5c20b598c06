package flagon_test

import (
	"fmt"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
)

type limitError struct{ limit int }

func (e *limitError) Error() string   { return fmt.Sprintf("quota of %d used up", e.limit) }
func (e *limitError) StatusCode() int { return 429 }

type outerError struct{ inner error }

func (e *outerError) Error() string { return "outer: " + e.inner.Error() }
func (e *outerError) Unwrap() error { return e.inner }

type statusCoder interface {
	error
	StatusCode() int
}

func TestTheMostSpecificErrorHandlerWins(t *testing.T) {
	answer := func(name string) func(c *flagon.Context, err error) error {
		return func(c *flagon.Context, err error) error { return c.Text(418, name) }
	}
	cases := []struct {
		name  string
		setup func(app *flagon.App, bp *flagon.Blueprint)
		err   error
		want  string
	}{
		{"a type handler wins over a code handler registered first", func(app *flagon.App, bp *flagon.Blueprint) {
			app.ErrorHandler(429, answer("code"))
			flagon.HandleError(app, func(c *flagon.Context, err *limitError) error { return c.Text(418, "type") })
		}, &limitError{3}, "type"},
		{"an exact type wins over an interface registered first", func(app *flagon.App, bp *flagon.Blueprint) {
			flagon.HandleError(app, func(c *flagon.Context, err statusCoder) error { return c.Text(418, "interface") })
			flagon.HandleError(app, func(c *flagon.Context, err *limitError) error { return c.Text(418, "exact") })
		}, &limitError{3}, "exact"},
		{"the error itself wins over what it wraps", func(app *flagon.App, bp *flagon.Blueprint) {
			flagon.HandleError(app, func(c *flagon.Context, err *limitError) error { return c.Text(418, "inner") })
			flagon.HandleError(app, func(c *flagon.Context, err *outerError) error { return c.Text(418, "outer") })
		}, &outerError{&limitError{3}}, "outer"},
		{"a wrapped error finds its handler through the chain", func(app *flagon.App, bp *flagon.Blueprint) {
			flagon.HandleError(app, func(c *flagon.Context, err *limitError) error { return c.Text(418, fmt.Sprint("limit ", err.limit)) })
		}, fmt.Errorf("saving: %w", &outerError{&limitError{7}}), "limit 7"},
		{"an interface handler takes what has no exact handler", func(app *flagon.App, bp *flagon.Blueprint) {
			flagon.HandleError(app, func(c *flagon.Context, err statusCoder) error { return c.Text(418, "interface") })
			app.ErrorHandler(429, answer("code"))
		}, &limitError{3}, "interface"},
		{"the blueprint's handlers come before the app's", func(app *flagon.App, bp *flagon.Blueprint) {
			flagon.HandleError(app, func(c *flagon.Context, err *limitError) error { return c.Text(418, "app type") })
			bp.ErrorHandler(429, answer("blueprint code"))
		}, &limitError{3}, "blueprint code"},
		{"errors.Join is walked too", func(app *flagon.App, bp *flagon.Blueprint) {
			flagon.HandleError(app, func(c *flagon.Context, err *limitError) error { return c.Text(418, "joined") })
		}, fmt.Errorf("two: %w, %w", fmt.Errorf("plain"), &limitError{1}), "joined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := flagon.New()
			bp := flagon.NewBlueprint("api")
			tc.setup(app, bp)
			err := tc.err
			bp.Get("/fail", func(c *flagon.Context) error { return err })
			app.Register(bp, "/api")
			res := app.TestClient().Get("/api/fail")
			assert.Equal(t, 418, res.Code)
			assert.Equal(t, tc.want, res.Text())
		})
	}
}
