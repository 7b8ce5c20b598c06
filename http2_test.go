package flagon_test

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// protoApp answers with what the app saw of the request.
func protoApp() *flagon.App {
	app := flagon.New()
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	app.Get("/", func(c *flagon.Context) error {
		return c.Text(200, fmt.Sprintf("%s %s %s", c.Request.Proto, c.Scheme(), c.ClientIP()))
	})
	return app
}

// get returns the protocol version of the response and its body.
func get(t *testing.T, client *http.Client, url string) (int, string) {
	t.Helper()
	res, err := client.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode)
	return res.ProtoMajor, string(b)
}

func TestHTTP2OverTLS(t *testing.T) {
	cases := []struct {
		name   string
		server func(app *flagon.App) *http.Server
	}{
		{"the app as a handler speaks HTTP/2 over TLS", func(app *flagon.App) *http.Server { return &http.Server{Handler: app} }},
		{"app.Server() with its timeouts and header limit speaks HTTP/2 over TLS", (*flagon.App).Server},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := protoApp()
			srv := httptest.NewUnstartedServer(app)
			srv.Config = tc.server(app)
			srv.EnableHTTP2 = true
			srv.StartTLS()
			defer srv.Close()

			major, body := get(t, srv.Client(), srv.URL+"/")
			assert.Equal(t, 2, major)
			assert.Equal(t, "HTTP/2.0 https 127.0.0.1", body)
		})
	}
}

func TestUnencryptedHTTP2(t *testing.T) {
	// serve serves app.Server() on loopback with the given protocols
	// (nil: the server's defaults) and returns its URL.
	serve := func(t *testing.T, protocols *http.Protocols) string {
		srv := protoApp().Server()
		srv.Protocols = protocols
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		go func() { _ = srv.Serve(l) }()
		t.Cleanup(func() { _ = srv.Close() })
		return "http://" + l.Addr().String() + "/"
	}
	h2cOnly := func() *http.Client {
		tr := &http.Transport{Protocols: new(http.Protocols)}
		tr.Protocols.SetUnencryptedHTTP2(true)
		return &http.Client{Transport: tr, Timeout: 5 * time.Second}
	}
	h1AndH2C := new(http.Protocols)
	h1AndH2C.SetHTTP1(true)
	h1AndH2C.SetUnencryptedHTTP2(true)

	t.Run("with Protocols set for h2c a prior-knowledge HTTP/2 client gets HTTP/2", func(t *testing.T) {
		major, body := get(t, h2cOnly(), serve(t, h1AndH2C))
		assert.Equal(t, 2, major)
		assert.Equal(t, "HTTP/2.0 http 127.0.0.1", body)
	})
	t.Run("the same server still speaks HTTP/1.1 to HTTP/1 clients", func(t *testing.T) {
		major, body := get(t, &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}, serve(t, h1AndH2C))
		assert.Equal(t, 1, major)
		assert.Equal(t, "HTTP/1.1 http 127.0.0.1", body)
	})
	t.Run("by default the server does not speak h2c", func(t *testing.T) {
		_, err := h2cOnly().Get(serve(t, nil))
		assert.Error(t, err, "unencrypted HTTP/2 is off unless configured")
	})
}
