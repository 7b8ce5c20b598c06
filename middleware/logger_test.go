package middleware_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoggerWritesStructuredEntriesOutsideDebugMode(t *testing.T) {
	var buf bytes.Buffer
	app := flagon.New()
	app.Config.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
	app.Use(middleware.Logger())
	app.Get("/users/<int:id>", func(c *flagon.Context) error { return c.Text(200, "user") })
	srv := httptest.NewServer(app)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/users/7?x=1")
	require.NoError(t, err)
	res.Body.Close()
	res, err = http.Get(srv.URL + "/missing")
	require.NoError(t, err)
	res.Body.Close()

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	var ok, missing map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &ok))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &missing))

	assert.Equal(t, "INFO", ok["level"])
	assert.Equal(t, "GET", ok["method"])
	assert.Equal(t, "/users/7?x=1", ok["path"])
	assert.Equal(t, "/users/<int:id>", ok["rule"])
	assert.EqualValues(t, 200, ok["status"])
	assert.EqualValues(t, 4, ok["size"])
	assert.Equal(t, "127.0.0.1", ok["client_ip"])
	assert.Contains(t, ok, "latency")

	assert.Equal(t, "WARN", missing["level"], "a 404 passes through app middleware and is logged as a warning")
	assert.EqualValues(t, 404, missing["status"])
	assert.Equal(t, "", missing["rule"])
}

func TestLoggerWritesCompactLinesInDebugMode(t *testing.T) {
	var out bytes.Buffer
	app := flagon.New()
	app.Config.Debug = true
	app.Use(middleware.Logger(middleware.LoggerConfig{Output: &out}))
	app.Get("/", func(c *flagon.Context) error { return c.Text(201, "made") })

	res := app.TestClient().Get("/")
	require.Equal(t, 201, res.Code)

	line := out.String()
	assert.Contains(t, line, `"GET /" 201 4B`)
	assert.Contains(t, line, "127.0.0.1 - [")
	assert.NotContains(t, line, "\x1b[", "no colour when the output is not a terminal")
}

func TestLoggerSkipsWhatSkipSelects(t *testing.T) {
	var buf bytes.Buffer
	app := flagon.New()
	app.Use(middleware.Logger(middleware.LoggerConfig{
		Logger: slog.New(slog.NewTextHandler(&buf, nil)),
		Skip:   func(c *flagon.Context) bool { return c.Request.URL.Path == "/healthz" },
	}))
	app.Get("/healthz", func(c *flagon.Context) error { return c.Text(200, "ok") })
	app.Get("/work", func(c *flagon.Context) error { return flagon.Abort(503) })
	tc := app.TestClient()
	require.Equal(t, 200, tc.Get("/healthz").Code)
	require.Equal(t, 503, tc.Get("/work").Code)

	assert.NotContains(t, buf.String(), "/healthz")
	assert.Contains(t, buf.String(), "level=ERROR")
	assert.Contains(t, buf.String(), "path=/work")
	assert.Contains(t, buf.String(), "status=503")
}
