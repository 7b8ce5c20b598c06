package flagon

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seen is what the app believed about one request.
type seen struct {
	Code                            int
	IP, Scheme, Host, URL, External string
	Location                        string
}

// proxiedApp answers /who with what it believes about the request, and has
// a /dir/ route for the router's trailing-slash redirect. Its log goes to
// the returned buffer.
func proxiedApp(trusted []string, header string) (*App, *bytes.Buffer) {
	logs := &bytes.Buffer{}
	app := New()
	app.Config.Logger = slog.New(slog.NewTextHandler(logs, nil))
	app.Config.TrustedProxies = trusted
	app.Config.ClientIPHeader = header
	app.Get("/who", func(c *Context) error {
		u, err := c.URLFor("who")
		if err != nil {
			return err
		}
		ext, err := c.ExternalURLFor("who")
		if err != nil {
			return err
		}
		return c.Text(200, strings.Join([]string{c.ClientIP(), c.Scheme(), c.Host(), u, ext}, "\n"))
	}).Name("who")
	app.Get("/dir/", func(c *Context) error { return c.Text(200, "dir") })
	return app, logs
}

// ask sends target to app from peer with the header lines given as name,
// value pairs (repeated names become several lines, in order).
func ask(app *App, peer, target string, lines ...string) seen {
	req := httptest.NewRequest("GET", target, nil)
	req.RemoteAddr = peer
	for i := 0; i+1 < len(lines); i += 2 {
		req.Header.Add(lines[i], lines[i+1])
	}
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	s := seen{Code: rec.Code, Location: rec.Header().Get("Location")}
	if f := strings.Split(rec.Body.String(), "\n"); rec.Code == 200 && len(f) == 5 {
		s.IP, s.Scheme, s.Host, s.URL, s.External = f[0], f[1], f[2], f[3], f[4]
	}
	return s
}

// forged is every forwarding header at once, all saying something else
// than the request.
var forged = []string{
	"X-Forwarded-For", "6.6.6.6",
	"X-Real-IP", "6.6.6.7",
	"Forwarded", `for=6.6.6.8;proto=https;host=evil.example`,
	"X-Forwarded-Proto", "https",
	"X-Forwarded-Host", "evil.example",
	"X-Forwarded-Prefix", "/evil",
}

func TestForwardingHeadersFromAPeerThatIsNotTrustedAreIgnored(t *testing.T) {
	cases := []struct {
		name    string
		trusted []string
		peer    string
		want    string
	}{
		{"with no trusted proxies an IPv4 peer is the client", nil, "203.0.113.9:5555", "203.0.113.9"},
		{"with no trusted proxies an IPv6 peer is the client", nil, "[2001:db8::9]:5555", "2001:db8::9"},
		{"a peer outside the trusted CIDRs is the client", []string{"10.0.0.0/8", "fd00::/8"}, "203.0.113.9:5555", "203.0.113.9"},
		{"an IPv6 peer outside the trusted CIDRs is the client", []string{"10.0.0.0/8", "fd00::/8"}, "[2001:db8::9]:5555", "2001:db8::9"},
		{"a loopback peer is not trusted unless listed", []string{"10.0.0.1"}, "127.0.0.1:5555", "127.0.0.1"},
	}
	for _, tc := range cases {
		for _, header := range []string{"X-Forwarded-For", "X-Real-IP", "Forwarded", ""} {
			t.Run(tc.name+" whatever ClientIPHeader "+header+" says", func(t *testing.T) {
				app, _ := proxiedApp(tc.trusted, header)
				got := ask(app, tc.peer, "http://app.example/who", forged...)
				assert.Equal(t, seen{Code: 200, IP: tc.want, Scheme: "http", Host: "app.example", URL: "/who", External: "http://app.example/who"}, got)

				redirect := ask(app, tc.peer, "http://app.example/dir", forged...)
				assert.Equal(t, 308, redirect.Code)
				assert.Equal(t, "/dir/", redirect.Location, "no prefix in the router's redirect")
			})
		}
	}
}

func TestClientIPFromATrustedProxy(t *testing.T) {
	cases := []struct {
		name    string
		trusted []string
		header  string
		peer    string
		lines   []string
		want    string
	}{
		// X-Real-IP: the value, as the usual Flask nginx setup sets it.
		{"X-Real-IP is the client when a trusted IPv4 peer sends it",
			[]string{"127.0.0.1", "::1"}, "X-Real-IP", "127.0.0.1:40000", []string{"X-Real-IP", "198.51.100.7"}, "198.51.100.7"},
		{"X-Real-IP is the client when a trusted IPv6 peer sends it",
			[]string{"127.0.0.1", "::1"}, "X-Real-IP", "[::1]:40000", []string{"X-Real-IP", "2001:db8::7"}, "2001:db8::7"},
		{"a peer inside a trusted IPv4 CIDR is trusted",
			[]string{"10.0.0.0/8"}, "X-Real-IP", "10.20.30.40:1", []string{"X-Real-IP", "198.51.100.7"}, "198.51.100.7"},
		{"a peer inside a trusted IPv6 CIDR is trusted",
			[]string{"fd00::/8"}, "X-Real-IP", "[fd00::2]:1", []string{"X-Real-IP", "198.51.100.7"}, "198.51.100.7"},
		{"an IPv4-mapped IPv6 peer matches a trusted IPv4 address",
			[]string{"127.0.0.1"}, "X-Real-IP", "[::ffff:127.0.0.1]:1", []string{"X-Real-IP", "198.51.100.7"}, "198.51.100.7"},
		{"an IPv4 peer matches a trusted IPv4-mapped address",
			[]string{"::ffff:127.0.0.1"}, "X-Real-IP", "127.0.0.1:1", []string{"X-Real-IP", "198.51.100.7"}, "198.51.100.7"},
		{"an IPv4 peer matches a trusted IPv4-mapped CIDR",
			[]string{"::ffff:10.0.0.0/104"}, "X-Real-IP", "10.1.2.3:1", []string{"X-Real-IP", "198.51.100.7"}, "198.51.100.7"},
		{"X-Real-IP may carry a port",
			[]string{"127.0.0.1"}, "X-Real-IP", "127.0.0.1:1", []string{"X-Real-IP", "198.51.100.7:4711"}, "198.51.100.7"},
		{"an IPv4-mapped X-Real-IP is unmapped",
			[]string{"127.0.0.1"}, "X-Real-IP", "127.0.0.1:1", []string{"X-Real-IP", "::ffff:198.51.100.7"}, "198.51.100.7"},
		{"a client's X-Forwarded-For passed through a proxy configured for X-Real-IP is ignored (the usual Flask nginx setup)",
			[]string{"127.0.0.1", "::1"}, "X-Real-IP", "127.0.0.1:1", []string{"X-Forwarded-For", "6.6.6.6", "X-Real-IP", "198.51.100.7", "Forwarded", "for=6.6.6.8"}, "198.51.100.7"},
		{"the last X-Real-IP line is the one the proxy added",
			[]string{"127.0.0.1"}, "X-Real-IP", "127.0.0.1:1", []string{"X-Real-IP", "6.6.6.6", "X-Real-IP", "198.51.100.7"}, "198.51.100.7"},
		{"ClientIPHeader names its header in any case",
			[]string{"127.0.0.1"}, "X-Real-Ip", "127.0.0.1:1", []string{"X-Forwarded-For", "6.6.6.6", "X-Real-IP", "198.51.100.7"}, "198.51.100.7"},

		// X-Forwarded-For: the right-most address that is not trusted.
		{"X-Forwarded-For gives the right-most address that is not trusted",
			[]string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", []string{"X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.5"}, "198.51.100.7"},
		{"an empty ClientIPHeader means X-Forwarded-For",
			[]string{"10.0.0.0/8"}, "", "10.0.0.2:1", []string{"X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.5", "X-Real-IP", "6.6.6.7"}, "198.51.100.7"},
		{"X-Forwarded-For is read over several header lines in order",
			[]string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", []string{"X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "198.51.100.7, 10.0.0.5", "X-Forwarded-For", "10.0.0.6"}, "198.51.100.7"},
		{"X-Forwarded-For hops may carry ports and brackets",
			[]string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", []string{"X-Forwarded-For", "[2001:db8::9]:443, 10.0.0.5:80"}, "2001:db8::9"},
		{"a bracketed IPv6 hop without a port is read",
			[]string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", []string{"X-Forwarded-For", "[2001:db8::9]"}, "2001:db8::9"},
		{"an IPv4 hop with a port is read",
			[]string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", []string{"X-Forwarded-For", "198.51.100.7:1234"}, "198.51.100.7"},
		{"when every hop is trusted the left-most is the client",
			[]string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", []string{"X-Forwarded-For", "10.1.1.1, 10.0.0.5"}, "10.1.1.1"},
		{"IPv6 hops are walked through a trusted IPv6 CIDR",
			[]string{"2001:db8:ffff::/48"}, "X-Forwarded-For", "[2001:db8:ffff::1]:1", []string{"X-Forwarded-For", "2001:db8::7, 2001:db8:ffff::2"}, "2001:db8::7"},
		{"trusted IPv4 and IPv6 proxies mix in one chain",
			[]string{"127.0.0.1", "::1", "10.0.0.0/8"}, "X-Forwarded-For", "[::1]:1", []string{"X-Forwarded-For", "198.51.100.7, 10.0.0.5, 127.0.0.1"}, "198.51.100.7"},
		{"an IPv4-mapped hop is unmapped and matched against trusted IPv4",
			[]string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", []string{"X-Forwarded-For", "198.51.100.7, ::ffff:10.0.0.5"}, "198.51.100.7"},
		{"an X-Forwarded-For that is missing leaves the peer",
			[]string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", nil, "10.0.0.2"},

		// Forwarded (RFC 7239): the same walk over for= parameters.
		{"Forwarded for= of one element is the client",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", "for=192.0.2.60;proto=https;host=example.com"}, "192.0.2.60"},
		{"Forwarded gives the right-most for= that is not trusted",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", "for=6.6.6.6, for=192.0.2.60;proto=http, for=10.0.0.5"}, "192.0.2.60"},
		{"Forwarded reads a quoted IPv6 address with a port",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", `for="[2001:db8::1]:4711"`}, "2001:db8::1"},
		{"Forwarded elements are read over several header lines",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", "for=6.6.6.6", "Forwarded", "for=192.0.2.60", "Forwarded", "for=10.0.0.5"}, "192.0.2.60"},
		{"Forwarded parameter names are case-insensitive",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", "For=192.0.2.60;Proto=https"}, "192.0.2.60"},
		{"a quoted comma does not split a Forwarded element",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", `for=192.0.2.60;host="a,b", for=10.0.0.5`}, "192.0.2.60"},
		{"when every Forwarded hop is trusted the left-most is the client",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", "for=10.9.9.9, for=10.0.0.5"}, "10.9.9.9"},
		{"for=unknown stops the walk at the last good hop",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", "for=6.6.6.6, for=unknown, for=10.0.0.5"}, "10.0.0.5"},
		{"for=unknown as the right-most hop leaves the peer",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", "for=192.0.2.60, for=unknown"}, "10.0.0.2"},
		{"an obfuscated node leaves the peer",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", "for=_hidden"}, "10.0.0.2"},
		{"an element without for= counts as a malformed hop",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"Forwarded", "for=192.0.2.60, proto=https"}, "10.0.0.2"},
		{"with ClientIPHeader Forwarded a forged X-Forwarded-For is ignored",
			[]string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", []string{"X-Forwarded-For", "6.6.6.6", "Forwarded", "for=192.0.2.60"}, "192.0.2.60"},

		// A ClientIPHeader Flagon does not know believes nothing.
		{"an unknown ClientIPHeader believes no header",
			[]string{"10.0.0.0/8"}, "X-Client-IP", "10.0.0.2:1", []string{"X-Forwarded-For", "6.6.6.6", "X-Real-IP", "6.6.6.7", "X-Client-IP", "6.6.6.8"}, "10.0.0.2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app, _ := proxiedApp(tc.trusted, tc.header)
			got := ask(app, tc.peer, "http://app.example/who", tc.lines...)
			require.Equal(t, 200, got.Code)
			assert.Equal(t, tc.want, got.IP)
		})
	}
}

// TestMalformedForwardingValuesAreIgnored documents the fallback: a
// malformed X-Real-IP leaves the peer; X-Forwarded-For and Forwarded are
// walked right to left and a malformed hop stops the walk, so the client is
// the last good hop to its right, or the peer when there is none.
func TestMalformedForwardingValuesAreIgnored(t *testing.T) {
	bad := map[string]string{
		"garbage":                         "garbage",
		"three octets":                    "1.2.3",
		"an octet past 255":               "999.1.1.1",
		"five octets":                     "1.2.3.4.5",
		"a leading zero":                  "01.2.3.4",
		"an empty value":                  "",
		"a lone quote":                    `"`,
		"a port past 65535":               "1.2.3.4:99999",
		"an IPv6 zone":                    "fe80::1%eth0",
		"a bracketed IPv6 zone with port": "[fe80::1%eth0]:80",
		"an unclosed bracket":             "[2001:db8::1",
		"an overlong value":               strings.Repeat("1.", 3000) + "1",
		"a host name":                     "localhost",
	}
	for name, v := range bad {
		t.Run("X-Real-IP with "+name+" leaves the peer", func(t *testing.T) {
			app, _ := proxiedApp([]string{"10.0.0.0/8"}, "X-Real-IP")
			got := ask(app, "10.0.0.2:1", "http://app.example/who", "X-Real-IP", v)
			require.Equal(t, 200, got.Code)
			assert.Equal(t, "10.0.0.2", got.IP)
		})
		t.Run("X-Forwarded-For ending in "+name+" leaves the peer", func(t *testing.T) {
			app, _ := proxiedApp([]string{"10.0.0.0/8"}, "X-Forwarded-For")
			got := ask(app, "10.0.0.2:1", "http://app.example/who", "X-Forwarded-For", "198.51.100.7, "+v)
			require.Equal(t, 200, got.Code)
			assert.Equal(t, "10.0.0.2", got.IP)
		})
		t.Run("X-Forwarded-For with "+name+" left of trusted hops stops at the last good hop", func(t *testing.T) {
			app, _ := proxiedApp([]string{"10.0.0.0/8"}, "X-Forwarded-For")
			got := ask(app, "10.0.0.2:1", "http://app.example/who", "X-Forwarded-For", "198.51.100.7, "+v+", 10.0.0.5")
			require.Equal(t, 200, got.Code)
			assert.Equal(t, "10.0.0.5", got.IP)
		})
		t.Run("Forwarded with "+name+" as for= leaves the peer", func(t *testing.T) {
			app, _ := proxiedApp([]string{"10.0.0.0/8"}, "Forwarded")
			got := ask(app, "10.0.0.2:1", "http://app.example/who", "Forwarded", `for=198.51.100.7, for="`+v+`"`)
			require.Equal(t, 200, got.Code)
			assert.Equal(t, "10.0.0.2", got.IP)
		})
	}
	t.Run("a malformed trailing comma in X-Forwarded-For leaves the peer", func(t *testing.T) {
		app, _ := proxiedApp([]string{"10.0.0.0/8"}, "X-Forwarded-For")
		got := ask(app, "10.0.0.2:1", "http://app.example/who", "X-Forwarded-For", "198.51.100.7,")
		assert.Equal(t, "10.0.0.2", got.IP)
	})
	t.Run("an unterminated quote in Forwarded leaves the peer", func(t *testing.T) {
		app, _ := proxiedApp([]string{"10.0.0.0/8"}, "Forwarded")
		got := ask(app, "10.0.0.2:1", "http://app.example/who", "Forwarded", `for="198.51.100.7, for=10.0.0.5`)
		assert.Equal(t, "10.0.0.2", got.IP)
	})
	t.Run("a peer address that is not an IP is not trusted", func(t *testing.T) {
		app, _ := proxiedApp([]string{"10.0.0.0/8", "unix"}, "X-Real-IP")
		got := ask(app, ":0", "http://app.example/who", "X-Real-IP", "6.6.6.6")
		require.Equal(t, 200, got.Code)
		assert.Equal(t, "", got.IP, "the peer's host part, which is empty")
	})
}

func TestSchemeAndHostFromATrustedProxy(t *testing.T) {
	cases := []struct {
		name   string
		header string
		peer   string
		target string
		lines  []string
		scheme string
		host   string
	}{
		{"X-Forwarded-Proto and X-Forwarded-Host from a trusted peer are used",
			"X-Forwarded-For", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "public.example:8443"}, "https", "public.example:8443"},
		{"a proto in capitals is read",
			"X-Forwarded-For", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Proto", "HTTPS"}, "https", "app.internal"},
		{"the right-most value, set by the nearest proxy, is used",
			"X-Forwarded-For", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Proto", "http, https", "X-Forwarded-Host", "evil.example", "X-Forwarded-Host", "public.example"}, "https", "public.example"},
		{"a bracketed IPv6 host with a port is used",
			"X-Forwarded-For", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Host", "[2001:db8::1]:8443"}, "http", "[2001:db8::1]:8443"},
		{"proto javascript is ignored",
			"X-Forwarded-For", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Proto", "javascript"}, "http", "app.internal"},
		{"a host with a path is ignored",
			"X-Forwarded-For", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Host", "evil.com/path"}, "http", "app.internal"},
		{"a host with a space is ignored",
			"X-Forwarded-For", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Host", "a b"}, "http", "app.internal"},
		{"a host with userinfo is ignored",
			"X-Forwarded-For", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Host", "user@evil.com"}, "http", "app.internal"},
		{"a host with an empty port is ignored",
			"X-Forwarded-For", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Host", "evil.com:"}, "http", "app.internal"},
		{"an unbracketed IPv6 host is ignored",
			"X-Forwarded-For", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Host", "2001:db8::1"}, "http", "app.internal"},
		{"a request over TLS is https without a proxy",
			"X-Forwarded-For", "203.0.113.9:1", "https://app.internal/who", nil, "https", "app.internal"},
		{"a proxy may say http for a request it received in the clear",
			"X-Forwarded-For", "127.0.0.1:1", "https://app.internal/who", []string{"X-Forwarded-Proto", "http"}, "http", "app.internal"},
		{"with X-Real-IP, X-Forwarded-Proto is believed but X-Forwarded-Host is not",
			"X-Real-IP", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"}, "https", "app.internal"},
		{"with Forwarded, proto and host come from the last element",
			"Forwarded", "127.0.0.1:1", "http://app.internal/who", []string{"Forwarded", `for=6.6.6.6;proto=http;host=evil.example, for=198.51.100.7;proto=https;host="public.example"`}, "https", "public.example"},
		{"with Forwarded, X-Forwarded-Proto and X-Forwarded-Host are ignored",
			"Forwarded", "127.0.0.1:1", "http://app.internal/who", []string{"Forwarded", "for=198.51.100.7", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"}, "http", "app.internal"},
		{"with Forwarded, an invalid proto and host are ignored",
			"Forwarded", "127.0.0.1:1", "http://app.internal/who", []string{"Forwarded", `for=198.51.100.7;proto=javascript;host="evil.com/path"`}, "http", "app.internal"},
		{"with an unknown ClientIPHeader no forwarding header is believed",
			"X-Client-IP", "127.0.0.1:1", "http://app.internal/who", []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"}, "http", "app.internal"},
		{"from an untrusted peer nothing is believed",
			"X-Forwarded-For", "203.0.113.9:1", "http://app.internal/who", []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"}, "http", "app.internal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app, _ := proxiedApp([]string{"127.0.0.1"}, tc.header)
			got := ask(app, tc.peer, tc.target, tc.lines...)
			require.Equal(t, 200, got.Code)
			assert.Equal(t, tc.scheme, got.Scheme)
			assert.Equal(t, tc.host, got.Host)
			assert.Equal(t, tc.scheme+"://"+tc.host+"/who", got.External)
		})
	}
}

func TestPrefixFromATrustedProxy(t *testing.T) {
	xff := []string{"127.0.0.1", "::1"}
	t.Run("the prefix goes into URLFor and ExternalURLFor", func(t *testing.T) {
		app, _ := proxiedApp(xff, "X-Forwarded-For")
		got := ask(app, "127.0.0.1:1", "http://app.internal/who",
			"X-Forwarded-For", "198.51.100.7", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "public.example", "X-Forwarded-Prefix", "/app")
		assert.Equal(t, seen{Code: 200, IP: "198.51.100.7", Scheme: "https", Host: "public.example", URL: "/app/who", External: "https://public.example/app/who"}, got)
	})

	good := map[string]string{
		"a one-segment prefix":        "/app",
		"a prefix with a slash after": "/app/",
		"a two-segment prefix":        "/a/b",
		"the right-most of two":       "/evil, /app",
	}
	for name, prefix := range good {
		t.Run(name+" is used", func(t *testing.T) {
			app, _ := proxiedApp(xff, "X-Forwarded-For")
			want := strings.TrimRight(prefix[strings.LastIndex(prefix, " ")+1:], "/")
			got := ask(app, "[::1]:1", "http://app.internal/who", "X-Forwarded-Prefix", prefix)
			assert.Equal(t, want+"/who", got.URL)
			assert.Equal(t, "http://app.internal"+want+"/who", got.External)
		})
	}

	malformed := map[string]string{
		"a scheme-relative prefix":   "//evil.com",
		"a relative prefix":          "app",
		"a prefix with dot segments": "/a/../b",
		"a prefix with a space":      "/a b",
		"a prefix with a backslash":  `/\evil.com`,
		"a prefix with a query":      "/app?x=1",
		"a prefix with a fragment":   "/app#x",
		"a bare slash":               "/",
	}
	for name, prefix := range malformed {
		t.Run(name+" is ignored", func(t *testing.T) {
			app, _ := proxiedApp(xff, "X-Forwarded-For")
			got := ask(app, "127.0.0.1:1", "http://app.internal/who", "X-Forwarded-Prefix", prefix)
			require.Equal(t, 200, got.Code)
			assert.Equal(t, "/who", got.URL)
			assert.Equal(t, "http://app.internal/who", got.External)
			redirect := ask(app, "127.0.0.1:1", "http://app.internal/dir", "X-Forwarded-Prefix", prefix)
			assert.Equal(t, "/dir/", redirect.Location)
		})
	}

	t.Run("with X-Real-IP the prefix is not believed", func(t *testing.T) {
		app, _ := proxiedApp(xff, "X-Real-IP")
		got := ask(app, "127.0.0.1:1", "http://app.internal/who", "X-Forwarded-Prefix", "/app")
		assert.Equal(t, "/who", got.URL)
	})
	t.Run("with Forwarded, which has no prefix parameter, X-Forwarded-Prefix is believed", func(t *testing.T) {
		app, _ := proxiedApp(xff, "Forwarded")
		got := ask(app, "127.0.0.1:1", "http://app.internal/who", "X-Forwarded-Prefix", "/app")
		assert.Equal(t, "/app/who", got.URL)
	})

	redirects := []struct {
		name, peer, target, want string
	}{
		{"a strict-slash redirect carries the prefix", "127.0.0.1:1", "http://app.internal/dir", "/app/dir/"},
		{"a strict-slash redirect keeps the query after the prefix", "127.0.0.1:1", "http://app.internal/dir?x=1", "/app/dir/?x=1"},
		{"a non-canonical path redirect carries the prefix", "127.0.0.1:1", "http://app.internal/a//b/../dir/", "/app/a/dir/"},
		{"a dot-segment redirect carries the prefix", "[::1]:1", "http://app.internal/./who", "/app/who"},
		{"an untrusted peer's redirect has no prefix", "203.0.113.9:1", "http://app.internal/dir", "/dir/"},
	}
	for _, tc := range redirects {
		t.Run(tc.name, func(t *testing.T) {
			app, _ := proxiedApp(xff, "X-Forwarded-For")
			req := httptest.NewRequest("GET", tc.target, nil) // the path as sent, not cleaned
			req.RemoteAddr = tc.peer
			req.Header.Set("X-Forwarded-Prefix", "/app")
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, req)
			assert.Equal(t, http.StatusPermanentRedirect, rec.Code)
			assert.Equal(t, tc.want, rec.Header().Get("Location"))
		})
	}
}

func TestTrustedProxiesEntriesThatAreNotAddresses(t *testing.T) {
	bad := []string{"localhost", "127.0.0.1/33", "10.0.0.0/8x", "1.2.3", "*", "0.0.0.0/-1"}
	for _, e := range bad {
		t.Run(e+" trusts nothing and is logged", func(t *testing.T) {
			app, logs := proxiedApp([]string{e}, "X-Real-IP")
			got := ask(app, "127.0.0.1:1", "http://app.example/who", "X-Real-IP", "198.51.100.7")
			assert.Equal(t, "127.0.0.1", got.IP)
			assert.Contains(t, logs.String(), "level=ERROR")
			assert.Contains(t, logs.String(), "entry="+e)
		})
	}
	t.Run("a good entry beside a bad one is still trusted", func(t *testing.T) {
		app, _ := proxiedApp([]string{"localhost", " 127.0.0.1 "}, "X-Real-IP")
		got := ask(app, "127.0.0.1:1", "http://app.example/who", "X-Real-IP", "198.51.100.7")
		assert.Equal(t, "198.51.100.7", got.IP)
	})
}

// unixClient talks HTTP to the unix socket at path, whatever the URL says.
func unixClient(path string) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
}

func TestUnixEntryTrustsUnixSocketPeers(t *testing.T) {
	cases := []struct {
		name    string
		trusted []string
		want    string
	}{
		{"unix trusts a peer on a unix socket", []string{"unix"}, "198.51.100.7"},
		// A unix-socket peer has no IP: net/http reports its address as "@".
		{"without unix a unix-socket peer is not trusted", []string{"127.0.0.1", "::1"}, "@"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app, _ := proxiedApp(tc.trusted, "X-Real-IP")
			sock := filepath.Join(t.TempDir(), "app.sock")
			l, err := net.Listen("unix", sock)
			require.NoError(t, err)
			served := make(chan error, 1)
			go func() { served <- app.Serve(l) }()
			t.Cleanup(func() {
				require.NoError(t, app.Shutdown(context.Background()))
				require.NoError(t, <-served)
			})

			req, err := http.NewRequest("GET", "http://public.example/who", nil)
			require.NoError(t, err)
			req.Header.Set("X-Real-IP", "198.51.100.7")
			res, err := unixClient(sock).Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			require.NoError(t, err)
			require.Equal(t, 200, res.StatusCode, string(body))
			lines := strings.Split(string(body), "\n")
			require.Len(t, lines, 5)
			assert.Equal(t, tc.want, lines[0])
			assert.Equal(t, "public.example", lines[2])
		})
	}
	t.Run("unix does not trust a TCP peer", func(t *testing.T) {
		app, _ := proxiedApp([]string{"unix"}, "X-Real-IP")
		got := ask(app, "127.0.0.1:1", "http://app.example/who", "X-Real-IP", "198.51.100.7")
		assert.Equal(t, "127.0.0.1", got.IP)
	})
}
