package flagon

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRunDebugWarnsAboutAForeignClientAddressHeader(t *testing.T) {
	var logs bytes.Buffer
	app := New()
	app.Config.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	app.Config.TrustedProxies = []string{"127.0.0.1"}
	app.Config.ClientIPHeader = "X-Real-IP"
	app.logAll = true // what Run(true) turns on
	app.Get("/", func(c *Context) error { return c.Text(200, c.ClientIP()) })
	for range 2 {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = "127.0.0.1:1"
		req.Header.Set("X-Real-IP", "198.51.100.7")
		req.Header.Set("X-Forwarded-For", "6.6.6.6")
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		assert.Equal(t, "198.51.100.7", rec.Body.String())
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "header=X-Forwarded-For"), "warned once:\n%s", logs.String())

	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "203.0.113.1:1" // not a trusted proxy: nothing to say
	req.Header.Set("Forwarded", "for=6.6.6.6")
	app.ServeHTTP(httptest.NewRecorder(), req)
	assert.NotContains(t, logs.String(), "header=Forwarded")
}
