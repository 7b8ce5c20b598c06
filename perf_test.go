package flagon_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// discardWriter is the ResponseWriter of the benchmarks: it reuses its
// header map and discards the body, as the usual Go router benchmarks do.
type discardWriter struct{ h http.Header }

func newDiscardWriter() *discardWriter                     { return &discardWriter{h: http.Header{}} }
func (d *discardWriter) Header() http.Header               { return d.h }
func (d *discardWriter) Write(b []byte) (int, error)       { return len(b), nil }
func (d *discardWriter) WriteString(s string) (int, error) { return len(s), nil }
func (d *discardWriter) WriteHeader(int)                   {}

func nop(c *flagon.Context) error { return nil }

// paramRoute builds a rule and a matching path with n variables.
func paramRoute(n int) (rule, path string) {
	if n == 0 {
		return "/static/route/here", "/static/route/here"
	}
	var r, p strings.Builder
	for i := range n {
		fmt.Fprintf(&r, "/s%d/<v%d>", i, i)
		fmt.Fprintf(&p, "/s%d/value%d", i, i)
	}
	return r.String(), p.String()
}

func appWithParams(n int) (*flagon.App, *http.Request) {
	rule, path := paramRoute(n)
	app := flagon.New()
	app.Get(rule, nop)
	req, _ := http.NewRequest("GET", path, nil)
	return app, req
}

func githubApp(t testing.TB) (*flagon.App, []*http.Request) {
	app := flagon.New()
	var reqs []*http.Request
	for _, r := range loadRouteSet(t, "testdata/githubapi.txt") {
		app.Route(r[1], nop, r[0])
		path := ruleVar.ReplaceAllString(r[1], "x$1")
		req, err := http.NewRequest(r[0], path, nil)
		require.NoError(t, err)
		reqs = append(reqs, req)
	}
	return app, reqs
}

func TestTheRequestPathAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items); .ci/run runs this test without -race")
	}
	w := newDiscardWriter()
	for _, n := range []int{0, 1, 5, 20} {
		t.Run(fmt.Sprintf("a lookup with %d variables", n), func(t *testing.T) {
			app, req := appWithParams(n)
			app.ServeHTTP(w, req)
			assert.Zero(t, testing.AllocsPerRun(200, func() { app.ServeHTTP(w, req) }))
		})
	}
	t.Run("the whole GitHub API set", func(t *testing.T) {
		app, reqs := githubApp(t)
		for _, r := range reqs {
			app.ServeHTTP(w, r)
		}
		assert.Zero(t, testing.AllocsPerRun(20, func() {
			for _, r := range reqs {
				app.ServeHTTP(w, r)
			}
		}))
	})
	t.Run("hello world with c.Text", func(t *testing.T) {
		app := flagon.New()
		app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
		req, _ := http.NewRequest("GET", "/", nil)
		app.ServeHTTP(w, req)
		assert.Zero(t, testing.AllocsPerRun(200, func() { app.ServeHTTP(w, req) }))
	})
	t.Run("five no-op middlewares", func(t *testing.T) {
		app := flagon.New()
		for range 5 {
			app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
				return func(c *flagon.Context) error { return next(c) }
			})
		}
		app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
		req, _ := http.NewRequest("GET", "/", nil)
		app.ServeHTTP(w, req)
		assert.Zero(t, testing.AllocsPerRun(200, func() { app.ServeHTTP(w, req) }))
	})
}

func BenchmarkRouteStatic(b *testing.B)  { benchParams(b, 0) }
func BenchmarkRouteParam1(b *testing.B)  { benchParams(b, 1) }
func BenchmarkRouteParam5(b *testing.B)  { benchParams(b, 5) }
func BenchmarkRouteParam20(b *testing.B) { benchParams(b, 20) }

func benchParams(b *testing.B, n int) {
	app, req := appWithParams(n)
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		app.ServeHTTP(w, req)
	}
}

func BenchmarkGitHubAll(b *testing.B) {
	app, reqs := githubApp(b)
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range reqs {
			app.ServeHTTP(w, r)
		}
	}
}

func BenchmarkServeHTTPHello(b *testing.B) {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
	req, _ := http.NewRequest("GET", "/", nil)
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		app.ServeHTTP(w, req)
	}
}

func BenchmarkServeHTTPMiddleware5(b *testing.B) {
	app := flagon.New()
	for range 5 {
		app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
			return func(c *flagon.Context) error { return next(c) }
		})
	}
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
	req, _ := http.NewRequest("GET", "/", nil)
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		app.ServeHTTP(w, req)
	}
}

// BenchmarkScale looks up the last registered route in tables of growing
// size: the cost should stay flat.
func BenchmarkScale(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		for _, kind := range []string{"static", "params"} {
			// Built once, outside b.Run, which calls its function again to
			// calibrate.
			app := flagon.New()
			var path string
			for i := range n {
				if kind == "static" {
					app.Get(fmt.Sprintf("/r%d/items/list", i), nop)
					path = fmt.Sprintf("/r%d/items/list", i)
				} else {
					app.Get(fmt.Sprintf("/r%d/<id>/items/<item>", i), nop)
					path = fmt.Sprintf("/r%d/42/items/7", i)
				}
			}
			req, _ := http.NewRequest("GET", path, nil)
			b.Run(fmt.Sprintf("%s-%d", kind, n), func(b *testing.B) {
				w := newDiscardWriter()
				b.ReportAllocs()
				for b.Loop() {
					app.ServeHTTP(w, req)
				}
			})
		}
	}
}
