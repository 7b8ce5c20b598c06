package bench

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func init() {
	register(Framework{
		Name: "echo",
		Router: func(routes []Route, rec *Recorder) http.Handler {
			e := echo.New()
			for i, r := range routes {
				e.Add(r.Method, r.Path, echoHandler(i, r.Names, rec))
			}
			return e
		},
		Hello: func() http.Handler {
			e := echo.New()
			e.GET("/", func(c echo.Context) error { return c.String(200, helloBody) })
			return e
		},
		JSON: func() http.Handler {
			e := echo.New()
			e.GET("/json", func(c echo.Context) error { return c.JSON(200, message) })
			return e
		},
		Middleware5: func() http.Handler {
			e := echo.New()
			for range 5 {
				e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
					return func(c echo.Context) error { return next(c) }
				})
			}
			e.GET("/", func(c echo.Context) error { return c.String(200, helloBody) })
			return e
		},
	})
}

func echoHandler(i int, names []string, rec *Recorder) echo.HandlerFunc {
	if rec == nil {
		return func(c echo.Context) error { return nil }
	}
	return func(c echo.Context) error {
		rec.Record(i, names, c.Param)
		return nil
	}
}
