package middleware_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
)

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestBasicAuth(t *testing.T) {
	app := quietApp()
	admin := flagon.NewBlueprint("admin")
	admin.Use(middleware.BasicAuth(`Staff "only" \ here`, middleware.BasicAuthUsers(map[string]string{"ada": "lovelace", "bob": "s3cret"})))
	admin.Get("/", func(c *flagon.Context) error {
		u, _ := c.Get(middleware.UserKey)
		return c.Text(200, "hello "+u.(string))
	})
	app.Register(admin, "/admin")
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "public") })
	srv := serve(t, app)

	cases := []struct {
		name, auth string
		code       int
		body       string
	}{
		{"the right password lets the user in", basic("ada", "lovelace"), 200, "hello ada"},
		{"another account works too", basic("bob", "s3cret"), 200, "hello bob"},
		{"a wrong password is refused", basic("ada", "lovelace!"), 401, ""},
		{"an unknown user is refused", basic("eve", "lovelace"), 401, ""},
		{"another account's password is refused", basic("ada", "s3cret"), 401, ""},
		{"no credentials are refused", "", 401, ""},
		{"a bearer token is refused", "Bearer abc", 401, ""},
		{"malformed base64 is refused", "Basic !!!", 401, ""},
		{"credentials without a colon are refused", "Basic " + base64.StdEncoding.EncodeToString([]byte("ada")), 401, ""},
		{"a bare scheme is refused", "Basic", 401, ""},
		{"an oversized header is refused unread", "Basic " + strings.Repeat("A", 64<<10), 401, ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			res, body := do(t, "GET", srv.URL+"/admin/", h, nil)
			assert.Equal(t, tt.code, res.StatusCode)
			if tt.code == 200 {
				assert.Equal(t, tt.body, body)
				assert.Empty(t, res.Header.Get("WWW-Authenticate"))
				return
			}
			assert.Equal(t, `Basic realm="Staff \"only\" \\ here", charset="UTF-8"`, res.Header.Get("WWW-Authenticate"))
			assert.NotContains(t, body, "lovelace")
		})
	}
	t.Run("routes outside the blueprint stay public", func(t *testing.T) {
		res, body := do(t, "GET", srv.URL+"/", nil, nil)
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "public", body)
	})
	t.Run("a realm with a line break panics at once", func(t *testing.T) {
		assert.Panics(t, func() { middleware.BasicAuth("a\nb", func(string, string) bool { return true }) })
	})
}

func TestSecureCompare(t *testing.T) {
	cases := []struct {
		name, a, b string
		want       bool
	}{
		{"equal strings match", "token", "token", true},
		{"different strings do not", "token", "tokem", false},
		{"a prefix does not", "token", "tok", false},
		{"empty strings match", "", "", true},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, middleware.SecureCompare(tt.a, tt.b)) })
	}
}
