package middleware

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/flagon-go/flagon"
)

// CSPNonceKey is the key c.Get returns the request's Content-Security-Policy
// nonce under (a string), when SecureHeadersConfig.ContentSecurityPolicy
// holds the "{nonce}" placeholder. The csp_nonce template helper reads it:
// <script nonce="{{csp_nonce}}">.
const CSPNonceKey = flagon.CSPNonceKey

// NoncePlaceholder is the text in SecureHeadersConfig.ContentSecurityPolicy
// that SecureHeaders replaces with a new nonce on every request.
const NoncePlaceholder = "{nonce}"

// Off, as the value of a header field of SecureHeadersConfig, leaves that
// header out.
const Off = "-"

// SecureHeadersConfig configures SecureHeaders. The zero value sends the
// defaults listed on each field.
type SecureHeadersConfig struct {
	// HSTSMaxAge is the max-age, in seconds, of Strict-Transport-Security,
	// which is sent over HTTPS only (as c.Scheme() sees it, so behind a
	// trusted TLS-terminating proxy too). Default 31536000 (a year);
	// negative leaves the header out.
	HSTSMaxAge int
	// HSTSIncludeSubdomains adds includeSubDomains; HSTSPreload adds
	// preload (see hstspreload.org before setting it).
	HSTSIncludeSubdomains bool
	HSTSPreload           bool
	// FrameOptions is X-Frame-Options. Default "SAMEORIGIN"; Off leaves
	// it out (when ContentSecurityPolicy has frame-ancestors, say).
	FrameOptions string
	// ReferrerPolicy is Referrer-Policy. Default
	// "strict-origin-when-cross-origin"; Off leaves it out.
	ReferrerPolicy string
	// ContentSecurityPolicy is Content-Security-Policy, none by default.
	// Every "{nonce}" in it is replaced by a nonce made for the request
	// (16 random bytes, base64), which handlers and templates read with
	// c.Get(CSPNonceKey):
	//	"script-src 'nonce-{nonce}' 'strict-dynamic'; object-src 'none'; base-uri 'none'"
	ContentSecurityPolicy string
	// CSPReportOnly sends the policy as
	// Content-Security-Policy-Report-Only, to try it out.
	CSPReportOnly bool
}

// SecureHeaders sets the usual security headers on every response before
// the handler runs (so a handler can still change or remove one):
// X-Content-Type-Options: nosniff, X-Frame-Options, Referrer-Policy,
// Strict-Transport-Security over HTTPS only, and Content-Security-Policy
// with an optional per-request nonce. It panics when a configured value
// holds a control character. Without a nonce it allocates nothing.
func SecureHeaders(cfg SecureHeadersConfig) flagon.Middleware {
	one := func(field, v, def string) []string {
		switch v {
		case "":
			v = def
		case Off:
			return nil
		}
		if strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			panic(fmt.Sprintf("flagon: SecureHeadersConfig.%s %q holds a control character; use a header value without one", field, v))
		}
		return []string{v}
	}
	nosniff := []string{"nosniff"}
	frame := one("FrameOptions", cfg.FrameOptions, "SAMEORIGIN")
	referrer := one("ReferrerPolicy", cfg.ReferrerPolicy, "strict-origin-when-cross-origin")
	var hsts []string
	if cfg.HSTSMaxAge >= 0 {
		age := cfg.HSTSMaxAge
		if age == 0 {
			age = 31536000
		}
		v := "max-age=" + strconv.Itoa(age)
		if cfg.HSTSIncludeSubdomains {
			v += "; includeSubDomains"
		}
		if cfg.HSTSPreload {
			v += "; preload"
		}
		hsts = []string{v}
	}
	cspKey := "Content-Security-Policy"
	if cfg.CSPReportOnly {
		cspKey = "Content-Security-Policy-Report-Only"
	}
	var csp []string
	var cspParts []string // the policy split around its placeholders
	if cfg.ContentSecurityPolicy != "" {
		csp = one("ContentSecurityPolicy", cfg.ContentSecurityPolicy, "")
		if strings.Contains(cfg.ContentSecurityPolicy, NoncePlaceholder) {
			cspParts = strings.Split(cfg.ContentSecurityPolicy, NoncePlaceholder)
		}
	}
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			h := c.Response.Header()
			// The slices are shared by every response: capped at their
			// length, an Add copies instead of writing into them.
			h["X-Content-Type-Options"] = nosniff[:1:1]
			if frame != nil {
				h["X-Frame-Options"] = frame[:1:1]
			}
			if referrer != nil {
				h["Referrer-Policy"] = referrer[:1:1]
			}
			if hsts != nil && c.Scheme() == "https" {
				h["Strict-Transport-Security"] = hsts[:1:1]
			}
			if cspParts != nil {
				nonce := newNonce()
				c.Set(CSPNonceKey, nonce)
				h[cspKey] = []string{strings.Join(cspParts, nonce)}
			} else if csp != nil {
				h[cspKey] = csp[:1:1]
			}
			return next(c)
		}
	}
}

// newNonce returns 16 random bytes in standard base64 (what CSP's
// nonce-source allows).
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return base64.StdEncoding.EncodeToString(b[:])
}
