package middleware_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
)

// stdMiddleware is a net/http middleware as other libraries write them:
// it wraps the ResponseWriter and sets a header.
func stdMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Std", "1")
		next.ServeHTTP(&countingWriter{ResponseWriter: w}, r)
	})
}

type countingWriter struct {
	http.ResponseWriter
	n int
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n += n
	return n, err
}

func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// composeCase is one middleware, a request that shows its effect, and the
// check that it applied.
type composeCase struct {
	name    string
	mw      func() flagon.Middleware
	method  string
	query   string
	headers map[string]string
	body    string
	applied func(res *http.Response, body string) bool
}

var composeCases = []composeCase{
	{"RequestID", func() flagon.Middleware { return middleware.RequestID() }, "GET", "", nil, "",
		func(res *http.Response, _ string) bool { return res.Header.Get("X-Request-ID") != "" }},
	{"CORS", func() flagon.Middleware {
		return middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{"https://a.example"}})
	}, "GET", "",
		map[string]string{"Origin": "https://a.example"}, "",
		func(res *http.Response, _ string) bool {
			return res.Header.Get("Access-Control-Allow-Origin") == "https://a.example"
		}},
	{"Compress", func() flagon.Middleware { return middleware.Compress(middleware.CompressConfig{}) }, "GET", "",
		map[string]string{"Accept-Encoding": "gzip"}, "",
		func(res *http.Response, _ string) bool { return res.Header.Get("Content-Encoding") == "gzip" }},
	{"BodyLimit", func() flagon.Middleware { return middleware.BodyLimit(10) }, "POST", "", nil, strings.Repeat("x", 100),
		func(res *http.Response, _ string) bool { return res.StatusCode == 413 }},
	{"Timeout", func() flagon.Middleware { return middleware.Timeout(20 * time.Millisecond) }, "GET", "?slow=1", nil, "",
		func(res *http.Response, _ string) bool { return res.StatusCode == 503 }},
	{"SecureHeaders", func() flagon.Middleware { return middleware.SecureHeaders(middleware.SecureHeadersConfig{}) }, "GET", "", nil, "",
		func(res *http.Response, _ string) bool { return res.Header.Get("X-Content-Type-Options") == "nosniff" }},
	{"BasicAuth", func() flagon.Middleware {
		return middleware.BasicAuth("r", func(u, p string) bool { return middleware.SecureCompare(p, "pw") })
	}, "GET", "", nil, "",
		func(res *http.Response, _ string) bool { return res.StatusCode == 401 }},
	{"RateLimit", func() flagon.Middleware {
		return middleware.RateLimit(middleware.RateLimitConfig{Requests: 5, Per: time.Minute})
	}, "GET", "", nil, "",
		func(res *http.Response, _ string) bool { return res.Header.Get("RateLimit-Limit") == "5" }},
}

func composeHandler(c *flagon.Context) error {
	if c.Query("slow") != "" {
		select {
		case <-c.Context().Done():
			return c.Context().Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if _, err := io.ReadAll(c.Request.Body); err != nil {
		return err
	}
	return c.Text(200, long)
}

// Every middleware applies at app, blueprint and route level, alone and
// next to a net/http middleware through flagon.WrapMiddleware, and only
// where it is registered.
func TestEveryMiddlewareWorksAtEveryLevel(t *testing.T) {
	levels := []struct {
		name     string
		register func(app *flagon.App, mws ...flagon.Middleware) (in string)
	}{
		{"at app level", func(app *flagon.App, mws ...flagon.Middleware) string {
			app.Use(mws...)
			app.Route("/in", composeHandler, "GET", "POST")
			return "/in"
		}},
		{"on a blueprint", func(app *flagon.App, mws ...flagon.Middleware) string {
			bp := flagon.NewBlueprint("bp")
			bp.Use(mws...)
			bp.Route("/in", composeHandler, "GET", "POST")
			app.Register(bp, "/bp")
			return "/bp/in"
		}},
		{"on a route", func(app *flagon.App, mws ...flagon.Middleware) string {
			app.Route("/in", composeHandler, "GET", "POST").Use(mws...)
			return "/in"
		}},
	}
	stacks := []struct {
		name  string
		build func(mw flagon.Middleware) []flagon.Middleware
	}{
		{"alone", func(mw flagon.Middleware) []flagon.Middleware { return []flagon.Middleware{mw} }},
		{"inside a net/http middleware", func(mw flagon.Middleware) []flagon.Middleware {
			return []flagon.Middleware{flagon.WrapMiddleware(stdMiddleware), mw}
		}},
		{"around a net/http middleware", func(mw flagon.Middleware) []flagon.Middleware {
			return []flagon.Middleware{mw, flagon.WrapMiddleware(stdMiddleware)}
		}},
	}
	for _, mc := range composeCases {
		for _, level := range levels {
			for _, stack := range stacks {
				t.Run(mc.name+" applies "+level.name+" "+stack.name, func(t *testing.T) {
					app := quietApp()
					in := level.register(app, stack.build(mc.mw())...)
					app.Route("/out", composeHandler, "GET", "POST")
					srv := serve(t, app)

					var body io.Reader
					if mc.body != "" {
						body = strings.NewReader(mc.body)
					}
					res, text := fetch(t, mc.method, srv.URL+in+mc.query, mc.headers, body)
					assert.True(t, mc.applied(res, text), "status %d, headers %v", res.StatusCode, res.Header)
					if stack.name != "alone" && res.StatusCode < 400 {
						assert.Equal(t, "1", res.Header.Get("X-Std"), "the net/http middleware ran too")
					}
					if level.name == "at app level" {
						return
					}
					body = nil
					if mc.body != "" {
						body = strings.NewReader(mc.body)
					}
					res, text = fetch(t, mc.method, srv.URL+"/out"+mc.query, mc.headers, body)
					assert.False(t, mc.applied(res, text), "a route outside is left alone")
				})
			}
		}
	}
}

// fetch is do without the client's own gzip handling.
func fetch(t *testing.T, method, url string, headers map[string]string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}
