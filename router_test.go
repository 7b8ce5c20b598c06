package flagon_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reply is the handler the router tests register: it answers with the
// route's id and each named variable as name=value, so one assertion checks
// which route ran and what it saw.
func reply(id string, names ...string) flagon.HandlerFunc {
	return func(c *flagon.Context) error {
		var b strings.Builder
		b.WriteString(id)
		for _, n := range names {
			b.WriteString(" " + n + "=" + c.Param(n))
		}
		return c.Text(http.StatusOK, b.String())
	}
}

// parseTarget reads a request line the way net/http's server does, so a
// test can hand the app paths Go's client would clean ("//x", "/../x").
func parseTarget(t testing.TB, method, target string) *http.Request {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(method + " " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n")))
	require.NoError(t, err, "net/http itself rejects %q", target)
	return req
}

// serveTarget answers one request line through App.ServeHTTP.
func serveTarget(t testing.TB, app *flagon.App, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, parseTarget(t, method, target))
	return rec
}

// rawResponse is what sendRaw read back.
type rawResponse struct {
	Code   int
	Header http.Header
	Body   string
}

// sendRaw writes the request line itself on a new connection to srv, so
// the path reaches the server exactly as written.
func sendRaw(t testing.TB, srv *httptest.Server, method, target string) rawResponse {
	t.Helper()
	conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n", method, target)
	require.NoError(t, err)
	res, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return rawResponse{Code: res.StatusCode, Header: res.Header, Body: string(body)}
}

// noFollow is an HTTP client that returns redirects instead of following
// them.
func noFollow() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// newServer serves app over real HTTP until the test ends.
func newServer(t testing.TB, app *flagon.App) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return srv
}

// fetch sends one request with client and returns the response and body.
func fetch(t testing.TB, client *http.Client, method, u string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	require.NoError(t, err)
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

func TestRouterPicksTheMostSpecificRule(t *testing.T) {
	app := flagon.New()
	app.Get("/users/new", reply("static new"))
	app.Get("/users/<int:id>", reply("int", "id"))
	app.Get("/users/<name>", reply("string", "name"))
	app.Get("/a/<x>/c", reply("a-x-c", "x"))
	app.Get("/a/b/<y>", reply("a-b-y", "y"))
	app.Get("/b/<int:n>/edit", reply("int then edit", "n"))
	app.Get("/b/<s>/view", reply("string then view", "s"))
	app.Get("/c/static/x", reply("static then x"))
	app.Get("/c/<v>/y", reply("variable then y", "v"))
	app.Get("/d/<any(en,fr):l>/<int:n>/z", reply("any-int-z", "l", "n"))
	app.Get("/d/<l>/<int:n>/<m>", reply("string-int-string", "l", "n", "m"))
	app.Get("/d/<l>/<path:rest>", reply("string-path", "l", "rest"))
	app.Get("/e/<float:f>", reply("float", "f"))
	app.Get("/e/<int:i>", reply("int", "i"))
	app.Get("/e/<uuid:u>", reply("uuid", "u"))
	app.Get("/e/<any(1.5,7,x):w>", reply("any", "w"))
	app.Get("/e/<s>", reply("string", "s"))
	app.Get("/e/<s>/<path:p>", reply("string-path", "s", "p"))
	tc := app.TestClient()

	cases := []struct {
		name, path, want string
	}{
		{"a static segment beats every variable", "/users/new", "static new"},
		{"an int beats a string", "/users/42", "int id=42"},
		{"a string takes what int refuses", "/users/ada", "string name=ada"},
		{"the static segment first: /a/b/c goes to /a/b/<y>", "/a/b/c", "a-b-y y=c"},
		{"a variable where the static text differs: /a/z/c goes to /a/<x>/c", "/a/z/c", "a-x-c x=z"},
		{"/a/b/d goes to /a/b/<y>", "/a/b/d", "a-b-y y=d"},
		{"a later segment failing backtracks from int into string", "/b/7/view", "string then view s=7"},
		{"the int branch still wins when it completes", "/b/7/edit", "int then edit n=7"},
		{"a later segment failing backtracks from static into a variable", "/c/static/y", "variable then y v=static"},
		{"the static branch wins when it completes", "/c/static/x", "static then x"},
		{"the any branch wins three segments down", "/d/en/3/z", "any-int-z l=en n=3"},
		{"a failure at the third segment backtracks two levels into string", "/d/en/3/q", "string-int-string l=en n=3 m=q"},
		{"a failure at the second segment backtracks into path", "/d/en/x/q", "string-path l=en rest=x/q"},
		{"any comes before int", "/e/7", "any w=7"},
		{"any comes before float", "/e/1.5", "any w=1.5"},
		{"int comes before string", "/e/8", "int i=8"},
		{"float comes before string", "/e/2.5", "float f=2.5"},
		{"uuid comes before string", "/e/123e4567-e89b-12d3-a456-426614174000", "uuid u=123e4567-e89b-12d3-a456-426614174000"},
		{"string is tried when the others refuse", "/e/x1", "string s=x1"},
		{"path comes last", "/e/x1/y/z", "string-path s=x1 p=y/z"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res := tc.Get(tt.path)
			require.Equal(t, http.StatusOK, res.Code, res.Text())
			assert.Equal(t, tt.want, res.Text())
		})
	}
}

func TestRouterVariableNamesBelongToTheRoute(t *testing.T) {
	app := flagon.New()
	seen := func(id string) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			return c.Text(200, fmt.Sprintf("%s id=%q user_id=%q uid=%q", id, c.Param("id"), c.Param("user_id"), c.Param("uid")))
		}
	}
	app.Get("/users/<int:id>", seen("get"))
	app.Put("/users/<int:user_id>", seen("put"))
	app.Route("/users/<int:uid>", seen("patch"), "PATCH")
	tc := app.TestClient()

	t.Run("GET sees its variable as id and nothing under the other names", func(t *testing.T) {
		assert.Equal(t, `get id="7" user_id="" uid=""`, tc.Get("/users/7").Text())
	})
	t.Run("PUT on the same shape sees its variable as user_id", func(t *testing.T) {
		assert.Equal(t, `put id="" user_id="7" uid=""`, tc.Put("/users/7", "", nil).Text())
	})
	t.Run("PATCH on the same shape sees its variable as uid", func(t *testing.T) {
		assert.Equal(t, `patch id="" user_id="" uid="7"`, tc.Patch("/users/7", "", nil).Text())
	})
	t.Run("a net/http handler sees the route's own name through PathValue", func(t *testing.T) {
		app := flagon.New()
		app.Get("/users/<int:id>", flagon.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "get "+r.PathValue("id")+" "+r.Pattern)
		})))
		app.Put("/users/<int:user_id>", flagon.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "put "+r.PathValue("user_id")+" "+r.Pattern)
		})))
		tc := app.TestClient()
		assert.Equal(t, "get 9 /users/<int:id>", tc.Get("/users/9").Text())
		assert.Equal(t, "put 9 /users/<int:user_id>", tc.Put("/users/9", "", nil).Text())
	})
}

func TestRouterPrecedenceIsDecidedPerMethod(t *testing.T) {
	app := flagon.New()
	app.Get("/x/new", reply("get static"))
	app.Put("/x/<name>", reply("put variable", "name"))
	tc := app.TestClient()

	t.Run("PUT /x/new reaches the PUT route although GET has a static /x/new", func(t *testing.T) {
		res := tc.Put("/x/new", "", nil)
		require.Equal(t, 200, res.Code)
		assert.Equal(t, "put variable name=new", res.Text())
	})
	t.Run("GET /x/new reaches the static GET route", func(t *testing.T) {
		assert.Equal(t, "get static", tc.Get("/x/new").Text())
	})
	t.Run("GET /x/other is 405 since only PUT has that path", func(t *testing.T) {
		res := tc.Get("/x/other")
		assert.Equal(t, 405, res.Code)
		assert.Equal(t, "PUT, OPTIONS", res.Header.Get("Allow"))
	})
}

func TestRouterHeadOptionsAnd405OverHTTP(t *testing.T) {
	app := flagon.New()
	app.Get("/page", func(c *flagon.Context) error {
		c.SetHeader("X-Page", "yes")
		return c.Text(200, "page body")
	})
	app.Route("/both", reply("both"), "GET", "POST")
	app.Post("/submit", reply("submit"))
	app.Put("/items/<int:id>", reply("put item", "id"))
	app.Route("/dav", reply("propfind"), "PROPFIND")
	app.Get("/own", reply("get own"))
	app.Options("/own", func(c *flagon.Context) error { return c.Text(200, "my options") })
	app.Head("/own", func(c *flagon.Context) error {
		c.SetHeader("X-Own-Head", "yes")
		return c.NoContent(200)
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	client := noFollow()

	t.Run("HEAD on a GET route answers 200 with the GET headers and no body", func(t *testing.T) {
		get, getBody := fetch(t, client, "GET", srv.URL+"/page")
		require.Equal(t, 200, get.StatusCode)
		require.Equal(t, "page body", getBody)
		head, headBody := fetch(t, client, "HEAD", srv.URL+"/page")
		assert.Equal(t, 200, head.StatusCode)
		assert.Empty(t, headBody)
		for _, h := range []string{"Content-Type", "Content-Length", "X-Page"} {
			assert.Equal(t, get.Header.Values(h), head.Header.Values(h), h)
		}
		assert.Equal(t, "yes", head.Header.Get("X-Page"))
	})
	allowCases := []struct {
		name, path, allow string
	}{
		{"OPTIONS on a GET route answers 204 with Allow: GET, HEAD, OPTIONS", "/page", "GET, HEAD, OPTIONS"},
		{"OPTIONS on a GET and POST route lists both", "/both", "GET, HEAD, POST, OPTIONS"},
		{"OPTIONS on a POST route does not offer HEAD", "/submit", "POST, OPTIONS"},
		{"OPTIONS on a variable route lists its methods", "/items/5", "PUT, OPTIONS"},
		{"OPTIONS lists an extension method", "/dav", "OPTIONS, PROPFIND"},
	}
	for _, tt := range allowCases {
		t.Run(tt.name, func(t *testing.T) {
			res, body := fetch(t, client, "OPTIONS", srv.URL+tt.path)
			assert.Equal(t, 204, res.StatusCode)
			assert.Equal(t, tt.allow, res.Header.Get("Allow"))
			assert.Empty(t, body)
		})
	}
	notAllowed := []struct {
		name, method, path, allow string
	}{
		{"DELETE on a GET route is 405 with Allow", "DELETE", "/page", "GET, HEAD, OPTIONS"},
		{"POST on a GET route is 405 with Allow", "POST", "/page", "GET, HEAD, OPTIONS"},
		{"GET on a POST route is 405 with Allow", "GET", "/submit", "POST, OPTIONS"},
		{"HEAD on a POST route is 405 with Allow", "HEAD", "/submit", "POST, OPTIONS"},
		{"GET on a PUT variable route is 405 with Allow", "GET", "/items/5", "PUT, OPTIONS"},
	}
	for _, tt := range notAllowed {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := fetch(t, client, tt.method, srv.URL+tt.path)
			assert.Equal(t, 405, res.StatusCode)
			assert.Equal(t, tt.allow, res.Header.Get("Allow"))
		})
	}
	notFound := []struct {
		name, method, path string
	}{
		{"GET on an unknown path is 404", "GET", "/nope"},
		{"OPTIONS on an unknown path is 404", "OPTIONS", "/nope"},
		{"DELETE on an unknown path is 404", "DELETE", "/nope"},
		{"a value the converter refuses is 404, not 405", "GET", "/items/x"},
	}
	for _, tt := range notFound {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := fetch(t, client, tt.method, srv.URL+tt.path)
			assert.Equal(t, 404, res.StatusCode)
			assert.Empty(t, res.Header.Get("Allow"))
		})
	}
	t.Run("an explicit OPTIONS route answers instead of the automatic 204", func(t *testing.T) {
		res, body := fetch(t, client, "OPTIONS", srv.URL+"/own")
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "my options", body)
	})
	t.Run("an explicit HEAD route answers instead of the GET route", func(t *testing.T) {
		res, _ := fetch(t, client, "HEAD", srv.URL+"/own")
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "yes", res.Header.Get("X-Own-Head"))
		_, body := fetch(t, client, "GET", srv.URL+"/own")
		assert.Equal(t, "get own", body, "GET still reaches the GET route")
	})
}

func TestRouterStrictSlashes(t *testing.T) {
	app := flagon.New()
	app.Get("/projects/", reply("projects"))
	app.Get("/about", reply("about"))
	app.Get("/users/<name>/", reply("user dir", "name"))
	app.Post("/forms/", reply("forms"))
	srv := httptest.NewServer(app)
	defer srv.Close()
	client := noFollow()

	cases := []struct {
		name, method, target string
		code                 int
		location, body       string
	}{
		{"a slashed rule requested without the slash redirects", "GET", "/projects", 308, "/projects/", ""},
		{"the redirect keeps the query as sent", "GET", "/projects?page=2&q=a%20b&q=c", 308, "/projects/?page=2&q=a%20b&q=c", ""},
		{"the slashed URL itself is served", "GET", "/projects/", 200, "", "projects"},
		{"an unslashed rule requested with a slash is 404", "GET", "/about/", 404, "", ""},
		{"the unslashed URL itself is served", "GET", "/about", 200, "", "about"},
		{"a slashed rule with a variable redirects", "GET", "/users/ada", 308, "/users/ada/", ""},
		{"the redirect keeps the variable's escapes", "GET", "/users/a%2Fb", 308, "/users/a%2Fb/", ""},
		{"the slashed variable URL is served", "GET", "/users/ada/", 200, "", "user dir name=ada"},
		{"a POST is redirected with 308, which keeps the method", "POST", "/forms", 308, "/forms/", ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res, body := fetch(t, client, tt.method, srv.URL+tt.target)
			assert.Equal(t, tt.code, res.StatusCode)
			assert.Equal(t, tt.location, res.Header.Get("Location"))
			if tt.body != "" {
				assert.Equal(t, tt.body, body)
			}
		})
	}
	t.Run("following the redirect reaches the route with the query", func(t *testing.T) {
		app := flagon.New()
		app.Get("/projects/", func(c *flagon.Context) error { return c.Text(200, "page "+c.Query("page")) })
		srv := httptest.NewServer(app)
		defer srv.Close()
		res, body := fetch(t, srv.Client(), "GET", srv.URL+"/projects?page=3")
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "page 3", body)
	})
}

func TestRouterStrictSlashesAcrossMethods(t *testing.T) {
	app := flagon.New()
	app.Get("/bar/", reply("get bar dir"))
	app.Post("/bar", reply("post bar"))
	app.Get("/items/<int:id>/", reply("get item dir", "id"))
	app.Delete("/items/<int:id>", reply("delete item", "id"))
	app.Put("/only-put/", reply("put dir"))
	app.Post("/only-put", reply("post"))
	srv := newServer(t, app)
	client := noFollow()

	cases := []struct {
		name, method, target string
		code                 int
		location, allow      string
		body                 string
	}{
		{"GET redirects to its own slashed route although POST has the bare path", "GET", "/bar", 308, "/bar/", "", ""},
		{"the redirect keeps the query", "GET", "/bar?x=1", 308, "/bar/?x=1", "", ""},
		{"HEAD follows GET to the slashed route", "HEAD", "/bar", 308, "/bar/", "", ""},
		{"POST still reaches its handler", "POST", "/bar", 200, "", "", "post bar"},
		{"a method with neither route is 405, allowing what the bare path has", "DELETE", "/bar", 405, "", "POST, OPTIONS", ""},
		{"OPTIONS keeps its automatic answer for the bare path", "OPTIONS", "/bar", 204, "", "POST, OPTIONS", ""},
		{"the slashed route is served", "GET", "/bar/", 200, "", "", "get bar dir"},
		{"POST on the slashed path is 405, allowing GET", "POST", "/bar/", 405, "", "GET, HEAD, OPTIONS", ""},
		{"with variables, GET redirects beside DELETE", "GET", "/items/7", 308, "/items/7/", "", ""},
		{"with variables, DELETE reaches its handler", "DELETE", "/items/7", 200, "", "", "delete item id=7"},
		{"with variables, PUT is 405", "PUT", "/items/7", 405, "", "DELETE, OPTIONS", ""},
		{"only the method's own slashed route redirects: GET is 405", "GET", "/only-put", 405, "", "POST, OPTIONS", ""},
		{"PUT redirects to its slashed route", "PUT", "/only-put", 308, "/only-put/", "", ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res, body := fetch(t, client, tt.method, srv.URL+tt.target)
			assert.Equal(t, tt.code, res.StatusCode, body)
			assert.Equal(t, tt.location, res.Header.Get("Location"))
			assert.Equal(t, tt.allow, res.Header.Get("Allow"))
			if tt.body != "" {
				assert.Equal(t, tt.body, body)
			}
		})
	}
	t.Run("a client that follows the redirect reaches the GET route", func(t *testing.T) {
		res, body := fetch(t, srv.Client(), "GET", srv.URL+"/bar")
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "get bar dir", body)
	})
}

func TestRouterRedirectsNonCanonicalPaths(t *testing.T) {
	app := flagon.New()
	app.Get("/a/b", reply("a/b"))
	app.Get("/a/", reply("a/"))
	app.Get("/a/b/", reply("a/b/"))
	app.Get("/n/<name>", reply("n", "name"))
	app.Get("/files/<path:p>", reply("files", "p"))

	cases := []struct {
		name, target, location string
	}{
		{"an empty segment is removed", "/a//b", "/a/b"},
		{"a leading double slash is removed", "//a/b", "/a/b"},
		{"many slashes are removed", "///a///b", "/a/b"},
		{"a dot segment is removed", "/a/./b", "/a/b"},
		{"a dot-dot segment removes the one before", "/a/x/../b", "/a/b"},
		{"a dot-dot at the root stays at the root", "/../a/b", "/a/b"},
		{"a trailing dot leaves a trailing slash", "/a/b/.", "/a/b/"},
		{"a trailing dot-dot leaves a trailing slash", "/a/b/..", "/a/"},
		{"a trailing double slash keeps one slash", "/a/b//", "/a/b/"},
		{"the query is kept", "/a//b?x=1&y=%20z", "/a/b?x=1&y=%20z"},
		{"escapes in the path are kept", "/n//a%2Fb", "/n/a%2Fb"},
		{"a non-canonical path under a path variable is cleaned too", "/files/a//b", "/files/a/b"},
		{"a dot-dot under a path variable is cleaned too", "/files/a/../b", "/files/b"},
		{"a path that matches nothing is still cleaned", "/zz/./y", "/zz/y"},
	}
	for _, tt := range cases {
		t.Run(tt.name+": "+tt.target+" redirects to "+tt.location, func(t *testing.T) {
			rec := serveTarget(t, app, "GET", tt.target)
			assert.Equal(t, http.StatusPermanentRedirect, rec.Code)
			assert.Equal(t, tt.location, rec.Header().Get("Location"))
		})
	}
	t.Run("the redirects are sent over real HTTP and lead to the route", func(t *testing.T) {
		srv := httptest.NewServer(app)
		defer srv.Close()
		for target, want := range map[string]string{"/a//b": "a/b", "/a/./b": "a/b", "/a/x/../b/": "a/b/", "/a/b/..": "a/"} {
			res := sendRaw(t, srv, "GET", target)
			require.Equal(t, 308, res.Code, target)
			next := sendRaw(t, srv, "GET", res.Header.Get("Location"))
			assert.Equal(t, 200, next.Code, target)
			assert.Equal(t, want, next.Body, target)
		}
	})
	t.Run("canonical paths with dots in names are served, not redirected", func(t *testing.T) {
		for target, want := range map[string]string{"/n/.hidden": "n name=.hidden", "/n/a..b": "n name=a..b", "/n/...": "n name=...", "/files/v1.2/x.tar.gz": "files p=v1.2/x.tar.gz"} {
			rec := serveTarget(t, app, "GET", target)
			assert.Equal(t, 200, rec.Code, target)
			assert.Equal(t, want, rec.Body.String(), target)
		}
	})
}

func TestRouterTreatsEscapedDotSegmentsAsDotSegments(t *testing.T) {
	app := flagon.New()
	app.Get("/a/b", reply("a/b"))
	app.Get("/a/<x>/b", reply("a-x-b", "x"))
	app.Get("/n/<name>", reply("n", "name"))
	app.Get("/files/<path:p>", reply("files", "p"))
	app.Get("/<path:p>", reply("catch-all", "p"))
	srv := httptest.NewServer(app)
	defer srv.Close()

	// Browsers resolve "%2E%2E" as "..": handing it to a route as a value
	// would let a client walk out of a directory the route serves.
	cases := []struct {
		target, location string
	}{
		{"/n/%2E%2E", "/"},
		{"/n/%2e", "/n/"},
		{"/n/.%2E", "/"},
		{"/n/%2e.", "/"},
		{"/a/%2E%2E/b", "/b"},
		{"/a/%2e/b", "/a/b"},
		{"/files/%2E%2E", "/"},
		{"/files/a/%2E%2E/%2e%2E/etc/passwd", "/etc/passwd"},
		{"/files/a/%2e/b", "/files/a/b"},
		{"/%2E%2E/etc/passwd", "/etc/passwd"},
		{"/files/%2E%2E/a%2Fb?x=1", "/a%2Fb?x=1"},
	}
	for _, tt := range cases {
		t.Run(tt.target+" redirects to "+tt.location+" and reaches no route", func(t *testing.T) {
			for _, method := range []string{"GET", "OPTIONS", "DELETE"} {
				res := sendRaw(t, srv, method, tt.target)
				assert.Equal(t, 308, res.Code, "%s: %s", method, res.Body)
				assert.Equal(t, tt.location, res.Header.Get("Location"), method)
			}
		})
	}
	for target, want := range map[string]string{
		"/n/%2E%2E%2E":    "n name=...",
		"/n/%2Ex":         "n name=.x",
		"/files/a/%2Ex/b": "files p=a/.x/b",
	} {
		t.Run(target+" is a value like any other", func(t *testing.T) {
			res := sendRaw(t, srv, "GET", target)
			assert.Equal(t, 200, res.Code)
			assert.Equal(t, want, res.Body)
		})
	}
}

func TestRouterRedirectsNeverLeaveTheHost(t *testing.T) {
	targets := []string{
		"//evil.com/", "//evil.com", "///evil.com", "//evil.com/a/..",
		`/\evil.com`, `/\evil.com/`, `/\/evil.com`, `/./\evil.com`,
		"/%2F%2Fevil.com", "/%2F%2Fevil.com/", "/%2f/evil.com", "/%5Cevil.com", "/%5C%5Cevil.com",
		"/..//evil.com", "/.//evil.com/", "/a/..//evil.com", "/%2E%2E//evil.com", "/%2e//evil.com",
		"/%09/evil.com", "/%09/./evil.com", "/%0D%0A/./evil.com", "/%20/./evil.com",
	}
	setups := []struct {
		name     string
		register func(app *flagon.App)
	}{
		{"with no routes", func(app *flagon.App) {}},
		{"with a catch-all /<path:p>", func(app *flagon.App) { app.Get("/<path:p>", reply("catch-all", "p")) }},
		{"with /<name>/ and /<a>/<b>/", func(app *flagon.App) {
			app.Get("/<name>/", reply("dir", "name"))
			app.Get("/<a>/<b>/", reply("dir2", "a", "b"))
		}},
	}
	for _, setup := range setups {
		app := flagon.New()
		setup.register(app)
		srv := httptest.NewServer(app)
		redirects := 0
		for _, target := range targets {
			t.Run(setup.name+", "+target+" never redirects to another host", func(t *testing.T) {
				res := sendRaw(t, srv, "GET", target)
				loc := res.Header.Get("Location")
				if res.Code != http.StatusPermanentRedirect {
					assert.Empty(t, loc)
					return
				}
				redirects++
				require.NotEmpty(t, loc)
				assert.True(t, strings.HasPrefix(loc, "/"), "Location %q is not an absolute path", loc)
				assert.False(t, strings.HasPrefix(loc, "//"), "Location %q", loc)
				assert.False(t, strings.HasPrefix(loc, `/\`), "Location %q", loc)
				// Browsers drop tabs and newlines and treat "\" as "/"
				// before resolving a Location (WHATWG URL parsing).
				browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(loc)
				assert.False(t, strings.HasPrefix(browser, "//"), "a browser reads Location %q as %q", loc, browser)
				u, err := url.Parse(loc)
				require.NoError(t, err, "Location %q is not a valid URL", loc)
				assert.Empty(t, u.Scheme)
				assert.Empty(t, u.Host)
				for i := 0; i < len(loc); i++ {
					assert.False(t, loc[i] <= ' ' || loc[i] >= 0x7f, "Location %q has a raw byte %#x", loc, loc[i])
				}
			})
		}
		srv.Close()
		assert.NotZero(t, redirects, "%s: some of the targets must redirect, or this test checks nothing", setup.name)
	}
	t.Run("//evil.com/ redirects to /evil.com/ on this host", func(t *testing.T) {
		app := flagon.New()
		srv := httptest.NewServer(app)
		defer srv.Close()
		res := sendRaw(t, srv, "GET", "//evil.com/")
		assert.Equal(t, 308, res.Code)
		assert.Equal(t, "/evil.com/", res.Header.Get("Location"))
	})
}

func TestRouterRedirectTargetsAreEscaped(t *testing.T) {
	app := flagon.New()
	app.Get("/<a>/<b>/", reply("dir2", "a", "b"))
	app.Get("/<a>/", reply("dir", "a"))
	cases := []struct {
		name, target, location string
	}{
		{"a decoded space is escaped again", "/a%20b/./c", "/a%20b/c"},
		{"a decoded question mark stays in the path", "/%3F/./x", "/%3F/x"},
		{"a decoded hash stays in the path", "/x/%23y", "/x/%23y/"},
		{"decoded UTF-8 is escaped again", "/caf%C3%A9/x", "/caf%C3%A9/x/"},
		{"a decoded tab is escaped again", "/%09/./x", "/%09/x"},
		{"a decoded percent sign is escaped again", "/100%25/./x", "/100%25/x"},
		{"a decoded percent sign is escaped again in a slash redirect", "/a%25b/c", "/a%25b/c/"},
	}
	for _, tt := range cases {
		t.Run(tt.name+": "+tt.target+" redirects to "+tt.location, func(t *testing.T) {
			rec := serveTarget(t, app, "GET", tt.target)
			require.Equal(t, http.StatusPermanentRedirect, rec.Code)
			assert.Equal(t, tt.location, rec.Header().Get("Location"))
		})
	}
}

func TestRouterMatchesEscapedPaths(t *testing.T) {
	app := flagon.New()
	app.Get("/files/<name>", reply("file", "name"))
	app.Get("/users/new", reply("static new"))
	app.Get("/users/<name>", reply("user", "name"))
	app.Get("/café/menu", reply("static café"))
	app.Get("/a b/<x>", reply("static with a space", "x"))
	app.Get("/tree/<path:p>", reply("tree", "p"))
	tc := app.TestClient()

	cases := []struct {
		name, target, want string
	}{
		{"an escaped slash is decoded into the variable", "/files/a%2Fb", "file name=a/b"},
		{"a lower-case escaped slash is decoded too", "/files/a%2fb", "file name=a/b"},
		{"an escaped space is decoded", "/files/a%20b", "file name=a b"},
		{"an escaped percent sign is decoded once", "/files/100%2525", "file name=100%25"},
		{"escaped UTF-8 is decoded", "/files/caf%C3%A9", "file name=café"},
		{"an escaped letter in static text still matches the static rule", "/users/%6Eew", "static new"},
		{"an escaped static segment name still matches", "/%75sers/new", "static new"},
		{"escaped UTF-8 static text matches", "/caf%C3%A9/menu", "static café"},
		{"lower-case escapes of static text match", "/caf%c3%a9/menu", "static café"},
		{"an escaped space in static text matches", "/a%20b/x", "static with a space x=x"},
		{"a path variable decodes escaped slashes", "/tree/a%2Fb/c", "tree p=a/b/c"},
		{"a path variable decodes every segment", "/tree/a%20b/c%3Fd", "tree p=a b/c?d"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			rec := serveTarget(t, app, "GET", tt.target)
			require.Equal(t, 200, rec.Code, rec.Body.String())
			assert.Equal(t, tt.want, rec.Body.String())
		})
	}
	t.Run("an escaped slash never splits a segment", func(t *testing.T) {
		assert.Equal(t, 404, tc.Get("/users/new%2Fx/y").Code)
		assert.Equal(t, "user name=new/x", tc.Get("/users/new%2Fx").Text())
	})
	t.Run("Go's own server answers 400 for a malformed escape", func(t *testing.T) {
		srv := httptest.NewServer(app)
		defer srv.Close()
		assert.Equal(t, 400, sendRaw(t, srv, "GET", "/%zz").Code)
		assert.Equal(t, 400, sendRaw(t, srv, "GET", "/files/%zz").Code)
	})
	for _, raw := range []string{"/%zz", "/files/%zz", "/files/a%2", "/files/%", "/tree/a/%g0"} {
		t.Run("the app answers 400 for a request with the malformed escape "+raw, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL.Path, req.URL.RawPath = raw, raw
			rec := httptest.NewRecorder()
			require.NotPanics(t, func() { app.ServeHTTP(rec, req) })
			assert.Equal(t, 400, rec.Code)
		})
	}
}

func TestRouterAnswersLongAndDeepPaths(t *testing.T) {
	app := flagon.New()
	app.Get("/a/<x>/<y>/<z>", reply("xyz"))
	app.Get("/a/<int:x>/<int:y>/<int:z>/end", reply("ints"))
	app.Get("/a/a/<x>/<path:p>", reply("path"))
	app.Get("/s/<path:p>", reply("catch-all"))
	srv := httptest.NewServer(app)
	defer srv.Close()
	client := noFollow()

	cases := []struct {
		name, path string
		code       int
	}{
		{"a 64 KiB segment is 404", "/a/" + strings.Repeat("x", 64<<10), 404},
		{"a 64 KiB path of short segments is 404", "/b" + strings.Repeat("/x", 32<<10), 404},
		{"10 000 segments that match no rule are 404", strings.Repeat("/b", 10000), 404},
		{"10 000 numeric segments that every variable accepts are 404", "/a" + strings.Repeat("/1", 10000), 404},
		{"10 000 segments under a path variable three levels down are served", strings.Repeat("/a", 10000) + "/x", 200},
		{"10 000 segments under a catch-all are served", "/s" + strings.Repeat("/f", 10000), 200},
		{"10 000 empty segments redirect", "/s" + strings.Repeat("/", 10000) + "x", 308},
		{"10 000 dot-dot segments redirect", strings.Repeat("/..", 10000) + "/s/x", 308},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/", nil)
			req.URL.Path = tt.path
			app.ServeHTTP(rec, req)
			assert.Equal(t, tt.code, rec.Code)
			res, _ := fetch(t, client, "GET", srv.URL+tt.path)
			assert.Equal(t, tt.code, res.StatusCode, "over HTTP")
		})
	}
}
