package flagon_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDebugPageMasksCredentials(t *testing.T) {
	const (
		bearer    = "eyJhbGciOiJIUzI1NiJ9.bearer-secret-0123456789"
		proxyAuth = "cHJveHk6cHJveHktc2VjcmV0LTk4NzY1"
		sessionID = "sid-secret-value.signed.AbCdEf123456"
		theme     = "cookie-secret-dark-theme"
		apiKey    = "api-key-secret-55aa77bb"
		authToken = "auth-token-secret-31337"
		csrfToken = "csrf-token-secret-c0ffee"
		trace     = "visible-trace-value-42"
	)
	secrets := []string{bearer, proxyAuth, sessionID, theme, apiKey, authToken, csrfToken}

	app := quietApp()
	app.Config.Debug = true
	app.Config.SessionCookieName = "sid"
	app.Get("/panic", func(c *flagon.Context) error { panic("boom in the handler") })
	// A handler that puts a credential into its own panic: the page still
	// never shows it.
	app.Get("/echo", func(c *flagon.Context) error {
		ck, err := c.Request.Cookie("sid")
		require.NoError(t, err)
		panic("bad token " + c.Request.Header.Get("Authorization") + " for session " + ck.Value + " key " + c.Request.Header.Get("X-Api-Key") + " bare " + bearer)
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	get := func(t *testing.T, path, accept string) (*http.Response, string) {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", accept)
		req.Header.Set("Authorization", "Bearer "+bearer)
		req.Header.Set("Proxy-Authorization", "Basic "+proxyAuth)
		req.Header.Set("Cookie", "sid="+sessionID+"; theme="+theme)
		req.Header.Set("X-Api-Key", apiKey)
		req.Header.Set("X-Auth-Token", authToken)
		req.Header.Set("X-Csrf-Token", csrfToken)
		req.Header.Set("X-Trace", trace)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, string(body)
	}
	noSecrets := func(t *testing.T, body string) {
		t.Helper()
		for _, s := range secrets {
			assert.NotContains(t, body, s)
			assert.NotContains(t, body, s[4:len(s)-4], "not even in part")
		}
	}

	t.Run("the HTML page lists the headers with their values masked", func(t *testing.T) {
		res, body := get(t, "/panic", "text/html")
		require.Equal(t, 500, res.StatusCode)
		require.Contains(t, body, "boom in the handler", "it is the debug page")
		noSecrets(t, body)
		for _, name := range []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "X-Auth-Token", "X-Csrf-Token", "X-Trace", "User-Agent"} {
			assert.Contains(t, body, "<td>"+name+"</td>")
		}
		assert.Contains(t, body, fmt.Sprintf("Bearer [redacted, %d bytes]", len(bearer)), "the scheme stays readable")
		assert.Contains(t, body, fmt.Sprintf("Basic [redacted, %d bytes]", len(proxyAuth)))
		assert.Contains(t, body, fmt.Sprintf("<td>X-Api-Key</td><td>[redacted, %d bytes]</td>", len(apiKey)))
		assert.Contains(t, body, fmt.Sprintf("sid=[redacted, %d bytes]; theme=[redacted, %d bytes]", len(sessionID), len(theme)), "cookies are listed by name")
		assert.Contains(t, body, trace, "other headers are shown")
	})
	t.Run("a credential in the panic message is replaced", func(t *testing.T) {
		res, body := get(t, "/echo", "text/html")
		require.Equal(t, 500, res.StatusCode)
		require.Contains(t, body, fmt.Sprintf("bad token [redacted, %d bytes] for session [redacted, %d bytes]", len("Bearer "+bearer), len(sessionID)))
		noSecrets(t, body)
	})
	t.Run("the problem+json debug answer carries no headers", func(t *testing.T) {
		res, body := get(t, "/panic", "application/json")
		require.Equal(t, 500, res.StatusCode)
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
		require.Contains(t, body, "boom in the handler", "it is the debug answer")
		noSecrets(t, body)
	})
}
