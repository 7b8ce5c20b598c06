package flagon_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
)

// discardWriter is the ResponseWriter of the benchmarks: it reuses its
// header map and discards the body, as the usual Go router benchmarks do.
type discardWriter struct{ h http.Header }

func newDiscardWriter() *discardWriter                     { return &discardWriter{h: http.Header{}} }
func (d *discardWriter) Header() http.Header               { return d.h }
func (d *discardWriter) Write(b []byte) (int, error)       { return len(b), nil }
func (d *discardWriter) WriteString(s string) (int, error) { return len(s), nil }
func (d *discardWriter) WriteHeader(int)                   {}

// The router's own allocation tests are in router_bench_test.go.
func TestTheAppRequestPathAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items); .ci/run runs this test without -race")
	}
	w := newDiscardWriter()
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
	t.Run("a body of declared length within the limit that the handler does not bind", func(t *testing.T) {
		app := flagon.New()
		app.Post("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
		body := []byte(`{"a":1}`)
		req, _ := http.NewRequest("POST", "/", nil)
		req.ContentLength = int64(len(body))
		rd := bytes.NewReader(body)
		rc := io.NopCloser(rd)
		serve := func() {
			rd.Reset(body)
			req.Body = rc
			app.ServeHTTP(w, req)
		}
		serve()
		assert.Zero(t, testing.AllocsPerRun(200, serve))
	})
}

func TestAJSONResponseAllocatesNothingBeyondTheEncoder(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race; .ci/run runs this test without -race")
	}
	type greeting struct {
		Message string `json:"message"`
		Count   int    `json:"count"`
	}
	v := greeting{Message: "Hello, World!", Count: 3}
	var buf bytes.Buffer
	encoder := testing.AllocsPerRun(200, func() {
		buf.Reset()
		_ = json.NewEncoder(&buf).Encode(v)
	})
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.JSON(200, v) })
	req, _ := http.NewRequest("GET", "/", nil)
	w := newDiscardWriter()
	app.ServeHTTP(w, req)
	assert.LessOrEqual(t, testing.AllocsPerRun(200, func() { app.ServeHTTP(w, req) }), encoder)
}

// benchServe times app answering GET / to a discarding writer.
func benchServe(b *testing.B, app *flagon.App) {
	req, _ := http.NewRequest("GET", "/", nil)
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		app.ServeHTTP(w, req)
	}
}

func BenchmarkServeHTTPJSON(b *testing.B) {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.JSON(200, flagon.M{"message": "Hello, World!"}) })
	benchServe(b, app)
}

func BenchmarkServeHTTPHello(b *testing.B) {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
	benchServe(b, app)
}

func BenchmarkServeHTTPMiddleware5(b *testing.B) {
	app := flagon.New()
	for range 5 {
		app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
			return func(c *flagon.Context) error { return next(c) }
		})
	}
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
	benchServe(b, app)
}
