package flagon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder collects the order things ran in.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.got = append(r.got, s)
	r.mu.Unlock()
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

func (r *recorder) mw(name string) flagon.Middleware {
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			r.add(name + ">")
			err := next(c)
			r.add("<" + name)
			return err
		}
	}
}

func quietApp() *flagon.App {
	app := flagon.New()
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return app
}

func TestMiddlewareOrder(t *testing.T) {
	rec := &recorder{}
	app := quietApp()
	outer := flagon.NewBlueprint("outer")
	inner := flagon.NewBlueprint("inner")
	inner.Get("/x", func(c *flagon.Context) error { rec.add("handler"); return c.Text(200, "x") }).Use(rec.mw("route"))
	inner.Use(rec.mw("inner"))
	inner.BeforeRequest(func(c *flagon.Context) error { rec.add("before-inner"); return nil })
	outer.Use(rec.mw("outer"))
	outer.BeforeRequest(func(c *flagon.Context) error { rec.add("before-outer"); return nil })
	outer.Register(inner, "/in")
	app.Register(outer, "/out")
	app.Get("/late", func(c *flagon.Context) error { return c.Text(200, "late") })
	app.BeforeRequest(func(c *flagon.Context) error { rec.add("before-app"); return nil })
	app.Use(rec.mw("app1"), rec.mw("app2")) // registered after the routes: still applies

	tc := app.TestClient()
	require.Equal(t, 200, tc.Get("/out/in/x").Code)
	assert.Equal(t, []string{"app1>", "app2>", "outer>", "inner>", "before-app", "before-outer", "before-inner", "route>", "handler", "<route", "<inner", "<outer", "<app2", "<app1"}, rec.take())

	require.Equal(t, 200, tc.Get("/late").Code)
	assert.Equal(t, []string{"app1>", "app2>", "before-app", "<app2", "<app1"}, rec.take())

	t.Run("app middleware also sees 404, 405, redirects and OPTIONS", func(t *testing.T) {
		app := quietApp()
		app.Use(rec.mw("app"))
		app.Get("/dir/", func(c *flagon.Context) error { return nil })
		app.Post("/only-post", func(c *flagon.Context) error { return nil })
		tc := app.TestClient()
		for path, code := range map[string]int{"/missing": 404, "/dir": 308, "/a//b": 308} {
			assert.Equal(t, code, tc.Get(path).Code, path)
			assert.Equal(t, []string{"app>", "<app"}, rec.take(), path)
		}
		assert.Equal(t, 405, tc.Get("/only-post").Code)
		assert.Equal(t, []string{"app>", "<app"}, rec.take())
		assert.Equal(t, 204, tc.Options("/only-post").Code)
		assert.Equal(t, []string{"app>", "<app"}, rec.take())
	})
}

func TestMiddlewareSeesTheHandledErrorAndTheFinalStatus(t *testing.T) {
	var status int
	var seen error
	app := quietApp()
	app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			seen = next(c)
			status = c.Response.Status()
			return seen
		}
	})
	app.Get("/gone", func(c *flagon.Context) error { return flagon.Abort(410, "gone for good") })
	res := app.TestClient().Get("/gone")
	assert.Equal(t, 410, res.Code)
	assert.Equal(t, 410, status)
	var he *flagon.HTTPError
	require.ErrorAs(t, seen, &he)
	assert.Equal(t, 410, he.Code)
	assert.Contains(t, res.Text(), "gone for good")
}

func TestHooks(t *testing.T) {
	t.Run("a before hook that returns an error stops the request", func(t *testing.T) {
		app := quietApp()
		ran := false
		app.BeforeRequest(func(c *flagon.Context) error { return flagon.Abort(401, "who are you") })
		app.Get("/", func(c *flagon.Context) error { ran = true; return nil })
		res := app.TestClient().Get("/")
		assert.Equal(t, 401, res.Code)
		assert.Contains(t, res.Text(), "who are you")
		assert.False(t, ran)
	})
	t.Run("a before hook that writes a response stops the request", func(t *testing.T) {
		app := quietApp()
		ran := false
		app.BeforeRequest(func(c *flagon.Context) error { return c.Text(503, "maintenance") })
		app.Get("/", func(c *flagon.Context) error { ran = true; return nil })
		res := app.TestClient().Get("/")
		assert.Equal(t, 503, res.Code)
		assert.Equal(t, "maintenance", res.Text())
		assert.False(t, ran)
	})
	t.Run("after hooks run before headers, in Flask order, whoever writes", func(t *testing.T) {
		rec := &recorder{}
		app := quietApp()
		bp := flagon.NewBlueprint("bp")
		bp.AfterRequest(func(c *flagon.Context) { rec.add("bp"); c.SetHeader("X-BP", "1") })
		bp.Get("/", func(c *flagon.Context) error { return c.Text(200, "bp") })
		app.Register(bp, "/bp")
		app.AfterRequest(func(c *flagon.Context) { rec.add("app1"); c.SetHeader("X-App", "1") })
		app.AfterRequest(func(c *flagon.Context) { rec.add("app2") })
		app.Get("/text", func(c *flagon.Context) error { return c.Text(200, "t") })
		app.Get("/nothing", func(c *flagon.Context) error { return nil })
		srv := httptest.NewServer(app)
		defer srv.Close()
		for _, path := range []string{"/text", "/nothing", "/missing"} {
			res, err := http.Get(srv.URL + path)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, "1", res.Header.Get("X-App"), path)
			assert.Equal(t, []string{"app2", "app1"}, rec.take(), path)
		}
		res, err := http.Get(srv.URL + "/bp/")
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, "1", res.Header.Get("X-BP"))
		assert.Equal(t, "1", res.Header.Get("X-App"))
		assert.Equal(t, []string{"bp", "app2", "app1"}, rec.take())
	})
	t.Run("teardown always runs with the error, even after panics", func(t *testing.T) {
		var got []string
		app := quietApp()
		app.TeardownRequest(func(c *flagon.Context, err error) {
			msg := "nil"
			if err != nil {
				msg = err.Error()
			}
			got = append(got, c.Request.URL.Path+" "+msg)
		})
		app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
			return func(c *flagon.Context) error {
				if c.Request.URL.Path == "/mw-panic" {
					panic("middleware boom")
				}
				return next(c)
			}
		})
		app.Get("/ok", func(c *flagon.Context) error { return nil })
		app.Get("/err", func(c *flagon.Context) error { return errors.New("plain failure") })
		app.Get("/panic", func(c *flagon.Context) error { panic("handler boom") })
		app.Get("/mw-panic", func(c *flagon.Context) error { return nil })
		tc := app.TestClient()
		assert.Equal(t, 200, tc.Get("/ok").Code)
		assert.Equal(t, 500, tc.Get("/err").Code)
		assert.Equal(t, 500, tc.Get("/panic").Code)
		assert.Equal(t, 500, tc.Get("/mw-panic").Code)
		assert.Equal(t, []string{"/ok nil", "/err plain failure", "/panic panic: handler boom", "/mw-panic panic: middleware boom"}, got)
	})
	t.Run("g keeps values for the request only", func(t *testing.T) {
		app := quietApp()
		app.BeforeRequest(func(c *flagon.Context) error {
			if _, ok := c.Get("user"); ok {
				return errors.New("leaked from another request")
			}
			c.Set("user", c.Query("u"))
			return nil
		})
		app.Get("/", func(c *flagon.Context) error {
			v, _ := c.Get("user")
			return c.Text(200, v.(string))
		})
		tc := app.TestClient()
		assert.Equal(t, "ada", tc.Get("/?u=ada").Text())
		assert.Equal(t, "bob", tc.Get("/?u=bob").Text())
	})
}

type quotaError struct{ limit int }

func (e *quotaError) Error() string { return "quota exceeded" }

func TestErrorHandling(t *testing.T) {
	t.Run("Abort sends its status and message", func(t *testing.T) {
		app := quietApp()
		app.Get("/", func(c *flagon.Context) error { return flagon.Abort(404, "no such post") })
		res := app.TestClient().Get("/")
		assert.Equal(t, 404, res.Code)
		assert.Contains(t, res.Text(), "no such post")
		assert.Contains(t, res.Header.Get("Content-Type"), "text/html")
	})
	t.Run("JSON clients get problem+json", func(t *testing.T) {
		app := quietApp()
		app.Get("/", func(c *flagon.Context) error { return flagon.Abort(409, "already there") })
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept", "application/json")
		res := app.TestClient().Do(req)
		assert.Equal(t, 409, res.Code)
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
		var p map[string]any
		require.NoError(t, res.JSON(&p))
		assert.Equal(t, "about:blank", p["type"])
		assert.Equal(t, "Conflict", p["title"])
		assert.EqualValues(t, 409, p["status"])
		assert.Equal(t, "already there", p["detail"])
	})
	t.Run("typed handlers: blueprint first, then app", func(t *testing.T) {
		app := quietApp()
		bp := flagon.NewBlueprint("api")
		flagon.HandleError(bp, func(c *flagon.Context, err *quotaError) error {
			return c.JSON(429, flagon.M{"scope": "bp", "limit": err.limit})
		})
		flagon.HandleError(app, func(c *flagon.Context, err *quotaError) error {
			return c.JSON(429, flagon.M{"scope": "app", "limit": err.limit})
		})
		bp.Get("/q", func(c *flagon.Context) error { return &quotaError{limit: 5} })
		app.Register(bp, "/api")
		app.Get("/q", func(c *flagon.Context) error { return &quotaError{limit: 9} })
		tc := app.TestClient()
		assert.JSONEq(t, `{"scope":"bp","limit":5}`, tc.Get("/api/q").Text())
		assert.JSONEq(t, `{"scope":"app","limit":9}`, tc.Get("/q").Text())
	})
	t.Run("code handlers for router 404/405 and plain 500s", func(t *testing.T) {
		app := quietApp()
		app.ErrorHandler(404, func(c *flagon.Context, err error) error { return c.Text(404, "custom 404") })
		app.ErrorHandler(405, func(c *flagon.Context, err error) error { return c.Text(405, "custom 405") })
		app.ErrorHandler(500, func(c *flagon.Context, err error) error { return c.Text(500, "custom 500") })
		app.Post("/p", func(c *flagon.Context) error { return errors.New("db down") })
		tc := app.TestClient()
		assert.Equal(t, "custom 404", tc.Get("/nope").Text())
		res := tc.Get("/p")
		assert.Equal(t, "custom 405", res.Text())
		assert.Equal(t, "POST, OPTIONS", res.Header.Get("Allow"))
		assert.Equal(t, "custom 500", tc.Post("/p", "", nil).Text())
	})
	t.Run("a 404 under a blueprint prefix goes to the blueprint", func(t *testing.T) {
		app := quietApp()
		api := flagon.NewBlueprint("api")
		api.ErrorHandler(404, func(c *flagon.Context, err error) error { return c.JSON(404, flagon.M{"error": "no such API"}) })
		api.Get("/users", func(c *flagon.Context) error { return nil })
		app.Register(api, "/api")
		tc := app.TestClient()
		assert.JSONEq(t, `{"error":"no such API"}`, tc.Get("/api/nothing").Text())
		assert.JSONEq(t, `{"error":"no such API"}`, tc.Get("/api").Text())
		assert.NotContains(t, tc.Get("/apiv2/x").Text(), "no such API")
	})
	t.Run("production never shows internals; debug shows them", func(t *testing.T) {
		var logs bytes.Buffer
		app := flagon.New()
		app.Config.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		app.Get("/err", func(c *flagon.Context) error { return errors.New("password=hunter2 in a plain error") })
		app.Get("/panic", func(c *flagon.Context) error { panic("secret panic value") })
		tc := app.TestClient()
		for _, path := range []string{"/err", "/panic"} {
			for _, accept := range []string{"text/html", "application/json"} {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Accept", accept)
				res := tc.Do(req)
				assert.Equal(t, 500, res.Code)
				assert.NotContains(t, res.Text(), "hunter2")
				assert.NotContains(t, res.Text(), "secret panic value")
				assert.NotContains(t, res.Text(), "goroutine")
			}
		}
		assert.Contains(t, logs.String(), "secret panic value", "the panic is logged")
		assert.Contains(t, logs.String(), "goroutine", "with its stack")
		assert.Contains(t, logs.String(), "hunter2", "plain errors are logged")

		app2 := quietApp()
		app2.Config.Debug = true
		app2.Get("/panic", func(c *flagon.Context) error { panic("secret panic value") })
		page := app2.TestClient().Get("/panic?x=1").Text()
		assert.Contains(t, page, "secret panic value")
		assert.Contains(t, page, "goroutine")
		assert.Contains(t, page, "/panic?x=1")
	})
	t.Run("an error handler that fails falls back to the default page", func(t *testing.T) {
		app := quietApp()
		app.ErrorHandler(404, func(c *flagon.Context, err error) error { return errors.New("handler broke") })
		res := app.TestClient().Get("/nope")
		assert.Equal(t, 404, res.Code)
		assert.Contains(t, res.Text(), "Not Found")
	})
	t.Run("an unencodable JSON value is a clean 500", func(t *testing.T) {
		app := quietApp()
		app.Get("/", func(c *flagon.Context) error { return c.JSON(200, make(chan int)) })
		res := app.TestClient().Get("/")
		assert.Equal(t, 500, res.Code)
		assert.Contains(t, res.Text(), "Internal Server Error")
	})
	t.Run("an error after the response started is only logged", func(t *testing.T) {
		var logs bytes.Buffer
		app := flagon.New()
		app.Config.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		app.Get("/", func(c *flagon.Context) error {
			_ = c.Text(200, "partial")
			return errors.New("late failure")
		})
		res := app.TestClient().Get("/")
		assert.Equal(t, 200, res.Code)
		assert.Equal(t, "partial", res.Text())
		assert.Contains(t, logs.String(), "late failure")
	})
	t.Run("ErrAbortHandler aborts the connection and teardown still runs", func(t *testing.T) {
		torn := make(chan struct{}, 1)
		app := quietApp()
		app.TeardownRequest(func(c *flagon.Context, err error) { torn <- struct{}{} })
		app.Get("/", func(c *flagon.Context) error { panic(http.ErrAbortHandler) })
		srv := httptest.NewServer(app)
		defer srv.Close()
		_, err := http.Get(srv.URL)
		assert.Error(t, err, "the client sees the connection aborted")
		<-torn
	})
}

func TestBlueprintsAndMounting(t *testing.T) {
	app := quietApp()
	admin := flagon.NewBlueprint("admin")
	reports := flagon.NewBlueprint("reports")
	reports.Get("/<int:year>", func(c *flagon.Context) error { return c.Text(200, "year "+c.Param("year")) }).Name("yearly")
	admin.Register(reports, "/reports")
	admin.Get("/", func(c *flagon.Context) error { return c.Text(200, "dashboard") }).Name("dashboard") // after nesting, before the app takes it
	app.Register(admin, "/admin")

	tc := app.TestClient()
	assert.Equal(t, "year 2026", tc.Get("/admin/reports/2026").Text())
	assert.Equal(t, "dashboard", tc.Get("/admin/").Text())
	u, err := app.URLFor("admin.reports.yearly", "year", 2026)
	require.NoError(t, err)
	assert.Equal(t, "/admin/reports/2026", u)
	infos := app.Routes()
	var rules []string
	for _, r := range infos {
		rules = append(rules, r.Method+" "+r.Rule+" "+r.Endpoint)
	}
	assert.Contains(t, rules, "GET /admin/reports/<int:year> admin.reports.yearly")
	assert.Contains(t, rules, "GET /admin/ admin.dashboard")

	t.Run("Mount strips the prefix for every method and owns only its prefix", func(t *testing.T) {
		app := quietApp()
		app.Mount("/api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, r.Method+" "+r.URL.Path)
		}))
		tc := app.TestClient()
		assert.Equal(t, "GET /", tc.Get("/api").Text())
		assert.Equal(t, "GET /", tc.Get("/api/").Text())
		assert.Equal(t, "DELETE /users/7", tc.Delete("/api/users/7").Text())
		assert.Equal(t, "PROPFIND /x", tc.Do(httptest.NewRequest("PROPFIND", "/api/x", nil)).Text())
		assert.Equal(t, 404, tc.Get("/apiv2").Code)
	})
	t.Run("WrapHandler shows PathValue and Pattern", func(t *testing.T) {
		app := quietApp()
		app.Get("/users/<int:id>", flagon.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, r.PathValue("id")+" "+r.Pattern)
		})))
		assert.Equal(t, "7 /users/<int:id>", app.TestClient().Get("/users/7").Text())
	})
	t.Run("a net/http middleware sees the rule in r.Pattern", func(t *testing.T) {
		app := quietApp()
		var seen string
		app.Use(flagon.WrapMiddleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = r.Pattern // as a metrics middleware labels requests
				next.ServeHTTP(w, r)
			})
		}))
		app.Get("/posts/<slug>", func(c *flagon.Context) error { return c.Text(200, "ok") })
		app.TestClient().Get("/posts/hello")
		assert.Equal(t, "/posts/<slug>", seen)
	})
	t.Run("WrapMiddleware honours a replaced request and writer", func(t *testing.T) {
		type key struct{}
		var counted int
		app := quietApp()
		app.Use(flagon.WrapMiddleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r = r.WithContext(context.WithValue(r.Context(), key{}, "from net/http"))
				w.Header().Set("X-Wrapped", "yes")
				next.ServeHTTP(&countingWriter{ResponseWriter: w, n: &counted}, r)
			})
		}))
		app.Get("/", func(c *flagon.Context) error {
			v, _ := c.Context().Value(key{}).(string)
			return c.Text(200, v)
		})
		app.Get("/fail", func(c *flagon.Context) error { return flagon.Abort(418) })
		tc := app.TestClient()
		res := tc.Get("/")
		assert.Equal(t, "from net/http", res.Text())
		assert.Equal(t, "yes", res.Header.Get("X-Wrapped"))
		assert.Equal(t, len("from net/http"), counted, "the handler wrote through the middleware's writer")
		assert.Equal(t, 418, tc.Get("/fail").Code, "the handler's error still reaches error handling")
	})
}

// countingWriter counts the body bytes written through it.
type countingWriter struct {
	http.ResponseWriter
	n *int
}

func (w *countingWriter) Write(b []byte) (int, error) {
	*w.n += len(b)
	return w.ResponseWriter.Write(b)
}

func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func TestContextsDoNotLeakBetweenRequests(t *testing.T) {
	app := quietApp()
	app.Get("/v/<id>", func(c *flagon.Context) error {
		if _, ok := c.Get("k"); ok {
			return errors.New("g leaked")
		}
		if c.Response.Status() != 200 || c.Response.Written() {
			return errors.New("response state leaked")
		}
		c.Set("k", c.Param("id"))
		if c.Query("id") != "" && c.Query("id") != c.Param("id") {
			return errors.New("query cache leaked")
		}
		v, _ := c.Get("k")
		if c.Param("id") == "odd" {
			c.Status(202)
		}
		return c.Text(c.Response.Status(), v.(string)+"|"+c.Query("id"))
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	var wg sync.WaitGroup
	errs := make(chan string, 400)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				id := strings.Repeat("x", g) + string(rune('a'+i%26))
				if i%3 == 0 {
					id = "odd"
				}
				res, err := http.Get(srv.URL + "/v/" + id + "?id=" + id)
				if err != nil {
					errs <- err.Error()
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				want := id + "|" + id
				if string(b) != want {
					errs <- string(b) + " != " + want
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestConfig(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		c := flagon.DefaultConfig()
		assert.Equal(t, "127.0.0.1:5000", c.Addr)
		assert.EqualValues(t, 32<<20, c.MaxBodyBytes)
		assert.EqualValues(t, 8<<20, c.MaxMultipartMemory)
		assert.Equal(t, "X-Forwarded-For", c.ClientIPHeader)
		assert.Equal(t, "session", c.SessionCookieName)
		assert.Equal(t, "/static", c.StaticURLPath)
		assert.NotZero(t, c.ReadHeaderTimeout)
	})
	t.Run("FromEnv reads the settings", func(t *testing.T) {
		t.Setenv("FLAGON_DEBUG", "true")
		t.Setenv("FLAGON_SECRET_KEY", "s3cret")
		t.Setenv("FLAGON_ADDR", "127.0.0.1:9999")
		t.Setenv("FLAGON_TRUSTED_PROXIES", "10.0.0.0/8, ::1")
		t.Setenv("FLAGON_MAX_BODY_BYTES", "1024")
		t.Setenv("FLAGON_MAX_MULTIPART_MEMORY", "2048")
		t.Setenv("FLAGON_READ_TIMEOUT", "7s")
		c := flagon.DefaultConfig()
		require.NoError(t, c.FromEnv("FLAGON"))
		assert.True(t, c.Debug)
		assert.Equal(t, "s3cret", c.SecretKey)
		assert.Equal(t, "127.0.0.1:9999", c.Addr)
		assert.Equal(t, []string{"10.0.0.0/8", "::1"}, c.TrustedProxies)
		assert.EqualValues(t, 1024, c.MaxBodyBytes)
		assert.EqualValues(t, 2048, c.MaxMultipartMemory)
		assert.Equal(t, "7s", c.ReadTimeout.String())
	})
	t.Run("a malformed value is an error naming it, and nothing changes", func(t *testing.T) {
		t.Setenv("FLAGON_SECRET_KEY", "changed")
		t.Setenv("FLAGON_READ_TIMEOUT", "soon")
		c := flagon.DefaultConfig()
		err := c.FromEnv("FLAGON")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "FLAGON_READ_TIMEOUT")
		assert.Empty(t, c.SecretKey)
	})
}

func TestTestClient(t *testing.T) {
	app := quietApp()
	app.Get("/set", func(c *flagon.Context) error {
		c.SetCookie(&http.Cookie{Name: "flavour", Value: "mint", Path: "/"})
		return c.Redirect(302, "/get")
	})
	app.Get("/get", func(c *flagon.Context) error {
		v, _ := c.Cookie("flavour")
		return c.Text(200, v)
	})
	app.Post("/json", func(c *flagon.Context) error {
		var in map[string]any
		if err := json.NewDecoder(c.Request.Body).Decode(&in); err != nil {
			return flagon.Abort(400)
		}
		return c.JSON(200, flagon.M{"type": c.Header("Content-Type"), "got": in["n"]})
	})
	app.Post("/form", func(c *flagon.Context) error {
		return c.Text(200, c.Header("Content-Type")+" "+c.Request.PostFormValue("a"))
	})
	tc := app.TestClient()
	res := tc.Get("/set")
	assert.Equal(t, 302, res.Code, "redirects are not followed")
	assert.Equal(t, "/get", res.Header.Get("Location"))
	assert.Equal(t, "mint", tc.Get("/get").Text(), "cookies are kept")
	assert.Empty(t, tc.Head("/get").Body)

	var out map[string]any
	require.NoError(t, tc.PostJSON("/json", map[string]int{"n": 3}).JSON(&out))
	assert.Equal(t, "application/json", out["type"])
	assert.EqualValues(t, 3, out["got"])
	assert.Equal(t, "application/x-www-form-urlencoded b", tc.PostForm("/form", map[string][]string{"a": {"b"}}).Text())
}
