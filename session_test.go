package flagon_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sessionApp() *flagon.App {
	app := flagon.New()
	app.Config.SecretKey = "test-secret"
	app.Config.Logger = slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	app.Post("/login", func(c *flagon.Context) error {
		s := c.Session()
		s.Set("user", c.Query("user"))
		s.Set("visits", 1)
		s.Set("admin", true)
		if c.Query("remember") != "" {
			s.SetPermanent(true)
		}
		return c.Text(200, "welcome-body")
	}).Name("login")
	app.Get("/me", func(c *flagon.Context) error {
		s := c.Session()
		return c.String(200, "%s|%d|%t|%t", s.GetString("user"), s.GetInt("visits"), s.GetBool("admin"), s.Permanent())
	}).Name("me")
	app.Get("/plain", func(c *flagon.Context) error { return c.Text(200, "no session") }).Name("plain")
	app.Post("/logout", func(c *flagon.Context) error {
		c.Session().Clear()
		return c.Text(200, "out")
	}).Name("logout")
	app.Post("/forget", func(c *flagon.Context) error {
		c.Session().Delete("admin")
		return c.Text(200, "forgot")
	}).Name("forget")
	return app
}

func sessionCookie(res *flagon.TestResponse) *http.Cookie {
	for _, ck := range (&http.Response{Header: res.Header}).Cookies() {
		if ck.Name == "session" {
			return ck
		}
	}
	return nil
}

func TestSessionSurvivesAcrossRequestsOverRealHTTP(t *testing.T) {
	srv := httptest.NewServer(sessionApp())
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar}

	res, err := client.Post(srv.URL+"/login?user=ada", "text/plain", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode)

	res, err = client.Get(srv.URL + "/me")
	require.NoError(t, err)
	defer res.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	assert.Equal(t, "ada|1|true|false", body.String())
	assert.Contains(t, res.Header.Values("Vary"), "Cookie")
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Run("a browser-session cookie is HttpOnly, SameSite=Lax, without expiry", func(t *testing.T) {
		res := sessionApp().TestClient().Post("/login?user=ada", "", nil)
		ck := sessionCookie(res)
		require.NotNil(t, ck)
		assert.True(t, ck.HttpOnly)
		assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
		assert.Equal(t, "/", ck.Path)
		assert.False(t, ck.Secure)
		assert.Zero(t, ck.MaxAge)
		assert.True(t, ck.Expires.IsZero())
	})
	t.Run("a permanent session lives SessionLifetime", func(t *testing.T) {
		app := sessionApp()
		app.Config.SessionLifetime = 48 * time.Hour
		tc := app.TestClient()
		ck := sessionCookie(tc.Post("/login?user=ada&remember=1", "", nil))
		require.NotNil(t, ck)
		assert.Equal(t, 48*3600, ck.MaxAge)
		assert.Equal(t, "ada|1|true|true", tc.Get("/me").Text())
	})
	t.Run("Secure when configured, and Domain and Path from the config", func(t *testing.T) {
		app := sessionApp()
		app.Config.SessionCookieSecure = true
		app.Config.SessionCookieDomain = "example.com"
		app.Config.SessionCookiePath = "/app"
		ck := sessionCookie(app.TestClient().Post("/login?user=ada", "", nil))
		require.NotNil(t, ck)
		assert.True(t, ck.Secure)
		assert.Equal(t, "example.com", ck.Domain)
		assert.Equal(t, "/app", ck.Path)
	})
	t.Run("Secure when the request is HTTPS behind a trusted proxy", func(t *testing.T) {
		app := sessionApp()
		app.Config.TrustedProxies = []string{"127.0.0.1"}
		req := httptest.NewRequest("POST", "/login?user=ada", nil)
		req.RemoteAddr = "127.0.0.1:4000"
		req.Header.Set("X-Forwarded-Proto", "https")
		ck := sessionCookie(app.TestClient().Do(req))
		require.NotNil(t, ck)
		assert.True(t, ck.Secure)
	})
}

func TestSessionIsSavedOnlyWhenModified(t *testing.T) {
	tc := sessionApp().TestClient()
	require.NotNil(t, sessionCookie(tc.Post("/login?user=ada", "", nil)))

	res := tc.Get("/me")
	assert.Nil(t, sessionCookie(res), "reading the session does not rewrite the cookie")
	assert.Contains(t, res.Header.Values("Vary"), "Cookie")

	res = tc.Get("/plain")
	assert.Nil(t, sessionCookie(res))
	assert.NotContains(t, res.Header.Values("Vary"), "Cookie", "a response that never touched the session does not vary on it")

	res = tc.Post("/forget", "", nil)
	assert.NotNil(t, sessionCookie(res), "deleting a key saves")
	assert.Equal(t, "ada|1|false|false", tc.Get("/me").Text())
}

func TestSessionClearDeletesTheCookie(t *testing.T) {
	tc := sessionApp().TestClient()
	tc.Post("/login?user=ada", "", nil)
	ck := sessionCookie(tc.Post("/logout", "", nil))
	require.NotNil(t, ck)
	assert.Equal(t, -1, ck.MaxAge)
	assert.Equal(t, "|0|false|false", tc.Get("/me").Text())
}

// tamper requests /me with a session cookie value and returns the answer.
func meWith(t *testing.T, app *flagon.App, value string) *flagon.TestResponse {
	t.Helper()
	req := httptest.NewRequest("GET", "/me", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: value})
	return app.TestClient().Do(req)
}

func TestSessionBadCookiesAreEmptySessions(t *testing.T) {
	app := sessionApp()
	good := sessionCookie(app.TestClient().Post("/login?user=ada", "", nil)).Value
	parts := strings.Split(good, ".")
	require.Len(t, parts, 3)
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"user":"eve","admin":true}`))

	other := sessionApp()
	other.Config.SecretKey = "another-secret"
	foreign := sessionCookie(other.TestClient().Post("/login?user=eve", "", nil)).Value

	cases := map[string]string{
		"a tampered payload":          forged + "." + parts[1] + "." + parts[2],
		"a truncated cookie":          good[:len(good)-5],
		"re-ordered parts":            parts[1] + "." + parts[0] + "." + parts[2],
		"base64 that is broken":       parts[0] + ".!!!." + parts[2],
		"a missing signature":         parts[0] + "." + parts[1],
		"one signed with another key": foreign,
		"garbage":                     "not-a-session",
	}
	for name, value := range cases {
		t.Run(name+" is an empty session, never an error", func(t *testing.T) {
			res := meWith(t, app, value)
			assert.Equal(t, 200, res.Code)
			assert.Equal(t, "|0|false|false", res.Text())
		})
	}
	t.Run("the good cookie still works", func(t *testing.T) {
		assert.Equal(t, "ada|1|true|false", meWith(t, app, good).Text())
	})
}

func TestSessionBadCookieIsReplacedOnTheNextSave(t *testing.T) {
	app := sessionApp()
	req := httptest.NewRequest("POST", "/login?user=bob", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "tampered.value.here"})
	res := app.TestClient().Do(req)
	ck := sessionCookie(res)
	require.NotNil(t, ck)
	assert.Equal(t, "bob|1|true|false", meWith(t, app, ck.Value).Text())
}

func TestSessionExpires(t *testing.T) {
	app := sessionApp()
	good := sessionCookie(app.TestClient().Post("/login?user=ada", "", nil)).Value
	app2 := sessionApp()
	app2.Config.SessionLifetime = -time.Second // every cookie is already too old
	assert.Equal(t, "|0|false|false", meWith(t, app2, good).Text())
}

func TestSessionKeyRotation(t *testing.T) {
	old := sessionApp()
	old.Config.SecretKey = "old-key"
	value := sessionCookie(old.TestClient().Post("/login?user=ada", "", nil)).Value

	rotated := sessionApp()
	rotated.Config.SecretKey = "new-key"
	rotated.Config.SecretKeyFallbacks = []string{"old-key"}
	res := meWith(t, rotated, value)
	assert.Equal(t, "ada|1|true|false", res.Text(), "a fallback key is accepted for reading")
	resigned := sessionCookie(res)
	require.NotNil(t, resigned, "the session is re-signed with the current key")

	current := sessionApp()
	current.Config.SecretKey = "new-key"
	assert.Equal(t, "ada|1|true|false", meWith(t, current, resigned.Value).Text())
	assert.Equal(t, "|0|false|false", meWith(t, current, value).Text(), "without the fallback the old cookie is refused")
}

func TestSessionWithoutSecretKeyIsAClearError(t *testing.T) {
	t.Run("in debug mode the page says which setting to set", func(t *testing.T) {
		app := sessionApp()
		app.Config.SecretKey = ""
		app.Config.Debug = true
		res := app.TestClient().Post("/login?user=ada", "", nil)
		assert.Equal(t, 500, res.Code)
		assert.Contains(t, res.Text(), "SecretKey")
		// The debug page shows the handler's source, which has the text.
		page := regexp.MustCompile(`(?s)<pre class="source">.*?</pre>`).ReplaceAllString(res.Text(), "")
		assert.NotContains(t, page, "welcome-body", "the handler's body is not sent")
		assert.Nil(t, sessionCookie(res))
	})
	t.Run("in production it is a plain 500 and the log says why", func(t *testing.T) {
		var log bytes.Buffer
		app := sessionApp()
		app.Config.SecretKey = ""
		app.Config.Logger = slog.New(slog.NewTextHandler(&log, nil))
		res := app.TestClient().Post("/login?user=ada", "", nil)
		assert.Equal(t, 500, res.Code)
		assert.NotContains(t, res.Text(), "SecretKey")
		assert.Contains(t, log.String(), "SecretKey")
	})
	t.Run("reading works and is empty", func(t *testing.T) {
		app := sessionApp()
		app.Config.SecretKey = ""
		assert.Equal(t, "|0|false|false", app.TestClient().Get("/me").Text())
	})
}

func TestSessionOverTheBrowserLimitIsAnError(t *testing.T) {
	var log bytes.Buffer
	app := flagon.New()
	app.Config.SecretKey = "k"
	app.Config.Logger = slog.New(slog.NewTextHandler(&log, nil))
	app.Get("/big", func(c *flagon.Context) error {
		c.Session().Set("blob", strings.Repeat("x", 5000))
		return c.Text(200, "ok")
	})
	res := app.TestClient().Get("/big")
	assert.Equal(t, 500, res.Code)
	assert.Nil(t, sessionCookie(res))
	assert.Contains(t, log.String(), "4093-byte browser limit")
}

func TestFlashMessagesAreReadOnce(t *testing.T) {
	app := flagon.New()
	app.Config.SecretKey = "k"
	app.Post("/save", func(c *flagon.Context) error {
		c.Flash("Saved.")
		c.Flash("Disk almost full.", "warning")
		return c.Redirect(303, "/")
	})
	app.Get("/", func(c *flagon.Context) error {
		var b strings.Builder
		for _, f := range c.Flashes() {
			b.WriteString(f.Category + ":" + f.Message + ";")
		}
		return c.Text(200, b.String())
	})
	tc := app.TestClient()
	require.Equal(t, 303, tc.Post("/save", "", nil).Code)
	assert.Equal(t, "message:Saved.;warning:Disk almost full.;", tc.Get("/").Text())
	assert.Equal(t, "", tc.Get("/").Text(), "flashes are gone once read")
}

type memoryStore struct{ data map[string]map[string]any }

func (m *memoryStore) Load(c *flagon.Context) (map[string]any, bool, error) {
	id, err := c.Cookie("sid")
	if err != nil {
		return nil, false, nil
	}
	return m.data[id], false, nil
}

func (m *memoryStore) Save(c *flagon.Context, values map[string]any, permanent bool) error {
	m.data["fixed-id"] = values
	c.SetCookie(&http.Cookie{Name: "sid", Value: "fixed-id", HttpOnly: true})
	return nil
}

func TestSessionStoreReplacesTheCookieStore(t *testing.T) {
	store := &memoryStore{data: map[string]map[string]any{}}
	app := sessionApp()
	app.Config.SessionStore = store
	tc := app.TestClient()
	res := tc.Post("/login?user=ada", "", nil)
	assert.Nil(t, sessionCookie(res), "no signed cookie with a server-side store")
	assert.Equal(t, "ada", store.data["fixed-id"]["user"])
	assert.Equal(t, "ada|1|true|false", tc.Get("/me").Text())
}
