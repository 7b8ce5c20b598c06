package flagon_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"weak"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sharedAdmin is a package-level blueprint, as an application package
// declares one and its app factory registers it on every app it makes.
var sharedAdmin = newSharedAdmin()

func newSharedAdmin() *flagon.Blueprint {
	admin := flagon.NewBlueprint("admin")
	admin.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			c.SetHeader("X-Admin-Mw", "yes")
			return next(c)
		}
	})
	admin.BeforeRequest(func(c *flagon.Context) error {
		c.Set("who", "ada")
		return nil
	})
	admin.AfterRequest(func(c *flagon.Context) { c.SetHeader("X-Admin-After", "yes") })
	admin.ErrorHandler(404, func(c *flagon.Context, err error) error {
		return c.Text(404, "admin has no such page")
	})
	admin.Get("/", func(c *flagon.Context) error {
		who, _ := c.Get("who")
		return c.Text(200, fmt.Sprint("dashboard for ", who))
	}).Name("dashboard")

	reports := flagon.NewBlueprint("reports")
	reports.BeforeRequest(func(c *flagon.Context) error {
		c.SetHeader("X-Reports-Before", "yes")
		return nil
	})
	reports.Get("/<int:year>", func(c *flagon.Context) error {
		return c.Text(200, "year "+c.Param("year"))
	}).Name("yearly").Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			c.SetHeader("X-Route-Mw", "yes")
			return next(c)
		}
	})
	admin.Register(reports, "/reports")
	return admin
}

// sharedAdminApp is an app factory: a new app with sharedAdmin registered.
func sharedAdminApp() *flagon.App {
	app := quietApp()
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "home") })
	app.Register(sharedAdmin, "/admin")
	return app
}

func TestBlueprintSharedByAppsInParallel(t *testing.T) {
	for i := range 8 {
		t.Run(fmt.Sprintf("app %d", i), func(t *testing.T) {
			t.Parallel()
			app := sharedAdminApp()
			srv := httptest.NewServer(app)
			defer srv.Close()
			get := func(method, path string) (*http.Response, string) {
				req, err := http.NewRequest(method, srv.URL+path, nil)
				require.NoError(t, err)
				res, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer res.Body.Close()
				body, err := io.ReadAll(res.Body)
				require.NoError(t, err)
				return res, string(body)
			}

			res, body := get("GET", "/admin/")
			assert.Equal(t, 200, res.StatusCode)
			assert.Equal(t, "dashboard for ada", body, "the blueprint's before-request hook ran")
			assert.Equal(t, "yes", res.Header.Get("X-Admin-Mw"))
			assert.Equal(t, "yes", res.Header.Get("X-Admin-After"))

			res, body = get("GET", "/admin/reports/2026")
			assert.Equal(t, "year 2026", body)
			assert.Equal(t, "yes", res.Header.Get("X-Admin-Mw"), "the parent's middleware wraps the child's routes")
			assert.Equal(t, "yes", res.Header.Get("X-Reports-Before"))
			assert.Equal(t, "yes", res.Header.Get("X-Route-Mw"), "Route.Use before registration reaches every app")

			res, body = get("GET", "/admin/nope")
			assert.Equal(t, 404, res.StatusCode)
			assert.Equal(t, "admin has no such page", body, "404s under the prefix go to the blueprint")
			res, body = get("GET", "/nope")
			assert.Equal(t, 404, res.StatusCode)
			assert.NotContains(t, body, "admin", "404s elsewhere stay the app's")
			res, _ = get("POST", "/admin/reports/2026")
			assert.Equal(t, 405, res.StatusCode)

			u, err := app.URLFor("admin.reports.yearly", "year", 1999)
			require.NoError(t, err)
			assert.Equal(t, "/admin/reports/1999", u)
			u, err = app.URLFor("admin.dashboard")
			require.NoError(t, err)
			assert.Equal(t, "/admin/", u)
		})
	}
}

func TestAppOfSharedBlueprintIsCollectable(t *testing.T) {
	wp := servedSharedAdminApp(t)
	// sync.Pool lets go of its pools (one lives in the App) over two
	// collections; a few more rounds leave room, and any fixed number is
	// an event count, not a wait.
	for i := 0; i < 10 && wp.Value() != nil; i++ {
		runtime.GC()
	}
	assert.True(t, wp.Value() == nil, "nothing outside the app, the shared blueprint included, keeps it alive")
}

// servedSharedAdminApp makes an app with sharedAdmin, serves a request with
// it and drops it, returning only a weak pointer to it.
func servedSharedAdminApp(t *testing.T) weak.Pointer[flagon.App] {
	app := sharedAdminApp()
	srv := httptest.NewServer(app)
	res, err := http.Get(srv.URL + "/admin/reports/2026")
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	srv.Close()
	http.DefaultClient.CloseIdleConnections()
	return weak.Make(app)
}

func TestAddingToARegisteredBlueprintPanics(t *testing.T) {
	nop := func(c *flagon.Context) error { return nil }
	mw := func(next flagon.HandlerFunc) flagon.HandlerFunc { return next }
	type bps = *flagon.Blueprint
	type route = *flagon.Route
	// Each addition is on one line, so panicSite's site is the addition's.
	cases := []struct {
		name string
		what string // the addition as the message names it
		blue string // the blueprint the message names
		add  func(bp, child bps, r route) (msg, site string)
	}{
		{"a route", "register GET /late", "admin", func(bp, _ bps, _ route) (string, string) { return panicSite(func() { bp.Get("/late", nop) }) }},
		{"a route on a nested child", "register POST /late", "reports", func(_, child bps, _ route) (string, string) { return panicSite(func() { child.Post("/late", nop) }) }},
		{"middleware", "add middleware", "admin", func(bp, _ bps, _ route) (string, string) { return panicSite(func() { bp.Use(mw) }) }},
		{"a before-request hook", "add a BeforeRequest hook", "admin", func(bp, _ bps, _ route) (string, string) {
			return panicSite(func() { bp.BeforeRequest(func(*flagon.Context) error { return nil }) })
		}},
		{"a teardown hook on a nested child", "add a TeardownRequest hook", "reports", func(_, child bps, _ route) (string, string) {
			return panicSite(func() { child.TeardownRequest(func(*flagon.Context, error) {}) })
		}},
		{"an error handler", "add an error handler", "admin", func(bp, _ bps, _ route) (string, string) {
			return panicSite(func() { bp.ErrorHandler(404, func(*flagon.Context, error) error { return nil }) })
		}},
		{"a typed error handler", "add an error handler", "admin", func(bp, _ bps, _ route) (string, string) {
			return panicSite(func() { flagon.HandleError(bp, func(*flagon.Context, error) error { return nil }) })
		}},
		{"a child blueprint", "register blueprint extra", "admin", func(bp, _ bps, _ route) (string, string) {
			return panicSite(func() { bp.Register(flagon.NewBlueprint("extra"), "/extra") })
		}},
		{"a name for a route", "name the route /", "admin", func(_, _ bps, r route) (string, string) { return panicSite(func() { r.Name("home") }) }},
		{"middleware for a route", "add middleware to /", "admin", func(_, _ bps, r route) (string, string) { return panicSite(func() { r.Use(mw) }) }},
	}
	for _, tc := range cases {
		t.Run(tc.name+" panics", func(t *testing.T) {
			bp := flagon.NewBlueprint("admin")
			r := bp.Get("/", nop)
			child := flagon.NewBlueprint("reports")
			bp.Register(child, "/reports")
			quietApp().Register(bp, "/admin")

			msg, site := tc.add(bp, child, r)
			assert.True(t, strings.HasPrefix(msg, "flagon: cannot "+tc.what+" at "), msg)
			assert.Contains(t, msg, site, "the message names the call site")
			assert.Contains(t, msg, "blueprint "+tc.blue+" has already been registered")
			assert.Contains(t, msg, "add them all to the blueprint before registering it")
		})
	}

	t.Run("a second app can still register it", func(t *testing.T) {
		bp := flagon.NewBlueprint("admin")
		bp.Get("/", func(c *flagon.Context) error { return c.Text(200, "admin") })
		first, second := quietApp(), quietApp()
		first.Register(bp, "/admin")
		second.Register(bp, "/staff")
		assert.Equal(t, "admin", first.TestClient().Get("/admin/").Text())
		assert.Equal(t, "admin", second.TestClient().Get("/staff/").Text())
	})
	t.Run("a child completed after nesting but before the app registers the parent is served", func(t *testing.T) {
		bp, child := flagon.NewBlueprint("admin"), flagon.NewBlueprint("reports")
		bp.Register(child, "/reports")
		child.Get("/", func(c *flagon.Context) error { return c.Text(200, "reports") })
		app := quietApp()
		app.Register(bp, "/admin")
		assert.Equal(t, "reports", app.TestClient().Get("/admin/reports/").Text())
	})
}
