package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func csrfApp(cfg ...middleware.CSRFConfig) *flagon.App {
	app := flagon.New()
	app.Config.SecretKey = "csrf-test"
	app.Config.TrustedProxies = []string{"127.0.0.1"}
	app.Use(middleware.CSRF(cfg...))
	app.Get("/form", func(c *flagon.Context) error { return c.Text(200, middleware.CSRFToken(c)) })
	app.Post("/transfer", func(c *flagon.Context) error { return c.Text(200, "moved") })
	app.Post("/hook", func(c *flagon.Context) error { return c.Text(200, "hooked") }).Name("hook")
	app.Post("/logout", func(c *flagon.Context) error {
		c.Session().Clear()
		return c.Text(200, "out")
	})
	return app
}

func postForm(tc *flagon.TestClient, path string, form url.Values, headers map[string]string) *flagon.TestResponse {
	req := httptest.NewRequest(http.MethodPost, "http://localhost"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return tc.Do(req)
}

func TestCSRFAcceptsTheSessionsToken(t *testing.T) {
	tc := csrfApp().TestClient()
	token := tc.Get("/form").Text()
	require.NotEmpty(t, token)

	t.Run("in the form field", func(t *testing.T) {
		res := postForm(tc, "/transfer", url.Values{"csrf_token": {token}}, nil)
		assert.Equal(t, 200, res.Code)
		assert.Equal(t, "moved", res.Text())
	})
	t.Run("in the X-CSRF-Token header", func(t *testing.T) {
		res := postForm(tc, "/transfer", nil, map[string]string{"X-CSRF-Token": token})
		assert.Equal(t, 200, res.Code)
	})
	t.Run("every token handed out is different and valid", func(t *testing.T) {
		other := tc.Get("/form").Text()
		assert.NotEqual(t, token, other)
		assert.Equal(t, 200, postForm(tc, "/transfer", url.Values{"csrf_token": {other}}, nil).Code)
	})
	t.Run("safe methods need no token", func(t *testing.T) {
		assert.Equal(t, 200, tc.Get("/form").Code)
	})
}

func TestCSRFRefuses(t *testing.T) {
	app := csrfApp()
	tc := app.TestClient()
	token := tc.Get("/form").Text()
	otherSession := app.TestClient()
	foreign := otherSession.Get("/form").Text()

	cases := []struct {
		name    string
		form    url.Values
		headers map[string]string
		message string
	}{
		{"a request without a token", nil, nil, "missing"},
		{"an empty token", url.Values{"csrf_token": {""}}, nil, "missing"},
		{"a token of another session", url.Values{"csrf_token": {foreign}}, nil, "invalid"},
		{"a malformed token", url.Values{"csrf_token": {"%%%"}}, nil, "invalid"},
		{"a cross-origin POST even with a valid token", url.Values{"csrf_token": {token}}, map[string]string{"Origin": "http://evil.example"}, "Origin"},
	}
	for _, tt := range cases {
		t.Run(tt.name+" is refused with 403", func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/transfer", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "application/json")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			res := tc.Do(req)
			assert.Equal(t, 403, res.Code)
			assert.Contains(t, res.Text(), tt.message)
			assert.NotContains(t, res.Text(), "moved")
		})
	}
	t.Run("an old token after the session was cleared is refused", func(t *testing.T) {
		require.Equal(t, 200, postForm(tc, "/logout", url.Values{"csrf_token": {token}}, nil).Code)
		assert.Equal(t, 403, postForm(tc, "/transfer", url.Values{"csrf_token": {token}}, nil).Code)
	})
	t.Run("a same-origin Origin is accepted", func(t *testing.T) {
		fresh := app.TestClient()
		tok := fresh.Get("/form").Text()
		assert.Equal(t, 200, postForm(fresh, "/transfer", url.Values{"csrf_token": {tok}}, map[string]string{"Origin": "http://localhost"}).Code)
	})
}

func TestCSRFChecksTheRefererOverHTTPS(t *testing.T) {
	tc := csrfApp().TestClient()
	token := tc.Get("/form").Text()
	https := map[string]string{"X-Forwarded-Proto": "https"}
	with := func(extra map[string]string) map[string]string {
		h := map[string]string{"X-Forwarded-Proto": "https"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	form := url.Values{"csrf_token": {token}}
	assert.Equal(t, 403, postForm(tc, "/transfer", form, https).Code, "no Origin and no Referer")
	assert.Equal(t, 403, postForm(tc, "/transfer", form, with(map[string]string{"Referer": "https://evil.example/page"})).Code)
	assert.Equal(t, 403, postForm(tc, "/transfer", form, with(map[string]string{"Referer": "http://localhost/form"})).Code, "a downgraded scheme is another origin")
	assert.Equal(t, 200, postForm(tc, "/transfer", form, with(map[string]string{"Referer": "https://localhost/form"})).Code)
	assert.Equal(t, 200, postForm(tc, "/transfer", form, with(map[string]string{"Origin": "https://localhost"})).Code)
}

func TestCSRFExemptionAndTrustedOrigins(t *testing.T) {
	app := csrfApp(middleware.CSRFConfig{
		Exempt:         func(c *flagon.Context) bool { return c.Endpoint() == "hook" },
		TrustedOrigins: []string{"https://admin.example.com"},
	})
	tc := app.TestClient()
	assert.Equal(t, 200, postForm(tc, "/hook", nil, nil).Code, "an exempt route needs no token")
	assert.Equal(t, 403, postForm(tc, "/transfer", nil, nil).Code)
	token := tc.Get("/form").Text()
	assert.Equal(t, 200, postForm(tc, "/transfer", url.Values{"csrf_token": {token}}, map[string]string{"Origin": "https://admin.example.com"}).Code)
}

func TestCSRFOnOneRoute(t *testing.T) {
	app := flagon.New()
	app.Config.SecretKey = "k"
	app.Post("/open", func(c *flagon.Context) error { return c.Text(200, "open") })
	app.Post("/guarded", func(c *flagon.Context) error { return c.Text(200, "guarded") }).Use(middleware.CSRF())
	tc := app.TestClient()
	assert.Equal(t, 200, tc.Post("/open", "", nil).Code)
	assert.Equal(t, 403, tc.Post("/guarded", "", nil).Code)
}
