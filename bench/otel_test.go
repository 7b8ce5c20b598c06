package bench

import (
	"context"
	"net/http"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/otelflagon"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// dropSpans records spans (the SDK samples every one) and exports none.
type dropSpans struct{}

func (dropSpans) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (dropSpans) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (dropSpans) Shutdown(context.Context) error                  { return nil }
func (dropSpans) ForceFlush(context.Context) error                { return nil }

type providers struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

func otelProviders(sdk bool) providers {
	if !sdk {
		return providers{tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider()}
	}
	return providers{
		sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(dropSpans{})),
		sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())),
	}
}

// otelApps are the same route, GET /users/{id}, in each framework with its
// OpenTelemetry instrumentation: otelflagon, otelhttp around chi (the way
// its docs show: around the router, since chi knows the route only after
// routing) and otelgin.
var otelApps = []struct {
	name string
	new  func(p providers) http.Handler
}{
	{"flagon+otelflagon", func(p providers) http.Handler {
		app := flagon.New()
		app.Use(otelflagon.Middleware(otelflagon.WithTracerProvider(p.tp), otelflagon.WithMeterProvider(p.mp)))
		app.Get("/users/<int:id>", func(c *flagon.Context) error { return c.Text(200, "user") })
		return app
	}},
	{"chi+otelhttp", func(p providers) http.Handler {
		m := chi.NewRouter()
		m.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte("user"))
		})
		return otelhttp.NewHandler(m, "chi", otelhttp.WithTracerProvider(p.tp), otelhttp.WithMeterProvider(p.mp))
	}},
	{"gin+otelgin", func(p providers) http.Handler {
		g := gin.New()
		g.Use(otelgin.Middleware("gin", otelgin.WithTracerProvider(p.tp), otelgin.WithMeterProvider(p.mp)))
		g.GET("/users/:id", func(c *gin.Context) { c.String(200, "user") })
		return g
	}},
}

// TestOtelAppsAnswer checks the benchmarked apps answer the route.
func TestOtelAppsAnswer(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, a := range otelApps {
		h := a.new(otelProviders(true))
		w := NewDiscardWriter()
		w.Keep = true
		req, _ := http.NewRequest("GET", "/users/7", nil)
		h.ServeHTTP(w, req)
		if (w.Status != 0 && w.Status != 200) || string(w.Body) != "user" {
			t.Errorf("%s: %d %q", a.name, w.Status, w.Body)
		}
	}
}

// BenchmarkOtel measures each instrumented app on GET /users/7 with no-op
// providers and with the SDK (every span recorded, metrics aggregated).
func BenchmarkOtel(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	for _, sdk := range []bool{false, true} {
		mode := "noop"
		if sdk {
			mode = "sdk"
		}
		for _, a := range otelApps {
			b.Run(mode+"/"+a.name, func(b *testing.B) {
				h := a.new(otelProviders(sdk))
				req, _ := http.NewRequest("GET", "/users/7", nil)
				req.RemoteAddr = "127.0.0.1:40000"
				req.Host = "example.com"
				w := NewDiscardWriter()
				b.ReportAllocs()
				for b.Loop() {
					clear(w.Header())
					h.ServeHTTP(w, req)
				}
			})
		}
	}
}
