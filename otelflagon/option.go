package otelflagon

import (
	"github.com/flagon-go/flagon"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Option configures Middleware.
type Option func(*config)

type config struct {
	tp   trace.TracerProvider
	mp   metric.MeterProvider
	prop propagation.TextMapPropagator
	skip func(c *flagon.Context) bool
}

func newConfig(opts []Option) config {
	cfg := config{}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	if cfg.prop == nil {
		cfg.prop = otel.GetTextMapPropagator()
	}
	return cfg
}

// WithTracerProvider makes the middleware start its spans with tp instead
// of the global tracer provider (otel.GetTracerProvider).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider makes the middleware record its metrics with mp instead
// of the global meter provider (otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// WithPropagator makes the middleware read the incoming trace context and
// baggage with p instead of the global propagator
// (otel.GetTextMapPropagator, which propagates nothing until one is set).
// For W3C traceparent and baggage:
//
//	otelflagon.WithPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.prop = p }
}

// WithSkip leaves out the requests skip returns true for: they get no span
// and no metrics (health checks and the /metrics scrape, say). skip runs
// after routing, so c.Endpoint and c.Rule are known.
func WithSkip(skip func(c *flagon.Context) bool) Option {
	return func(c *config) { c.skip = skip }
}
