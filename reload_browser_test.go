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
// once, and then, served by b2, stay.
func TestReloadScriptReloadsThePageOnANewBuildInChromium(t *testing.T) {
	chromium := browsertest.Chromium(t)
	var loads atomic.Int32
	page := func(build string) http.Handler {
		return newReloadInjector(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			n := loads.Add(1)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html><body><pre id="out">{"loads": %d, "build": %q}</pre></body></html>`, n, build)
		}), build, nil)
	}
	old, cur := page("b1"), page("b2")
	var streams atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == reloadPath {
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
			return
		}
		if r.URL.Path != "/" {
			http.NotFound(w, r) // favicon.ico
			return
		}
		if loads.Load() == 0 {
			old.ServeHTTP(w, r) // the page as the old build served it
			return
		}
		cur.ServeHTTP(w, r) // the build that serves now, and its event stream
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
