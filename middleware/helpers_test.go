package middleware_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/require"
)

// quietApp is an app whose error log goes nowhere.
func quietApp() *flagon.App {
	app := flagon.New()
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return app
}

// serve starts a real HTTP server for h, closed when the test ends.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// do sends req with the given headers and returns the response with its
// body read.
func do(t *testing.T, method, url string, headers map[string]string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}
