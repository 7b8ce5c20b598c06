package flagon_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// brokenStore is a SessionStore whose backend is down.
type brokenStore struct {
	err   error
	saved bool
}

func (s *brokenStore) Load(*flagon.Context) (map[string]any, bool, error) { return nil, false, s.err }

func (s *brokenStore) Save(*flagon.Context, map[string]any, bool) error {
	s.saved = true
	return nil
}

// clearStore records what Save saw.
type clearStore struct{ cleared []bool }

func (s *clearStore) Load(*flagon.Context) (map[string]any, bool, error) {
	return map[string]any{"user": "ada"}, false, nil
}

func (s *clearStore) Save(c *flagon.Context, _ map[string]any, _ bool) error {
	s.cleared = append(s.cleared, c.Session().Cleared())
	return nil
}

func TestSessionStoreFailures(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code int
	}{
		{"a store's HTTPError keeps its code", &flagon.HTTPError{Code: 503, Message: "The session store is unavailable: retry later.", Err: errors.New("dial tcp: connection refused")}, 503},
		{"any other error is a 500", errors.New("disk on fire"), 500},
	}
	for _, tc := range cases {
		t.Run(tc.name+", never the handler's answer from an empty session", func(t *testing.T) {
			store := &brokenStore{err: tc.err}
			app := flagon.New()
			app.Config.SecretKey = "k"
			app.Config.SessionStore = store
			app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			app.Get("/", func(c *flagon.Context) error {
				if c.Session().GetString("user") == "" {
					c.Session().Set("visits", 1)
					return c.Text(200, "anonymous")
				}
				return c.Text(200, "ada")
			})
			srv := httptest.NewServer(app)
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL+"/", nil)
			req.Header.Set("Accept", "application/json")
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			assert.Equal(t, tc.code, res.StatusCode)
			assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
			assert.NotContains(t, string(body), "anonymous")
			assert.False(t, store.saved, "a session that failed to load is not saved over")
		})
	}
}

func TestSessionCleared(t *testing.T) {
	store := &clearStore{}
	app := flagon.New()
	app.Config.SecretKey = "k"
	app.Config.SessionStore = store
	app.Get("/set", func(c *flagon.Context) error { c.Session().Set("n", 1); return nil })
	app.Get("/login", func(c *flagon.Context) error {
		c.Session().Clear()
		c.Session().Set("user", "grace")
		return nil
	})
	tc := app.TestClient()
	tc.Get("/set")
	tc.Get("/login")
	assert.Equal(t, []bool{false, true}, store.cleared, "Cleared reports a Clear during the request only")
}

func TestSessionCookieForStores(t *testing.T) {
	app := flagon.New()
	app.Config.SessionCookieDomain = "example.com"
	app.Config.SessionCookieSecure = true
	app.Config.TrustedProxies = []string{"127.0.0.1"}
	var got []*http.Cookie
	app.Get("/", func(c *flagon.Context) error {
		got = append(got, c.SessionCookie("v", false), c.SessionCookie("v", true))
		return nil
	})
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "127.0.0.1:1"
	req.Header.Set("X-Forwarded-Prefix", "/app")
	app.TestClient().Do(req)
	require.Len(t, got, 2)
	assert.Equal(t, "session", got[0].Name)
	assert.Equal(t, "v", got[0].Value)
	assert.Equal(t, "/app/", got[0].Path, "under the trusted proxy's prefix")
	assert.Equal(t, "example.com", got[0].Domain)
	assert.True(t, got[0].Secure)
	assert.True(t, got[0].HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, got[0].SameSite)
	assert.Zero(t, got[0].MaxAge, "a browser-session cookie")
	assert.Equal(t, 31*24*3600, got[1].MaxAge, "a permanent one lasts the lifetime")
}
