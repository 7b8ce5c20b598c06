package middleware_test

import (
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/internal/browsertest"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listen serves h on a free port of 127.0.0.1 until the test ends.
func listen(t *testing.T, h http.Handler) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// browserCase is one fetch the page makes: its script's init object, and
// whether the browser must let the page read the answer.
type browserCase struct {
	name, path, init string
	allowed          bool
	ran              int // how many times the API handler must run
}

// The page on one origin (http://127.0.0.1:P1) fetches from an API on
// another (http://localhost:P2), and a real browser decides.
func TestCORSInARealBrowser(t *testing.T) {
	chromium := browsertest.Chromium(t)

	var mu sync.Mutex
	runs := map[string]int{}
	count := func(c *flagon.Context) error {
		mu.Lock()
		runs[c.Request.Method+" "+c.Request.URL.RequestURI()]++
		mu.Unlock()
		c.SetHeader("X-Total", "7")
		return c.Text(200, "data")
	}
	// The page's origin must be known before the API's config is built,
	// and the page must know the API's port: the page handler reads page
	// once both servers are up.
	var page atomic.Value // string
	pagePort := listen(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page.Load().(string)))
	}))
	pageOrigin := "http://127.0.0.1:" + strconv.Itoa(pagePort)

	api := quietApp()
	blueprint := func(name string, cfg middleware.CORSConfig) {
		bp := flagon.NewBlueprint(name)
		bp.Use(middleware.CORS(cfg))
		bp.Get("/data", count)
		bp.Put("/data", count)
		bp.Delete("/data", count)
		api.Register(bp, "/"+name)
	}
	blueprint("open", middleware.CORSConfig{AllowOrigins: []string{"*"}})
	blueprint("strict", middleware.CORSConfig{
		AllowOrigins: []string{pageOrigin}, AllowCredentials: true,
		AllowMethods: []string{"GET", "PUT"}, AllowHeaders: []string{"X-Token"}, ExposeHeaders: []string{"X-Total"},
	})
	blueprint("other", middleware.CORSConfig{AllowOrigins: []string{"http://example.com"}})
	blueprint("wild", middleware.CORSConfig{AllowOrigins: []string{"http://*.example.com"}})
	blueprint("func", middleware.CORSConfig{AllowOriginFunc: func(o string) bool { return o == pageOrigin }})
	api.Get("/none/data", count)
	apiPort := listen(t, api)

	cases := []browserCase{
		{"star lets a simple GET be read", "/open/data?1", `{}`, true, 1},
		{"star refuses a GET with credentials", "/open/data?2", `{credentials: "include"}`, false, 1},
		{"star lets a preflighted PUT with a custom header through", "/open/data?3", `{method: "PUT", headers: {"X-Anything": "1"}}`, true, 1},
		{"a listed origin may send credentials", "/strict/data?1", `{credentials: "include"}`, true, 1},
		{"a listed origin may read without credentials", "/strict/data?2", `{}`, true, 1},
		{"a preflighted PUT with an allowed header is let through", "/strict/data?3", `{method: "PUT", headers: {"X-Token": "1"}, credentials: "include"}`, true, 1},
		{"a preflighted PUT with a header not allowed is stopped before the handler", "/strict/data?4", `{method: "PUT", headers: {"X-Other": "1"}}`, false, 0},
		{"a DELETE not allowed is stopped at the preflight", "/strict/data?5", `{method: "DELETE"}`, false, 0},
		{"an origin not listed cannot read", "/other/data?1", `{}`, false, 1},
		{"an origin not listed cannot send a preflighted PUT", "/other/data?2", `{method: "PUT", headers: {"X-Token": "1"}}`, false, 0},
		{"a wildcard for another domain does not match", "/wild/data?1", `{}`, false, 1},
		{"AllowOriginFunc lets the page in", "/func/data?1", `{}`, true, 1},
		{"a route without CORS cannot be read", "/none/data?1", `{}`, false, 1},
	}
	page.Store(`<!doctype html><pre id="out">pending</pre><script>
const api = "http://localhost:` + strconv.Itoa(apiPort) + `";
const cases = [` + jsCases(cases) + `];
(async () => {
  const out = {};
  for (const [name, path, init] of cases) {
    try {
      const r = await fetch(api + path, init);
      out[name] = "read " + r.status + " " + await r.text() + " total=" + r.headers.get("X-Total");
    } catch (e) {
      out[name] = "blocked";
    }
  }
  document.getElementById("out").textContent = JSON.stringify(out);
})();
</script>`)

	var results map[string]string
	browsertest.Results(t, chromium, pageOrigin+"/page", &results)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := results[tt.name]
			require.True(t, ok, "the page ran the case")
			if tt.allowed {
				assert.Regexp(t, `^read 200 data total=`, got)
			} else {
				assert.Equal(t, "blocked", got)
			}
		})
	}
	t.Run("the exposed header is readable only where exposed", func(t *testing.T) {
		assert.Equal(t, "read 200 data total=7", results["a listed origin may send credentials"])
		assert.Equal(t, "read 200 data total=null", results["star lets a simple GET be read"])
	})
	t.Run("handlers ran only for requests the browser sent", func(t *testing.T) {
		mu.Lock()
		defer mu.Unlock()
		methodRE := regexp.MustCompile(`method: "(\w+)"`)
		for _, tt := range cases {
			method := "GET"
			if m := methodRE.FindStringSubmatch(tt.init); m != nil {
				method = m[1]
			}
			assert.Equal(t, tt.ran, runs[method+" "+tt.path], tt.name)
		}
	})
}

func jsCases(cases []browserCase) string {
	s := ""
	for _, c := range cases {
		name, _ := json.Marshal(c.name)
		path, _ := json.Marshal(c.path)
		s += "[" + string(name) + ", " + string(path) + ", " + c.init + "],\n"
	}
	return s
}
