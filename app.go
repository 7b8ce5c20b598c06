package flagon

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-playground/validator/v10"
)

// HandlerFunc handles a request. An error it returns goes to the error
// handlers (see ErrorHandler and HandleError) unless the response was
// already written.
type HandlerFunc func(c *Context) error

// Middleware wraps a handler. It is called once per route when the app is
// first served, never per request.
type Middleware func(next HandlerFunc) HandlerFunc

// M is a shortcut for map[string]any, handy for JSON and template data.
type M map[string]any

// App is a Flagon application: routes, middleware, hooks, error handlers
// and configuration. It is an http.Handler. Register everything before the
// app serves its first request; it is safe for concurrent use afterwards.
type App struct {
	scaffold

	// Config is read when the app is first served; change it before.
	Config Config

	router     router
	converters map[string]Converter
	endpoints  map[string][]*Route
	all        []*Route // app-level routes in registration order
	groups     []mount  // blueprint prefixes, for 404 and 405 error scoping
	appScopes  []*scaffold
	trust      proxyTrust // Config.TrustedProxies, parsed when frozen
	hosts      hostTrust  // Config.TrustedHosts, parsed when frozen
	appHooks   bool       // the app has AfterRequest or TeardownRequest hooks

	once      sync.Once
	startErr  error       // why freezing failed (see start)
	serving   atomic.Bool // registration is closed (set first thing in freeze)
	ready     atomic.Bool // chains are composed (set last thing in freeze)
	special   HandlerFunc // 404, 405, redirects, OPTIONS: through app middleware
	pool      sync.Pool
	maxParams int
	logAll    bool      // Run(true) logs every request
	console   io.Writer // Run's banner and request log: os.Stderr, or the run command's Stderr
	warned    sync.Map  // forwarding headers Run(true) has warned about

	tmplFuncs template.FuncMap // App.TemplateFuncs
	tmplOnce  sync.Once
	tmpl      *templates

	staticDone bool // ensureStatic ran

	srvMu   sync.Mutex
	servers map[*http.Server]*drain // served by Run and Serve, for Shutdown
	closed  bool                    // Shutdown was called

	stopping atomic.Bool // a graceful shutdown began: Readiness answers 503

	values      sync.Map // the app's own values, by Key name
	onShutdown  []func(context.Context) error
	releaseOnce sync.Once

	commands []command // App.Command (cli.go)

	validateOnce sync.Once
	validate     *validator.Validate // see Validator

	openapi openapiCache // see OpenAPI
}

// New returns an App configured with DefaultConfig().
func New() *App {
	a := &App{Config: DefaultConfig()}
	a.attach = a.attachRoute
	a.scaffold.frozen = a.serving.Load
	a.appScopes = []*scaffold{&a.scaffold}
	a.pool.New = func() any { return a.newContext() }
	return a
}

// Converter registers a custom converter under name, for rules such as
// "/<name:var>". Register converters before the routes that use them. It
// panics when name is a built-in converter or already registered.
func (a *App) Converter(name string, c Converter) {
	a.checkOpen("register converter " + name)
	if !isIdentifier(name) || isBuiltinConverter(name) {
		panic(fmt.Sprintf("flagon: converter name %q at %s is invalid or built in", name, callSite()))
	}
	if _, ok := a.converters[name]; ok {
		panic(fmt.Sprintf("flagon: converter %q registered twice (at %s)", name, callSite()))
	}
	if c == nil {
		panic(fmt.Sprintf("flagon: converter %q at %s is nil", name, callSite()))
	}
	if a.converters == nil {
		a.converters = map[string]Converter{}
	}
	a.converters[name] = c
}

// Register adds a blueprint's routes under prefix ("" for none, otherwise
// starting with "/"). Its endpoints become "name.endpoint". The app takes
// the blueprint's routes, middleware, hooks and error handlers (and its
// children's) as they are now and closes the blueprint: adding to it
// afterwards panics. The blueprint keeps no reference to the app, so one
// blueprint may be registered on many apps, concurrently.
func (a *App) Register(bp *Blueprint, prefix string) {
	prefix = checkPrefix(prefix)
	a.checkOpen("register blueprint " + bp.name)
	bp.close()
	bp.mount(a, mount{prefix: prefix, names: bp.name + ".", scopes: []*scaffold{&bp.scaffold, &a.scaffold}})
}

// Mount serves h for every method at prefix and below it ("/api" owns
// "/api" and "/api/...", never "/apiv2"), with the prefix stripped from
// the request's path as http.StripPrefix does. App middleware applies.
func (a *App) Mount(prefix string, h http.Handler) {
	prefix = checkPrefix(prefix)
	if prefix == "" {
		panic(fmt.Sprintf("flagon: Mount at %s needs a prefix such as \"/api\"", callSite()))
	}
	if strings.ContainsAny(prefix, "<>") {
		panic(fmt.Sprintf("flagon: Mount prefix %q at %s must be static text (no variables): the prefix is stripped from the path", prefix, callSite()))
	}
	strip := stripPrefix(prefix, h)
	a.add(prefix, strip, []string{anyMethod})
	a.add(prefix+"/", strip, []string{anyMethod})
	a.add(prefix+"/<path:__mount>", strip, []string{anyMethod})
}

// Routes lists every route with its full rule and endpoint, one entry per
// method, sorted by rule then method. A route with aliases (Route.Alias)
// is listed under its main endpoint only.
func (a *App) Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range a.all {
		for _, m := range r.methods {
			if m == anyMethod {
				m = "ANY"
			}
			out = append(out, RouteInfo{Method: m, Rule: r.rule, Endpoint: r.endpoint})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// attachRoute inserts a route registered on the app itself.
func (a *App) attachRoute(r *Route) {
	r.app = a
	r.scopes = a.appScopes
	a.insert(r)
}

// addDerived inserts, for mount m, the app's copy of a blueprint route. It
// reads the blueprint's route and never writes it.
func (a *App) addDerived(origin *Route, m mount) {
	d := &Route{
		rule:    joinRule(m.prefix, origin.rule),
		methods: origin.methods,
		handler: origin.handler,
		local:   origin.local,
		prefix:  m.names,
		aliases: origin.aliases[:len(origin.aliases):len(origin.aliases)],
		site:    origin.site,
		mws:     origin.mws[:len(origin.mws):len(origin.mws)],
		doc:     origin.doc,
		owner:   origin.owner,
		scopes:  m.scopes,
		app:     a,
	}
	if d.rule == "" {
		d.rule = "/"
	}
	a.insert(d)
}

// insert parses the route's rule, adds it to the router and indexes its
// endpoint; it panics with the rule and call site on any mistake.
func (a *App) insert(r *Route) {
	if a.serving.Load() {
		panic(fmt.Sprintf("flagon: cannot register %s at %s: the app has started serving; register routes before calling Run, Serve or ServeHTTP", r.rule, r.site))
	}
	p, err := parseRule(r.rule, a.converters)
	if err != nil {
		panic(fmt.Sprintf("flagon: rule %s registered at %s: %v", r.rule, r.site, err))
	}
	r.parsed = p
	r.rest = p.rest
	for _, m := range r.methods {
		a.router.add(m, r)
	}
	if n := len(p.names); n > a.maxParams {
		a.maxParams = n
	}
	a.all = append(a.all, r)
	if r.local != "" {
		a.setEndpoint(r, r.prefix+r.local)
	}
	for _, alias := range r.aliases {
		a.addAlias(r, alias)
	}
}

// setEndpoint (re)names r on the app, panicking when the endpoint already
// belongs to another handler.
func (a *App) setEndpoint(r *Route, endpoint string) {
	if r.endpoint == endpoint {
		return
	}
	a.checkEndpoint(r, endpoint)
	if r.endpoint != "" && !slices.Contains(r.aliases, r.endpoint) {
		list := a.endpoints[r.endpoint]
		for i, x := range list {
			if x == r {
				a.endpoints[r.endpoint] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
	}
	if a.endpoints == nil {
		a.endpoints = map[string][]*Route{}
	}
	r.endpoint = endpoint
	if !slices.Contains(a.endpoints[endpoint], r) { // unless it is an alias
		a.endpoints[endpoint] = append(a.endpoints[endpoint], r)
	}
}

// addAlias indexes r under the absolute endpoint alias too (Route.Alias),
// panicking when the endpoint already belongs to another handler.
func (a *App) addAlias(r *Route, alias string) {
	if slices.Contains(a.endpoints[alias], r) {
		return // its endpoint already, or aliased twice
	}
	a.checkEndpoint(r, alias)
	if a.endpoints == nil {
		a.endpoints = map[string][]*Route{}
	}
	a.endpoints[alias] = append(a.endpoints[alias], r)
}

// checkEndpoint panics when endpoint belongs to a handler other than r's.
func (a *App) checkEndpoint(r *Route, endpoint string) {
	// Every route of an endpoint has the same handler, so the first tells.
	if others := a.endpoints[endpoint]; len(others) > 0 {
		if other := others[0]; handlerID(other.handler) != handlerID(r.handler) {
			panic(fmt.Sprintf("flagon: endpoint %q of %s (registered at %s) is already used by another handler for %s (registered at %s): name one of them with .Name(...)",
				endpoint, r.rule, r.site, other.rule, other.site))
		}
	}
}

// stripPrefix serves h with prefix removed from the path, keeping RawPath
// consistent, and without a copy when nothing changes.
func stripPrefix(prefix string, h http.Handler) HandlerFunc {
	return func(c *Context) error {
		r := c.Request
		p := strings.TrimPrefix(r.URL.Path, prefix)
		rp := strings.TrimPrefix(r.URL.RawPath, prefix)
		if p == "" {
			p = "/"
		}
		if r.URL.RawPath != "" && rp == "" {
			rp = "/"
		}
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path, u.RawPath = p, rp
		r2.URL = &u
		h.ServeHTTP(c.Response, r2)
		return nil
	}
}
