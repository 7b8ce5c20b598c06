package flagon_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
)

// pathVarApp has <path:...> variables in the middle of rules, as wikis
// and code browsers write them in Flask.
func pathVarApp() *flagon.App {
	app := flagon.New()
	app.Get("/wiki/<path:page>", reply("page", "page"))
	app.Get("/wiki/<path:page>/edit", reply("edit", "page"))
	app.Post("/wiki/<path:page>/edit", reply("save", "page"))
	app.Get("/wiki/<path:page>/<int:rev>", reply("rev", "page", "rev"))
	app.Get("/wiki/<name>/history", reply("history by name", "name"))
	app.Get("/docs/<path:p>/", reply("docs dir", "p"))
	app.Get("/repo/<path:name>/blob/<path:file>", reply("blob", "name", "file"))
	app.Get("/repo/<owner>/blob/<file>", reply("blob by name", "owner", "file"))
	app.Get("/t/<path:a>/x/y", reply("x y", "a"))
	app.Get("/t/<path:a>/y", reply("y", "a"))
	return app
}

func TestRouterPathVariablesInTheMiddle(t *testing.T) {
	srv := newServer(t, pathVarApp())
	cases := []struct {
		name, method, target string
		code                 int
		want                 string // the body, or the Location of a 308
	}{
		{"a path variable takes one segment before the rest of the rule", "GET", "/wiki/a/edit", 200, "edit page=a"},
		{"a path variable takes slashes before the rest of the rule", "GET", "/wiki/a/b/c/edit", 200, "edit page=a/b/c"},
		{"the fewest segments win: a page named edit stays in the value", "GET", "/wiki/a/edit/edit", 200, "edit page=a/edit"},
		{"a rule ending in the path variable takes what the others leave", "GET", "/wiki/a/b", 200, "page page=a/b"},
		{"a rule ending in the path variable takes a trailing edit too when nothing follows it", "GET", "/wiki/edit", 200, "page page=edit"},
		{"a converter after the path variable splits where it accepts", "GET", "/wiki/a/b/42", 200, "rev page=a/b rev=42"},
		{"precedence per segment holds: the string variable comes before path", "GET", "/wiki/a/history", 200, "history by name name=a"},
		{"the path variable is tried when the single segment fails later", "GET", "/wiki/a/b/history", 200, "page page=a/b/history"},
		{"methods keep their own trees", "POST", "/wiki/a/b/edit", 200, "save page=a/b"},
		{"an escaped slash stays inside a segment and decodes in the value", "GET", "/wiki/a%2Fb/edit", 200, "edit page=a/b"},
		{"a path variable before a trailing slash", "GET", "/docs/guide/intro/", 200, "docs dir p=guide/intro"},
		{"a path variable before a trailing slash redirects without it", "GET", "/docs/guide/intro", 308, "/docs/guide/intro/"},
		{"two path variables: the first takes the fewest segments", "GET", "/repo/org/proj/blob/src/blob/x.go", 200, "blob name=org/proj file=src/blob/x.go"},
		{"two path variables lose to single segments that fit", "GET", "/repo/org/blob/x.go", 200, "blob by name owner=org file=x.go"},
		{"a longer static tail at a shorter split wins", "GET", "/t/a/x/y", 200, "x y a=a"},
		{"a shorter static tail takes a longer split", "GET", "/t/a/b/y", 200, "y a=a/b"},
		{"a value with an empty segment redirects to the clean path", "GET", "/wiki/a//b/edit", 308, "/wiki/a/b/edit"},
		{"a dot segment in the value redirects to the clean path", "GET", "/wiki/a/./b/edit", 308, "/wiki/a/b/edit"},
		{"an escaped dot-dot in the value redirects to the clean path", "GET", "/wiki/a/%2E%2E/b/edit", 308, "/wiki/b/edit"},
		{"a value that would start with a slash is 404", "GET", "/docs/%2Fetc/", 404, ""},
		{"nothing for the path variable to take is 404", "GET", "/repo/blob/x", 404, ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res := sendRaw(t, srv, tt.method, tt.target)
			assert.Equal(t, tt.code, res.Code, res.Body)
			switch tt.code {
			case http.StatusOK:
				assert.Equal(t, tt.want, res.Body)
			case http.StatusPermanentRedirect:
				assert.Equal(t, tt.want, res.Header.Get("Location"))
			}
		})
	}
	t.Run("following the redirect of a non-canonical value reaches the route", func(t *testing.T) {
		res, body := fetch(t, srv.Client(), "GET", srv.URL+"/docs/guide/intro")
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "docs dir p=guide/intro", body)
	})
}

func TestRouterPathVariablesInTheMiddleCostLinearTime(t *testing.T) {
	// Each split of the first path variable before a "blob" segment
	// reaches the second one; a lookup that decoded or rescanned the rest
	// per split would take minutes on these paths, which fit in the 64 KiB
	// of a request line.
	app := flagon.New()
	app.Get("/repo/<path:name>/blob/<path:file>", reply("blob", "name", "file"))
	app.Get("/w/<path:page>/<x>/<y>/edit", reply("edit", "page", "x", "y"))
	cases := []struct {
		name, path string
		code       int
	}{
		{"32 000 segments of blob are served", "/repo/x" + strings.Repeat("/blob", 32000), 200},
		{"32 000 escaped segments of blob are served", "/repo/x" + strings.Repeat("/bl%6Fb", 32000), 200},
		{"a blob before each of 16 000 escaped slashes is 404", "/repo/x" + strings.Repeat("/blob/%2F", 16000), 404},
		{"32 000 segments before a missing edit are 404", "/w" + strings.Repeat("/e", 32000), 404},
		{"32 000 escaped segments before a missing edit are 404", "/w" + strings.Repeat("/%65", 32000), 404},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, parseTarget(t, "GET", tt.path))
			assert.Equal(t, tt.code, rec.Code)
		})
	}
}

func TestRouterPathVariableRulesRegister(t *testing.T) {
	nop := func(c *flagon.Context) error { return nil }
	t.Run("a path variable after another may only end the rule", func(t *testing.T) {
		app := flagon.New()
		msg, site := panicSite(func() { app.Get("/<path:a>/x/<path:b>/y", nop) })
		assert.Regexp(t, "^flagon: ", msg)
		assert.Contains(t, msg, "/<path:a>/x/<path:b>/y")
		assert.Contains(t, msg, site)
		assert.Contains(t, msg, "no other <path:...> comes before it")
	})
	t.Run("the same shape with another variable name conflicts", func(t *testing.T) {
		app := flagon.New()
		app.Get("/<path:a>/edit", nop)
		msg := panicMessage(func() { app.Get("/<path:b>/edit", nop) })
		assert.Contains(t, msg, "conflicts with")
	})
}
