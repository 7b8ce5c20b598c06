package middleware

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/internal/csrf"
)

// CSRFConfig configures CSRF. The zero value is ready to use.
type CSRFConfig struct {
	// FieldName is the form field carrying the token. Default "csrf_token".
	FieldName string
	// HeaderName is the header carrying the token (for JavaScript
	// clients). Default "X-CSRF-Token".
	HeaderName string
	// Exempt, when set, lets the requests it returns true for through
	// unchecked (a webhook receiving POSTs from another service, say).
	Exempt func(c *flagon.Context) bool
	// TrustedOrigins are other origins ("https://admin.example.com") allowed
	// to send unsafe requests, besides the request's own.
	TrustedOrigins []string
}

// CSRF protects the session against cross-site request forgery. POST, PUT,
// PATCH and DELETE (every method but GET, HEAD, OPTIONS and TRACE) must
// carry a token from CSRFToken in the form field csrf_token or the header
// X-CSRF-Token; it is compared in constant time with the session's secret,
// so a token of another session, or of a session since cleared, is refused.
// An Origin header naming another origin is refused; over HTTPS (as the app
// sees it, behind trusted proxies too) a request must carry an Origin or a
// Referer of the same origin. Refusals are 403 errors with a message saying
// why, answered by the app's error handlers. CSRF needs sessions, so
// Config.SecretKey must be set.
func CSRF(cfg ...CSRFConfig) flagon.Middleware {
	var conf CSRFConfig
	if len(cfg) > 0 {
		conf = cfg[0]
	}
	if conf.FieldName == "" {
		conf.FieldName = "csrf_token"
	}
	if conf.HeaderName == "" {
		conf.HeaderName = "X-CSRF-Token"
	}
	trusted := map[string]bool{}
	for _, o := range conf.TrustedOrigins {
		trusted[strings.ToLower(strings.TrimRight(o, "/"))] = true
	}
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			switch c.Request.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
				return next(c)
			}
			if conf.Exempt != nil && conf.Exempt(c) {
				return next(c)
			}
			if msg := checkOrigin(c, trusted); msg != "" {
				return flagon.Abort(http.StatusForbidden, msg)
			}
			token := c.Header(conf.HeaderName)
			if token == "" {
				token = c.Request.PostFormValue(conf.FieldName)
			}
			if token == "" {
				return flagon.Abort(http.StatusForbidden, "The CSRF token is missing.")
			}
			if !csrf.Valid(c.Session(), token) {
				return flagon.Abort(http.StatusForbidden, "The CSRF token is invalid or has expired.")
			}
			return next(c)
		}
	}
}

// checkOrigin returns why the request's origin is refused, or "".
func checkOrigin(c *flagon.Context, trusted map[string]bool) string {
	self := c.Scheme() + "://" + strings.ToLower(c.Host())
	if origin := c.Header("Origin"); origin != "" {
		o := strings.ToLower(origin)
		if o != self && !trusted[o] {
			return "The request's Origin does not match this site."
		}
		return ""
	}
	if c.Scheme() != "https" {
		return ""
	}
	ref := c.Header("Referer")
	if ref == "" {
		return "The request has no Origin or Referer header; HTTPS requests need one."
	}
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		return "The Referer header is malformed."
	}
	o := strings.ToLower(u.Scheme + "://" + u.Host)
	if o != self && !trusted[o] {
		return "The Referer does not match this site."
	}
	return ""
}

// CSRFToken returns a token for the request's session, to put in a form
// field named csrf_token or send in the X-CSRF-Token header. Every call
// gives a different string; all are valid for the session.
func CSRFToken(c *flagon.Context) string { return csrf.Token(c.Session()) }
