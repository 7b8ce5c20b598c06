package otelflagon_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/otelflagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// telemetry is an app instrumented with in-memory span and metric readers.
type telemetry struct {
	spans   *tracetest.SpanRecorder
	metrics *sdkmetric.ManualReader
	tp      *sdktrace.TracerProvider
	mp      *sdkmetric.MeterProvider
}

func newTelemetry() *telemetry {
	t := &telemetry{spans: tracetest.NewSpanRecorder(), metrics: sdkmetric.NewManualReader()}
	t.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(t.spans))
	t.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(t.metrics))
	return t
}

func (tm *telemetry) middleware(opts ...otelflagon.Option) flagon.Middleware {
	return otelflagon.Middleware(append([]otelflagon.Option{
		otelflagon.WithTracerProvider(tm.tp),
		otelflagon.WithMeterProvider(tm.mp),
		otelflagon.WithPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})),
	}, opts...)...)
}

// only returns the one span ended since the last call.
func (tm *telemetry) only(t *testing.T) sdktrace.ReadOnlySpan {
	t.Helper()
	ended := tm.spans.Ended()
	require.NotEmpty(t, ended, "no span ended")
	s := ended[len(ended)-1]
	tm.spans.Reset()
	require.Len(t, ended, 1, "one span per request")
	return s
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

type item struct {
	Name string `json:"name" validate:"required"`
}

// newApp is the app under test: routes for each kind of answer.
func newApp(tm *telemetry, opts ...otelflagon.Option) *flagon.App {
	app := flagon.New()
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	app.Use(tm.middleware(opts...))
	app.Get("/users/<int:id>", func(c *flagon.Context) error { return c.Text(200, "user") }).Name("user")
	app.Post("/items", func(c *flagon.Context) error {
		var in item
		if err := c.Bind(&in); err != nil {
			return err
		}
		return c.JSON(201, in)
	})
	app.Get("/forbidden", func(c *flagon.Context) error { return flagon.Abort(403) })
	app.Get("/fail", func(c *flagon.Context) error { return errors.New("db down") })
	app.Get("/unavailable", func(c *flagon.Context) error { return c.Text(503, "later") })
	app.Get("/panic", func(c *flagon.Context) error { panic("boom") })
	app.Get("/files/<path:p>", func(c *flagon.Context) error { return c.Text(200, c.Param("p")) })
	return app
}

func do(t *testing.T, method, url, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func TestSpansAreNamedByRouteAndStatusFollowsTheAnswer(t *testing.T) {
	tm := newTelemetry()
	srv := httptest.NewServer(newApp(tm))
	defer srv.Close()

	tests := []struct {
		name, method, path, body string
		status                   int
		span                     string
		route                    string // "" when none
		endpoint                 string
		err                      bool   // span status Error
		exception                string // exception.type recorded, "" when none
	}{
		{"a matched route", "GET", "/users/7", "", 200, "GET /users/{id}", "/users/{id}", "user", false, ""},
		{"a path variable", "GET", "/files/a/b.txt", "", 200, "GET /files/{p}", "/files/{p}", "", false, ""},
		{"a 404 is named by method only", "GET", "/no/such/page", "", 404, "GET", "", "", false, ""},
		{"a 405 is named by method only", "DELETE", "/users/7", "", 405, "DELETE", "", "", false, ""},
		{"a 422 from Bind is no span error", "POST", "/items", `{"name":""}`, 422, "POST /items", "/items", "", false, ""},
		{"an Abort(403) is no span error", "GET", "/forbidden", "", 403, "GET /forbidden", "/forbidden", "", false, ""},
		{"a returned error is a 500 span error with the exception", "GET", "/fail", "", 500, "GET /fail", "/fail", "", true, "*errors.errorString"},
		{"a 503 written by the handler is a span error without exception", "GET", "/unavailable", "", 503, "GET /unavailable", "/unavailable", "", true, ""},
		{"a panic is a 500 span error with the exception", "GET", "/panic", "", 500, "GET /panic", "/panic", "", true, "panic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, tt.method, srv.URL+tt.path, tt.body)
			require.Equal(t, tt.status, res.StatusCode)
			s := tm.only(t)
			assert.Equal(t, tt.span, s.Name())
			assert.Equal(t, trace.SpanKindServer, s.SpanKind())
			a := attrs(s)
			assert.Equal(t, int64(tt.status), a["http.response.status_code"].AsInt64())
			assert.Equal(t, tt.method, a["http.request.method"].AsString())
			assert.Equal(t, "http", a["url.scheme"].AsString())
			assert.Equal(t, tt.path, a["url.path"].AsString())
			assert.Equal(t, "127.0.0.1", a["server.address"].AsString())
			assert.Equal(t, "127.0.0.1", a["client.address"].AsString())
			assert.Equal(t, "1.1", a["network.protocol.version"].AsString())
			assert.Equal(t, tt.route, a["http.route"].AsString())
			assert.Equal(t, tt.endpoint, a["flagon.endpoint"].AsString())
			if tt.err {
				assert.Equal(t, codes.Error, s.Status().Code)
				assert.Equal(t, attribute.StringValue(itoa(tt.status)), a["error.type"])
			} else {
				assert.Equal(t, codes.Unset, s.Status().Code)
				_, has := a["error.type"]
				assert.False(t, has, "error.type only for 5xx")
			}
			var exc []string
			for _, e := range s.Events() {
				if e.Name == "exception" {
					for _, kv := range e.Attributes {
						if kv.Key == "exception.type" {
							exc = append(exc, kv.Value.AsString())
						}
					}
				}
			}
			if tt.exception == "" {
				assert.Empty(t, exc)
			} else {
				assert.Equal(t, []string{tt.exception}, exc)
			}
		})
	}
}

func itoa(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

func TestSpanContinuesTheCallersTraceAndBaggage(t *testing.T) {
	tm := newTelemetry()
	app := flagon.New()
	app.Use(tm.middleware())
	got := make(chan string, 1)
	app.Get("/", func(c *flagon.Context) error {
		got <- baggage.FromContext(c.Context()).Member("tenant").Value()
		return c.Text(200, "ok")
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	do(t, "GET", srv.URL+"/", "",
		"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"baggage", "tenant=acme")
	s := tm.only(t)
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", s.SpanContext().TraceID().String())
	assert.Equal(t, "00f067aa0ba902b7", s.Parent().SpanID().String())
	assert.True(t, s.Parent().IsRemote())
	assert.Equal(t, "acme", <-got)

	do(t, "GET", srv.URL+"/", "")
	s = tm.only(t)
	assert.False(t, s.Parent().IsValid(), "no traceparent: a root span")
	assert.Equal(t, "", <-got)
}

// TestNetHTTPHandlersJoinTheSpan: WrapHandler routes and Mounted handlers
// get the span named by their route, and see it in r.Context() (where
// net/http instrumentation finds its parent).
func TestNetHTTPHandlersJoinTheSpan(t *testing.T) {
	tm := newTelemetry()
	app := flagon.New()
	app.Use(tm.middleware())
	spanID := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, trace.SpanFromContext(r.Context()).SpanContext().SpanID().String())
	}
	app.Get("/wrapped/<name>", flagon.WrapHandler(http.HandlerFunc(spanID)))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /reports/{id}", spanID)
	app.Mount("/legacy", mux)
	srv := httptest.NewServer(app)
	defer srv.Close()

	for path, name := range map[string]string{
		"/wrapped/x":        "GET /wrapped/{name}",
		"/legacy/reports/3": "GET /legacy/*",
		"/legacy":           "GET /legacy",
	} {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		s := tm.only(t)
		assert.Equal(t, name, s.Name(), path)
		assert.Equal(t, strings.TrimPrefix(name, "GET "), attrs(s)["http.route"].AsString(), path)
		if res.StatusCode == 200 {
			assert.Equal(t, s.SpanContext().SpanID().String(), string(body), "the handler of %s sees the span", path)
		}
	}
}

func TestSkippedRequestsGetNoSpan(t *testing.T) {
	tm := newTelemetry()
	app := flagon.New()
	app.Use(tm.middleware(otelflagon.WithSkip(func(c *flagon.Context) bool { return c.Endpoint() == "healthz" })))
	app.Get("/healthz", flagon.Liveness()).Name("healthz")
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "ok") })
	srv := httptest.NewServer(app)
	defer srv.Close()

	do(t, "GET", srv.URL+"/healthz", "")
	assert.Empty(t, tm.spans.Ended(), "no span for a skipped request")
	do(t, "GET", srv.URL+"/", "")
	assert.Equal(t, "GET /", tm.only(t).Name())
}
