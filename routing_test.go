package flagon_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echo answers "name:" plus every variable of the route, name=value.
func echo(name string, vars ...string) flagon.HandlerFunc {
	return func(c *flagon.Context) error {
		var b strings.Builder
		b.WriteString(name + ":")
		for i, v := range vars {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(v + "=" + c.Param(v))
		}
		return c.Text(200, b.String())
	}
}

func TestConverterBoundaries(t *testing.T) {
	app := flagon.New()
	app.Get("/int/<int:v>", echo("int", "v"))
	app.Get("/float/<float:v>", echo("float", "v"))
	app.Get("/uuid/<uuid:v>", echo("uuid", "v"))
	app.Get("/lang/<any(en,fr,de):v>", echo("any", "v"))
	app.Get("/str/<v>", echo("string", "v"))
	app.Get("/files/<path:v>", echo("path", "v"))
	tc := app.TestClient()

	cases := []struct {
		path string
		want string // "" means 404
	}{
		{"/int/0", "int:v=0"},
		{"/int/9223372036854775807", "int:v=9223372036854775807"},
		{"/int/9223372036854775808", ""},
		{"/int/99999999999999999999", ""},
		{"/int/-1", ""},
		{"/int/+1", ""},
		{"/int/1.5", ""},
		{"/int/%D9%A3", ""}, // Arabic-Indic digit three
		{"/float/1.5", "float:v=1.5"},
		{"/float/0.0", "float:v=0.0"},
		{"/float/1", ""},
		{"/float/.5", ""},
		{"/float/1.", ""},
		{"/float/1e5", ""},
		{"/float/-1.5", ""},
		{"/uuid/123e4567-e89b-12d3-a456-426614174000", "uuid:v=123e4567-e89b-12d3-a456-426614174000"},
		{"/uuid/123E4567-E89B-12D3-A456-426614174000", "uuid:v=123E4567-E89B-12D3-A456-426614174000"},
		{"/uuid/123e4567-E89B-12d3-a456-426614174000", "uuid:v=123e4567-E89B-12d3-a456-426614174000"},
		{"/uuid/123e4567e89b12d3a456426614174000", ""},
		{"/uuid/123e4567-e89b-12d3-a456-42661417400", ""},
		{"/uuid/123e4567-e89b-12d3-a456-4266141740000", ""},
		{"/uuid/123e4567-e89b-12d3-a456-42661417400g", ""},
		{"/lang/en", "any:v=en"},
		{"/lang/de", "any:v=de"},
		{"/lang/e", ""},
		{"/lang/english", ""},
		{"/lang/EN", ""},
		{"/str/hello", "string:v=hello"},
		{"/str/a%2Fb", "string:v=a/b"},
		{"/str/caf%C3%A9", "string:v=café"},
		{"/str/", ""},
		{"/files/a/b", "path:v=a/b"},
		{"/files/a/b/", "path:v=a/b/"},
		{"/files/x", "path:v=x"},
		{"/files/", ""},
	}
	for _, tt := range cases {
		name := tt.path + " is not found"
		if tt.want != "" {
			name = tt.path + " gives " + tt.want
		}
		t.Run(name, func(t *testing.T) {
			res := tc.Get(tt.path)
			if tt.want == "" {
				assert.Equal(t, 404, res.Code, res.Text())
				return
			}
			assert.Equal(t, 200, res.Code)
			assert.Equal(t, tt.want, res.Text())
		})
	}
}

type hexConverter struct{}

func (hexConverter) Match(s string) bool {
	if s == "" {
		return false
	}
	_, err := strconv.ParseUint(s, 16, 64)
	return err == nil
}

func (hexConverter) Build(v any) (string, error) {
	n, ok := v.(int)
	if !ok {
		return "", fmt.Errorf("%T is not an int", v)
	}
	return strconv.FormatInt(int64(n), 16), nil
}

func TestPrecedenceAndBacktracking(t *testing.T) {
	app := flagon.New()
	app.Converter("hex", hexConverter{})
	app.Get("/users/new", echo("new"))
	app.Get("/users/<int:id>", echo("int", "id"))
	app.Get("/users/<name>", echo("string", "name"))
	app.Get("/a/<x>/c", echo("axc", "x"))
	app.Get("/a/b/<y>", echo("aby", "y"))
	app.Get("/v/<hex:h>", echo("hex", "h"))
	app.Get("/v/<uuid:u>", echo("uuid", "u"))
	app.Get("/v/<s>", echo("string", "s"))
	app.Get("/v/<int:i>", echo("int", "i"))
	app.Get("/deep/<int:a>/x", echo("int-x", "a"))
	app.Get("/deep/<s>/y", echo("str-y", "s"))
	app.Get("/deep/<path:p>", echo("path", "p"))
	tc := app.TestClient()

	cases := map[string]string{
		"/users/new": "new:",
		"/users/42":  "int:id=42",
		"/users/ada": "string:name=ada",
		"/a/b/c":     "aby:y=c",
		"/a/z/c":     "axc:x=z",
		"/a/b/d":     "aby:y=d",
		"/v/10":      "int:i=10",
		"/v/ff":      "hex:h=ff",
		"/v/zz":      "string:s=zz",
		"/v/123e4567-e89b-12d3-a456-426614174000": "uuid:u=123e4567-e89b-12d3-a456-426614174000",
		"/deep/7/x":   "int-x:a=7",
		"/deep/7/y":   "str-y:s=7",
		"/deep/7/z":   "path:p=7/z",
		"/deep/q/y/z": "path:p=q/y/z",
	}
	for path, want := range cases {
		t.Run(path+" reaches "+want, func(t *testing.T) {
			res := tc.Get(path)
			require.Equal(t, 200, res.Code, res.Text())
			assert.Equal(t, want, res.Text())
		})
	}
}

func TestVariableNamesBelongToTheRoute(t *testing.T) {
	app := flagon.New()
	app.Get("/users/<int:id>", echo("get", "id"))
	app.Put("/users/<int:user_id>", echo("put", "user_id"))
	app.Get("/x/new", echo("static"))
	app.Put("/x/<name>", echo("put-x", "name"))
	tc := app.TestClient()

	assert.Equal(t, "get:id=7", tc.Get("/users/7").Text())
	assert.Equal(t, "put:user_id=7", tc.Put("/users/7", "", nil).Text())
	assert.Equal(t, "put-x:name=new", tc.Put("/x/new", "", nil).Text(), "precedence is decided per method")
}

func TestMethodsHeadOptionsAnd405(t *testing.T) {
	app := flagon.New()
	app.Get("/page", func(c *flagon.Context) error {
		c.SetHeader("X-Page", "1")
		return c.Text(200, "page body")
	})
	app.Post("/page", echo("post"))
	app.Get("/own", echo("get-own"))
	app.Options("/own", func(c *flagon.Context) error { return c.Text(200, "my options") })
	app.Head("/own", func(c *flagon.Context) error { c.SetHeader("X-Own-Head", "yes"); return c.NoContent(200) })
	srv := httptest.NewServer(app)
	defer srv.Close()

	do := func(method, path string) (*http.Response, string) {
		req, err := http.NewRequest(method, srv.URL+path, nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}

	t.Run("HEAD is served by the GET route without a body", func(t *testing.T) {
		res, body := do("HEAD", "/page")
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "", body)
		assert.Equal(t, "1", res.Header.Get("X-Page"))
		assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	})
	t.Run("OPTIONS answers 204 with Allow", func(t *testing.T) {
		res, body := do("OPTIONS", "/page")
		assert.Equal(t, 204, res.StatusCode)
		assert.Equal(t, "GET, HEAD, POST, OPTIONS", res.Header.Get("Allow"))
		assert.Equal(t, "", body)
	})
	t.Run("another method answers 405 with Allow", func(t *testing.T) {
		res, _ := do("DELETE", "/page")
		assert.Equal(t, 405, res.StatusCode)
		assert.Equal(t, "GET, HEAD, POST, OPTIONS", res.Header.Get("Allow"))
	})
	t.Run("an unknown path answers 404", func(t *testing.T) {
		res, _ := do("GET", "/nope")
		assert.Equal(t, 404, res.StatusCode)
		res, _ = do("OPTIONS", "/nope")
		assert.Equal(t, 404, res.StatusCode)
	})
	t.Run("explicit OPTIONS and HEAD routes take precedence", func(t *testing.T) {
		res, body := do("OPTIONS", "/own")
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "my options", body)
		res, _ = do("HEAD", "/own")
		assert.Equal(t, "yes", res.Header.Get("X-Own-Head"))
	})
}

// rawGet sends a request line as written, which Go's client would clean,
// and returns the status and Location.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n", target)
	require.NoError(t, err)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

func TestSlashesAndCanonicalPaths(t *testing.T) {
	app := flagon.New()
	app.Get("/projects/", echo("projects"))
	app.Get("/about", echo("about"))
	app.Get("/a/b", echo("ab"))
	srv := httptest.NewServer(app)
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	cases := []struct {
		target   string
		code     int
		location string
	}{
		{"/projects", 308, "/projects/"},
		{"/projects?page=2&q=a%20b", 308, "/projects/?page=2&q=a%20b"},
		{"/projects/", 200, ""},
		{"/about/", 404, ""},
		{"/about", 200, ""},
		{"/a//b", 308, "/a/b"},
		{"/a/./b", 308, "/a/b"},
		{"/a/x/../b", 308, "/a/b"},
		{"/a/b/.", 308, "/a/b/"},
		{"/a/b/..", 308, "/a/"},
		{"/a//b?x=1", 308, "/a/b?x=1"},
	}
	for _, tt := range cases {
		t.Run(fmt.Sprintf("%s answers %d", tt.target, tt.code), func(t *testing.T) {
			code, loc := rawGet(t, addr, tt.target)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.location, loc)
		})
	}
}

func TestRedirectsNeverPointToAnotherHost(t *testing.T) {
	app := flagon.New()
	app.Get("/<name>/", echo("dir", "name"))
	app.Get("/files/<path:p>", echo("path", "p"))
	srv := httptest.NewServer(app)
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	for _, target := range []string{"//evil.com/", "//evil.com", `/\evil.com`, "/%2F%2Fevil.com", "/..//evil.com", "/.//evil.com/", "///evil.com", `/\/evil.com`, "/files/..//evil.com", "/%5Cevil.com", "/files//evil.com"} {
		t.Run(target+" never yields a Location to another host", func(t *testing.T) {
			code, loc := rawGet(t, addr, target)
			if loc == "" {
				return
			}
			assert.Equal(t, 308, code)
			assert.False(t, strings.HasPrefix(loc, "//"), "Location %q", loc)
			assert.False(t, strings.HasPrefix(loc, `/\`), "Location %q", loc)
			u, err := url.Parse(loc)
			require.NoError(t, err)
			assert.Empty(t, u.Host, "Location %q names a host", loc)
		})
	}
}

func TestEscapedPaths(t *testing.T) {
	app := flagon.New()
	app.Get("/files/<name>", echo("file", "name"))
	app.Get("/café/menu", echo("static-cafe"))
	app.Get("/a b/<x>", echo("space", "x"))

	t.Run("an escaped slash stays in the variable", func(t *testing.T) {
		assert.Equal(t, "file:name=a/b", app.TestClient().Get("/files/a%2Fb").Text())
	})
	t.Run("escaped static text matches", func(t *testing.T) {
		assert.Equal(t, "static-cafe:", app.TestClient().Get("/caf%C3%A9/menu").Text())
		assert.Equal(t, "space:x=%", app.TestClient().Get("/a%20b/%25").Text())
	})
	t.Run("a malformed escape is 400 through ServeHTTP", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/files/x", nil)
		req.URL.Path, req.URL.RawPath = "/files/%zz", "/files/%zz"
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		assert.Equal(t, 400, rec.Code)
	})
	t.Run("a malformed escape is 400 over real HTTP", func(t *testing.T) {
		srv := httptest.NewServer(app)
		defer srv.Close()
		code, _ := rawGet(t, srv.Listener.Addr().String(), "/%zz")
		assert.Equal(t, 400, code)
	})
}

// loadRouteSet reads a "METHOD /path/:var" file as Flask rules.
func loadRouteSet(t testing.TB, file string) [][2]string {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	re := regexp.MustCompile(`:(\w+)`)
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		m, p, ok := strings.Cut(line, " ")
		require.True(t, ok, line)
		out = append(out, [2]string{m, re.ReplaceAllString(p, "<$1>")})
	}
	return out
}

var ruleVar = regexp.MustCompile(`<(\w+)>`)

func TestRouteSetsDispatchEveryRoute(t *testing.T) {
	for _, set := range []struct {
		file string
		n    int
	}{{"testdata/githubapi.txt", 203}, {"testdata/parseapi.txt", 26}, {"testdata/gplusapi.txt", 13}} {
		t.Run(set.file+" reaches every handler with its values", func(t *testing.T) {
			routes := loadRouteSet(t, set.file)
			require.Len(t, routes, set.n)
			app := flagon.New()
			for i, r := range routes {
				id := i
				app.Route(r[1], func(c *flagon.Context) error {
					var vals []string
					for _, m := range ruleVar.FindAllStringSubmatch(c.Rule(), -1) {
						vals = append(vals, m[1]+"="+c.Param(m[1]))
					}
					return c.Text(200, fmt.Sprintf("%d|%s", id, strings.Join(vals, ",")))
				}, r[0])
			}
			tc := app.TestClient()
			for i, r := range routes {
				var want []string
				path := ruleVar.ReplaceAllStringFunc(r[1], func(v string) string {
					name := ruleVar.FindStringSubmatch(v)[1]
					want = append(want, name+"=v"+name)
					return "v" + name
				})
				req := httptest.NewRequest(r[0], path, nil)
				res := tc.Do(req)
				require.Equal(t, 200, res.Code, "%s %s", r[0], path)
				assert.Equal(t, fmt.Sprintf("%d|%s", i, strings.Join(want, ",")), res.Text(), "%s %s", r[0], path)
			}
		})
	}
}

func TestLongAndDeepPathsAreAnswered(t *testing.T) {
	app := flagon.New()
	app.Get("/a/<x>/<y>/<z>", echo("xyz"))
	app.Get("/files/<path:p>", echo("p"))
	tc := app.TestClient()

	long := "/a/" + strings.Repeat("x", 64<<10)
	assert.Equal(t, 404, tc.Get(long).Code)
	deep := strings.Repeat("/a", 10000)
	assert.Equal(t, 404, tc.Get(deep).Code)
	files := "/files" + strings.Repeat("/f", 10000)
	res := tc.Get(files)
	assert.Equal(t, 200, res.Code)
}
