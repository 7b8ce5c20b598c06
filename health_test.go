package flagon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer that a server's goroutines may write
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// getHealth fetches url and decodes its JSON answer.
func getHealth(t *testing.T, url string) (int, map[string]any, http.Header) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(body, &v), "body: %s", body)
	return res.StatusCode, v, res.Header
}

func TestLivenessAnswersOK(t *testing.T) {
	app := flagon.New()
	app.Get("/healthz", flagon.Liveness())
	srv := httptest.NewServer(app)
	defer srv.Close()

	code, body, h := getHealth(t, srv.URL+"/healthz")
	assert.Equal(t, 200, code)
	assert.Equal(t, map[string]any{"status": "ok"}, body)
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, "no-store", h.Get("Cache-Control"))
}

func TestReadinessRunsTheChecks(t *testing.T) {
	ok := func(context.Context) error { return nil }
	tests := []struct {
		name   string
		checks []flagon.HealthCheck
		code   int
		body   map[string]any
		logged string
	}{
		{"with no checks it is ready", nil, 200, map[string]any{"status": "ready"}, ""},
		{"passing checks make it ready", []flagon.HealthCheck{{Name: "db", Check: ok}, {Name: "cache", Check: ok}},
			200, map[string]any{"status": "ready", "checks": map[string]any{"db": "ok", "cache": "ok"}}, ""},
		{"a failing check makes it unavailable and its error is logged, not sent",
			[]flagon.HealthCheck{{Name: "db", Check: ok}, {Name: "queue", Check: func(context.Context) error { return errors.New("dial tcp: secret-host refused") }}},
			503, map[string]any{"status": "unavailable", "checks": map[string]any{"db": "ok", "queue": "fail"}}, "secret-host refused"},
		{"a check past its timeout fails as timeout",
			[]flagon.HealthCheck{{Name: "slow", Timeout: 5 * time.Millisecond, Check: func(ctx context.Context) error {
				<-ctx.Done()
				<-make(chan struct{}) // ignores its context: Readiness must not wait for it
				return nil
			}}},
			503, map[string]any{"status": "unavailable", "checks": map[string]any{"slow": "timeout"}}, "context deadline exceeded"},
		{"a panicking check fails",
			[]flagon.HealthCheck{{Name: "boom", Check: func(context.Context) error { panic("no driver") }}},
			503, map[string]any{"status": "unavailable", "checks": map[string]any{"boom": "fail"}}, "no driver"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs lockedBuffer
			app := flagon.New()
			app.Config.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			app.Get("/readyz", flagon.Readiness(tt.checks...))
			srv := httptest.NewServer(app)
			defer srv.Close()

			code, body, h := getHealth(t, srv.URL+"/readyz")
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.body, body)
			assert.Equal(t, "no-store", h.Get("Cache-Control"))
			if tt.logged != "" {
				assert.Contains(t, logs.String(), "readiness check failed")
				assert.Contains(t, logs.String(), tt.logged)
				assert.NotContains(t, body, tt.logged)
			}
		})
	}
}

func TestReadinessRejectsBadChecksAtOnce(t *testing.T) {
	defer func() {
		p := recover()
		require.NotNil(t, p)
		assert.Regexp(t, `^flagon: Readiness at .*health_test\.go:\d+: check 0 needs a Name and a Check$`, p)
	}()
	flagon.Readiness(flagon.HealthCheck{Name: "db"})
}

func TestReadinessRejectsTwoChecksWithOneName(t *testing.T) {
	ok := func(context.Context) error { return nil }
	defer func() {
		p := recover()
		require.NotNil(t, p)
		assert.Regexp(t, `^flagon: Readiness at .*health_test\.go:\d+: two checks are named "db"$`, p)
	}()
	flagon.Readiness(flagon.HealthCheck{Name: "db", Check: ok}, flagon.HealthCheck{Name: "db", Check: ok})
}

// TestReadinessFailsAsSoonAsShutdownBegins serves the app on one port and
// its probes on a second (a server from App.Server, which App.Shutdown
// leaves alone, as a separate probe port would be): while a request holds
// the graceful shutdown open, readiness answers 503 and liveness 200.
func TestReadinessFailsAsSoonAsShutdownBegins(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	app := flagon.New()
	app.Get("/slow", func(c *flagon.Context) error {
		close(entered)
		<-release
		return c.Text(200, "done")
	})
	app.Get("/healthz", flagon.Liveness())
	app.Get("/readyz", flagon.Readiness())

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	probes := app.Server()
	go func() { _ = probes.Serve(pl) }()
	defer probes.Close()
	probe := "http://" + pl.Addr().String()

	code, body, _ := getHealth(t, "http://"+l.Addr().String()+"/readyz")
	require.Equal(t, 200, code, "ready before the shutdown")
	require.Equal(t, "ready", body["status"])

	slow := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + l.Addr().String() + "/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		slow <- string(b)
	}()
	<-entered
	shut := make(chan error, 1)
	go func() { shut <- app.Shutdown(context.Background()) }()
	waitRefused(t, l.Addr().String())

	code, body, _ = getHealth(t, probe+"/readyz")
	assert.Equal(t, 503, code, "readiness fails while the shutdown waits for /slow")
	assert.Equal(t, map[string]any{"status": "shutting down"}, body)
	code, _, _ = getHealth(t, probe+"/healthz")
	assert.Equal(t, 200, code, "liveness still passes")
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned before the request in flight finished: %v", err)
	default:
	}

	close(release)
	assert.Equal(t, "done", <-slow)
	require.NoError(t, <-shut)
	require.NoError(t, <-served)
}
