package otelflagon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/flagon-go/flagon/otelflagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonLog is a JSON slog handler's output, safe to read while a server
// writes it.
type jsonLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *jsonLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// records returns the records by message.
func (l *jsonLog) records(t *testing.T) map[string]map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		out[rec["msg"].(string)] = rec
	}
	l.b.Reset()
	return out
}

func TestLogsCarryTheTraceOfTheRequest(t *testing.T) {
	for _, order := range []string{"Logger outside the middleware", "Logger inside the middleware"} {
		t.Run(order, func(t *testing.T) {
			tm := newTelemetry()
			var logs jsonLog
			logger := slog.New(otelflagon.LogHandler(slog.NewJSONHandler(&logs, nil)))
			app := flagon.New()
			app.Config.Logger = logger
			if order == "Logger outside the middleware" {
				app.Use(middleware.Logger(), tm.middleware())
			} else {
				app.Use(tm.middleware(), middleware.Logger())
			}
			app.Get("/fail", func(c *flagon.Context) error {
				c.App().Config.Logger.InfoContext(c.Context(), "handler ran")
				panic("boom")
			})
			srv := httptest.NewServer(app)
			defer srv.Close()

			do(t, "GET", srv.URL+"/fail", "")
			s := tm.only(t)
			recs := logs.records(t)
			for _, msg := range []string{"handler ran", "flagon: panic serving request", "request"} {
				rec := recs[msg]
				require.NotNil(t, rec, "logged %q: %v", msg, recs)
				assert.Equal(t, s.SpanContext().TraceID().String(), rec["trace_id"], msg)
				assert.Equal(t, s.SpanContext().SpanID().String(), rec["span_id"], msg)
			}
		})
	}
}

func TestLogHandlerLeavesRecordsWithoutASpanAlone(t *testing.T) {
	var logs jsonLog
	l := slog.New(otelflagon.LogHandler(slog.NewJSONHandler(&logs, nil))).With("app", "x").WithGroup("g")
	l.InfoContext(context.Background(), "plain", "k", "v")
	rec := logs.records(t)["plain"]
	require.NotNil(t, rec)
	assert.NotContains(t, rec, "trace_id")
	assert.Equal(t, "x", rec["app"])
	assert.Equal(t, map[string]any{"k": "v"}, rec["g"])
}
