// Command observability is a Flagon app instrumented with OpenTelemetry:
// spans and metrics exported to standard output, a Prometheus /metrics
// route, logs that carry trace_id and span_id, and health endpoints.
//
//	go run . # then: curl localhost:5000/users/7; curl localhost:5000/metrics
package main

import (
	"context"
	"errors"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/flagon-go/flagon/otelflagon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func main() {
	spans, err := stdouttrace.New(stdouttrace.WithPrettyPrint())
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans))
	metrics, err := stdoutmetric.New()
	if err != nil {
		log.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	scrape, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		log.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics, sdkmetric.WithInterval(30*time.Second))),
		sdkmetric.WithReader(scrape),
	)
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))

	app := newApp(reg, func(ctx context.Context) error { return nil })
	app.OnShutdown(func(ctx context.Context) error {
		return errors.Join(tp.Shutdown(ctx), mp.Shutdown(ctx))
	})
	if err := app.Run(false); err != nil {
		log.Fatal(err)
	}
}

// newApp is the app: instrumented with the global providers, its logs
// correlated, /metrics served from reg, /healthz and /readyz for probes.
func newApp(reg *prometheus.Registry, pingDB func(context.Context) error) *flagon.App {
	app := flagon.New()
	app.Config.Logger = slog.New(otelflagon.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	probe := func(c *flagon.Context) bool {
		switch c.Endpoint() {
		case "healthz", "readyz", "metrics":
			return true
		}
		return false
	}
	app.Use(
		otelflagon.Middleware(otelflagon.WithSkip(probe)),
		middleware.Logger(middleware.LoggerConfig{Skip: probe}),
	)
	app.Get("/healthz", flagon.Liveness()).Name("healthz")
	app.Get("/readyz", flagon.Readiness(flagon.HealthCheck{Name: "db", Check: pingDB, Timeout: 500 * time.Millisecond})).Name("readyz")
	app.Get("/metrics", flagon.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))).Name("metrics")
	app.Get("/users/<int:id>", func(c *flagon.Context) error {
		return c.JSON(200, flagon.M{"id": c.ParamInt("id")})
	}).Name("user")
	return app
}
