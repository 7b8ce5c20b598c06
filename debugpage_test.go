package flagon_test

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
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

// The files in testdata/errorpage are the answers the framework gave
// before the debugger page existed: with debug off nothing of it shows.
func TestErrorAnswersWithDebugOffAreUnchanged(t *testing.T) {
	app := quietApp()
	app.Get("/panic", func(c *flagon.Context) error { panic("secret boom") })
	app.Get("/error", func(c *flagon.Context) error { return errors.New("secret failure") })
	app.Get("/abort", func(c *flagon.Context) error { return flagon.Abort(403, "no <entry>") })
	srv := httptest.NewServer(app)
	defer srv.Close()
	for _, path := range []string{"panic", "error", "abort"} {
		for _, format := range []string{"html", "json"} {
			t.Run(path+" as "+format, func(t *testing.T) {
				want, err := os.ReadFile("testdata/errorpage/" + path + "." + format)
				require.NoError(t, err)
				req, err := http.NewRequest("POST", srv.URL+"/"+path+"?token=abcdef123", nil)
				require.NoError(t, err)
				req.Method = "GET"
				req.Header.Set("Accept", map[string]string{"html": "text/html", "json": "application/json"}[format])
				req.Header.Set("Authorization", "Bearer secret-bearer-123456")
				req.Header.Set("Cookie", "session=secret-cookie-123456")
				res, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer res.Body.Close()
				got, err := io.ReadAll(res.Body)
				require.NoError(t, err)
				assert.Equal(t, string(want), string(got), "byte for byte the answer of before")
				ct := map[string]string{"html": "text/html; charset=utf-8", "json": "application/problem+json"}[format]
				assert.Equal(t, ct, res.Header.Get("Content-Type"))
			})
		}
	}
}

// stackError is an error that carries the stack where it was made, as
// github.com/pkg/errors' errors do (Callers is the convention of several
// error packages; StackTrace the pkg/errors one, checked below).
type stackError struct {
	msg string
	pcs []uintptr
}

func (e *stackError) Error() string { return e.msg }

func (e *stackError) Callers() []uintptr { return e.pcs }

func newStackError(msg string) error {
	pcs := make([]uintptr, 32)
	return &stackError{msg: msg, pcs: pcs[:runtime.Callers(2, pcs)]}
}

// pkgFrame and pkgStack are shaped as github.com/pkg/errors' Frame and
// StackTrace.
type (
	pkgFrame uintptr
	pkgStack []pkgFrame
)

type pkgError struct{ stack pkgStack }

func (e *pkgError) Error() string { return "made by a pkg/errors look-alike" }

func (e *pkgError) StackTrace() pkgStack { return e.stack }

func newPkgError() error {
	pcs := make([]uintptr, 32)
	pcs = pcs[:runtime.Callers(2, pcs)]
	st := make(pkgStack, len(pcs))
	for i, pc := range pcs {
		st[i] = pkgFrame(pc)
	}
	return &pkgError{stack: st}
}

var (
	frameRE   = regexp.MustCompile(`(?s)<div class="frame (\w+)"><div class="where">(.*?)</div>(?:<pre class="source">(.*?)</pre>)?</div>`)
	currentRE = regexp.MustCompile(`<span class="current"><i>\d+</i>([^<]*)</span>`)
)

type pageFrame struct{ kind, where, current string }

// framesOf lists the page's frames in order, with the text of the line
// each one marks.
func pageFrames(page string) []pageFrame {
	var out []pageFrame
	for _, m := range frameRE.FindAllStringSubmatch(page, -1) {
		f := pageFrame{kind: m[1], where: m[2]}
		if c := currentRE.FindStringSubmatch(m[3]); c != nil {
			f.current = html.UnescapeString(c[1])
		}
		out = append(out, f)
	}
	return out
}

func loadUser(c *flagon.Context) error {
	return fmt.Errorf("loading user %s: %w", c.Param("id"), os.ErrNotExist)
}

func TestDebugPageShowsTheStack(t *testing.T) {
	app := quietApp()
	app.Config.Debug = true
	app.Get("/panic", func(c *flagon.Context) error {
		var m map[string]int
		m["x"] = 1 // the panic's line
		return nil
	})
	app.Get("/users/<id>", loadUser)
	app.Get("/made", func(c *flagon.Context) error { return fmt.Errorf("wrapped: %w", newStackError("made with a stack")) })
	app.Get("/pkg", func(c *flagon.Context) error { return newPkgError() })
	app.Get("/hook", func(c *flagon.Context) error { return nil })
	app.BeforeRequest(func(c *flagon.Context) error {
		if c.Request.URL.Path == "/hook" {
			return errors.New("refused by a hook")
		}
		return nil
	})
	get := func(t *testing.T, path string) string {
		res := app.TestClient().Get(path)
		require.Equal(t, 500, res.Code)
		return res.Text()
	}

	t.Run("a panic's stack starts at the application's line that panicked, with its source", func(t *testing.T) {
		frames := pageFrames(get(t, "/panic"))
		require.NotEmpty(t, frames)
		assert.Equal(t, "app", frames[0].kind)
		assert.Contains(t, frames[0].where, "TestDebugPageShowsTheStack.func1")
		assert.Contains(t, frames[0].where, "debugpage_test.go:")
		assert.Contains(t, frames[0].current, `m["x"] = 1 // the panic's line`)
	})
	t.Run("the framework's and the standard library's frames are collapsed", func(t *testing.T) {
		page := get(t, "/panic")
		stack := page[strings.Index(page, `<div id="stack">`):]
		stack = stack[:strings.Index(stack, "\n")]
		outside := regexp.MustCompile(`(?s)<details class="frames \w+">.*?</details>`).ReplaceAllString(stack, "")
		for _, f := range pageFrames(outside) {
			assert.Equal(t, "app", f.kind, "only application frames are outside a <details>: %s", f.where)
		}
		inside := pageFrames(stack)
		kinds := map[string]bool{}
		for _, f := range inside {
			kinds[f.kind] = true
		}
		assert.True(t, kinds["framework"] && kinds["stdlib"], "%v", kinds)
		assert.Contains(t, stack, `<summary>`, "the groups are collapsed")
		assert.NotContains(t, stack, "<details open")
	})
	t.Run("the error chain lists each error's type and text", func(t *testing.T) {
		page := get(t, "/users/7")
		assert.Contains(t, page, `<li><code class="type">*fmt.wrapError</code> loading user 7: file does not exist</li>`)
		assert.Contains(t, page, `<li><code class="type">*errors.errorString</code> file does not exist</li>`)
	})
	t.Run("a returned error shows the handler it was returned from, above the framework's frames", func(t *testing.T) {
		frames := pageFrames(get(t, "/users/7"))
		require.NotEmpty(t, frames)
		assert.Contains(t, frames[0].where, `<span class="note">returned from the handler</span>`)
		assert.Contains(t, frames[0].where, "flagon_test.loadUser")
		assert.Equal(t, "func loadUser(c *flagon.Context) error {", frames[0].current)
		assert.Equal(t, "framework", frames[1].kind)
	})
	t.Run("an error carrying its stack shows where it was made", func(t *testing.T) {
		frames := pageFrames(get(t, "/made"))
		require.NotEmpty(t, frames)
		assert.Equal(t, "app", frames[0].kind)
		assert.Contains(t, frames[0].current, `newStackError("made with a stack")`)
	})
	t.Run("so does a github.com/pkg/errors stack", func(t *testing.T) {
		frames := pageFrames(get(t, "/pkg"))
		require.NotEmpty(t, frames)
		assert.Contains(t, frames[0].current, `return newPkgError()`)
	})
	t.Run("an error of a hook is not said to be the handler's", func(t *testing.T) {
		page := get(t, "/hook")
		assert.NotContains(t, page, `<span class="note">returned from the handler</span>`)
		assert.Contains(t, page, "refused by a hook")
	})
}

func TestDebugPageMasksRequestValuesAndReplaysThem(t *testing.T) {
	const (
		password = "hunter2-password-value"
		apiToken = "query-token-value-77"
		gSecret  = "g-secret-value-4242"
		jsonPass = "json-password-value-99"
	)
	app := quietApp()
	app.Config.Debug = true
	app.Config.SecretKey = "a-long-random-secret-key-for-the-test"
	app.Post("/login", func(c *flagon.Context) error {
		_ = c.Form("user")
		c.Set("user_id", 42)
		c.Set("api_secret", gSecret)
		c.Session().Set("reset_token", "session-token-value-13")
		c.Session().Set("theme", "dark")
		return errors.New("login failed for " + c.Form("user"))
	}).Name("login")
	app.Post("/api", func(c *flagon.Context) error {
		var v map[string]any
		if err := c.Bind(&v); err != nil {
			return err
		}
		return errors.New("api failed")
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	post := func(t *testing.T, path, ct, body string) string {
		req, err := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Accept", "text/html")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, 500, res.StatusCode)
		return string(b)
	}
	page := post(t, "/login?api_token="+apiToken+"&next=/home", "application/x-www-form-urlencoded", url.Values{"user": {"ada"}, "password": {password}}.Encode())
	text := html.UnescapeString(page)

	t.Run("secret fields of the query, the form, g and the session are masked everywhere", func(t *testing.T) {
		for _, s := range []string{password, apiToken, gSecret, "session-token-value-13"} {
			assert.NotContains(t, text, s)
		}
		assert.Contains(t, page, `<table id="query"><tr><td>api_token</td><td>[redacted, 20 bytes]</td></tr><tr><td>next</td><td>/home</td></tr></table>`)
		assert.Contains(t, page, `<tr><td>password</td><td>[redacted, 22 bytes]</td></tr><tr><td>user</td><td>ada</td></tr>`)
		assert.Contains(t, page, `<tr><td>api_secret</td><td>[redacted, 19 bytes]</td></tr><tr><td>user_id</td><td>42  (int)</td></tr>`)
		assert.Contains(t, page, `<tr><td>theme</td><td>dark  (string)</td></tr>`)
	})
	t.Run("the curl command has placeholders for them", func(t *testing.T) {
		curl := html.UnescapeString(regexp.MustCompile(`(?s)<pre id="curl">(.*?)</pre>`).FindStringSubmatch(page)[1])
		assert.Contains(t, curl, "curl -i -X 'POST' '"+srv.URL+"/login?api_token=REDACTED&next=%2Fhome'")
		assert.Contains(t, curl, "--data-binary 'password=REDACTED&user=ada'")
		assert.Contains(t, curl, "-H 'Content-Type: application/x-www-form-urlencoded'")
		assert.NotContains(t, curl, "Content-Length")
	})
	t.Run("the Go test replays the request in the handler's package", func(t *testing.T) {
		test := html.UnescapeString(regexp.MustCompile(`(?s)<pre id="gotest">(.*?)</pre>`).FindStringSubmatch(page)[1])
		assert.True(t, strings.HasPrefix(test, "package flagon_test\n"), test)
		assert.Contains(t, test, "func TestReplayLogin(t *testing.T) {")
		assert.Contains(t, test, `req := httptest.NewRequest("POST", "/login?api_token=REDACTED&next=%2Fhome", strings.NewReader("password=REDACTED&user=ada"))`)
		assert.Contains(t, test, "if res.Code == 500 {")
	})
	t.Run("secret keys of a JSON body are masked at any depth", func(t *testing.T) {
		page := post(t, "/api", "application/json", `{"user":{"name":"ada","password":"`+jsonPass+`"}}`)
		assert.NotContains(t, html.UnescapeString(page), jsonPass)
		assert.Contains(t, html.UnescapeString(page), `--data-binary '{"user":{"name":"ada","password":"REDACTED"}}'`)
	})
}
