package flagon_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// authBlueprint is a package-level blueprint carrying its own wiring, as
// Flask's tutorial's auth blueprint does: an app-wide hook that loads the
// user, an app-wide 404 page, relative endpoints.
var authBlueprint = func() *flagon.Blueprint {
	bp := flagon.NewBlueprint("auth")
	bp.BeforeAppRequest(func(c *flagon.Context) error {
		if u := c.Request.Header.Get("X-User"); u != "" {
			c.Set("user", u)
		}
		return nil
	})
	bp.AppErrorHandler(404, func(c *flagon.Context, err error) error {
		u, _ := c.Get("user")
		return c.Text(404, fmt.Sprintf("no such page, %v", u))
	})
	bp.Get("/login", func(c *flagon.Context) error {
		u, err := c.URLFor(".logout")
		if err != nil {
			return err
		}
		return c.Text(200, u)
	}).Name("login")
	bp.Get("/logout", func(c *flagon.Context) error {
		return c.RedirectFor(303, ".login", "next", "/")
	}).Name("logout")
	return bp
}()

func newParityApp() *flagon.App {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error {
		u, _ := c.Get("user")
		login, err := c.URLFor("auth.login")
		if err != nil {
			return err
		}
		return c.Text(200, fmt.Sprintf("hello %v, log in at %s", u, login))
	}).Name("index")
	app.Get("/relative", func(c *flagon.Context) error {
		u, err := c.URLFor(".index")
		if err != nil {
			return err
		}
		return c.Text(200, u)
	})
	app.Register(authBlueprint, "/auth/")
	return app
}

func TestBlueprintsCarryTheirAppWideWiring(t *testing.T) {
	for i := range 6 {
		t.Run(fmt.Sprintf("app %d", i), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(newParityApp())
			defer srv.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			get := func(path string) (int, string, http.Header) {
				req, err := http.NewRequest("GET", srv.URL+path, nil)
				require.NoError(t, err)
				req.Header.Set("X-User", "ada")
				res, err := client.Do(req)
				require.NoError(t, err)
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b), res.Header
			}
			code, body, _ := get("/")
			assert.Equal(t, 200, code)
			assert.Equal(t, "hello ada, log in at /auth/login", body, "BeforeAppRequest ran for an app route; the prefix /auth/ joined")
			code, body, _ = get("/auth/login")
			assert.Equal(t, 200, code)
			assert.Equal(t, "/auth/logout", body, "the relative endpoint .logout is the blueprint's")
			code, _, h := get("/auth/logout")
			assert.Equal(t, 303, code)
			assert.Equal(t, "/auth/login?next=%2F", h.Get("Location"), "RedirectFor")
			code, body, _ = get("/relative")
			assert.Equal(t, "/", body, "a relative endpoint in an app route is the app's")
			code, body, _ = get("/nowhere")
			assert.Equal(t, 404, code)
			assert.Equal(t, "no such page, ada", body, "AppErrorHandler answers the app's 404, after the before hook loaded g")
		})
	}
}

func TestRelativeEndpointsNeedARequest(t *testing.T) {
	app := newParityApp()
	_, err := app.URLFor(".index")
	assert.ErrorContains(t, err, "relative endpoint")
}

func TestRedirectForAnUnknownEndpointSendsNothing(t *testing.T) {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.RedirectFor(302, "nowhere") })
	res := app.TestClient().Get("/")
	assert.Equal(t, 500, res.Code)
	assert.Empty(t, res.Header.Get("Location"))
}

func TestPrefixesJoinLikeFlask(t *testing.T) {
	cases := []struct{ prefix, rule, path string }{
		{"/foo/", "/bar", "/foo/bar"},
		{"/foo", "bar", "/foo/bar"},
		{"/foo/", "bar/", "/foo/bar/"},
		{"/foo", "/", "/foo/"},
		{"/foo", "", "/foo"},
		{"", "/bar", "/bar"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%q + %q is %s", tc.prefix, tc.rule, tc.path), func(t *testing.T) {
			app := flagon.New()
			bp := flagon.NewBlueprint("bp")
			bp.Get(tc.rule, func(c *flagon.Context) error { return c.Text(200, "here") })
			app.Register(bp, tc.prefix)
			res := app.TestClient().Get(tc.path)
			assert.Equal(t, 200, res.Code)
			assert.Equal(t, "here", res.Text())
		})
	}
}

func TestABlueprintEndpointWithADotIsRefused(t *testing.T) {
	bp := flagon.NewBlueprint("shop")
	msg := panicMessage(func() {
		bp.Get("/cart", func(c *flagon.Context) error { return nil }).Name("cart.show")
	})
	assert.True(t, strings.HasPrefix(msg, "flagon: "), msg)
	assert.Contains(t, msg, "may not contain a dot")
	assert.Contains(t, msg, "flask_parity_test.go:")
}

func TestVariablePrefixesWithURLDefaults(t *testing.T) {
	app := flagon.New()
	site := flagon.NewBlueprint("site")
	// Flask's url_value_preprocessor role: a before-request hook reads the
	// prefix's variable into g.
	site.BeforeRequest(func(c *flagon.Context) error {
		c.Set("lang", c.Param("lang"))
		return nil
	})
	// Flask's url_defaults: every URL the blueprint builds keeps the
	// current language.
	site.URLDefaults(func(c *flagon.Context, endpoint string, values map[string]any) {
		if lang, ok := c.Get("lang"); ok {
			values["lang"] = lang
		}
	})
	site.Get("/", func(c *flagon.Context) error {
		about, err := c.URLFor(".about")
		if err != nil {
			return err
		}
		other, err := c.URLFor(".about", "lang", "fr")
		if err != nil {
			return err
		}
		return c.Text(200, about+" "+other)
	}).Name("index")
	site.Get("/about", func(c *flagon.Context) error {
		lang, _ := c.Get("lang")
		return c.Text(200, fmt.Sprint("about in ", lang))
	}).Name("about")
	app.Get("/elsewhere", func(c *flagon.Context) error {
		_, err := c.URLFor("site.about")
		return err
	})
	app.Register(site, "/<any(en,de,fr):lang>")
	client := app.TestClient()

	res := client.Get("/de/")
	assert.Equal(t, 200, res.Code)
	assert.Equal(t, "/de/about /fr/about", res.Text(), "the default fills lang; a value the caller gives wins")
	assert.Equal(t, "about in en", client.Get("/en/about").Text())
	assert.Equal(t, 404, client.Get("/xx/about").Code)
	assert.Equal(t, 500, client.Get("/elsewhere").Code, "outside the blueprint nothing fills lang")
}

func TestBeforeRequestHooksRunForTheRoutersOwnAnswers(t *testing.T) {
	app := flagon.New()
	app.BeforeRequest(func(c *flagon.Context) error {
		c.Set("user", "ada")
		return nil
	})
	show := func(c *flagon.Context, err error) error {
		u, _ := c.Get("user")
		return c.Text(flagonStatus(err), fmt.Sprintf("%v sees %d", u, flagonStatus(err)))
	}
	app.ErrorHandler(404, show)
	app.ErrorHandler(405, show)
	app.Post("/form", func(c *flagon.Context) error { return c.Text(200, "posted") })
	client := app.TestClient()
	res := client.Get("/missing")
	assert.Equal(t, 404, res.Code)
	assert.Equal(t, "ada sees 404", res.Text())
	res = client.Get("/form")
	assert.Equal(t, 405, res.Code)
	assert.Equal(t, "ada sees 405", res.Text())
	assert.Equal(t, "POST, OPTIONS", res.Header.Get("Allow"))
}

func flagonStatus(err error) int {
	var he *flagon.HTTPError
	if errors.As(err, &he) {
		return he.Code
	}
	return 500
}

type poolForTest struct {
	mu     sync.Mutex
	closed bool
	events *[]string
}

var (
	siteName = flagon.NewKey[string]("site_name")
	dbKey    = flagon.NewKey[*poolForTest]("db")
)

func TestAppValuesAndOnShutdown(t *testing.T) {
	var events []string
	var mu sync.Mutex
	record := func(s string) {
		mu.Lock()
		events = append(events, s)
		mu.Unlock()
	}
	app := flagon.New()
	pool := &poolForTest{events: &events}
	siteName.Set(app, "Flagon blog")
	dbKey.Set(app, pool)
	release := make(chan struct{})
	entered := make(chan struct{})
	app.Get("/", func(c *flagon.Context) error {
		close(entered)
		<-release
		db := dbKey.Get(c.App())
		db.mu.Lock()
		closed := db.closed
		db.mu.Unlock()
		record(fmt.Sprintf("request done, db closed: %t", closed))
		return c.Text(200, siteName.Get(c.App()))
	})
	app.OnShutdown(func(ctx context.Context) error { record("second registered, first run"); return nil })
	app.OnShutdown(func(ctx context.Context) error {
		pool.mu.Lock()
		pool.closed = true
		pool.mu.Unlock()
		record("db closed")
		return errors.New("close failed")
	})

	_, ok := flagon.NewKey[int]("missing").Lookup(app)
	assert.False(t, ok)
	assert.Equal(t, "", flagon.NewKey[string]("other").Get(app))
	assert.Contains(t, panicMessage(func() { flagon.NewKey[int]("site_name").Set(app, 1) }), "two keys share the name")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	answer := getAsync(http.DefaultClient, "http://"+l.Addr().String()+"/")
	<-entered
	shut := make(chan error, 1)
	go func() { shut <- app.Shutdown(context.Background()) }()
	waitRefused(t, l.Addr().String())
	close(release)
	assert.Equal(t, "200 Flagon blog", <-answer)
	assert.ErrorContains(t, <-shut, "close failed", "Shutdown returns the OnShutdown errors")
	require.NoError(t, <-served)
	assert.Equal(t, []string{"request done, db closed: false", "db closed", "second registered, first run"}, events,
		"resources close after the requests, in reverse order, before Serve returns")
}

func TestAppWideHooksAreTakenOncePerApp(t *testing.T) {
	bp := flagon.NewBlueprint("twice")
	bp.BeforeAppRequest(func(c *flagon.Context) error {
		n, _ := c.Get("n")
		i, _ := n.(int)
		c.Set("n", i+1)
		return nil
	})
	bp.Get("/x", func(c *flagon.Context) error {
		n, _ := c.Get("n")
		return c.Text(200, fmt.Sprint(n))
	})
	app := flagon.New()
	app.Register(bp, "/a")
	app.Register(bp, "/b")
	assert.Equal(t, "1", app.TestClient().Get("/b/x").Text(), "the hook runs once, as Flask's record_once")
}

func TestTemplatesReadAppValuesByName(t *testing.T) {
	app := flagon.New()
	app.Config.TemplateFS = fstest.MapFS{"page.html": {Data: []byte(`{{config "site_name"}}|{{config "missing"}}`)}}
	siteName.Set(app, "Flagon blog")
	app.Get("/", func(c *flagon.Context) error { return c.Template(200, "page.html", nil) })
	res := app.TestClient().Get("/")
	assert.Equal(t, 200, res.Code)
	assert.Equal(t, "Flagon blog|", res.Text(), "a missing value renders empty")
}
