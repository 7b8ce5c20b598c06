package main

// This test runs with the first complete example of docs/sessions.md (see
// TestDocsExamplesCompile): the login page must escape what a user sent,
// which a flash quotes.

import (
	"net/url"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
)

func TestLoginPageEscapesFlashedUserNames(t *testing.T) {
	app := flagon.New()
	app.Config.SecretKey = "test"
	app.Get("/login", loginForm)
	app.Post("/login", login)
	app.Post("/logout", logout)
	tc := app.TestClient()

	tc.PostForm("/login", url.Values{"user": {`<script>alert(1)</script>`}})
	body := tc.Get("/login").Text()
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("the flashed user name is not escaped:\n%s", body)
	}
}
