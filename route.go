package flagon

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// Route is one registration: a rule, its methods and its handler. It is
// returned by Get, Post, Route and the like so the registration can be
// named and given its own middleware.
type Route struct {
	rule     string // full rule, blueprint prefixes included
	methods  []string
	handler  HandlerFunc
	local    string   // endpoint on the App or Blueprint it was made on
	endpoint string   // endpoint on the app: local, after prefix
	prefix   string   // "bp." for a route an app gets from a blueprint
	aliases  []string // absolute endpoints besides endpoint (Alias)
	site     string   // where it was registered, file:line
	parsed   *parsedRule
	rest     bool     // the rule has a <path:...> variable (copied from parsed: read per request)
	hooks    bool     // its scopes have AfterRequest or TeardownRequest hooks
	doc      routeDoc // Summary and Tags, for the OpenAPI document

	// middleware of this route; a route an app gets from a blueprint has a
	// copy of the blueprint route's, taken when the blueprint was registered.
	mws []Middleware

	owner  *scaffold   // the App's or Blueprint's registry it was made on
	scopes []*scaffold // for app routes: blueprints innermost first, then the app
	app    *App
	chain  HandlerFunc // composed when the app is frozen
	// preflight is the chain of a CORS preflight for this route, when the
	// route or its blueprints have middleware (see App.preflightRoute).
	preflight HandlerFunc
}

// Name sets the route's endpoint, the name URLFor builds it by. Inside a
// blueprint the app sees it as "blueprint.endpoint". It panics when the
// name is taken by another handler.
func (r *Route) Name(endpoint string) *Route {
	if endpoint == "" || strings.ContainsAny(endpoint, " /") {
		panic(fmt.Sprintf("flagon: endpoint name %q for %s is not valid: use a non-empty name without spaces or slashes (registered at %s)", endpoint, r.rule, r.site))
	}
	if r.owner.name != "" && strings.Contains(endpoint, ".") {
		panic(fmt.Sprintf("flagon: endpoint name %q for %s in blueprint %s (registered at %s) may not contain a dot: the app names it %s.<endpoint>, and dots separate blueprints", endpoint, r.rule, r.owner.name, r.site, r.owner.name))
	}
	r.owner.checkOpen("name the route " + r.rule)
	r.local = endpoint
	if r.app != nil {
		r.app.setEndpoint(r, endpoint)
	}
	return r
}

// Alias gives the route a second endpoint, so URLFor builds it by either
// name, as Flask's add_url_rule(rule, endpoint=...) beside a blueprint's
// own. The alias is absolute: a blueprint's name does not prefix it, so
// bp.Get("/", index).Alias("index") is "index" as well as "blog.index" on
// every app that registers the blueprint. Routes lists the route once,
// under its main endpoint. It panics, as Name does, when the name is not
// valid (or starts with ".", which URLFor reads as relative) or belongs
// to another handler.
func (r *Route) Alias(endpoint string) *Route {
	if endpoint == "" || strings.ContainsAny(endpoint, " /") || endpoint[0] == '.' {
		panic(fmt.Sprintf("flagon: alias %q for %s is not valid: use a non-empty name without spaces or slashes that does not start with \".\" (registered at %s)", endpoint, r.rule, r.site))
	}
	r.owner.checkOpen("alias the route " + r.rule)
	r.aliases = append(r.aliases, endpoint)
	if r.app != nil {
		r.app.addAlias(r, endpoint)
	}
	return r
}

// Use adds middleware around this route's handler only. Route middleware is
// the innermost: it runs after the app's and blueprints' middleware and the
// before-request hooks.
func (r *Route) Use(mw ...Middleware) *Route {
	r.owner.checkOpen("add middleware to " + r.rule)
	notNilMiddleware(mw)
	r.mws = append(r.mws, mw...)
	return r
}

// middleware is the route's own middleware (for a route an app got from a
// blueprint, the copy it took at registration).
func (r *Route) middleware() []Middleware { return r.mws }

// RouteInfo describes one registered route for listings and docs.
type RouteInfo struct {
	Method   string
	Rule     string
	Endpoint string
}

// handlerName is the default endpoint of a handler: the function's name
// without its package ("hello" for main.hello, "show" for a method value
// (*T).show). Closures have no default name.
func handlerName(h HandlerFunc) string {
	if h == nil {
		return ""
	}
	if t := typedOf(h); t != nil {
		return t.name
	}
	return endpointOf(reflect.ValueOf(h).Pointer())
}

// endpointOf is handlerName for the function whose code is at pc.
func endpointOf(pc uintptr) string {
	fn := runtime.FuncForPC(pc)
	if fn == nil {
		return ""
	}
	name := fn.Name()
	name = strings.TrimSuffix(name, "-fm")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, '['); i >= 0 { // generic instantiation
		name = name[:i]
	}
	parts := strings.Split(name, ".")
	last := parts[len(parts)-1]
	if isClosureName(last) || len(parts) > 2 && isClosureName(parts[len(parts)-2]) {
		return ""
	}
	for _, p := range parts[1:] {
		if isClosureName(p) {
			return ""
		}
	}
	return strings.Trim(last, "()*")
}

// isClosureName reports whether a symbol part is the compiler's name for a
// function literal ("func1", "gowrap2") or its nested index ("1").
func isClosureName(s string) bool {
	for _, p := range []string{"func", "gowrap"} {
		if strings.HasPrefix(s, p) && len(s) > len(p) && allDigits(s[len(p):]) {
			return true
		}
	}
	return allDigits(s)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// handlerID identifies a handler's code, to tell whether an endpoint is
// reused for another handler.
func handlerID(h HandlerFunc) uintptr {
	if h == nil {
		return 0
	}
	if t := typedOf(h); t != nil {
		return t.id // Typed's closures share their code
	}
	return reflect.ValueOf(h).Pointer()
}

// callSite is the file:line of the first caller outside Flagon's own
// (non-test) code: where the user registered something.
func callSite() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		inFlagon := strings.HasPrefix(f.Function, "github.com/flagon-go/flagon.") && !strings.HasSuffix(f.File, "_test.go")
		if !inFlagon {
			return fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if !more {
			return fmt.Sprintf("%s:%d", f.File, f.Line)
		}
	}
}
