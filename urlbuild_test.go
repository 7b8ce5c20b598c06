package flagon_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func showUser(c *flagon.Context) error  { return c.Text(200, "user") }
func download(c *flagon.Context) error  { return c.Text(200, "file") }
func listPosts(c *flagon.Context) error { return c.Text(200, "posts") }
func price(c *flagon.Context) error     { return c.Text(200, "price") }
func item(c *flagon.Context) error      { return c.Text(200, "item") }
func about(c *flagon.Context) error     { return c.Text(200, "about") }

func TestURLFor(t *testing.T) {
	app := flagon.New()
	app.Get("/users/<int:id>", showUser)
	app.Get("/files/<path:p>", download)
	app.Get("/posts/", listPosts)
	app.Get("/posts/page/<int:page>", listPosts)
	app.Get("/price/<float:x>", price)
	app.Get("/items/<uuid:id>", item)
	app.Get("/<any(en,fr):lang>/about", about)
	app.Get("/s/<slug>", func(c *flagon.Context) error { return nil }).Name("slug")
	bp := flagon.NewBlueprint("admin")
	bp.Get("/users/<int:id>", showUser)
	app.Register(bp, "/admin")

	ok := []struct {
		name string
		args []any
		want string
	}{
		{"showUser", []any{"id", 7}, "/users/7"},
		{"showUser", []any{"id", int64(9)}, "/users/9"},
		{"showUser", []any{"id", "12"}, "/users/12"},
		{"showUser", []any{"id", 7, "tab", "posts", "q", "a b&c"}, "/users/7?tab=posts&q=a+b%26c"},
		{"showUser", []any{"id", 7, "z", "1", "a", "2"}, "/users/7?z=1&a=2"},
		{"showUser", []any{"id", 7, "tag", []string{"x", "y"}}, "/users/7?tag=x&tag=y"},
		{"showUser", []any{"id", 7, "_anchor", "top"}, "/users/7#top"},
		{"download", []any{"p", "docs/read me.txt"}, "/files/docs/read%20me.txt"},
		{"slug", []any{"slug", "a/b c"}, "/s/a%2Fb%20c"},
		{"listPosts", nil, "/posts/"},
		{"listPosts", []any{"page", 2}, "/posts/page/2"},
		{"price", []any{"x", 1.5}, "/price/1.5"},
		{"price", []any{"x", 2.0}, "/price/2.0"},
		{"item", []any{"id", "123e4567-e89b-12d3-a456-426614174000"}, "/items/123e4567-e89b-12d3-a456-426614174000"},
		{"about", []any{"lang", "fr"}, "/fr/about"},
		{"admin.showUser", []any{"id", 3}, "/admin/users/3"},
	}
	for _, tt := range ok {
		t.Run(fmt.Sprintf("%s %v builds %s", tt.name, tt.args, tt.want), func(t *testing.T) {
			got, err := app.URLFor(tt.name, tt.args...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	bad := []struct {
		name    string
		args    []any
		message string
	}{
		{"nope", nil, "no route has that endpoint"},
		{"showUser", []any{"id"}, "key, value pairs"},
		{"showUser", []any{7, "id"}, "not a string key"},
		{"showUser", nil, `needs a value for "id"`},
		{"showUser", []any{"id", "abc"}, "does not match"},
		{"showUser", []any{"id", -1}, "does not match"},
		{"price", []any{"x", -1.5}, "does not match"},
		{"about", []any{"lang", "de"}, "does not match"},
		{"item", []any{"id", "not-a-uuid"}, "does not match"},
		{"showUser", []any{"id", struct{}{}}, "not an integer"},
	}
	for _, tt := range bad {
		t.Run(fmt.Sprintf("%s %v is an error", tt.name, tt.args), func(t *testing.T) {
			_, err := app.URLFor(tt.name, tt.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.message)
			assert.True(t, strings.HasPrefix(err.Error(), "flagon:"))
		})
	}

	t.Run("built URLs route back to their handler", func(t *testing.T) {
		tc := app.TestClient()
		for _, tt := range ok {
			u, err := app.URLFor(tt.name, tt.args...)
			require.NoError(t, err)
			assert.Equal(t, 200, tc.Get(u).Code, u)
		}
	})
}

func TestContextURLForAndExternalURLFor(t *testing.T) {
	app := flagon.New()
	app.Config.ServerName = "example.org"
	app.Get("/users/<int:id>", showUser)
	app.Get("/self", func(c *flagon.Context) error {
		u, err := c.URLFor("showUser", "id", 5)
		if err != nil {
			return err
		}
		ext, err := c.ExternalURLFor("showUser", "id", 5)
		if err != nil {
			return err
		}
		return c.Text(200, u+" "+ext)
	})
	assert.Equal(t, "/users/5 http://localhost/users/5", app.TestClient().Get("/self").Text())
}

// registerPanic runs fn and returns the panic message ("" if none).
func registerPanic(fn func()) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprint(p)
		}
	}()
	fn()
	return ""
}

func thisLine() string {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Sprintf("%s:%d", file, line)
}

func TestRegistrationMistakesPanicWithTheRule(t *testing.T) {
	h := func(c *flagon.Context) error { return nil }
	cases := []struct {
		name, rule, want string
	}{
		{"a rule without a leading slash", "users", "must start with"},
		{"an empty segment", "/a//b", "empty segment"},
		{"an unclosed variable", "/a/<b", "fills a whole segment"},
		{"a variable that does not fill its segment", "/a<b>", "fills a whole segment"},
		{"an unknown converter", "/a/<nope:b>", `unknown converter "nope"`},
		{"path that is not last", "/a/<path:p>/b", "must be the last segment"},
		{"a duplicate variable", "/a/<x>/<int:x>", `"x" appears twice`},
		{"a bad variable name", "/a/<int:1x>", "not a valid variable name"},
		{"arguments to int", "/a/<int(3):x>", "takes no arguments"},
		{"any without words", "/a/<any():x>", "needs at least one word"},
	}
	for _, tt := range cases {
		t.Run(tt.name+" panics", func(t *testing.T) {
			app := flagon.New()
			msg := registerPanic(func() { app.Get(tt.rule, h) })
			require.NotEmpty(t, msg)
			assert.True(t, strings.HasPrefix(msg, "flagon:"), msg)
			assert.Contains(t, msg, tt.rule)
			assert.Contains(t, msg, tt.want)
			assert.Contains(t, msg, "urlbuild_test.go:", "the message names the call site")
		})
	}

	t.Run("the same shape and method twice names both call sites", func(t *testing.T) {
		app := flagon.New()
		app.Get("/u/<int:a>", h)
		first := thisLine()
		var second string
		msg := registerPanic(func() {
			second = thisLine()
			app.Get("/u/<int:b>", h)
		})
		require.NotEmpty(t, msg)
		assert.Contains(t, msg, "/u/<int:a>")
		assert.Contains(t, msg, "/u/<int:b>")
		firstLine := first[strings.LastIndexByte(first, ':')+1:]
		secondLine := second[strings.LastIndexByte(second, ':')+1:]
		assert.Contains(t, msg, fmt.Sprintf("urlbuild_test.go:%s", decr(firstLine)))
		assert.Contains(t, msg, fmt.Sprintf("urlbuild_test.go:%s", incr(secondLine)))
	})
	t.Run("the same shape with another method is fine", func(t *testing.T) {
		app := flagon.New()
		app.Get("/u/<int:a>", h)
		assert.Empty(t, registerPanic(func() { app.Put("/u/<int:b>", h) }))
	})
	t.Run("an endpoint name reused for another handler panics", func(t *testing.T) {
		app := flagon.New()
		app.Get("/a", showUser).Name("x")
		msg := registerPanic(func() { app.Get("/b", download).Name("x") })
		assert.Contains(t, msg, `endpoint "x"`)
		assert.Contains(t, msg, "/a")
		assert.Contains(t, msg, "/b")
	})
	t.Run("a default endpoint reused by another function panics", func(t *testing.T) {
		app := flagon.New()
		app.Get("/a", showUser)
		bp := flagon.NewBlueprint("bp")
		bp.Get("/a", showUser) // bp.showUser: no clash
		app.Register(bp, "/bp")
		assert.Empty(t, registerPanic(func() { app.Post("/a", showUser) }), "the same handler may share its endpoint")
		msg := registerPanic(func() { app.Get("/c", download).Name("showUser") })
		assert.Contains(t, msg, "already used by another handler")
	})
	t.Run("registering after the app served panics with what to do", func(t *testing.T) {
		app := flagon.New()
		app.Get("/", h)
		app.TestClient().Get("/")
		msg := registerPanic(func() { app.Get("/late", h) })
		assert.Contains(t, msg, "before calling Run, Serve or ServeHTTP")
	})
}

func incr(s string) string {
	var n int
	_, _ = fmt.Sscan(s, &n)
	return fmt.Sprint(n + 1)
}

func decr(s string) string {
	var n int
	_, _ = fmt.Sscan(s, &n)
	return fmt.Sprint(n - 1)
}
