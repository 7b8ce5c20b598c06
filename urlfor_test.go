package flagon_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func urlforUser(c *flagon.Context) error { return c.Text(200, "user "+c.Param("id")) }

// urlforApp has one endpoint per converter, a blueprint and a nested
// blueprint; each handler answers with its endpoint and variables.
func urlforApp() *flagon.App {
	app := flagon.New()
	app.Get("/users/<int:id>", urlforUser)
	app.Get("/price/<float:x>", reply("price", "x")).Name("price")
	app.Get("/items/<uuid:id>", reply("item", "id")).Name("item")
	app.Get("/<any(en,fr):lang>/about", reply("about", "lang")).Name("about")
	app.Get("/s/<slug>", reply("slug", "slug")).Name("slug")
	app.Get("/files/<path:p>", reply("files", "p")).Name("files")
	app.Get("/with space/<x>", reply("space", "x")).Name("space")
	app.Get("/home/", reply("home")).Name("home")
	posts := reply("posts", "page")
	app.Get("/posts/", posts).Name("posts")
	app.Get("/posts/page/<int:page>", posts).Name("posts")
	place := reply("place", "x", "y")
	app.Get("/a/<x>", place).Name("place")
	app.Get("/b/<y>", place).Name("place")
	app.Get("/ab/<x>/<y>", place).Name("place")
	bp := flagon.NewBlueprint("admin")
	bp.Get("/users/<int:id>", reply("admin user", "id")).Name("user")
	child := flagon.NewBlueprint("reports")
	child.Get("/<int:year>/", reply("report", "year")).Name("year")
	bp.Register(child, "/reports")
	app.Register(bp, "/admin")
	return app
}

func TestURLForBuildsRules(t *testing.T) {
	app := urlforApp()
	cases := []struct {
		name     string
		endpoint string
		args     []any
		want     string
		reply    string // what the built URL reaches; "" to skip
	}{
		{"an int variable from an int", "urlforUser", []any{"id", 7}, "/users/7", "user 7"},
		{"an int variable from an int64", "urlforUser", []any{"id", int64(9)}, "/users/9", "user 9"},
		{"an int variable from a uint8", "urlforUser", []any{"id", uint8(255)}, "/users/255", "user 255"},
		{"an int variable from digits in a string", "urlforUser", []any{"id", "12"}, "/users/12", "user 12"},
		{"the largest int64", "urlforUser", []any{"id", int64(9223372036854775807)}, "/users/9223372036854775807", "user 9223372036854775807"},
		{"a float variable from a float", "price", []any{"x", 1.5}, "/price/1.5", "price x=1.5"},
		{"a whole float keeps its decimal point", "price", []any{"x", 2.0}, "/price/2.0", "price x=2.0"},
		{"a uuid variable from a string", "item", []any{"id", "123E4567-e89b-12d3-a456-426614174000"}, "/items/123E4567-e89b-12d3-a456-426614174000", "item id=123E4567-e89b-12d3-a456-426614174000"},
		{"a uuid variable from 16 bytes", "item", []any{"id", [16]byte{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0}}, "/items/123e4567-e89b-12d3-a456-426614174000", "item id=123e4567-e89b-12d3-a456-426614174000"},
		{"an any variable", "about", []any{"lang", "fr"}, "/fr/about", "about lang=fr"},
		{"a string variable with a space", "slug", []any{"slug", "a b"}, "/s/a%20b", "slug slug=a b"},
		{"a string variable with a slash", "slug", []any{"slug", "a/b"}, "/s/a%2Fb", "slug slug=a/b"},
		{"a string variable with URL delimiters", "slug", []any{"slug", "a?b#c%d"}, "/s/a%3Fb%23c%25d", "slug slug=a?b#c%d"},
		{"a string variable with UTF-8", "slug", []any{"slug", "café"}, "/s/caf%C3%A9", "slug slug=café"},
		{"a string variable from a Stringer", "slug", []any{"slug", stringer("x y")}, "/s/x%20y", "slug slug=x y"},
		{"a path variable keeps its slashes", "files", []any{"p", "docs/read me.txt"}, "/files/docs/read%20me.txt", "files p=docs/read me.txt"},
		{"a path variable escapes each segment", "files", []any{"p", "a%b/c?d/"}, "/files/a%25b/c%3Fd/", "files p=a%b/c?d/"},
		{"static text is escaped", "space", []any{"x", "1"}, "/with%20space/1", "space x=1"},
		{"a rule without variables", "home", nil, "/home/", "home"},
		{"extra pairs become the query in the order given", "urlforUser", []any{"id", 7, "z", "1", "a", "2"}, "/users/7?z=1&a=2", "user 7"},
		{"query values are escaped", "urlforUser", []any{"id", 7, "q", "a b&c=d", "k&", "é"}, "/users/7?q=a+b%26c%3Dd&k%26=%C3%A9", "user 7"},
		{"a []string value repeats its key", "urlforUser", []any{"id", 7, "tag", []string{"x", "y"}, "n", 1}, "/users/7?tag=x&tag=y&n=1", "user 7"},
		{"a key given twice keeps both values under its first place", "urlforUser", []any{"id", 7, "k", "1", "j", "2", "k", "3"}, "/users/7?k=1&k=3&j=2", "user 7"},
		{"non-string query values are formatted", "urlforUser", []any{"id", 7, "n", 3, "b", true, "f", 0.5}, "/users/7?n=3&b=true&f=0.5", "user 7"},
		{"_anchor adds a fragment", "urlforUser", []any{"id", 7, "_anchor", "top"}, "/users/7#top", "user 7"},
		{"_anchor comes after the query", "urlforUser", []any{"_anchor", "a b", "id", 7, "q", "1"}, "/users/7?q=1#a%20b", "user 7"},
		{"an endpoint with two rules takes the one the pairs fill", "posts", []any{"page", 2}, "/posts/page/2", "posts page=2"},
		{"an endpoint with two rules falls back to the one without variables", "posts", nil, "/posts/", "posts page="},
		{"of rules with one variable each, the one named by the pairs", "place", []any{"y", "q"}, "/b/q", "place x= y=q"},
		{"of several rules, the one with the most variables filled", "place", []any{"x", "p", "y", "q"}, "/ab/p/q", "place x=p y=q"},
		{"a blueprint endpoint is blueprint.name", "admin.user", []any{"id", 3}, "/admin/users/3", "admin user id=3"},
		{"a nested blueprint endpoint is parent.child.name", "admin.reports.year", []any{"year", 2024}, "/admin/reports/2024/", "report year=2024"},
	}
	for _, tt := range cases {
		t.Run(tt.name+" ("+tt.want+")", func(t *testing.T) {
			got, err := app.URLFor(tt.endpoint, tt.args...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			if tt.reply == "" {
				return
			}
			u, err := url.Parse(got)
			require.NoError(t, err)
			rec := serveTarget(t, app, "GET", u.RequestURI())
			require.Equal(t, 200, rec.Code, "the built URL %s must route back", got)
			assert.Equal(t, tt.reply, rec.Body.String(), "the built URL %s reaches its handler with the values given", got)
		})
	}
}

// stringer is a fmt.Stringer for URL values.
type stringer string

func (s stringer) String() string { return string(s) }

func TestURLForErrors(t *testing.T) {
	app := urlforApp()
	cases := []struct {
		name     string
		endpoint string
		args     []any
		want     string
	}{
		{"an unknown endpoint", "nope", nil, `no route has that endpoint`},
		{"a blueprint endpoint without its blueprint name", "user", []any{"id", 1}, `no route has that endpoint`},
		{"an odd number of arguments", "urlforUser", []any{"id"}, "key, value pairs"},
		{"an odd number of arguments after a pair", "urlforUser", []any{"id", 1, "q"}, "key, value pairs"},
		{"a key that is not a string", "urlforUser", []any{7, "id"}, "not a string key"},
		{"a missing variable", "urlforUser", nil, `needs a value for "id"`},
		{"a missing variable with other pairs", "urlforUser", []any{"ID", 1}, `needs a value for "id"`},
		{"letters for an int", "urlforUser", []any{"id", "abc"}, "does not match"},
		{"a negative int", "urlforUser", []any{"id", -1}, "does not match"},
		{"an int past int64", "urlforUser", []any{"id", uint64(9223372036854775808)}, "does not match"},
		{"a float for an int", "urlforUser", []any{"id", 1.5}, "not an integer"},
		{"a struct for an int", "urlforUser", []any{"id", struct{}{}}, "not an integer"},
		{"a negative float", "price", []any{"x", -1.5}, "does not match"},
		{"an int for a float", "price", []any{"x", 2}, "not a float"},
		{"a word any does not list", "about", []any{"lang", "de"}, "does not match"},
		{"a malformed uuid", "item", []any{"id", "not-a-uuid"}, "does not match"},
		{"an empty string", "slug", []any{"slug", ""}, "does not match"},
		{"a nil value", "slug", []any{"slug", nil}, "nil"},
		{"an empty path", "files", []any{"p", ""}, "does not match"},
		{"a path starting with a slash", "files", []any{"p", "/etc"}, "does not match"},
		{"a query value that cannot be text", "urlforUser", []any{"id", 1, "q", struct{}{}}, "query value"},
	}
	for _, tt := range cases {
		t.Run(tt.name+" is an error", func(t *testing.T) {
			got, err := app.URLFor(tt.endpoint, tt.args...)
			require.Error(t, err, "built %q", got)
			assert.Empty(t, got)
			assert.Regexp(t, "^flagon: ", err.Error())
			assert.Contains(t, err.Error(), tt.endpoint)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestURLForInHandlers(t *testing.T) {
	app := flagon.New()
	app.Config.ServerName = "example.org"
	app.Get("/users/<int:id>", urlforUser)
	app.Get("/links", func(c *flagon.Context) error {
		rel, err := c.URLFor("urlforUser", "id", 5, "tab", "a b")
		if err != nil {
			return err
		}
		abs, err := c.ExternalURLFor("urlforUser", "id", 5)
		if err != nil {
			return err
		}
		_, bad := c.URLFor("urlforUser")
		return c.Text(200, fmt.Sprintf("%s %s %v", rel, abs, bad != nil))
	})
	srv := newServer(t, app)

	t.Run("Context.URLFor builds like App.URLFor and ExternalURLFor uses the request's host", func(t *testing.T) {
		_, body := fetch(t, noFollow(), "GET", srv.URL+"/links")
		host := strings.TrimPrefix(srv.URL, "http://")
		assert.Equal(t, "/users/5?tab=a+b http://"+host+"/users/5 true", body)
	})
}

func TestURLForUsesEveryConverterBuild(t *testing.T) {
	app := flagon.New()
	app.Converter("even", evenConverter{})
	app.Get("/e/<even:n>", reply("even", "n")).Name("even")
	t.Run("a custom converter builds the value", func(t *testing.T) {
		u, err := app.URLFor("even", "n", 4)
		require.NoError(t, err)
		assert.Equal(t, "/e/4", u)
	})
	t.Run("a value the custom converter's Match refuses is an error", func(t *testing.T) {
		_, err := app.URLFor("even", "n", 3)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "does not match")
	})
	t.Run("an error from the custom converter's Build is returned", func(t *testing.T) {
		_, err := app.URLFor("even", "n", "4")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "invalid syntax")
	})
}

func TestURLForBuildsPathVariablesInTheMiddle(t *testing.T) {
	app := pathVarApp()
	app.Get("/w/<path:page>/edit", reply("w edit", "page")).Name("wikiEdit")
	app.Get("/d/<path:p>/", reply("d dir", "p")).Name("docsDir")
	app.Get("/r/<path:name>/blob/<path:file>", reply("r blob", "name", "file")).Name("blob")
	srv := newServer(t, app)
	cases := []struct {
		name     string
		endpoint string
		args     []any
		want     string
		reply    string
	}{
		{"a path value with slashes before static text", "wikiEdit", []any{"page", "a/b c"}, "/w/a/b%20c/edit", "w edit page=a/b c"},
		{"a path value named like the text after it", "wikiEdit", []any{"page", "a/edit"}, "/w/a/edit/edit", "w edit page=a/edit"},
		{"a path value before a trailing slash", "docsDir", []any{"p", "guide/intro"}, "/d/guide/intro/", "d dir p=guide/intro"},
		{"two path values", "blob", []any{"name", "org/proj", "file", "src/x.go"}, "/r/org/proj/blob/src/x.go", "r blob name=org/proj file=src/x.go"},
	}
	for _, tt := range cases {
		t.Run(tt.name+" builds "+tt.want+" and reaches the route", func(t *testing.T) {
			got, err := app.URLFor(tt.endpoint, tt.args...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			res, body := fetch(t, noFollow(), "GET", srv.URL+got)
			assert.Equal(t, 200, res.StatusCode)
			assert.Equal(t, tt.reply, body)
		})
	}
}

func aliasIndex(c *flagon.Context) error { return c.Text(200, "index") }
func aliasOther(c *flagon.Context) error { return c.Text(200, "other") }

func TestRouteAlias(t *testing.T) {
	app := flagon.New()
	blog := flagon.NewBlueprint("blog")
	blog.Get("/", aliasIndex).Alias("index")
	blog.Get("/post/<int:id>", reply("post", "id")).Name("post").Alias("show_post").Alias("post_page")
	admin := flagon.NewBlueprint("admin")
	admin.Get("/", reply("admin home")).Name("home").Alias("admin_home")
	blog.Register(admin, "/admin")
	app.Register(blog, "/blog")
	app.Get("/about", reply("about")).Name("about").Alias("about_page")
	srv := newServer(t, app)
	cases := []struct {
		name     string
		endpoint string
		args     []any
		want     string
		reply    string
	}{
		{"a blueprint route builds by its prefixed endpoint", "blog.aliasIndex", nil, "/blog/", "index"},
		{"a blueprint route builds by its absolute alias", "index", nil, "/blog/", "index"},
		{"an alias fills variables", "show_post", []any{"id", 3}, "/blog/post/3", "post id=3"},
		{"a second alias of the same route", "post_page", []any{"id", 4, "q", "x"}, "/blog/post/4?q=x", "post id=4"},
		{"the main endpoint still builds", "blog.post", []any{"id", 5}, "/blog/post/5", "post id=5"},
		{"a nested blueprint's alias is absolute too", "admin_home", nil, "/blog/admin/", "admin home"},
		{"an app route's alias", "about_page", nil, "/about", "about"},
	}
	for _, tt := range cases {
		t.Run(tt.name+": "+tt.endpoint+" builds "+tt.want, func(t *testing.T) {
			got, err := app.URLFor(tt.endpoint, tt.args...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			res, body := fetch(t, noFollow(), "GET", srv.URL+got)
			assert.Equal(t, 200, res.StatusCode)
			assert.Equal(t, tt.reply, body)
		})
	}
	t.Run("an alias is not prefixed by the blueprint's name", func(t *testing.T) {
		_, err := app.URLFor("blog.index")
		assert.Error(t, err)
	})
	t.Run("Routes lists an aliased route once, under its main endpoint", func(t *testing.T) {
		var endpoints []string
		for _, r := range app.Routes() {
			endpoints = append(endpoints, r.Method+" "+r.Rule+" "+r.Endpoint)
		}
		assert.Equal(t, []string{"GET /about about", "GET /blog/ blog.aliasIndex", "GET /blog/admin/ blog.admin.home", "GET /blog/post/<int:id> blog.post"}, endpoints)
	})
	t.Run("every app that registers the blueprint gets the alias", func(t *testing.T) {
		bp := flagon.NewBlueprint("blog")
		bp.Get("/", aliasIndex).Alias("index")
		for _, prefix := range []string{"/one", "/two"} {
			app := flagon.New()
			app.Register(bp, prefix)
			got, err := app.URLFor("index")
			require.NoError(t, err)
			assert.Equal(t, prefix+"/", got)
		}
	})
	t.Run("renaming a route keeps its alias", func(t *testing.T) {
		app := flagon.New()
		app.Get("/", aliasIndex).Alias("aliasIndex").Name("home")
		for _, endpoint := range []string{"home", "aliasIndex"} {
			got, err := app.URLFor(endpoint)
			require.NoError(t, err, endpoint)
			assert.Equal(t, "/", got)
		}
	})
	t.Run("another route of the same handler may share the alias", func(t *testing.T) {
		app := flagon.New()
		app.Get("/", aliasIndex).Alias("index")
		assert.Empty(t, panicMessage(func() { app.Get("/home", aliasIndex).Alias("index") }))
	})
}

func TestRouteAliasPanics(t *testing.T) {
	cases := []struct {
		name  string
		setup func() // registers something that must panic
		want  string
	}{
		{"an alias taken by another handler's endpoint", func() {
			app := flagon.New()
			app.Get("/other", aliasOther).Name("index")
			app.Get("/", aliasIndex).Alias("index")
		}, `endpoint "index"`},
		{"an endpoint taken by another handler's alias", func() {
			app := flagon.New()
			app.Get("/", aliasIndex).Alias("index")
			app.Get("/other", aliasOther).Name("index")
		}, `endpoint "index"`},
		{"a blueprint alias taken on the app, when the blueprint is registered", func() {
			app := flagon.New()
			app.Get("/other", aliasOther).Name("index")
			bp := flagon.NewBlueprint("blog")
			bp.Get("/", aliasIndex).Alias("index")
			app.Register(bp, "/blog")
		}, `endpoint "index"`},
		{"an empty alias", func() { flagon.New().Get("/", aliasIndex).Alias("") }, "not valid"},
		{"an alias with a slash", func() { flagon.New().Get("/", aliasIndex).Alias("a/b") }, "not valid"},
		{"a relative alias", func() { flagon.New().Get("/", aliasIndex).Alias(".index") }, "not valid"},
		{"an alias after the blueprint was registered", func() {
			bp := flagon.NewBlueprint("blog")
			r := bp.Get("/", aliasIndex)
			flagon.New().Register(bp, "")
			r.Alias("index")
		}, "flagon: "},
	}
	for _, tt := range cases {
		t.Run(tt.name+" panics", func(t *testing.T) {
			msg := panicMessage(tt.setup)
			require.NotEmpty(t, msg)
			assert.Regexp(t, "^flagon: ", msg)
			assert.Contains(t, msg, tt.want)
		})
	}
}
