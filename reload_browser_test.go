//go:build !flagon_noreload

package flagon

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/flagon-go/flagon/internal/browsertest"
	"github.com/stretchr/testify/assert"
)

// TestReloadScriptReloadsThePageOnANewBuildInChromium serves a page from
// build b1 while the event stream already says b2: the page must reload
// once, and then, served by b2, stay; with no policy and under the
// Content-Security-Policies that forbid inline scripts. (The page of
// middleware.SecureHeaders is in reload_csp_browser_test.go: package
// flagon's own tests cannot import middleware.)
func TestReloadScriptReloadsThePageOnANewBuildInChromium(t *testing.T) {
	chromium := browsertest.Chromium(t)
	for _, tc := range []struct{ name, csp string }{
		{"with no policy", ""},
		{"under default-src 'self'", "default-src 'self'"},
		{"under a nonce policy", "script-src 'nonce-abc123'; connect-src 'self'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reloadsOnceInChromium(t, chromium, func(build string, page func() string) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					if tc.csp != "" {
						w.Header().Set("Content-Security-Policy", tc.csp)
					}
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					_, _ = fmt.Fprint(w, page())
				})
			})
		})
	}
}

// reloadsOnceInChromium serves app's page of build b1 under the reload
// injector while the event stream already says b2, and checks in Chromium
// that the page reloads once, from b2. app returns a build's handler of
// "/", which answers with page(): the page, which counts its loads.
func reloadsOnceInChromium(t *testing.T, chromium string, app func(build string, page func() string) http.Handler) {
	t.Helper()
	var loads atomic.Int32
	serve := func(build string) http.Handler {
		return newReloadInjector(app(build, func() string {
			return fmt.Sprintf(`<!doctype html><html><body><pre id="out">{"loads": %d, "build": %q}</pre></body></html>`, loads.Add(1), build)
		}), build, nil)
	}
	old, cur := serve("b1"), serve("b2")
	var streams atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case reloadPath:
			// Headless Chromium dumps the page only once the network is
			// quiet: each stream ends after its event, and the third
			// (a reconnection of the reloaded page) gets 204, which makes
			// EventSource stop.
			if streams.Add(1) > 2 {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			cur.ServeHTTP(flushCancel{w, cancel}, r.WithContext(ctx))
		case reloadScriptPath:
			cur.ServeHTTP(w, r)
		case "/":
			if loads.Load() == 0 {
				old.ServeHTTP(w, r) // the page as the old build served it
				return
			}
			cur.ServeHTTP(w, r) // the build that serves now
		default:
			http.NotFound(w, r) // favicon.ico
		}
	}))
	defer srv.Close()
	var got struct {
		Loads int
		Build string
	}
	browsertest.Results(t, chromium, srv.URL+"/", &got)
	assert.Equal(t, "b2", got.Build, "the page reloaded from the new build")
	assert.Equal(t, 2, got.Loads, "once: the new build's page does not reload again")
	assert.Equal(t, int32(3), streams.Load(), "each page listened for builds")
}

// flushCancel ends a stream's request context once it has flushed.
type flushCancel struct {
	http.ResponseWriter
	cancel context.CancelFunc
}

func (w flushCancel) Flush() {
	w.ResponseWriter.(http.Flusher).Flush()
	w.cancel()
}
