package otelflagon_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/otelflagon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// collect reads the metrics by name.
func collect(t *testing.T, tm *telemetry) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tm.metrics.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, "github.com/flagon-go/flagon/otelflagon", sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

func has(set attribute.Set, kv ...attribute.KeyValue) bool {
	for _, want := range kv {
		if v, ok := set.Value(want.Key); !ok || v != want.Value {
			return false
		}
	}
	return true
}

func TestMetricsCarryRouteMethodAndStatus(t *testing.T) {
	tm := newTelemetry()
	srv := httptest.NewServer(newApp(tm))
	defer srv.Close()

	do(t, "GET", srv.URL+"/users/1", "")
	do(t, "GET", srv.URL+"/users/2", "")
	do(t, "POST", srv.URL+"/items", `{"name":"cup"}`)
	do(t, "GET", srv.URL+"/fail", "")
	do(t, "GET", srv.URL+"/nope", "")

	got := collect(t, tm)
	dur, ok := got["http.server.request.duration"].(metricdata.Histogram[float64])
	require.True(t, ok, "duration is a float histogram: %v", got)
	count := func(kv ...attribute.KeyValue) uint64 {
		var n uint64
		for _, dp := range dur.DataPoints {
			if has(dp.Attributes, kv...) {
				n += dp.Count
			}
		}
		return n
	}
	route, method, status := attribute.Key("http.route"), attribute.Key("http.request.method"), attribute.Key("http.response.status_code")
	assert.Equal(t, uint64(2), count(route.String("/users/{id}"), method.String("GET"), status.Int(200)))
	assert.Equal(t, uint64(1), count(route.String("/items"), method.String("POST"), status.Int(201)))
	assert.Equal(t, uint64(1), count(route.String("/fail"), status.Int(500), attribute.String("error.type", "500")))
	for _, dp := range dur.DataPoints {
		if has(dp.Attributes, status.Int(404)) {
			_, hasRoute := dp.Attributes.Value(route)
			assert.False(t, hasRoute, "an unmatched request has no http.route")
			assert.Equal(t, uint64(1), dp.Count)
		}
		_, hasPath := dp.Attributes.Value("url.path")
		assert.False(t, hasPath, "no raw path in metrics")
	}

	active, ok := got["http.server.active_requests"].(metricdata.Sum[int64])
	require.True(t, ok)
	for _, dp := range active.DataPoints {
		assert.Equal(t, int64(0), dp.Value, "nothing in flight")
	}

	reqSize, ok := got["http.server.request.body.size"].(metricdata.Histogram[int64])
	require.True(t, ok)
	for _, dp := range reqSize.DataPoints {
		if has(dp.Attributes, route.String("/items")) {
			assert.Equal(t, int64(len(`{"name":"cup"}`)), dp.Sum)
		}
	}
	respSize, ok := got["http.server.response.body.size"].(metricdata.Histogram[int64])
	require.True(t, ok)
	for _, dp := range respSize.DataPoints {
		if has(dp.Attributes, route.String("/users/{id}")) {
			assert.Equal(t, int64(2*len("user")), dp.Sum)
		}
	}
}

// TestActiveRequestsCountsTheRequestsInFlight holds a request in its
// handler while reading the metric.
func TestActiveRequestsCountsTheRequestsInFlight(t *testing.T) {
	tm := newTelemetry()
	app := flagon.New()
	app.Use(tm.middleware())
	entered, release := make(chan struct{}), make(chan struct{})
	app.Get("/slow", func(c *flagon.Context) error {
		close(entered)
		<-release
		return c.Text(200, "done")
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err := http.Get(srv.URL + "/slow")
		if err == nil {
			res.Body.Close()
		}
	}()
	<-entered
	active := collect(t, tm)["http.server.active_requests"].(metricdata.Sum[int64])
	require.Len(t, active.DataPoints, 1)
	assert.Equal(t, int64(1), active.DataPoints[0].Value)
	assert.True(t, has(active.DataPoints[0].Attributes, attribute.String("http.request.method", "GET"), attribute.String("url.scheme", "http")))
	close(release)
	<-done
}

// TestPrometheusScrape is the recipe of docs/observability.md: the
// Prometheus exporter behind a /metrics route, scraped over HTTP and
// parsed with the Prometheus text parser.
func TestPrometheusScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	require.NoError(t, err)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	defer mp.Shutdown(context.Background())

	app := flagon.New()
	app.Use(otelflagon.Middleware(otelflagon.WithMeterProvider(mp),
		otelflagon.WithSkip(func(c *flagon.Context) bool { return c.Rule() == "/metrics" })))
	app.Get("/metrics", flagon.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	app.Get("/users/<int:id>", func(c *flagon.Context) error { return c.Text(200, "user") })
	srv := httptest.NewServer(app)
	defer srv.Close()
	for range 3 {
		do(t, "GET", srv.URL+"/users/7", "")
	}

	req, err := http.NewRequest("GET", srv.URL+"/metrics", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	text, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(text)))
	require.NoError(t, err, "%s", text)

	fam := families["http_server_request_duration_seconds"]
	require.NotNil(t, fam, "families: %v", keys(families))
	var found bool
	for _, m := range fam.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["http_route"] == "/users/{id}" {
			found = true
			assert.Equal(t, "GET", labels["http_request_method"])
			assert.Equal(t, "200", labels["http_response_status_code"])
			assert.Equal(t, uint64(3), m.GetHistogram().GetSampleCount())
			assert.NotEmpty(t, m.GetHistogram().GetBucket())
		}
		assert.NotEqual(t, "/metrics", labels["http_route"], "the scrape itself is skipped")
	}
	assert.True(t, found, "a series for /users/{id}:\n%s", text)
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
