package otelflagon

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flagon-go/flagon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/httpconv"
	"go.opentelemetry.io/otel/trace"
)

// scope is the instrumentation scope of the spans and metrics.
const scope = "github.com/flagon-go/flagon/otelflagon"

// durationBuckets are the boundaries (seconds) the semantic conventions
// advise for http.server.request.duration.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// instruments are the middleware's tracer and metric instruments.
type instruments struct {
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
	skip     func(c *flagon.Context) bool
	duration metric.Float64Histogram
	active   metric.Int64UpDownCounter
	reqSize  metric.Int64Histogram
	respSize metric.Int64Histogram
	// activeOpts are the prepared options of active_requests, by method
	// index and scheme (0 http, 1 https).
	activeOpts [otherMethod + 1][2][]metric.AddOption
	startOpts  []trace.SpanStartOption
}

// Middleware returns a middleware that traces and measures every request:
// a server span named by method and route ("GET /users/{id}"), and the
// metrics http.server.request.duration, http.server.active_requests,
// http.server.request.body.size and http.server.response.body.size, each
// with http.route, http.request.method and http.response.status_code.
// The incoming trace context is extracted with the propagator (the global
// one unless WithPropagator), so the span continues the caller's trace.
//
// The span's status is set from what the app answered, after its error
// handlers ran: a 5xx is an error (error.type the status code), with the
// error next returned recorded as an exception event (exception.type
// "panic" for a recovered panic); a 4xx leaves the status unset.
// Instruments that cannot be created are reported to otel.Handle and
// replaced by no-op ones.
func Middleware(opts ...Option) flagon.Middleware {
	cfg := newConfig(opts)
	in := &instruments{
		tracer: cfg.tp.Tracer(scope),
		prop:   cfg.prop,
		skip:   cfg.skip,
	}
	meter := cfg.mp.Meter(scope)
	d, err := httpconv.NewServerRequestDuration(meter, metric.WithExplicitBucketBoundaries(durationBuckets...))
	handle(err)
	a, err := httpconv.NewServerActiveRequests(meter)
	handle(err)
	rq, err := httpconv.NewServerRequestBodySize(meter)
	handle(err)
	rs, err := httpconv.NewServerResponseBodySize(meter)
	handle(err)
	in.duration, in.active, in.reqSize, in.respSize = d.Inst(), a.Inst(), rq.Inst(), rs.Inst()
	for m := range in.activeOpts {
		for s, scheme := range []string{"http", "https"} {
			set := attribute.NewSet(methodAttrs[m], semconv.URLScheme(scheme))
			in.activeOpts[m][s] = []metric.AddOption{metric.WithAttributeSet(set)}
		}
	}
	in.startOpts = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		routes := &routeCache{}
		return func(c *flagon.Context) error {
			if in.skip != nil && in.skip(c) {
				return next(c)
			}
			return in.serve(c, next, routes.get(c.Rule(), c.Endpoint()))
		}
	}
}

// serve runs next inside the request's span and records its metrics.
func (in *instruments) serve(c *flagon.Context, next flagon.HandlerFunc, rt *route) error {
	start := time.Now()
	r := c.Request
	ctx := in.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	extracted := ctx != r.Context() // a remote parent or baggage came in
	m := methodIndex(r.Method)
	scheme := c.Scheme()
	https := 0
	if scheme == "https" {
		https = 1
	}
	proto := protoVersion(r)

	buf := bufs.Get().(*spanBuf)
	defer bufs.Put(buf)
	attrs := append(buf.attrs[:0], methodAttrs[m], semconv.URLScheme(scheme), semconv.URLPath(r.URL.Path))
	if m == otherMethod {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginal(r.Method))
	}
	if host, port := splitHostPort(c.Host()); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	if peer, port := splitHostPort(r.RemoteAddr); peer != "" {
		attrs = append(attrs, semconv.NetworkPeerAddress(peer))
		if port > 0 {
			attrs = append(attrs, semconv.NetworkPeerPort(port))
		}
	}
	if ip := c.ClientIP(); ip != "" {
		attrs = append(attrs, semconv.ClientAddress(ip))
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(ua))
	}
	if proto != "" {
		attrs = append(attrs, semconv.NetworkProtocolVersion(proto))
	}
	attrs = append(attrs, rt.attrs...)

	opts := append(buf.opts[:0], in.startOpts...)
	opts = append(opts, trace.WithAttributes(attrs...))
	ctx, span := in.tracer.Start(ctx, rt.names[m], opts...)
	if extracted || span.SpanContext().IsValid() {
		// The span's context stays on the request after the middleware
		// returns, so that a request log outside it is correlated too. A
		// span that is nothing (a no-op provider, no caller's trace) saves
		// the copy of the request.
		c.Request = r.WithContext(ctx)
	}
	active := in.activeOpts[m][https]
	in.active.Add(ctx, 1, active...)

	err := next(c)

	status, size := c.Response.Status(), c.Response.Size()
	in.active.Add(ctx, -1, active...)
	if span.IsRecording() {
		end := append(buf.attrs[:0], semconv.HTTPResponseStatusCode(status), semconv.HTTPResponseBodySize(int(size)))
		if r.ContentLength > 0 {
			end = append(end, semconv.HTTPRequestBodySize(int(r.ContentLength)))
		}
		if status >= 500 {
			end = append(end, semconv.ErrorTypeKey.String(statusText(status)))
		}
		span.SetAttributes(end...)
		if status >= 500 {
			in.fail(span, err)
		}
	}
	span.End()

	record := rt.recordOptions(setKey{method: m, status: status, https: https == 1, proto: proto})
	in.duration.Record(ctx, float64(time.Since(start))/float64(time.Second), record...)
	if r.ContentLength >= 0 {
		in.reqSize.Record(ctx, r.ContentLength, record...)
	}
	in.respSize.Record(ctx, size, record...)
	return err
}

// spanBuf holds a request's span attributes and start options while they
// are handed to the tracer, which copies what it keeps (the SDK copies the
// attributes into the span), so the buffers are reused across requests.
type spanBuf struct {
	attrs []attribute.KeyValue
	opts  []trace.SpanStartOption
}

var bufs = sync.Pool{New: func() any {
	return &spanBuf{attrs: make([]attribute.KeyValue, 0, 16), opts: make([]trace.SpanStartOption, 0, 2)}
}}

// fail marks a span whose request was answered with a 5xx as an error,
// with the error it ended with (if any) as an exception event.
func (in *instruments) fail(span trace.Span, err error) {
	if err == nil {
		span.SetStatus(codes.Error, "")
		return
	}
	span.SetStatus(codes.Error, err.Error())
	if flagon.IsPanic(err) {
		span.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(
			semconv.ExceptionType("panic"), semconv.ExceptionMessage(err.Error())))
		return
	}
	span.RecordError(err)
}

// splitHostPort splits "host:port", "[v6]:port" or a bare host; port is 0
// when absent or malformed.
func splitHostPort(hp string) (string, int) {
	if strings.IndexByte(hp, ':') < 0 {
		return hp, 0 // the common Host without a port; SplitHostPort's error would allocate
	}
	host, p, err := net.SplitHostPort(hp)
	if err != nil {
		if len(hp) > 1 && hp[0] == '[' && hp[len(hp)-1] == ']' {
			return hp[1 : len(hp)-1], 0
		}
		return hp, 0
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		port = 0
	}
	return host, port
}
