package otelflagon_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/otelflagon"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// dropSpans is a span processor that drops every span: the SDK records
// them (sampled, attributes kept) and nothing is exported.
type dropSpans struct{}

func (dropSpans) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (dropSpans) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (dropSpans) Shutdown(context.Context) error                  { return nil }
func (dropSpans) ForceFlush(context.Context) error                { return nil }

func benchApp(mw ...flagon.Middleware) *flagon.App {
	app := flagon.New()
	app.Use(mw...)
	app.Get("/users/<int:id>", func(c *flagon.Context) error { return c.Text(200, "user") })
	return app
}

// BenchmarkMiddleware measures a GET /users/7 through the app with no
// instrumentation, with the middleware on no-op providers, and with the
// middleware on the SDK (every span sampled and recorded, metrics
// aggregated by a ManualReader). The difference to "bare" is the
// middleware's overhead per request.
func BenchmarkMiddleware(b *testing.B) {
	sdk := func() flagon.Middleware {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(dropSpans{}))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		return otelflagon.Middleware(otelflagon.WithTracerProvider(tp), otelflagon.WithMeterProvider(mp))
	}
	cases := []struct {
		name string
		app  *flagon.App
	}{
		{"bare", benchApp()},
		{"noop", benchApp(otelflagon.Middleware(
			otelflagon.WithTracerProvider(tracenoop.NewTracerProvider()),
			otelflagon.WithMeterProvider(metricnoop.NewMeterProvider())))},
		{"sdk", benchApp(sdk())},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			req, _ := http.NewRequest("GET", "/users/7", nil)
			req.RemoteAddr = "127.0.0.1:40000"
			req.Host = "example.com"
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.app.ServeHTTP(w, req)
			}
		})
	}
}
