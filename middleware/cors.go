package middleware

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flagon-go/flagon"
)

// CORSConfig configures CORS. Nothing is allowed unless configured: the
// zero value lets no origin in.
type CORSConfig struct {
	// AllowOrigins lists the origins allowed to read responses:
	// exact ones ("https://app.example.com", compared with the browser's
	// lowercase serialization), wildcard subdomains
	// ("https://*.example.com" matches https://a.example.com and
	// https://a.b.example.com, never https://example.com), or "*" for
	// every origin but "null". Listing "null" sets AllowNullOrigin.
	AllowOrigins []string
	// AllowOriginFunc, when set, is asked about origins AllowOrigins does
	// not list. It gets the Origin header as sent, which is at most 256
	// bytes of the form scheme://host[:port].
	AllowOriginFunc func(origin string) bool
	// AllowNullOrigin lets in the origin "null" (sandboxed iframes, file:
	// pages, some redirects), which is refused otherwise, even with "*".
	AllowNullOrigin bool
	// AllowMethods lists the methods a preflight may ask for. Default
	// GET, HEAD, POST, PUT, PATCH, DELETE.
	AllowMethods []string
	// AllowHeaders lists the request headers a preflight may ask for,
	// besides the CORS-safelisted ones. Default: those the preflight asks
	// for (Access-Control-Request-Headers), when that is a well-formed
	// list.
	AllowHeaders []string
	// ExposeHeaders lists the response headers scripts may read besides the
	// safelisted ones.
	ExposeHeaders []string
	// AllowCredentials lets requests carry cookies and HTTP auth and their
	// responses be read. The allowed origin is then echoed, never "*".
	AllowCredentials bool
	// MaxAge is how long a browser may cache a preflight's answer (sent in
	// whole seconds). Default: not sent (browsers then use 5 seconds).
	MaxAge time.Duration
	// AllowPrivateNetwork answers Private Network Access preflights
	// (Access-Control-Request-Private-Network: true) with
	// Access-Control-Allow-Private-Network: true, so public sites may call
	// this server on a private address.
	AllowPrivateNetwork bool
}

// maxOrigin is the longest Origin header CORS considers; longer ones are
// refused unread (hosts are at most 253 bytes).
const maxOrigin = 256

// The values CORS sends, shared by every response (capped so an Add
// copies them).
var (
	valTrue            = []string{"true"}
	valStar            = []string{"*"}
	valOrigin          = []string{"Origin"}
	valPreflightVaryBy = []string{"Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"}
)

// CORS answers cross-origin requests from the origins cfg allows.
//
// A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
// answered by CORS itself with 204 No Content, whether or not the route has
// an OPTIONS handler, and the handler does not run: an allowed origin gets
// Access-Control-Allow-Origin, -Methods, -Headers, -Credentials, -Max-Age
// and -Private-Network as configured; any other gets none, so the browser
// refuses. Any other request with an allowed Origin runs as usual with
// Access-Control-Allow-Origin (and -Credentials, -Expose-Headers) added.
//
// Every answer that depends on the Origin header carries Vary: Origin, so
// caches keep them apart. With AllowCredentials the origin is echoed,
// never "*". The origin "null" is refused unless AllowNullOrigin is set; an
// oversized or malformed Origin is refused and never echoed.
//
// At app level CORS answers the preflights of every route. On a blueprint
// or a route it answers those that ask about its routes: the app runs a
// preflight through the middleware of the route for the requested method.
// It panics on a malformed entry in AllowOrigins.
func CORS(cfg CORSConfig) flagon.Middleware {
	p := newCORSPolicy(cfg)
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			r := c.Request
			h := c.Response.Header()
			origins := r.Header["Origin"]
			if r.Method == http.MethodOptions && len(origins) > 0 && len(r.Header["Access-Control-Request-Method"]) > 0 {
				p.preflight(c, h, origins)
				c.Response.WriteHeader(http.StatusNoContent)
				return nil
			}
			if p.vary {
				addVary(h, valOrigin)
			}
			if len(origins) == 1 && p.allowed(origins[0]) {
				p.allowOrigin(h, origins)
				if p.expose != nil {
					h["Access-Control-Expose-Headers"] = p.expose[:1:1]
				}
			}
			return next(c)
		}
	}
}

// corsPolicy is a CORSConfig compiled for the request path.
type corsPolicy struct {
	any         bool // "*" in AllowOrigins
	exact       map[string]bool
	wildcards   [][2]string // scheme://* and .suffix[:port] of "scheme://*.suffix"
	fn          func(string) bool
	null        bool
	credentials bool
	vary        bool // the answer depends on Origin
	methods     []string
	headers     []string // nil: echo the requested ones
	expose      []string
	maxAge      []string
	private     bool
}

func newCORSPolicy(cfg CORSConfig) *corsPolicy {
	p := &corsPolicy{exact: map[string]bool{}, fn: cfg.AllowOriginFunc, null: cfg.AllowNullOrigin,
		credentials: cfg.AllowCredentials, private: cfg.AllowPrivateNetwork}
	for _, o := range cfg.AllowOrigins {
		lo := strings.ToLower(strings.TrimSuffix(o, "/"))
		switch {
		case lo == "*":
			p.any = true
		case lo == "null":
			p.null = true
		case strings.Contains(lo, "://*."):
			scheme, rest, _ := strings.Cut(lo, "://*.")
			if scheme == "" || !validOrigin("https://"+rest) {
				panic(fmt.Sprintf("flagon: CORSConfig.AllowOrigins entry %q is not a valid wildcard origin; write it as \"https://*.example.com\"", o))
			}
			p.wildcards = append(p.wildcards, [2]string{scheme + "://", "." + rest})
		default:
			if !validOrigin(lo) {
				panic(fmt.Sprintf("flagon: CORSConfig.AllowOrigins entry %q is not an origin; write it as scheme://host[:port], e.g. \"https://app.example.com\"", o))
			}
			p.exact[lo] = true
		}
	}
	p.vary = !(p.any && !p.credentials && p.null && p.fn == nil)
	methods := cfg.AllowMethods
	if len(methods) == 0 {
		methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}
	}
	p.methods = []string{strings.Join(methods, ", ")}
	if len(cfg.AllowHeaders) > 0 {
		p.headers = []string{strings.Join(cfg.AllowHeaders, ", ")}
	}
	if len(cfg.ExposeHeaders) > 0 {
		p.expose = []string{strings.Join(cfg.ExposeHeaders, ", ")}
	}
	if cfg.MaxAge > 0 {
		p.maxAge = []string{strconv.Itoa(int(cfg.MaxAge / time.Second))}
	}
	return p
}

// allowed reports whether origin may read the answer.
func (p *corsPolicy) allowed(origin string) bool {
	if origin == "null" {
		return p.null
	}
	if len(origin) > maxOrigin {
		return false
	}
	if p.exact[origin] {
		return true // configured origins were checked when CORS was made
	}
	if !validOrigin(origin) {
		return false
	}
	if p.any {
		return true
	}
	for _, w := range p.wildcards {
		if len(origin) > len(w[0])+len(w[1]) && strings.HasPrefix(origin, w[0]) && strings.HasSuffix(origin, w[1]) {
			return true
		}
	}
	return p.fn != nil && p.fn(origin)
}

// allowOrigin sets Access-Control-Allow-Origin (and -Credentials) for an
// allowed origin: "*" when it may, the origin itself otherwise.
func (p *corsPolicy) allowOrigin(h http.Header, origins []string) {
	if p.any && !p.credentials && origins[0] != "null" {
		h["Access-Control-Allow-Origin"] = valStar[:1:1]
		return
	}
	// The request's own slice, capped: the origin was validated, and
	// sharing it allocates nothing.
	h["Access-Control-Allow-Origin"] = origins[:1:1]
	if p.credentials {
		h["Access-Control-Allow-Credentials"] = valTrue[:1:1]
	}
}

// preflight sets the headers of a preflight's answer.
func (p *corsPolicy) preflight(c *flagon.Context, h http.Header, origins []string) {
	addVary(h, valPreflightVaryBy)
	if len(origins) != 1 || !p.allowed(origins[0]) {
		return
	}
	p.allowOrigin(h, origins)
	h["Access-Control-Allow-Methods"] = p.methods[:1:1]
	if p.headers != nil {
		h["Access-Control-Allow-Headers"] = p.headers[:1:1]
	} else if req := c.Request.Header["Access-Control-Request-Headers"]; len(req) == 1 && validTokenList(req[0]) {
		h["Access-Control-Allow-Headers"] = req[:1:1]
	}
	if p.maxAge != nil {
		h["Access-Control-Max-Age"] = p.maxAge[:1:1]
	}
	if p.private && c.Request.Header.Get("Access-Control-Request-Private-Network") == "true" {
		h["Access-Control-Allow-Private-Network"] = valTrue[:1:1]
	}
}

// addVary adds v to the Vary header without allocating when there is none
// yet.
func addVary(h http.Header, v []string) {
	if len(h["Vary"]) == 0 {
		h["Vary"] = v[:1:1]
		return
	}
	h["Vary"] = append(h["Vary"], v[0])
}

// validOrigin accepts a lowercase scheme://host[:port]: a scheme of
// letters, digits, '+', '-', '.', then a host of lowercase letters,
// digits, '-', '.', or a bracketed IPv6 address, then an optional port.
// Nothing else: no path, user info, spaces or control characters.
func validOrigin(s string) bool {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || scheme == "" || rest == "" {
		return false
	}
	for i := 0; i < len(scheme); i++ {
		b := scheme[i]
		if !(b >= 'a' && b <= 'z' || i > 0 && (b >= '0' && b <= '9' || b == '+' || b == '-' || b == '.')) {
			return false
		}
	}
	host, port := rest, ""
	if rest[0] == '[' {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return false
		}
		for _, b := range []byte(rest[1:end]) {
			if !(b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b == ':' || b == '.') {
				return false
			}
		}
		host, port = "", rest[end+1:]
		if port != "" && port[0] != ':' {
			return false
		}
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host, port = rest[:i], rest[i:]
	}
	if port != "" {
		if len(port) < 2 || len(port) > 6 {
			return false
		}
		for i := 1; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return false
			}
		}
	}
	if rest[0] == '[' {
		return true
	}
	if host == "" || host[0] == '.' || host[0] == '-' {
		return false
	}
	for i := 0; i < len(host); i++ {
		b := host[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '.') {
			return false
		}
	}
	return true
}

// validTokenList accepts a comma-separated list of header names, the form
// of Access-Control-Request-Headers, of at most 1024 bytes.
func validTokenList(s string) bool {
	if s == "" || len(s) > 1024 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b == ',' || b == ' ' || b == '-' || b == '_' || b == '.' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' {
			continue
		}
		return false
	}
	return true
}
