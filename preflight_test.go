package flagon_test

import (
	"net/http/httptest"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
)

// A CORS preflight for a path without an OPTIONS route runs through the
// middleware of the route it asks about, so CORS middleware on a blueprint
// or a route can answer it; the handler and the before-request hooks do not
// run.
func TestAPreflightRunsThroughTheMiddlewareOfTheRouteItAsksAbout(t *testing.T) {
	var seen []string
	mark := func(name string) flagon.Middleware {
		return func(next flagon.HandlerFunc) flagon.HandlerFunc {
			return func(c *flagon.Context) error {
				seen = append(seen, name+" "+c.Rule())
				return next(c)
			}
		}
	}
	app := quietApp()
	app.BeforeRequest(func(c *flagon.Context) error { seen = append(seen, "before"); return nil })
	bp := flagon.NewBlueprint("bp")
	bp.Use(mark("blueprint"))
	bp.Put("/items/<int:id>", func(c *flagon.Context) error { seen = append(seen, "handler"); return nil }).Use(mark("route"))
	bp.Get("/items/<int:id>", func(c *flagon.Context) error { return nil })
	app.Register(bp, "/bp")
	app.Get("/plain", func(c *flagon.Context) error { return nil })

	cases := []struct {
		name, path, method string
		want               []string
	}{
		{"a preflight for PUT runs the blueprint's and the PUT route's middleware", "/bp/items/7", "PUT", []string{"blueprint /bp/items/<int:id>", "route /bp/items/<int:id>"}},
		{"a preflight for GET runs the blueprint's only", "/bp/items/7", "GET", []string{"blueprint /bp/items/<int:id>"}},
		{"a preflight for a method without a route gets the router's answer", "/bp/items/7", "DELETE", nil},
		{"a preflight for a route without middleware gets the router's answer", "/plain", "GET", nil},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			seen = nil
			req := httptest.NewRequest("OPTIONS", tt.path, nil)
			req.Header.Set("Origin", "https://a.example")
			req.Header.Set("Access-Control-Request-Method", tt.method)
			res := app.TestClient().Do(req)
			assert.Equal(t, 204, res.Code)
			assert.NotEmpty(t, res.Header.Get("Allow"), "the router's automatic answer")
			assert.Equal(t, tt.want, seen)
		})
	}
	t.Run("a plain OPTIONS request is the router's alone", func(t *testing.T) {
		seen = nil
		res := app.TestClient().Options("/bp/items/7")
		assert.Equal(t, 204, res.Code)
		assert.Nil(t, seen)
	})
}

func TestTheRequestIDIsReadThroughGet(t *testing.T) {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error {
		before, ok := c.Get("request_id")
		c.SetRequestID("abc")
		after, _ := c.Get("request_id")
		c.Set("request_id", "mine")
		mine, _ := c.Get("request_id")
		return c.Text(200, assertString(before, ok)+" "+after.(string)+" "+mine.(string)+" "+c.RequestID())
	})
	assert.Equal(t, "none abc mine abc", app.TestClient().Get("/").Text())
}

func assertString(v any, ok bool) string {
	if !ok {
		return "none"
	}
	return v.(string)
}
