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

// nullWriter is the ResponseWriter of the router benchmarks: Header
// returns one reused map and the body is discarded, so what is measured is
// the app, not the writer.
type nullWriter struct{ h http.Header }

func newNullWriter() *nullWriter                  { return &nullWriter{h: http.Header{}} }
func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nullWriter) WriteHeader(int)             {}

// doNothing is the handler of the router benchmarks.
func doNothing(*flagon.Context) error { return nil }

// varsRoute returns a rule with n variables and a path that matches it.
func varsRoute(n int) (rule, path string) {
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

// varsApp serves one route with n variables among a few neighbours, and
// a request that reaches it.
func varsApp(t testing.TB, n int) (*flagon.App, *http.Request) {
	rule, path := varsRoute(n)
	app := flagon.New()
	app.Get(rule, doNothing)
	app.Get("/static/other", doNothing)
	app.Get("/s0/<v0>/other", doNothing)
	req, err := http.NewRequest("GET", path, nil)
	require.NoError(t, err)
	w := &statusWriter{nullWriter: newNullWriter()}
	app.ServeHTTP(w, req)
	require.Equal(t, 200, w.code, "the benchmark's request must reach its route")
	return app, req
}

// statusWriter records the status a nullWriter was given.
type statusWriter struct {
	*nullWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) { w.code = code }

// githubRequests serves the GitHub API set with doNothing and returns one
// request per route.
func githubRequests(t testing.TB) (*flagon.App, []*http.Request) {
	app := flagon.New()
	var reqs []*http.Request
	for i, r := range readRouteSet(t, "testdata/githubapi.rules") {
		app.Route(r.rule, doNothing, r.method)
		path := routeSetPath(r.rule, func(name string) string { return fmt.Sprintf("%s%d", name, i) })
		req, err := http.NewRequest(r.method, path, nil)
		require.NoError(t, err)
		reqs = append(reqs, req)
	}
	w := &statusWriter{nullWriter: newNullWriter()}
	for _, req := range reqs {
		w.code = 0
		app.ServeHTTP(w, req)
		require.Equal(t, 200, w.code, "%s %s", req.Method, req.URL.Path)
	}
	return app, reqs
}

// scaleApp registers n routes, static or with two variables, and returns a
// request for the last one registered and one in the middle.
func scaleApp(t testing.TB, n int, vars bool) (*flagon.App, []*http.Request) {
	app := flagon.New()
	var paths []string
	for i := range n {
		if vars {
			app.Get(fmt.Sprintf("/r%d/<id>/items/<item>", i), doNothing)
		} else {
			app.Get(fmt.Sprintf("/r%d/items/list", i), doNothing)
		}
	}
	for _, i := range []int{n / 2, n - 1} {
		if vars {
			paths = append(paths, fmt.Sprintf("/r%d/42/items/7", i))
		} else {
			paths = append(paths, fmt.Sprintf("/r%d/items/list", i))
		}
	}
	var reqs []*http.Request
	w := &statusWriter{nullWriter: newNullWriter()}
	for _, p := range paths {
		req, err := http.NewRequest("GET", p, nil)
		require.NoError(t, err)
		w.code = 0
		app.ServeHTTP(w, req)
		require.Equal(t, 200, w.code, p)
		reqs = append(reqs, req)
	}
	return app, reqs
}

func TestRouterDispatchAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under -race (sync.Pool drops items on purpose); .ci/run runs this test without -race")
	}
	w := newNullWriter()
	for _, n := range []int{0, 1, 5, 20} {
		name := fmt.Sprintf("a request to a route with %d variables allocates nothing", n)
		switch n {
		case 0:
			name = "a request to a static route allocates nothing"
		case 1:
			name = "a request to a route with 1 variable allocates nothing"
		}
		t.Run(name, func(t *testing.T) {
			app, req := varsApp(t, n)
			app.ServeHTTP(w, req)
			assert.Zero(t, testing.AllocsPerRun(500, func() { app.ServeHTTP(w, req) }))
		})
	}
	t.Run("a sweep over the whole GitHub API set allocates nothing", func(t *testing.T) {
		app, reqs := githubRequests(t)
		assert.Zero(t, testing.AllocsPerRun(50, func() {
			for _, req := range reqs {
				app.ServeHTTP(w, req)
			}
		}))
	})
	t.Run("a lookup among 100 000 routes allocates nothing", func(t *testing.T) {
		for _, vars := range []bool{false, true} {
			app, reqs := scaleApp(t, 100000, vars)
			assert.Zero(t, testing.AllocsPerRun(200, func() {
				for _, req := range reqs {
					app.ServeHTTP(w, req)
				}
			}), "with variables: %v", vars)
		}
	})
	t.Run("a request to path variables in the middle of rules allocates nothing", func(t *testing.T) {
		app := flagon.New()
		app.Get("/wiki/<path:page>", doNothing)
		app.Get("/wiki/<path:page>/edit", doNothing)
		app.Get("/wiki/<path:page>/<int:rev>", doNothing)
		app.Get("/docs/<path:p>/", doNothing)
		app.Get("/repo/<path:name>/blob/<path:file>", doNothing)
		for _, p := range []string{"/wiki/a/b/edit", "/wiki/a/b/42", "/docs/guide/intro/", "/repo/org/proj/blob/src/blob/x.go"} {
			req, err := http.NewRequest("GET", p, nil)
			require.NoError(t, err)
			sw := &statusWriter{nullWriter: newNullWriter()}
			app.ServeHTTP(sw, req)
			require.Equal(t, 200, sw.code, p)
			assert.Zero(t, testing.AllocsPerRun(500, func() { app.ServeHTTP(w, req) }), p)
		}
	})
	t.Run("HEAD served by a GET route allocates nothing", func(t *testing.T) {
		app, req := varsApp(t, 5)
		head := req.Clone(req.Context())
		head.Method = "HEAD"
		app.ServeHTTP(w, head)
		assert.Zero(t, testing.AllocsPerRun(500, func() { app.ServeHTTP(w, head) }))
	})
}

func benchmarkVars(b *testing.B, n int) {
	app, req := varsApp(b, n)
	w := newNullWriter()
	b.ReportAllocs()
	for b.Loop() {
		app.ServeHTTP(w, req)
	}
}

func BenchmarkRouterStatic(b *testing.B)      { benchmarkVars(b, 0) }
func BenchmarkRouterVariables1(b *testing.B)  { benchmarkVars(b, 1) }
func BenchmarkRouterVariables5(b *testing.B)  { benchmarkVars(b, 5) }
func BenchmarkRouterVariables20(b *testing.B) { benchmarkVars(b, 20) }

// BenchmarkRouterGitHubAll requests every route of the GitHub API set once
// per op.
func BenchmarkRouterGitHubAll(b *testing.B) {
	app, reqs := githubRequests(b)
	w := newNullWriter()
	b.ReportAllocs()
	for b.Loop() {
		for _, req := range reqs {
			app.ServeHTTP(w, req)
		}
	}
}

// BenchmarkRouterScale looks up a route among 10, 1 000 and 100 000: the
// cost per lookup should not grow with the table. Each op is two lookups
// (the middle route and the last one).
func BenchmarkRouterScale(b *testing.B) {
	for _, kind := range []string{"static", "variables"} {
		for _, n := range []int{10, 1000, 100000} {
			b.Run(fmt.Sprintf("%s-%d", kind, n), func(b *testing.B) {
				app, reqs := scaleApp(b, n, kind == "variables")
				w := newNullWriter()
				b.ReportAllocs()
				for b.Loop() {
					for _, req := range reqs {
						app.ServeHTTP(w, req)
					}
				}
			})
		}
	}
}
