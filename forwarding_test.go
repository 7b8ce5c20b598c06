package flagon_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func whoamiApp(trusted []string, header string) *flagon.App {
	app := quietApp()
	app.Config.TrustedProxies = trusted
	app.Config.ClientIPHeader = header
	app.Get("/who", func(c *flagon.Context) error {
		u, _ := c.URLFor("who")
		ext, _ := c.ExternalURLFor("who")
		return c.Text(200, strings.Join([]string{c.ClientIP(), c.Scheme(), c.Host(), u, ext}, " "))
	}).Name("who")
	app.Get("/dir/", func(c *flagon.Context) error { return nil })
	return app
}

func askFrom(app *flagon.App, peer string, headers map[string][]string) string {
	req := httptest.NewRequest("GET", "http://app.internal/who", nil)
	req.RemoteAddr = peer
	for k, vs := range headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return app.TestClient().Do(req).Text()
}

func TestClientIP(t *testing.T) {
	forged := map[string][]string{
		"X-Forwarded-For":    {"6.6.6.6"},
		"X-Real-IP":          {"6.6.6.6"},
		"Forwarded":          {"for=6.6.6.6;proto=https;host=evil.example"},
		"X-Forwarded-Proto":  {"https"},
		"X-Forwarded-Host":   {"evil.example"},
		"X-Forwarded-Prefix": {"/evil"},
	}
	t.Run("with no trusted proxies nothing forwarded is believed", func(t *testing.T) {
		got := askFrom(whoamiApp(nil, "X-Forwarded-For"), "203.0.113.9:5555", forged)
		assert.Equal(t, "203.0.113.9 http app.internal /who http://app.internal/who", got)
	})
	t.Run("an untrusted peer gets nowhere with any header", func(t *testing.T) {
		for _, header := range []string{"X-Forwarded-For", "X-Real-IP", "Forwarded"} {
			got := askFrom(whoamiApp([]string{"10.0.0.0/8"}, header), "203.0.113.9:5555", forged)
			assert.Equal(t, "203.0.113.9 http app.internal /who http://app.internal/who", got, header)
		}
	})

	cases := []struct {
		name    string
		trusted []string
		header  string
		peer    string
		headers map[string][]string
		want    string
	}{
		{"X-Real-IP from a trusted peer", []string{"127.0.0.1"}, "X-Real-IP", "127.0.0.1:1", map[string][]string{"X-Real-IP": {"198.51.100.7"}, "X-Forwarded-For": {"6.6.6.6"}}, "198.51.100.7"},
		{"X-Real-IP with IPv6", []string{"::1"}, "X-Real-IP", "[::1]:1", map[string][]string{"X-Real-IP": {"2001:db8::7"}}, "2001:db8::7"},
		{"an IPv4-mapped peer matches an IPv4 entry", []string{"127.0.0.1"}, "X-Real-IP", "[::ffff:127.0.0.1]:1", map[string][]string{"X-Real-IP": {"198.51.100.7"}}, "198.51.100.7"},
		{"a malformed X-Real-IP falls back to the peer", []string{"127.0.0.1"}, "X-Real-IP", "127.0.0.1:1", map[string][]string{"X-Real-IP": {"not-an-ip"}}, "127.0.0.1"},
		{"X-Forwarded-For: the right-most untrusted hop", []string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", map[string][]string{"X-Forwarded-For": {"6.6.6.6, 198.51.100.7, 10.0.0.5"}}, "198.51.100.7"},
		{"X-Forwarded-For over several header lines", []string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", map[string][]string{"X-Forwarded-For": {"6.6.6.6", "198.51.100.7", "10.0.0.5"}}, "198.51.100.7"},
		{"X-Forwarded-For with ports and brackets", []string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", map[string][]string{"X-Forwarded-For": {"[2001:db8::9]:443, 10.0.0.5:80"}}, "2001:db8::9"},
		{"X-Forwarded-For all trusted: the left-most", []string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", map[string][]string{"X-Forwarded-For": {"10.1.1.1, 10.0.0.5"}}, "10.1.1.1"},
		{"X-Forwarded-For stops at a malformed hop", []string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", map[string][]string{"X-Forwarded-For": {"6.6.6.6, garbage, 10.0.0.5"}}, "10.0.0.5"},
		{"X-Forwarded-For with 999.1.1.1", []string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", map[string][]string{"X-Forwarded-For": {"999.1.1.1"}}, "10.0.0.2"},
		{"an empty X-Forwarded-For is the peer", []string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", map[string][]string{"X-Forwarded-For": {""}}, "10.0.0.2"},
		{"Forwarded: the right-most untrusted for=", []string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", map[string][]string{"Forwarded": {`for=6.6.6.6, for="[2001:db8::1]:4711";proto=https, for=10.0.0.5`}}, "2001:db8::1"},
		{"Forwarded: unknown stops the walk", []string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", map[string][]string{"Forwarded": {"for=6.6.6.6, for=unknown, for=10.0.0.5"}}, "10.0.0.5"},
		{"Forwarded: an obfuscated node stops the walk", []string{"10.0.0.0/8"}, "Forwarded", "10.0.0.2:1", map[string][]string{"Forwarded": {"for=_hidden"}}, "10.0.0.2"},
		{"an overlong header is ignored", []string{"10.0.0.0/8"}, "X-Forwarded-For", "10.0.0.2:1", map[string][]string{"X-Forwarded-For": {strings.Repeat("1", 5000)}}, "10.0.0.2"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got := askFrom(whoamiApp(tt.trusted, tt.header), tt.peer, tt.headers)
			assert.Equal(t, tt.want, strings.Fields(got)[0])
		})
	}
}

func TestSchemeHostAndPrefixFromTrustedProxies(t *testing.T) {
	xf := whoamiApp([]string{"127.0.0.1"}, "X-Forwarded-For")
	t.Run("X-Forwarded-Proto, -Host and -Prefix with X-Forwarded-For", func(t *testing.T) {
		got := askFrom(xf, "127.0.0.1:1", map[string][]string{
			"X-Forwarded-For": {"198.51.100.7"}, "X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"public.example"}, "X-Forwarded-Prefix": {"/app"},
		})
		assert.Equal(t, "198.51.100.7 https public.example /app/who https://public.example/app/who", got)
	})
	t.Run("invalid values are ignored", func(t *testing.T) {
		got := askFrom(xf, "127.0.0.1:1", map[string][]string{
			"X-Forwarded-Proto": {"javascript"}, "X-Forwarded-Host": {"evil.example/path"}, "X-Forwarded-Prefix": {"//evil.example"},
		})
		assert.Equal(t, "127.0.0.1 http app.internal /who http://app.internal/who", got)
		for _, prefix := range []string{"app", "/a/../b", "/a b"} {
			got := askFrom(xf, "127.0.0.1:1", map[string][]string{"X-Forwarded-Prefix": {prefix}})
			assert.Contains(t, got, " /who ", prefix)
		}
		got = askFrom(xf, "127.0.0.1:1", map[string][]string{"X-Forwarded-Host": {"a b"}})
		assert.Contains(t, got, "app.internal")
	})
	t.Run("with X-Real-IP only X-Forwarded-Proto is believed", func(t *testing.T) {
		got := askFrom(whoamiApp([]string{"127.0.0.1"}, "X-Real-IP"), "127.0.0.1:1", map[string][]string{
			"X-Real-IP": {"198.51.100.7"}, "X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"evil.example"}, "X-Forwarded-Prefix": {"/evil"},
		})
		assert.Equal(t, "198.51.100.7 https app.internal /who https://app.internal/who", got)
	})
	t.Run("with Forwarded, proto and host of the last element", func(t *testing.T) {
		got := askFrom(whoamiApp([]string{"127.0.0.1"}, "Forwarded"), "127.0.0.1:1", map[string][]string{
			"Forwarded": {`for=6.6.6.6;host=evil.example, for=198.51.100.7;proto=https;host="public.example"`},
		})
		assert.Equal(t, "198.51.100.7 https public.example /who https://public.example/who", got)
	})
	t.Run("router redirects carry the prefix", func(t *testing.T) {
		for path, want := range map[string]string{"/dir": "/app/dir/", "/a//b": "/app/a/b"} {
			req := httptest.NewRequest("GET", path, nil)
			req.RemoteAddr = "127.0.0.1:1"
			req.Header.Set("X-Forwarded-Prefix", "/app")
			res := xf.TestClient().Do(req)
			assert.Equal(t, 308, res.Code)
			assert.Equal(t, want, res.Header.Get("Location"))
		}
	})
}

func TestTrustedProxiesEntries(t *testing.T) {
	t.Run("an entry that is not an IP or CIDR trusts nothing and is logged", func(t *testing.T) {
		var logs bytes.Buffer
		app := whoamiApp([]string{"localhost", "127.0.0.1/33"}, "X-Real-IP")
		app.Config.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		got := askFrom(app, "127.0.0.1:1", map[string][]string{"X-Real-IP": {"198.51.100.7"}})
		assert.True(t, strings.HasPrefix(got, "127.0.0.1 "))
		assert.Contains(t, logs.String(), "localhost")
	})
	t.Run("unix trusts unix-socket peers", func(t *testing.T) {
		app := whoamiApp([]string{"unix"}, "X-Real-IP")
		sock := filepath.Join(t.TempDir(), "app.sock")
		l, err := net.Listen("unix", sock)
		require.NoError(t, err)
		go func() { _ = app.Serve(l) }()
		defer app.Shutdown(context.Background())
		client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
		req, _ := http.NewRequest("GET", "http://app/who", nil)
		req.Header.Set("X-Real-IP", "198.51.100.7")
		res, err := client.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.True(t, strings.HasPrefix(string(b), "198.51.100.7 "), string(b))
	})
}

func TestServerLimits(t *testing.T) {
	app := quietApp()
	app.Config.ReadHeaderTimeout = 300 * time.Millisecond
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "ok") })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = app.Serve(l) }()
	defer app.Shutdown(context.Background())
	addr := l.Addr().String()

	t.Run("a slow client is cut off by the read-header timeout", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		start := time.Now()
		closed := false
		for _, b := range []byte("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1234567890\r\n") {
			if _, err := conn.Write([]byte{b}); err != nil {
				closed = true
				break
			}
			time.Sleep(50 * time.Millisecond)
			if time.Since(start) > 3*time.Second {
				break
			}
		}
		if !closed {
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, err = bufio.NewReader(conn).ReadByte()
			closed = err != nil && !isTimeout(err)
		}
		assert.True(t, closed, "the server closed the connection")
		assert.Less(t, time.Since(start), 3*time.Second)
	})
	t.Run("a 1 MiB header gets 431", func(t *testing.T) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
		req.Header.Set("X-Big", strings.Repeat("a", 1<<20))
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 431, res.StatusCode)
	})
	t.Run("many idle connections do not exhaust the server", func(t *testing.T) {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for range 2000 {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				break
			}
			conns = append(conns, c)
		}
		require.Greater(t, len(conns), 1000)
		client := &http.Client{Timeout: 5 * time.Second}
		res, err := client.Get("http://" + addr + "/")
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 200, res.StatusCode)
	})
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func TestHTTP2(t *testing.T) {
	app := quietApp()
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, fmt.Sprintf("proto %d", c.Request.ProtoMajor)) })

	t.Run("over TLS", func(t *testing.T) {
		srv := httptest.NewUnstartedServer(app)
		srv.EnableHTTP2 = true
		srv.StartTLS()
		defer srv.Close()
		res, err := srv.Client().Get(srv.URL)
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, 2, res.ProtoMajor)
		assert.Equal(t, "proto 2", string(b))
	})
	t.Run("unencrypted (h2c) when configured", func(t *testing.T) {
		srv := app.Server()
		srv.Protocols = new(http.Protocols)
		srv.Protocols.SetHTTP1(true)
		srv.Protocols.SetUnencryptedHTTP2(true)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		go func() { _ = srv.Serve(l) }()
		defer srv.Close()
		tr := &http.Transport{Protocols: new(http.Protocols), TLSClientConfig: &tls.Config{}}
		tr.Protocols.SetUnencryptedHTTP2(true)
		res, err := (&http.Client{Transport: tr}).Get("http://" + l.Addr().String() + "/")
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, 2, res.ProtoMajor)
		assert.Equal(t, "proto 2", string(b))
	})
}
