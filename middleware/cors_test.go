package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corsApp serves GET and PUT /data with the CORS middleware at app level,
// and counts the handler's runs.
func corsApp(cfg middleware.CORSConfig, runs *int) *flagon.App {
	app := quietApp()
	app.Use(middleware.CORS(cfg))
	h := func(c *flagon.Context) error {
		*runs++
		c.SetHeader("X-Total", "7")
		return c.Text(200, "data")
	}
	app.Get("/data", h)
	app.Put("/data", h)
	return app
}

func corsRequest(method string, headers map[string]string) *http.Request {
	req := httptest.NewRequest(method, "/data", nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req
}

func TestCORSAnswersSimpleRequests(t *testing.T) {
	site := "https://app.example.com"
	cases := []struct {
		name        string
		cfg         middleware.CORSConfig
		origin      string
		allowOrigin string
		credentials string
		expose      string
		vary        bool
	}{
		{"an exact origin is echoed", middleware.CORSConfig{AllowOrigins: []string{site}}, site, site, "", "", true},
		{"an origin listed with a trailing slash and capitals matches", middleware.CORSConfig{AllowOrigins: []string{"https://App.Example.com/"}}, site, site, "", "", true},
		{"another origin gets nothing", middleware.CORSConfig{AllowOrigins: []string{site}}, "https://evil.com", "", "", "", true},
		{"a longer host with the same prefix gets nothing", middleware.CORSConfig{AllowOrigins: []string{site}}, site + ".evil.com", "", "", "", true},
		{"another scheme gets nothing", middleware.CORSConfig{AllowOrigins: []string{site}}, "http://app.example.com", "", "", "", true},
		{"a wildcard matches a subdomain", middleware.CORSConfig{AllowOrigins: []string{"https://*.example.com"}}, site, site, "", "", true},
		{"a wildcard matches a deeper subdomain", middleware.CORSConfig{AllowOrigins: []string{"https://*.example.com"}}, "https://a.b.example.com", "https://a.b.example.com", "", "", true},
		{"a wildcard does not match the bare domain", middleware.CORSConfig{AllowOrigins: []string{"https://*.example.com"}}, "https://example.com", "", "", "", true},
		{"a wildcard does not match a look-alike domain", middleware.CORSConfig{AllowOrigins: []string{"https://*.example.com"}}, "https://evilexample.com", "", "", "", true},
		{"a wildcard does not match another scheme", middleware.CORSConfig{AllowOrigins: []string{"https://*.example.com"}}, "http://a.example.com", "", "", "", true},
		{"a func decides for unlisted origins", middleware.CORSConfig{AllowOriginFunc: func(o string) bool { return strings.HasSuffix(o, ".test") }}, "http://x.test", "http://x.test", "", "", true},
		{"star answers star without credentials", middleware.CORSConfig{AllowOrigins: []string{"*"}}, site, "*", "", "", true},
		{"star with credentials echoes the origin, never star", middleware.CORSConfig{AllowOrigins: []string{"*"}, AllowCredentials: true}, site, site, "true", "", true},
		{"credentials are allowed for a listed origin", middleware.CORSConfig{AllowOrigins: []string{site}, AllowCredentials: true}, site, site, "true", "", true},
		{"exposed headers are listed", middleware.CORSConfig{AllowOrigins: []string{site}, ExposeHeaders: []string{"X-Total", "X-Page"}}, site, site, "", "X-Total, X-Page", true},
		{"the null origin is refused by star", middleware.CORSConfig{AllowOrigins: []string{"*"}, AllowCredentials: true}, "null", "", "", "", true},
		{"the null origin is refused by a func", middleware.CORSConfig{AllowOriginFunc: func(string) bool { return true }}, "null", "", "", "", true},
		{"the null origin is let in when configured", middleware.CORSConfig{AllowOrigins: []string{site}, AllowNullOrigin: true}, "null", "null", "", "", true},
		{"star with null allowed does not vary", middleware.CORSConfig{AllowOrigins: []string{"*"}, AllowNullOrigin: true}, site, "*", "", "", false},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			runs := 0
			res := corsApp(tt.cfg, &runs).TestClient().Do(corsRequest("GET", map[string]string{"Origin": tt.origin}))
			assert.Equal(t, 200, res.Code)
			assert.Equal(t, 1, runs, "the handler runs")
			assert.Equal(t, tt.allowOrigin, res.Header.Get("Access-Control-Allow-Origin"))
			assert.Equal(t, tt.credentials, res.Header.Get("Access-Control-Allow-Credentials"))
			assert.Equal(t, tt.expose, res.Header.Get("Access-Control-Expose-Headers"))
			assert.Equal(t, tt.vary, res.Header.Get("Vary") == "Origin", "Vary: Origin when the answer depends on it")
		})
	}
	t.Run("a request without Origin runs with Vary: Origin and no CORS headers", func(t *testing.T) {
		runs := 0
		res := corsApp(middleware.CORSConfig{AllowOrigins: []string{site}}, &runs).TestClient().Get("/data")
		assert.Equal(t, 1, runs)
		assert.Equal(t, "Origin", res.Header.Get("Vary"))
		assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
	})
}

func TestCORSAnswersPreflightsItself(t *testing.T) {
	site := "https://app.example.com"
	full := middleware.CORSConfig{
		AllowOrigins: []string{site}, AllowMethods: []string{"GET", "PUT"}, AllowHeaders: []string{"X-Token", "Content-Type"},
		AllowCredentials: true, MaxAge: 10 * time.Minute, AllowPrivateNetwork: true,
	}
	cases := []struct {
		name    string
		cfg     middleware.CORSConfig
		headers map[string]string
		want    map[string]string
	}{
		{"an allowed origin gets every header configured", full,
			map[string]string{"Origin": site, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-token", "Access-Control-Request-Private-Network": "true"},
			map[string]string{"Access-Control-Allow-Origin": site, "Access-Control-Allow-Methods": "GET, PUT", "Access-Control-Allow-Headers": "X-Token, Content-Type",
				"Access-Control-Allow-Credentials": "true", "Access-Control-Max-Age": "600", "Access-Control-Allow-Private-Network": "true"}},
		{"a preflight that does not ask for private network access gets no such answer", full,
			map[string]string{"Origin": site, "Access-Control-Request-Method": "PUT"},
			map[string]string{"Access-Control-Allow-Origin": site, "Access-Control-Allow-Private-Network": ""}},
		{"another origin gets no CORS header", full,
			map[string]string{"Origin": "https://evil.com", "Access-Control-Request-Method": "PUT"},
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": "", "Access-Control-Allow-Credentials": ""}},
		{"requested headers are echoed when none are configured", middleware.CORSConfig{AllowOrigins: []string{"*"}},
			map[string]string{"Origin": site, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-a, x-b"},
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "x-a, x-b", "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, PATCH, DELETE"}},
		{"malformed requested headers are not echoed", middleware.CORSConfig{AllowOrigins: []string{"*"}},
			map[string]string{"Origin": site, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-a\"<script>"},
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": ""}},
		{"an oversized list of requested headers is not echoed", middleware.CORSConfig{AllowOrigins: []string{"*"}},
			map[string]string{"Origin": site, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": strings.Repeat("x-a,", 1000)},
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": ""}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			runs := 0
			res := corsApp(tt.cfg, &runs).TestClient().Do(corsRequest("OPTIONS", tt.headers))
			assert.Equal(t, 204, res.Code)
			assert.Zero(t, runs, "the handler does not run")
			for k, v := range tt.want {
				assert.Equal(t, v, res.Header.Get(k), k)
			}
			assert.Contains(t, res.Header.Get("Vary"), "Origin")
			assert.Contains(t, res.Header.Get("Vary"), "Access-Control-Request-Method")
		})
	}
	t.Run("a plain OPTIONS request is left to the app", func(t *testing.T) {
		runs := 0
		res := corsApp(full, &runs).TestClient().Do(corsRequest("OPTIONS", map[string]string{"Origin": site}))
		assert.Equal(t, 204, res.Code)
		assert.Contains(t, res.Header.Get("Allow"), "PUT", "the router's own OPTIONS answer")
	})
}

func TestCORSRefusesMalformedOrigins(t *testing.T) {
	cases := []struct{ name, origin string }{
		{"an origin with a path", "https://app.example.com/x"},
		{"an origin with user info", "https://user@app.example.com"},
		{"an origin with a CR LF", "https://app.example.com\r\nSet-Cookie: a=b"},
		{"an origin with a quote", "https://app\".example.com"},
		{"an origin with spaces", "https://app example.com"},
		{"an origin with capitals", "https://APP.example.com"},
		{"an origin without a scheme", "app.example.com"},
		{"an origin with a bad port", "https://app.example.com:80a"},
		{"an oversized origin", "https://" + strings.Repeat("a", 300) + ".example.com"},
		{"a 100 KB origin", "https://" + strings.Repeat("a.", 50<<10) + "example.com"},
		{"an unterminated IPv6 host", "http://[::1"},
		{"an empty origin", ""},
	}
	// Every check that could let them through: a func saying yes to
	// anything, credentials (which echo the origin) and a wildcard.
	cfg := middleware.CORSConfig{AllowOrigins: []string{"https://*.example.com"}, AllowOriginFunc: func(string) bool { return true }, AllowCredentials: true}
	for _, tt := range cases {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			for _, method := range []string{"GET", "OPTIONS"} {
				runs := 0
				req := corsRequest(method, nil)
				req.Header["Origin"] = []string{tt.origin}
				req.Header.Set("Access-Control-Request-Method", "PUT")
				res := corsApp(cfg, &runs).TestClient().Do(req)
				assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), method)
				assert.Empty(t, res.Header.Get("Access-Control-Allow-Credentials"), method)
			}
		})
	}
	t.Run("two Origin headers are refused", func(t *testing.T) {
		runs := 0
		req := corsRequest("GET", nil)
		req.Header["Origin"] = []string{"https://a.example.com", "https://b.example.com"}
		res := corsApp(cfg, &runs).TestClient().Do(req)
		assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
	})
	t.Run("an IPv6 origin is accepted", func(t *testing.T) {
		runs := 0
		req := corsRequest("GET", map[string]string{"Origin": "http://[::1]:8080"})
		res := corsApp(cfg, &runs).TestClient().Do(req)
		assert.Equal(t, "http://[::1]:8080", res.Header.Get("Access-Control-Allow-Origin"))
	})
	t.Run("a malformed configured origin panics at once", func(t *testing.T) {
		for _, o := range []string{"app.example.com", "https://app.example.com/path", "https://*.", "*.example.com"} {
			assert.Panics(t, func() { middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{o}}) }, o)
		}
	})
}

func TestCORSAnswersPreflightsAtEveryLevel(t *testing.T) {
	site := "https://app.example.com"
	cfg := middleware.CORSConfig{AllowOrigins: []string{site}, AllowMethods: []string{"PUT"}}
	ran := false
	h := func(c *flagon.Context) error { ran = true; return c.Text(200, "ok") }
	app := quietApp()
	bp := flagon.NewBlueprint("api")
	bp.Use(middleware.CORS(cfg))
	bp.Put("/items", h)
	app.Register(bp, "/api")
	app.Put("/route", h).Use(middleware.CORS(cfg))
	app.Get("/route", h)
	app.Put("/plain", h)
	srv := serve(t, app)

	cases := []struct {
		name, path, method string
		allowed            bool
	}{
		{"a blueprint's CORS answers preflights for its routes", "/api/items", "PUT", true},
		{"a route's CORS answers preflights for its method", "/route", "PUT", true},
		{"a route's CORS does not answer for another method's route", "/route", "GET", false},
		{"a route without CORS gets the router's answer", "/plain", "PUT", false},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			ran = false
			res, _ := do(t, "OPTIONS", srv.URL+tt.path, map[string]string{"Origin": site, "Access-Control-Request-Method": tt.method}, nil)
			assert.Equal(t, 204, res.StatusCode)
			assert.False(t, ran, "the handler does not run")
			if tt.allowed {
				assert.Equal(t, site, res.Header.Get("Access-Control-Allow-Origin"))
				assert.Equal(t, "PUT", res.Header.Get("Access-Control-Allow-Methods"))
			} else {
				assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
				assert.NotEmpty(t, res.Header.Get("Allow"), "the router's own OPTIONS answer")
			}
		})
	}
	t.Run("the actual request gets the header on a blueprint", func(t *testing.T) {
		res, body := do(t, "PUT", srv.URL+"/api/items", map[string]string{"Origin": site}, nil)
		require.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "ok", body)
		assert.Equal(t, site, res.Header.Get("Access-Control-Allow-Origin"))
	})
}
