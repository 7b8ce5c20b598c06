//go:build !flagon_noreload

package flagon_test

import (
	"net/http"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/internal/browsertest"
	"github.com/flagon-go/flagon/middleware"
)

// TestReloadScriptReloadsAPageOfSecureHeadersInChromium is
// TestReloadScriptReloadsThePageOnANewBuildInChromium with a Flagon app
// whose middleware.SecureHeaders sets a policy with a new nonce on every
// page and 'strict-dynamic', so that only the nonce lets a script run.
func TestReloadScriptReloadsAPageOfSecureHeadersInChromium(t *testing.T) {
	chromium := browsertest.Chromium(t)
	flagon.ReloadsOnceInChromium(t, chromium, func(_ string, page func() string) http.Handler {
		app := flagon.New()
		app.Use(middleware.SecureHeaders(middleware.SecureHeadersConfig{
			ContentSecurityPolicy: "script-src 'nonce-{nonce}' 'strict-dynamic'; object-src 'none'; base-uri 'none'",
		}))
		app.Get("/", func(c *flagon.Context) error { return c.HTML(http.StatusOK, page()) })
		return app
	})
}
