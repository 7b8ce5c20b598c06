package middleware_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func secureApp(cfg middleware.SecureHeadersConfig) *flagon.App {
	app := quietApp()
	app.Config.TrustedProxies = []string{"10.0.0.1"}
	app.Use(middleware.SecureHeaders(cfg))
	app.Get("/", func(c *flagon.Context) error {
		n, _ := c.Get(middleware.CSPNonceKey)
		s, _ := n.(string)
		return c.Text(200, s)
	})
	app.Get("/framed", func(c *flagon.Context) error {
		c.Response.Header().Del("X-Frame-Options")
		return c.Text(200, "embed me")
	})
	return app
}

func TestSecureHeadersSendsTheDefaults(t *testing.T) {
	srv := serve(t, secureApp(middleware.SecureHeadersConfig{}))
	res, _ := do(t, "GET", srv.URL+"/", nil, nil)
	assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "SAMEORIGIN", res.Header.Get("X-Frame-Options"))
	assert.Equal(t, "strict-origin-when-cross-origin", res.Header.Get("Referrer-Policy"))
	assert.Empty(t, res.Header.Get("Strict-Transport-Security"), "no HSTS over plain HTTP")
	assert.Empty(t, res.Header.Get("Content-Security-Policy"), "no CSP unless configured")

	t.Run("a handler can remove one", func(t *testing.T) {
		res, _ := do(t, "GET", srv.URL+"/framed", nil, nil)
		assert.Empty(t, res.Header.Values("X-Frame-Options"))
	})
	t.Run("the 404 of the router gets them too", func(t *testing.T) {
		res, _ := do(t, "GET", srv.URL+"/missing", nil, nil)
		assert.Equal(t, 404, res.StatusCode)
		assert.Equal(t, "SAMEORIGIN", res.Header.Get("X-Frame-Options"))
	})
}

func TestSecureHeadersSendsHSTSOnlyOverHTTPS(t *testing.T) {
	cfg := middleware.SecureHeadersConfig{HSTSMaxAge: 600, HSTSIncludeSubdomains: true, HSTSPreload: true}
	t.Run("a TLS request gets it", func(t *testing.T) {
		srv := httptest.NewTLSServer(secureApp(cfg))
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
		res, err := client.Get(srv.URL + "/")
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		assert.Equal(t, "max-age=600; includeSubDomains; preload", res.Header.Get("Strict-Transport-Security"))
	})
	cases := []struct {
		name, remote, proto string
		want                bool
	}{
		{"a trusted proxy saying https gets it", "10.0.0.1:5000", "https", true},
		{"a trusted proxy saying http does not", "10.0.0.1:5000", "http", false},
		{"a client claiming https itself does not", "192.0.2.9:5000", "https", false},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tt.remote
			req.Header.Set("X-Forwarded-Proto", tt.proto)
			res := secureApp(cfg).TestClient().Do(req)
			assert.Equal(t, tt.want, res.Header.Get("Strict-Transport-Security") != "")
		})
	}
	t.Run("a negative max-age leaves it out", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = "10.0.0.1:5000"
		req.Header.Set("X-Forwarded-Proto", "https")
		res := secureApp(middleware.SecureHeadersConfig{HSTSMaxAge: -1}).TestClient().Do(req)
		assert.Empty(t, res.Header.Get("Strict-Transport-Security"))
	})
}

func TestSecureHeadersMakesANewCSPNonceForEveryRequest(t *testing.T) {
	srv := serve(t, secureApp(middleware.SecureHeadersConfig{
		ContentSecurityPolicy: "script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'",
	}))
	seen := map[string]bool{}
	for range 3 {
		res, nonce := do(t, "GET", srv.URL+"/", nil, nil)
		require.Regexp(t, `^[A-Za-z0-9+/]{22}==$`, nonce, "the handler reads it with c.Get(CSPNonceKey)")
		assert.Equal(t, "script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+"'", res.Header.Get("Content-Security-Policy"))
		assert.False(t, seen[nonce])
		seen[nonce] = true
	}
}

func TestSecureHeadersFollowsTheConfig(t *testing.T) {
	cases := []struct {
		name   string
		cfg    middleware.SecureHeadersConfig
		header string
		want   []string
	}{
		{"a fixed policy is sent as is", middleware.SecureHeadersConfig{ContentSecurityPolicy: "default-src 'self'"}, "Content-Security-Policy", []string{"default-src 'self'"}},
		{"report-only sends the other header", middleware.SecureHeadersConfig{ContentSecurityPolicy: "default-src 'self'", CSPReportOnly: true}, "Content-Security-Policy-Report-Only", []string{"default-src 'self'"}},
		{"frame options can be DENY", middleware.SecureHeadersConfig{FrameOptions: "DENY"}, "X-Frame-Options", []string{"DENY"}},
		{"Off leaves frame options out", middleware.SecureHeadersConfig{FrameOptions: middleware.Off}, "X-Frame-Options", nil},
		{"Off leaves the referrer policy out", middleware.SecureHeadersConfig{ReferrerPolicy: middleware.Off}, "Referrer-Policy", nil},
		{"the referrer policy is configurable", middleware.SecureHeadersConfig{ReferrerPolicy: "no-referrer"}, "Referrer-Policy", []string{"no-referrer"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res := secureApp(tt.cfg).TestClient().Get("/")
			assert.Equal(t, tt.want, res.Header.Values(tt.header))
		})
	}
	t.Run("a value with a line break panics at once", func(t *testing.T) {
		assert.PanicsWithValue(t, `flagon: SecureHeadersConfig.ContentSecurityPolicy "a\r\nb" holds a control character; use a header value without one`, func() {
			middleware.SecureHeaders(middleware.SecureHeadersConfig{ContentSecurityPolicy: "a\r\nb"})
		})
	})
}
