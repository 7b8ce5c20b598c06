package middleware_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requestIDApp answers with the ID as the handler sees it on c, through
// c.Get and in the request context, separated by spaces.
func requestIDApp(cfg ...middleware.RequestIDConfig) *flagon.App {
	app := flagon.New()
	app.Use(middleware.RequestID(cfg...))
	app.Get("/", func(c *flagon.Context) error {
		v, _ := c.Get(middleware.RequestIDKey)
		s, _ := v.(string)
		return c.Text(200, c.RequestID()+" "+s+" "+middleware.RequestIDFromContext(c.Context()))
	})
	return app
}

func TestRequestIDReusesAShortPrintableIncomingID(t *testing.T) {
	srv := httptest.NewServer(requestIDApp())
	defer srv.Close()
	long := strings.Repeat("a", middleware.MaxRequestIDLength)
	for _, id := range []string{"abc-123", "0f8c2a4e-9b1d-4c7e-8f00-123456789abc", long, "!~"} {
		t.Run("an ID like "+id[:min(len(id), 12)]+" is kept", func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+"/", nil)
			req.Header.Set(middleware.RequestIDHeader, id)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			var body bytes.Buffer
			_, _ = body.ReadFrom(res.Body)
			assert.Equal(t, id, res.Header.Get(middleware.RequestIDHeader))
			assert.Equal(t, id+" "+id+" "+id, body.String(), "on c, through c.Get and in the request context")
		})
	}
}

func TestRequestIDGeneratesAnIDWhenTheIncomingOneIsUnusable(t *testing.T) {
	tc := requestIDApp().TestClient()
	cases := []struct {
		name string
		in   []string
	}{
		{"a request without the header gets a new ID", nil},
		{"an empty ID is replaced", []string{""}},
		{"an ID of 65 characters is replaced", []string{strings.Repeat("a", middleware.MaxRequestIDLength+1)}},
		{"an oversized ID of 1 MB is replaced", []string{strings.Repeat("x", 1<<20)}},
		{"an ID with a space is replaced", []string{"a b"}},
		{"an ID with a control character is replaced", []string{"a\x01b"}},
		{"an ID with a CR LF is replaced", []string{"a\r\nSet-Cookie: x=1"}},
		{"an ID with non-ASCII bytes is replaced", []string{"caf\xc3\xa9"}},
		{"an ID with a DEL is replaced", []string{"a\x7f"}},
	}
	seen := map[string]bool{}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.Header[http.CanonicalHeaderKey(middleware.RequestIDHeader)] = tt.in
			res := tc.Do(req)
			require.Equal(t, 200, res.Code)
			id := res.Header.Get(middleware.RequestIDHeader)
			assert.Regexp(t, `^[0-9a-f]{32}$`, id)
			assert.Len(t, res.Header.Values(middleware.RequestIDHeader), 1)
			assert.Equal(t, id+" "+id+" "+id, res.Text())
			assert.False(t, seen[id], "every generated ID is new")
			seen[id] = true
		})
	}
}

func TestRequestIDUsesTheGeneratorWhenItsResultIsValid(t *testing.T) {
	cases := []struct {
		name, gen string
		want      string
	}{
		{"a valid result is used", "req-1", "req-1"},
		{"an invalid result falls back to the default", "bad id", ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res := requestIDApp(middleware.RequestIDConfig{Generator: func() string { return tt.gen }}).TestClient().Get("/")
			id := res.Header.Get(middleware.RequestIDHeader)
			if tt.want != "" {
				assert.Equal(t, tt.want, id)
			} else {
				assert.Regexp(t, `^[0-9a-f]{32}$`, id)
			}
		})
	}
}

func TestRequestIDLeavesTheContextAloneWithNoContext(t *testing.T) {
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set(middleware.RequestIDHeader, "abc")
	res := requestIDApp(middleware.RequestIDConfig{NoContext: true}).TestClient().Do(req)
	assert.Equal(t, "abc abc ", res.Text())
}

func TestRequestIDIsShownByTheLogAndTheErrorPages(t *testing.T) {
	var buf bytes.Buffer
	app := flagon.New()
	app.Config.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
	app.Use(middleware.Logger(), middleware.RequestID())
	app.Get("/fail", func(c *flagon.Context) error { return flagon.Abort(418, "No coffee.") })
	srv := httptest.NewServer(app)
	defer srv.Close()

	get := func(t *testing.T, path, accept string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set(middleware.RequestIDHeader, "trace-42")
		req.Header.Set("Accept", accept)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		return res, b.String()
	}
	t.Run("the HTML error page names the ID", func(t *testing.T) {
		res, body := get(t, "/fail", "text/html")
		assert.Equal(t, 418, res.StatusCode)
		assert.Equal(t, "trace-42", res.Header.Get(middleware.RequestIDHeader))
		assert.Contains(t, body, "Request ID: <code>trace-42</code>")
	})
	t.Run("the problem+json answer carries it as request_id", func(t *testing.T) {
		_, body := get(t, "/fail", "application/json")
		var p map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &p))
		assert.Equal(t, "trace-42", p["request_id"])
	})
	t.Run("a 404 of the router carries it too", func(t *testing.T) {
		res, body := get(t, "/missing", "text/html")
		assert.Equal(t, 404, res.StatusCode)
		assert.Equal(t, "trace-42", res.Header.Get(middleware.RequestIDHeader))
		assert.Contains(t, body, "trace-42")
	})
	t.Run("the request log records it", func(t *testing.T) {
		assert.Contains(t, buf.String(), `"request_id":"trace-42"`)
	})
}

func TestRequestIDAppearsOnTheDebugPage(t *testing.T) {
	app := flagon.New()
	app.Config.Debug = true
	app.Use(middleware.RequestID())
	app.Get("/", func(c *flagon.Context) error { return flagon.Abort(500) })
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set(middleware.RequestIDHeader, "dbg-7")
	res := app.TestClient().Do(req)
	assert.Contains(t, res.Text(), "<td>Request ID</td><td>dbg-7</td>")
}
