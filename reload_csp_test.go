//go:build !flagon_noreload

package flagon

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScriptNonceReadsTheDirectiveThatRulesScripts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header http.Header
		want   string
	}{
		{"no policy has no nonce", http.Header{}, ""},
		{"a nonce of script-src", csp("script-src 'nonce-abc123'"), "abc123"},
		{"a nonce among several directives and sources", csp("default-src 'self'; script-src 'self' 'nonce-R4nd/om+=' 'strict-dynamic'; object-src 'none'"), "R4nd/om+="},
		{"the first of several nonces", csp("script-src 'nonce-one' 'nonce-two'"), "one"},
		{"a policy without a nonce has none", csp("default-src 'self'; script-src 'self'"), ""},
		{"a nonce in style-src only is not for scripts", csp("default-src 'self'; style-src 'nonce-abc123'"), ""},
		{"default-src counts when there is no script-src", csp("default-src 'nonce-abc123'; style-src 'self'"), "abc123"},
		{"script-src rules over default-src, even without a nonce", csp("default-src 'nonce-abc123'; script-src 'self'"), ""},
		{"script-src-elem rules over script-src", csp("script-src 'nonce-old'; script-src-elem 'nonce-elem'"), "elem"},
		{"script-src-elem without a nonce has none", csp("script-src 'nonce-abc123'; script-src-elem 'self'"), ""},
		{"script-src-attr is not for script elements", csp("script-src-attr 'nonce-abc123'"), ""},
		{"a directive named twice counts the first time", csp("script-src 'self'; script-src 'nonce-abc123'"), ""},
		{"names and the keyword are case-insensitive", csp("Script-Src 'NONCE-abc123'"), "abc123"},
		{"weird spacing", csp(" ;;  script-src\t 'self'\t\t'nonce-abc123'  ;  object-src 'none' ; "), "abc123"},
		{"no space after the name", csp("script-src;default-src 'nonce-abc123'"), ""},
		{"an unquoted nonce is not one", csp("script-src nonce-abc123"), ""},
		{"a nonce with characters base64 has not is skipped", csp(`script-src 'nonce-a"b' 'nonce-ok'`), "ok"},
		{"an empty nonce is skipped", csp("script-src 'nonce-'"), ""},
		{"the report-only header blocks nothing and is ignored", http.Header{"Content-Security-Policy-Report-Only": {"script-src 'nonce-abc123'"}}, ""},
		{"the enforced policy beside a report-only one counts", http.Header{
			"Content-Security-Policy-Report-Only": {"script-src 'nonce-report'"},
			"Content-Security-Policy":             {"script-src 'nonce-enforced'"},
		}, "enforced"},
		{"of two headers, the first with a nonce", http.Header{"Content-Security-Policy": {"default-src 'self'", "script-src 'nonce-second'"}}, "second"},
		{"of two policies joined by a comma, the first with a nonce", csp("default-src 'self', script-src 'nonce-second'"), "second"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, scriptNonce(tc.header))
		})
	}
}

func csp(policy string) http.Header { return http.Header{"Content-Security-Policy": {policy}} }
