package flagon_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statusLog records what an app middleware saw of each request: the final
// status and the status of the error the chain returned (0 for none).
type statusLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *statusLog) middleware(next flagon.HandlerFunc) flagon.HandlerFunc {
	return func(c *flagon.Context) error {
		err := next(c)
		code := 0
		var he *flagon.HTTPError
		if errors.As(err, &he) {
			code = he.Code
		}
		l.mu.Lock()
		l.seen = append(l.seen, fmt.Sprintf("%d err=%d", c.Response.Status(), code))
		l.mu.Unlock()
		return err
	}
}

func (l *statusLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.seen
	l.seen = nil
	return s
}

// hostsApp trusts the hosts given and the proxies given (ClientIPHeader
// header). Its /who answers "who <ExternalURLFor(who)>"; its 400 handler
// answers "refused <ExternalURLFor(who) or the error>", so a test sees
// which host the URL was built from on either side of the check.
func hostsApp(hosts, proxies []string, header string) (*flagon.App, *statusLog, *int) {
	app := quietApp()
	app.Config.TrustedHosts = hosts
	app.Config.TrustedProxies = proxies
	app.Config.ClientIPHeader = header
	log := &statusLog{}
	handled := new(int)
	app.Use(middleware.RequestID(), log.middleware)
	app.Get("/who", func(c *flagon.Context) error {
		*handled++
		u, err := c.ExternalURLFor("who")
		if err != nil {
			return err
		}
		return c.Text(200, "who "+u)
	}).Name("who")
	app.ErrorHandler(400, func(c *flagon.Context, err error) error {
		u, uerr := c.ExternalURLFor("who")
		if uerr != nil {
			u = uerr.Error()
		}
		return c.Text(400, "refused "+u)
	})
	return app, log, handled
}

// getHost sends GET /who to srv with the Host header host and the header
// lines given as name, value pairs.
func getHost(t *testing.T, srv *httptest.Server, host string, lines ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+"/who", nil)
	require.NoError(t, err)
	req.Host = host
	for i := 0; i+1 < len(lines); i += 2 {
		req.Header.Add(lines[i], lines[i+1])
	}
	res, err := noFollow().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

func TestTrustedHostsOverHTTP(t *testing.T) {
	app, log, handled := hostsApp([]string{"example.com", ".example.org", "[::1]"}, []string{"127.0.0.1", "::1"}, "X-Forwarded-For")
	srv := newServer(t, app)

	cases := []struct {
		name  string
		host  string
		lines []string
		code  int
		body  string
	}{
		{"an allowed host is answered", "example.com", nil, 200, "who http://example.com/who"},
		{"an allowed host in capitals is answered", "EXAMPLE.Com", nil, 200, "who http://EXAMPLE.Com/who"},
		{"the port of the Host is ignored", "example.com:8443", nil, 200, "who http://example.com:8443/who"},
		{"a leading-dot entry allows the domain itself", "example.org", nil, 200, "who http://example.org/who"},
		{"a leading-dot entry allows a subdomain", "api.example.org", nil, 200, "who http://api.example.org/who"},
		{"a leading-dot entry allows a deeper subdomain with a port", "a.b.Example.org:80", nil, 200, "who http://a.b.Example.org:80/who"},
		{"a bracketed IPv6 entry allows that address with a port", "[::1]:5000", nil, 200, "who http://[::1]:5000/who"},
		{"an IPv6 entry compares as an address", "[0:0::1]", nil, 200, "who http://[0:0::1]/who"},
		{"a trusted proxy's X-Forwarded-Host that is allowed is answered", "app.internal", []string{"X-Forwarded-Host", "api.example.org"}, 200, "who http://api.example.org/who"},

		{"another host gets 400", "evil.com", nil, 400, "refused flagon: ExternalURLFor: the request's host is missing, malformed or not in Config.TrustedHosts, and Config.ServerName is not set"},
		{"a subdomain of an exact entry gets 400", "www.example.com", nil, 400, ""},
		{"a name that only ends like a leading-dot entry gets 400", "notexample.org", nil, 400, ""},
		{"an allowed name followed by another domain gets 400", "example.com.evil.com", nil, 400, ""},
		{"a final dot is another name, as in Werkzeug", "example.com.", nil, 400, ""},
		{"another IPv6 address gets 400", "[::2]", nil, 400, ""},
		{"an IPv4 address not listed gets 400", "127.0.0.1", nil, 400, ""},
		{"a trusted proxy's X-Forwarded-Host that is not allowed gets 400", "example.com", []string{"X-Forwarded-Host", "evil.com"}, 400, ""},
		{"the right-most X-Forwarded-Host is the one checked", "example.com", []string{"X-Forwarded-Host", "example.com, evil.com"}, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := *handled
			res, body := getHost(t, srv, tc.host, tc.lines...)
			assert.Equal(t, tc.code, res.StatusCode, body)
			if tc.body != "" {
				assert.Equal(t, tc.body, body)
			}
			assert.NotEmpty(t, res.Header.Get("X-Request-ID"), "the RequestID middleware ran")
			if tc.code == 400 {
				assert.True(t, strings.HasPrefix(body, "refused "), "ErrorHandler(400) answered: %q", body)
				assert.NotContains(t, body, "evil", "no URL is built from the refused host")
				assert.Equal(t, before, *handled, "no handler ran")
				assert.Equal(t, []string{"400 err=400"}, log.take(), "the app middleware saw the 400 and its error")
			} else {
				assert.Equal(t, before+1, *handled)
				assert.Equal(t, []string{"200 err=0"}, log.take())
			}
		})
	}

	t.Run("a request without a Host gets 400", func(t *testing.T) {
		conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), 5*time.Second)
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
		_, err = io.WriteString(conn, "GET /who HTTP/1.0\r\n\r\n")
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, 400, res.StatusCode)
		assert.NotEmpty(t, res.Header.Get("X-Request-ID"))
		assert.Equal(t, []string{"400 err=400"}, log.take())
	})

	t.Run("an untrusted host is refused on every path, also one no route has", func(t *testing.T) {
		req, err := http.NewRequest("GET", srv.URL+"/nowhere", nil)
		require.NoError(t, err)
		req.Host = "evil.com"
		res, err := noFollow().Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 400, res.StatusCode, "400 for the host, not 404 for the path")
		assert.Equal(t, []string{"400 err=400"}, log.take())
	})
}

func TestTrustedHostsAndForwardingFromPeersThatAreNotTrusted(t *testing.T) {
	// The test's client connects from 127.0.0.1, which is not trusted here.
	app, _, _ := hostsApp([]string{"example.com"}, []string{"10.0.0.0/8"}, "X-Forwarded-For")
	srv := newServer(t, app)
	t.Run("an untrusted peer's X-Forwarded-Host is ignored: the allowed Host is answered", func(t *testing.T) {
		res, body := getHost(t, srv, "example.com", "X-Forwarded-Host", "evil.com")
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "who http://example.com/who", body)
	})
	t.Run("an untrusted peer's X-Forwarded-Host does not let another Host in", func(t *testing.T) {
		res, _ := getHost(t, srv, "evil.com", "X-Forwarded-Host", "example.com")
		assert.Equal(t, 400, res.StatusCode)
	})
}

func TestTrustedHostsWithForwarded(t *testing.T) {
	app, _, _ := hostsApp([]string{"example.com"}, []string{"127.0.0.1", "::1"}, "Forwarded")
	srv := newServer(t, app)
	t.Run("the host of the last Forwarded element is checked and allowed", func(t *testing.T) {
		res, body := getHost(t, srv, "app.internal", "Forwarded", `for=6.6.6.6;host=evil.com, for=198.51.100.7;proto=https;host="example.com"`)
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "who https://example.com/who", body)
	})
	t.Run("a Forwarded host that is not allowed gets 400", func(t *testing.T) {
		res, _ := getHost(t, srv, "example.com", "Forwarded", `for=198.51.100.7;host=evil.com`)
		assert.Equal(t, 400, res.StatusCode)
	})
}

func TestExternalURLForFallsBackToServerNameForARefusedHost(t *testing.T) {
	app, _, _ := hostsApp([]string{"example.com"}, []string{"127.0.0.1", "::1"}, "X-Forwarded-For")
	app.Config.ServerName = "canonical.example.com"
	app.Config.PreferredURLScheme = "https"
	srv := newServer(t, app)
	res, body := getHost(t, srv, "example.com", "X-Forwarded-Host", "evil.com")
	assert.Equal(t, 400, res.StatusCode)
	assert.Equal(t, "refused https://canonical.example.com/who", body, "an error handler's URL uses ServerName, never the forwarded host")
}

func TestExternalURLForNeverBuildsFromAMalformedHost(t *testing.T) {
	malformed := []struct{ name, host string }{
		{"an unclosed IPv6 bracket", "[::1"},
		{"a port past 65535", "host:99999"},
		{"a space", "a b"},
		{"a path", "evil.com/path"},
		{"no host at all", ""},
		{"userinfo", "user@evil.com"},
		{"an IPv6 zone", "[fe80::1%eth0]"},
		{"an IPv4 address in brackets", "[127.0.0.1]"},
		{"an unbracketed IPv6 address", "2001:db8::1"},
		{"an empty label", "a..b"},
		{"a leading dot", ".example.com"},
		{"two ports", "example.com:80:80"},
	}
	newApp := func(serverName string) *flagon.App {
		app := quietApp()
		app.Config.ServerName = serverName
		app.Get("/who", func(c *flagon.Context) error {
			u, err := c.ExternalURLFor("who", "q", "1")
			if err != nil {
				return c.Text(200, "error "+err.Error())
			}
			return c.Text(200, u)
		}).Name("who")
		return app
	}
	withName, without := newApp("example.org"), newApp("")
	for _, tc := range malformed {
		t.Run("with "+tc.name+" the URL uses Config.ServerName", func(t *testing.T) {
			req := httptest.NewRequest("GET", "/who", nil)
			req.Host = tc.host
			got := withName.TestClient().Do(req).Text()
			assert.Equal(t, "http://example.org/who?q=1", got)
			_, err := url.Parse(got)
			assert.NoError(t, err)
		})
		t.Run("with "+tc.name+" and no ServerName it is an error", func(t *testing.T) {
			req := httptest.NewRequest("GET", "/who", nil)
			req.Host = tc.host
			got := without.TestClient().Do(req).Text()
			assert.Equal(t, "error flagon: ExternalURLFor: the request's host is missing, malformed or not in Config.TrustedHosts, and Config.ServerName is not set", got)
		})
	}

	t.Run("over HTTP, hosts net/http lets through are not built from", func(t *testing.T) {
		srv := newServer(t, withName)
		for _, host := range []string{"[::1", "host:99999"} { // net/http's client drops an IPv6 zone itself
			req, err := http.NewRequest("GET", srv.URL+"/who", nil)
			require.NoError(t, err)
			req.Host = host
			res, err := noFollow().Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			require.NoError(t, err)
			require.Equal(t, 200, res.StatusCode, "net/http passes %q on to the app", host)
			assert.Equal(t, "http://example.org/who?q=1", string(body), host)
		}
	})

	t.Run("a valid host is used", func(t *testing.T) {
		for _, host := range []string{"example.com", "example.com:8080", "[2001:db8::1]:443", "192.0.2.1", "example.com."} {
			req := httptest.NewRequest("GET", "/who", nil)
			req.Host = host
			assert.Equal(t, "http://"+host+"/who?q=1", without.TestClient().Do(req).Text())
		}
	})

	t.Run("a malformed ServerName is an error, not a URL", func(t *testing.T) {
		app := newApp("bad host")
		req := httptest.NewRequest("GET", "/who", nil)
		req.Host = "[::1"
		assert.Equal(t, `error flagon: ExternalURLFor: Config.ServerName "bad host" is not a valid host[:port]`, app.TestClient().Do(req).Text())
	})
}

func TestTrustedHostsEntriesThatAreNotHosts(t *testing.T) {
	ask := func(app *flagon.App, host string) int {
		req := httptest.NewRequest("GET", "/", nil)
		req.Host = host
		return app.TestClient().Do(req).Code
	}
	for _, e := range []string{"*", "exa mple.com", "bücher.example", ".[::1]", "example.com/path", "", "[::1"} {
		t.Run(fmt.Sprintf("%q matches nothing and is logged", e), func(t *testing.T) {
			var logs bytes.Buffer
			app := quietApp()
			app.Config.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			app.Config.TrustedHosts = []string{e}
			app.Get("/", func(c *flagon.Context) error { return c.Text(200, "ok") })
			assert.Equal(t, 400, ask(app, "example.com"), "a list of bad entries refuses every host")
			assert.Contains(t, logs.String(), "level=ERROR")
			assert.Contains(t, logs.String(), "Config.TrustedHosts")
		})
	}
	t.Run("a good entry beside a bad one, with spaces and a port, still allows its host", func(t *testing.T) {
		app := quietApp()
		app.Config.TrustedHosts = []string{"*", " Example.COM:8080 ", "::1"}
		app.Get("/", func(c *flagon.Context) error { return c.Text(200, "ok") })
		assert.Equal(t, 200, ask(app, "example.com"))
		assert.Equal(t, 200, ask(app, "[::1]:80"), "an IPv6 entry may be written without brackets")
		assert.Equal(t, 400, ask(app, "evil.com"))
	})
	t.Run("no TrustedHosts answers any host", func(t *testing.T) {
		app := quietApp()
		app.Get("/", func(c *flagon.Context) error { return c.Text(200, "ok") })
		assert.Equal(t, 200, ask(app, "evil.com"))
	})
}

func TestTrustedHostsFromEnv(t *testing.T) {
	t.Setenv("FLAGON_TRUSTED_HOSTS", "example.com, .example.org,,")
	c := flagon.DefaultConfig()
	require.NoError(t, c.FromEnv("FLAGON"))
	assert.Equal(t, []string{"example.com", ".example.org"}, c.TrustedHosts)
}

func TestATrustedHostAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items); .ci/run runs this test without -race")
	}
	w := newDiscardWriter()
	cases := []struct {
		name, header string
		lines        []string
	}{
		{"from the Host header", "X-Forwarded-For", nil},
		{"from a trusted proxy's X-Forwarded-Host", "X-Forwarded-For", []string{"X-Forwarded-Host", "evil.com, api.example.org"}},
		{"from a trusted proxy's Forwarded host", "Forwarded", []string{"Forwarded", `for=192.0.2.1;host="api.example.org";proto=https`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := flagon.New()
			app.Config.TrustedHosts = []string{"example.com", ".example.org"}
			app.Config.TrustedProxies = []string{"127.0.0.1"}
			app.Config.ClientIPHeader = tc.header
			app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
			req, _ := http.NewRequest("GET", "http://example.com/", nil)
			req.RemoteAddr = "127.0.0.1:1234"
			for i := 0; i+1 < len(tc.lines); i += 2 {
				req.Header.Add(tc.lines[i], tc.lines[i+1])
			}
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, req)
			require.Equal(t, 200, rec.Code, "the host is trusted")
			assert.Zero(t, testing.AllocsPerRun(200, func() { app.ServeHTTP(w, req) }))
		})
	}
}

// BenchmarkServeHTTPTrustedHosts is BenchmarkServeHTTPHello with the host
// check on: www.example.com against three entries, the last matching.
func BenchmarkServeHTTPTrustedHosts(b *testing.B) {
	app := flagon.New()
	app.Config.TrustedHosts = []string{"localhost", "[::1]", ".example.com"}
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
	req, _ := http.NewRequest("GET", "http://www.example.com/", nil)
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		app.ServeHTTP(w, req)
	}
}
