package flagon

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunDebugWarnsOnceAboutAClientAddressHeaderThatIsNotConfigured(t *testing.T) {
	cases := []struct {
		name       string
		configured string
		debug      bool
		peer       string
		lines      []string
		warned     []string
	}{
		{"X-Forwarded-For from a trusted proxy configured for X-Real-IP is reported",
			"X-Real-IP", true, "127.0.0.1:1", []string{"X-Real-IP", "198.51.100.7", "X-Forwarded-For", "6.6.6.6"}, []string{"X-Forwarded-For"}},
		{"X-Real-IP from a trusted proxy under the default X-Forwarded-For is reported",
			"", true, "127.0.0.1:1", []string{"X-Real-IP", "198.51.100.7"}, []string{"X-Real-IP"}},
		{"Forwarded and X-Real-IP under X-Forwarded-For are each reported",
			"X-Forwarded-For", true, "[::1]:1", []string{"X-Real-IP", "198.51.100.7", "Forwarded", "for=198.51.100.7", "X-Forwarded-For", "198.51.100.7"}, []string{"X-Real-IP", "Forwarded"}},
		{"the configured header alone is not reported",
			"X-Real-IP", true, "127.0.0.1:1", []string{"X-Real-IP", "198.51.100.7"}, nil},
		{"an untrusted peer is not reported",
			"X-Real-IP", true, "203.0.113.9:1", []string{"X-Forwarded-For", "6.6.6.6"}, nil},
		{"without Run(true)'s request log nothing is reported",
			"X-Real-IP", false, "127.0.0.1:1", []string{"X-Forwarded-For", "6.6.6.6"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app, logs := proxiedApp([]string{"127.0.0.1", "::1"}, tc.configured)
			app.logAll = tc.debug // what Run(true) turns on before serving
			for range 2 {
				got := ask(app, tc.peer, "http://app.example/who", tc.lines...)
				require.Equal(t, 200, got.Code)
			}
			for _, h := range []string{"X-Forwarded-For", "X-Real-IP", "Forwarded"} {
				want := 0
				for _, w := range tc.warned {
					if w == h {
						want = 1
					}
				}
				assert.Equal(t, want, strings.Count(logs.String(), " header="+h+" "), "warnings about %s in:\n%s", h, logs.String())
			}
			if len(tc.warned) > 0 {
				assert.Contains(t, logs.String(), "level=WARN")
				assert.Contains(t, logs.String(), "docs/deployment.md")
			}
		})
	}
}
