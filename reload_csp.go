//go:build !flagon_noreload

package flagon

import (
	"net/http"
	"strings"
)

// scriptNonce returns the nonce that lets the reload script run under the
// Content-Security-Policy of h, or "" when the policy names none. The
// directive that rules a <script src> is script-src-elem, else
// script-src, else default-src, as browsers pick it; of two policies
// (two headers, or one joined by a comma) the first with a nonce counts.
// Content-Security-Policy-Report-Only blocks nothing and is not read.
func scriptNonce(h http.Header) string {
	for _, v := range h.Values("Content-Security-Policy") {
		for policy := range strings.SplitSeq(v, ",") {
			if n := policyNonce(policy); n != "" {
				return n
			}
		}
	}
	return ""
}

// asciiSpace is what separates a policy's names and sources.
const asciiSpace = " \t\n\f\r"

// policyNonce returns the first nonce of policy's directive for script
// elements.
func policyNonce(policy string) string {
	var sources string
	rank := 0 // of the directive that sources came from: 3 is the best
	for d := range strings.SplitSeq(policy, ";") {
		d = strings.TrimLeft(d, asciiSpace)
		name, rest := d, ""
		if i := strings.IndexAny(d, asciiSpace); i >= 0 {
			name, rest = d[:i], d[i:]
		}
		r := 0
		switch strings.ToLower(name) {
		case "script-src-elem":
			r = 3
		case "script-src":
			r = 2
		case "default-src":
			r = 1
		}
		// A directive named twice counts the first time.
		if r > rank {
			sources, rank = rest, r
		}
	}
	for s := range strings.FieldsFuncSeq(sources, func(r rune) bool { return strings.ContainsRune(asciiSpace, r) }) {
		if len(s) > len("'nonce-'") && strings.EqualFold(s[:len("'nonce-")], "'nonce-") && s[len(s)-1] == '\'' {
			if n := s[len("'nonce-") : len(s)-1]; isBase64Value(n) {
				return n
			}
		}
	}
	return ""
}

// isBase64Value reports whether s is CSP's base64-value: letters, digits,
// "+", "/", "-" and "_", then at most two "=".
func isBase64Value(s string) bool {
	t := strings.TrimRight(s, "=")
	if t == "" || len(s)-len(t) > 2 {
		return false
	}
	for _, c := range []byte(t) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
