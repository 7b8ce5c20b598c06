package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestTheExampleServesMetricsAndProbes(t *testing.T) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	defer mp.Shutdown(context.Background())
	otel.SetMeterProvider(mp)

	var dbDown atomic.Bool
	srv := httptest.NewServer(newApp(reg, func(context.Context) error {
		if dbDown.Load() {
			return errors.New("db down")
		}
		return nil
	}))
	defer srv.Close()

	if code, body := get(t, srv.URL+"/users/7"); code != 200 || !strings.Contains(body, `"id":7`) {
		t.Fatalf("/users/7: %d %s", code, body)
	}
	if code, body := get(t, srv.URL+"/metrics"); code != 200 || !strings.Contains(body, `http_route="/users/{id}"`) {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	if code, _ := get(t, srv.URL+"/readyz"); code != 200 {
		t.Fatalf("/readyz: %d", code)
	}
	dbDown.Store(true)
	if code, _ := get(t, srv.URL+"/readyz"); code != 503 {
		t.Fatalf("/readyz with the db down: %d", code)
	}
	if code, _ := get(t, srv.URL+"/healthz"); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
}
