package flagon

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTestClientFollowsRedirectsOnlyWhenAsked(t *testing.T) {
	app := New()
	app.Post("/login", func(c *Context) error { return c.Redirect(http.StatusFound, "/home") })
	app.Get("/home", func(c *Context) error { return c.Text(200, c.Request.Method+" home") })
	app.Post("/keep", func(c *Context) error { return c.Redirect(http.StatusTemporaryRedirect, "/echo") })
	app.Post("/echo", func(c *Context) error {
		b, _ := io.ReadAll(c.Request.Body)
		return c.Text(200, c.Request.Method+" "+string(b)+" "+c.Header("Content-Type"))
	})
	app.Get("/away", func(c *Context) error { return c.Redirect(http.StatusFound, "http://example.com/") })
	app.Get("/loop", func(c *Context) error { return c.Redirect(http.StatusFound, "/loop") })
	tc := app.TestClient()

	t.Run("off by default, the redirect is the answer", func(t *testing.T) {
		res := tc.PostForm("/login", url.Values{"u": {"ada"}})
		assert.Equal(t, http.StatusFound, res.Code)
		assert.Equal(t, "/home", res.Header.Get("Location"))
	})

	tc.FollowRedirects = true
	t.Run("a 302 after a POST becomes a GET", func(t *testing.T) {
		res := tc.PostForm("/login", url.Values{"u": {"ada"}})
		assert.Equal(t, 200, res.Code)
		assert.Equal(t, "GET home", res.Text())
		assert.Equal(t, "/home", res.Request.URL.Path)
	})
	t.Run("a 307 repeats the method and the body", func(t *testing.T) {
		res := tc.Post("/keep", "text/plain", strings.NewReader("hi"))
		assert.Equal(t, "POST hi text/plain", res.Text())
	})
	t.Run("a redirect to another host is not followed", func(t *testing.T) {
		res := tc.Get("/away")
		assert.Equal(t, http.StatusFound, res.Code)
	})
	t.Run("a loop panics, naming the chain", func(t *testing.T) {
		assert.PanicsWithValue(t, "flagon: TestClient: more than 10 redirects: "+
			strings.TrimSuffix(strings.Repeat("http://localhost/loop -> ", 12), " -> "), func() { tc.Get("/loop") })
	})
}

func TestTestClientWithHeaderSendsItOnEveryRequestOfThatClientOnly(t *testing.T) {
	app := New()
	app.Config.SecretKey = "k"
	app.Get("/", func(c *Context) error {
		c.Session().Set("n", c.Session().GetInt("n")+1)
		return c.Text(200, c.Header("Accept")+"|"+c.Header("X-Token"))
	})
	tc := app.TestClient()
	api := tc.WithHeader("Accept", "application/json").WithHeader("X-Token", "t")

	assert.Equal(t, "application/json|t", api.Get("/").Text())
	assert.Equal(t, "|", tc.Get("/").Text(), "the original client is unchanged")
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept", "text/html")
	res := api.Do(req)
	assert.Equal(t, "text/html|t", res.Text(), "the request's own header wins")
	assert.Equal(t, 3, res.Session().GetInt("n"), "cookies are shared")
}

func TestTestClientPostMultipartUploadsFilesAndFields(t *testing.T) {
	app := New()
	app.Post("/upload", func(c *Context) error {
		fh, err := c.FormFile("doc")
		if err != nil {
			return err
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		return c.Text(200, c.Form("title")+" "+fh.Filename+" "+fh.Header.Get("Content-Type")+" "+string(b))
	})
	res := app.TestClient().PostMultipart("/upload", url.Values{"title": {"T"}},
		TestFile{Field: "doc", Name: "a.txt", Content: []byte("hello"), ContentType: "text/plain"})
	assert.Equal(t, 200, res.Code)
	assert.Equal(t, "T a.txt text/plain hello", res.Text())
}

func TestTestClientSessionTransaction(t *testing.T) {
	app := New()
	app.Config.SecretKey = "secret"
	app.Get("/me", func(c *Context) error {
		u := c.Session().GetString("user")
		if u == "" {
			return Abort(401)
		}
		c.Session().Set("seen", true)
		return c.Text(200, u)
	})
	tc := app.TestClient()
	require.Equal(t, 401, tc.Get("/me").Code)

	tc.SessionTransaction(func(s *Session) { s.Set("user", "ada") })
	res := tc.Get("/me")
	assert.Equal(t, "ada", res.Text(), "the handler sees the session the test set")

	var seen bool
	tc.SessionTransaction(func(s *Session) { seen = s.GetBool("seen") })
	assert.True(t, seen, "the transaction sees what the handler saved")

	tc.SessionTransaction(func(s *Session) { s.Clear() })
	assert.Equal(t, 401, tc.Get("/me").Code, "clearing logs out")

	t.Run("without a secret key it panics", func(t *testing.T) {
		app := New()
		assert.PanicsWithValue(t, "flagon: TestClient.SessionTransaction: "+ErrNoSecretKey.Error(), func() {
			app.TestClient().SessionTransaction(func(s *Session) { s.Set("a", 1) })
		})
	})
}

func TestTestResponseKeepsGAndSessionOfItsRequest(t *testing.T) {
	app := New()
	app.Config.SecretKey = "secret"
	app.BeforeRequest(func(c *Context) error {
		if c.Query("as") != "" {
			c.Set("user", c.Query("as"))
		}
		return nil
	})
	app.Get("/", func(c *Context) error { return c.Text(200, "ok") })
	app.Get("/login", func(c *Context) error {
		c.Session().Set("user", "ada")
		return c.NoContent(204)
	})
	tc := app.TestClient()

	res := tc.Get("/?as=ada")
	v, ok := res.G("user")
	assert.True(t, ok)
	assert.Equal(t, "ada", v)

	next := tc.Get("/")
	_, ok = next.G("user")
	assert.False(t, ok, "g is the request's own")
	_, ok = res.G("user")
	assert.True(t, ok, "an earlier response keeps what its request left")

	assert.Equal(t, "", next.Session().GetString("user"))
	login := tc.Get("/login")
	assert.Equal(t, "ada", login.Session().GetString("user"), "the session the handler used")
	assert.True(t, login.Session().Modified())
	assert.Equal(t, "ada", tc.Get("/").Session().GetString("user"), "a request that did not use it: the session its cookies hold")
}

func TestTestContextRunsAHandlerWithoutAServer(t *testing.T) {
	app := New()
	app.Config.SecretKey = "secret"
	show := func(c *Context) error {
		if c.ParamInt("id") == 0 {
			return Abort(404)
		}
		c.Session().Set("last", c.ParamInt("id"))
		return c.JSON(200, M{"id": c.ParamInt("id"), "endpoint": c.Endpoint()})
	}
	app.Get("/users/<int:id>", show).Name("show")

	rec := httptest.NewRecorder()
	c := app.TestContext(rec, httptest.NewRequest("GET", "/users/7", nil))
	require.NoError(t, show(c))
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"id":7,"endpoint":"show"}`, rec.Body.String())
	assert.Contains(t, rec.Header().Get("Set-Cookie"), "session=", "the session is saved as the headers go")

	t.Run("an error is returned, not answered", func(t *testing.T) {
		rec := httptest.NewRecorder()
		c := app.TestContext(rec, httptest.NewRequest("GET", "/nowhere", nil))
		var he *HTTPError
		require.True(t, errors.As(show(c), &he))
		assert.Equal(t, 404, he.Code)
		assert.False(t, c.Response.Written())
	})

	t.Run("a middleware", func(t *testing.T) {
		mw := func(next HandlerFunc) HandlerFunc {
			return func(c *Context) error {
				c.Set("mw", true)
				c.SetHeader("X-MW", "1")
				return next(c)
			}
		}
		rec := httptest.NewRecorder()
		c := app.TestContext(rec, httptest.NewRequest("GET", "/", nil))
		err := mw(func(c *Context) error { c.Status(201); return nil })(c)
		require.NoError(t, err)
		v, _ := c.Get("mw")
		assert.Equal(t, true, v)
		assert.Equal(t, 201, c.Response.Status())
		assert.Equal(t, "1", rec.Header().Get("X-MW"))
	})
}
