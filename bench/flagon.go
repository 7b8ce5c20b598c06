package bench

import (
	"net/http"

	"github.com/flagon-go/flagon"
)

func init() {
	register(Framework{
		Name: "flagon",
		Router: func(routes []Route, rec *Recorder) http.Handler {
			app := flagon.New()
			for i, r := range routes {
				app.Route(r.As("<%s>"), flagonHandler(i, r.Names, rec), r.Method)
			}
			return app
		},
		Hello: func() http.Handler {
			app := flagon.New()
			app.Get("/", func(c *flagon.Context) error { return c.Text(200, helloBody) })
			return app
		},
		JSON: func() http.Handler {
			app := flagon.New()
			app.Get("/json", func(c *flagon.Context) error { return c.JSON(200, message) })
			return app
		},
		Middleware5: func() http.Handler {
			app := flagon.New()
			for range 5 {
				app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
					return func(c *flagon.Context) error { return next(c) }
				})
			}
			app.Get("/", func(c *flagon.Context) error { return c.Text(200, helloBody) })
			return app
		},
		Bind: func(seen *Signup) http.Handler {
			app := flagon.New()
			app.Post("/bind", func(c *flagon.Context) error {
				var in Signup
				if err := c.Bind(&in); err != nil {
					return err
				}
				if seen != nil {
					*seen = in
				}
				return c.NoContent(204)
			})
			return app
		},
	})
}

func flagonHandler(i int, names []string, rec *Recorder) flagon.HandlerFunc {
	if rec == nil {
		return func(c *flagon.Context) error { return nil }
	}
	return func(c *flagon.Context) error {
		rec.Record(i, names, c.Param)
		return nil
	}
}
