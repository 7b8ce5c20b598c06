package flagon_test

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// panicMessage runs fn and returns what it panicked with, as text ("" when
// it did not panic).
func panicMessage(fn func()) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprint(p)
		}
	}()
	fn()
	return ""
}

// panicSite runs fn and returns its panic message and the file:line of the
// call to panicSite, which is where fn registers when it is written on the
// same line.
func panicSite(fn func()) (msg, site string) {
	_, file, line, _ := runtime.Caller(1)
	return panicMessage(fn), fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

// siteOf returns the file:line of its caller; pass it the registration so
// both are on one line: site := siteOf(app.Get(...)).
func siteOf(*flagon.Route) string {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

func ruleAlpha(c *flagon.Context) error { return c.Text(200, "alpha") }
func ruleBeta(c *flagon.Context) error  { return c.Text(200, "beta") }

func TestRulesThatPanicAtRegistration(t *testing.T) {
	nop := func(c *flagon.Context) error { return nil }
	cases := []struct {
		name, rule, want string
	}{
		{"a rule without a leading slash", "users/<id>", `must start with "/"`},
		{"an empty rule", "", `must start with "/"`},
		{"an unclosed variable", "/a/<b", "fills a whole segment"},
		{"an unopened variable", "/a/b>", "fills a whole segment"},
		{"a variable that does not fill its segment", "/a<b>", "fills a whole segment"},
		{"a variable with text after it", "/a/<b>c", "fills a whole segment"},
		{"two variables in one segment", "/a/<b><c>", "fills a whole segment"},
		{"an empty segment", "/a//b", "empty segment"},
		{"a leading empty segment", "//a", "empty segment"},
		{"a dot segment", "/a/./b", "can never be requested"},
		{"a dot-dot segment", "/a/../b", "can never be requested"},
		{"an empty variable", "/a/<>", "fills a whole segment"},
		{"a variable without a name", "/a/<int:>", "not a valid variable name"},
		{"a variable name starting with a digit", "/a/<int:1x>", "not a valid variable name"},
		{"a variable name with a dash", "/a/<my-id>", "not a valid variable name"},
		{"an unknown converter", "/a/<nope:b>", `unknown converter "nope"`},
		{"an unknown converter with arguments", "/a/<nope(1):b>", `takes no arguments`},
		{"arguments to a converter that takes none", "/a/<int(3):b>", "takes no arguments"},
		{"any without words", "/a/<any():b>", "needs at least one word"},
		{"any with an empty word", "/a/<any(x,,y):b>", "invalid word"},
		{"any with a dot-dot word, which can never be requested", "/a/<any(x,..):b>", "invalid word"},
		{"any with an unclosed argument list", "/a/<any(x,y:b>", `closed with ")"`},
		{"a path variable with more rule after it, after another path variable", "/<path:a>/x/<path:b>/y", "no other <path:...> comes before it"},
		{"a path variable before a trailing slash, after another path variable", "/<path:a>/<path:b>/", "no other <path:...> comes before it"},
		{"a duplicate variable name", "/a/<x>/<int:x>", `"x" appears twice`},
		{"a duplicate variable name with the same converter", "/a/<x>/b/<x>", `"x" appears twice`},
	}
	for _, tt := range cases {
		t.Run(tt.name+" panics naming the rule and the call site", func(t *testing.T) {
			app := flagon.New()
			msg, site := panicSite(func() { app.Get(tt.rule, nop) })
			require.NotEmpty(t, msg, "registering %q must panic", tt.rule)
			assert.Regexp(t, "^flagon: ", msg)
			assert.Contains(t, msg, tt.rule)
			assert.Contains(t, msg, tt.want)
			assert.Contains(t, msg, site)
		})
	}
	t.Run("a bad blueprint rule panics when registered, naming the full rule and where the route was written", func(t *testing.T) {
		app := flagon.New()
		bp := flagon.NewBlueprint("bp")
		site := siteOf(bp.Get("/a/<nope:b>", nop))
		msg := panicMessage(func() { app.Register(bp, "/pre") })
		assert.Regexp(t, "^flagon: ", msg)
		assert.Contains(t, msg, "/pre/a/<nope:b>")
		assert.Contains(t, msg, `unknown converter "nope"`)
		assert.Contains(t, msg, site, "the blueprint route's own call site")
	})
	t.Run("well-formed rules register without a panic", func(t *testing.T) {
		app := flagon.New()
		for _, rule := range []string{
			"/", "/a", "/a/", "/<x>", "/<x>/", "/<int:x>/<float:y>/<uuid:z>", "/<any(a, 'b', \"c\"):w>",
			"/<path:p>", "/a/<default:d>", "/<string:s>/<path:rest>", "/a.b/c-d/~e/_f", "/with space/<x>", "/café/<x>",
			"/<path:page>/edit", "/docs/<path:p>/", "/repo/<path:name>/blob/<path:file>", "/<path:a>/<int:n>/<path:b>",
		} {
			assert.Empty(t, panicMessage(func() { app.Get(rule, nop) }), rule)
		}
	})
}

func TestConflictingRegistrationsPanicWithBothCallSites(t *testing.T) {
	nop := func(c *flagon.Context) error { return nil }
	cases := []struct {
		name, first, second string
	}{
		{"the same rule twice", "/u", "/u"},
		{"the same shape with other variable names", "/u/<int:a>", "/u/<int:b>"},
		{"string spelled three ways", "/u/<a>", "/u/<string:b>"},
		{"string and default", "/u/<string:a>", "/u/<default:b>"},
		{"the same any words with other spacing", "/u/<any(x,y):a>", "/u/<any(x, y):b>"},
		{"the same path rule", "/f/<path:p>", "/f/<path:q>"},
		{"the same trailing-slash rule", "/d/<x>/", "/d/<y>/"},
	}
	for _, tt := range cases {
		t.Run(tt.name+" for the same method panics", func(t *testing.T) {
			app := flagon.New()
			first := siteOf(app.Get(tt.first, nop))
			msg, second := panicSite(func() { app.Get(tt.second, nop) })
			require.NotEmpty(t, msg)
			assert.Regexp(t, "^flagon: ", msg)
			assert.Contains(t, msg, tt.first)
			assert.Contains(t, msg, tt.second)
			assert.Contains(t, msg, first, "the first registration's call site")
			assert.Contains(t, msg, second, "the second registration's call site")
		})
	}
	t.Run("a conflict in one of several methods panics", func(t *testing.T) {
		app := flagon.New()
		first := siteOf(app.Post("/u/<int:a>", nop))
		msg, second := panicSite(func() { app.Route("/u/<int:b>", nop, "GET", "POST") })
		assert.Contains(t, msg, "POST")
		assert.Contains(t, msg, first)
		assert.Contains(t, msg, second)
	})
	t.Run("a blueprint route that lands on an app route's shape panics", func(t *testing.T) {
		app := flagon.New()
		first := siteOf(app.Get("/admin/<int:id>", nop))
		bp := flagon.NewBlueprint("admin")
		second := siteOf(bp.Get("/<int:key>", nop))
		msg := panicMessage(func() { app.Register(bp, "/admin") })
		assert.Regexp(t, "^flagon: ", msg)
		assert.Contains(t, msg, "/admin/<int:id>")
		assert.Contains(t, msg, "/admin/<int:key>")
		assert.Contains(t, msg, first)
		assert.Contains(t, msg, second)
	})

	fine := []struct {
		name         string
		first        func(app *flagon.App)
		second       func(app *flagon.App)
		checkMethod  string
		checkPath    string
		checkWant    string
		checkDefault string
	}{
		{
			name:        "the same shape for another method",
			first:       func(app *flagon.App) { app.Get("/u/<int:a>", reply("get", "a")) },
			second:      func(app *flagon.App) { app.Put("/u/<int:b>", reply("put", "b")) },
			checkMethod: "PUT", checkPath: "/u/1", checkWant: "put b=1",
		},
		{
			name:        "another converter at the same place",
			first:       func(app *flagon.App) { app.Get("/u/<int:a>", reply("int", "a")) },
			second:      func(app *flagon.App) { app.Get("/u/<b>", reply("string", "b")) },
			checkMethod: "GET", checkPath: "/u/x", checkWant: "string b=x",
		},
		{
			name:        "the same rule with and without a trailing slash",
			first:       func(app *flagon.App) { app.Get("/u", reply("bare")) },
			second:      func(app *flagon.App) { app.Get("/u/", reply("slashed")) },
			checkMethod: "GET", checkPath: "/u/", checkWant: "slashed",
		},
		{
			name:        "any with other words",
			first:       func(app *flagon.App) { app.Get("/l/<any(en,fr):a>", reply("enfr", "a")) },
			second:      func(app *flagon.App) { app.Get("/l/<any(de,it):b>", reply("deit", "b")) },
			checkMethod: "GET", checkPath: "/l/it", checkWant: "deit b=it",
		},
	}
	for _, tt := range fine {
		t.Run(tt.name+" is not a conflict", func(t *testing.T) {
			app := flagon.New()
			tt.first(app)
			require.Empty(t, panicMessage(func() { tt.second(app) }))
			rec := serveTarget(t, app, tt.checkMethod, tt.checkPath)
			assert.Equal(t, tt.checkWant, rec.Body.String())
		})
	}
}

func TestEndpointNames(t *testing.T) {
	t.Run("a name reused for another handler panics with both rules and call sites", func(t *testing.T) {
		app := flagon.New()
		first := siteOf(app.Get("/a", ruleAlpha).Name("x"))
		msg, second := panicSite(func() { app.Get("/b", ruleBeta).Name("x") })
		require.NotEmpty(t, msg)
		assert.Regexp(t, "^flagon: ", msg)
		assert.Contains(t, msg, `"x"`)
		assert.Contains(t, msg, "/a")
		assert.Contains(t, msg, "/b")
		assert.Contains(t, msg, first)
		assert.Contains(t, msg, second)
	})
	t.Run("a default name taken by another handler panics when named so", func(t *testing.T) {
		app := flagon.New()
		app.Get("/a", ruleAlpha)
		msg := panicMessage(func() { app.Get("/b", ruleBeta).Name("ruleAlpha") })
		assert.Regexp(t, "^flagon: ", msg)
		assert.Contains(t, msg, `"ruleAlpha"`)
	})
	t.Run("the same handler may have its endpoint on several rules", func(t *testing.T) {
		app := flagon.New()
		app.Get("/a", ruleAlpha).Name("x")
		assert.Empty(t, panicMessage(func() { app.Get("/a/<int:page>", ruleAlpha).Name("x") }))
		assert.Empty(t, panicMessage(func() { app.Post("/a", ruleAlpha) }))
	})
	t.Run("a handler function's name is its default endpoint", func(t *testing.T) {
		app := flagon.New()
		app.Get("/alpha", ruleAlpha)
		app.Get("/closure", func(c *flagon.Context) error { return nil })
		app.Get("/named", func(c *flagon.Context) error { return nil }).Name("named")
		eps := map[string]string{}
		for _, r := range app.Routes() {
			eps[r.Rule] = r.Endpoint
		}
		assert.Equal(t, "ruleAlpha", eps["/alpha"])
		assert.Equal(t, "", eps["/closure"], "closures have no default name")
		assert.Equal(t, "named", eps["/named"])
	})
	t.Run("renaming frees the old name", func(t *testing.T) {
		app := flagon.New()
		app.Get("/a", ruleAlpha).Name("first").Name("second")
		assert.Empty(t, panicMessage(func() { app.Get("/b", ruleBeta).Name("first") }))
		u, err := app.URLFor("second")
		require.NoError(t, err)
		assert.Equal(t, "/a", u)
		u, err = app.URLFor("first")
		require.NoError(t, err)
		assert.Equal(t, "/b", u)
	})
	t.Run("blueprint endpoints are prefixed, so the same name does not clash", func(t *testing.T) {
		app := flagon.New()
		app.Get("/a", ruleAlpha).Name("x")
		bp := flagon.NewBlueprint("bp")
		bp.Get("/b", ruleBeta).Name("x")
		assert.Empty(t, panicMessage(func() { app.Register(bp, "/bp") }))
		u, err := app.URLFor("bp.x")
		require.NoError(t, err)
		assert.Equal(t, "/bp/b", u)
	})
}
