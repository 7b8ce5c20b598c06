package flagon

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
)

// scaffold is the registration surface App and Blueprint share, so both
// behave the same by construction (Flask's Scaffold). Its methods are
// promoted to *App and *Blueprint.
type scaffold struct {
	name     string // blueprint name; "" for the app
	mws      []Middleware
	before   []func(*Context) error
	after    []func(*Context)
	teardown []func(*Context, error)
	ctxProcs []func(*Context) M // ContextProcessor; on the app, also its blueprints' AppContextProcessor
	codes    map[int]func(*Context, error) error
	typed    []typedHandler
	routes   []*Route

	urlDefaults []func(c *Context, endpoint string, values map[string]any)

	attach func(r *Route) // App: insert into the router; Blueprint: nothing (apps copy at Register)
	frozen func() bool    // App: it is serving; Blueprint: an app registered it
}

// typedHandler is a HandleError registration: the error type it takes
// and its handler, called with an error of that type.
type typedHandler struct {
	typ    reflect.Type
	handle func(c *Context, err error) error
}

// takes reports whether the handler takes e itself (not through its
// chain): e's type is the handler's, or implements the handler's
// interface.
func (t typedHandler) takes(e error) bool {
	et := reflect.TypeOf(e)
	if t.typ.Kind() == reflect.Interface {
		return et.Implements(t.typ)
	}
	return et == t.typ
}

// Scope is where error handlers are registered: *App and *Blueprint.
type Scope interface {
	base() *scaffold
}

func (s *scaffold) base() *scaffold { return s }

// checkOpen panics when the app already serves (chains are composed once,
// so later registrations would be silently ignored) or, on a blueprint,
// when an app has registered it (and so took what it had then).
func (s *scaffold) checkOpen(what string) {
	if s.frozen != nil && s.frozen() {
		if s.name != "" {
			panic(registeredMessage(s.name, what))
		}
		panic(fmt.Sprintf("flagon: cannot %s at %s: the app has started serving and its handler chains are built; register routes, middleware, hooks and error handlers before calling Run, Serve or ServeHTTP", what, callSite()))
	}
}

// Route registers h for rule and the given methods (GET when none are
// given) and returns the registration. It panics on a malformed rule, an
// unknown converter, a rule whose shape and method are already registered,
// or an endpoint name already used by another handler; the message names
// the rule and where it was registered.
func (s *scaffold) Route(rule string, h HandlerFunc, methods ...string) *Route {
	return s.add(rule, h, methods)
}

// Get registers h for GET (and so HEAD) requests to rule.
func (s *scaffold) Get(rule string, h HandlerFunc) *Route { return s.add(rule, h, []string{"GET"}) }

// Post registers h for POST requests to rule.
func (s *scaffold) Post(rule string, h HandlerFunc) *Route { return s.add(rule, h, []string{"POST"}) }

// Put registers h for PUT requests to rule.
func (s *scaffold) Put(rule string, h HandlerFunc) *Route { return s.add(rule, h, []string{"PUT"}) }

// Patch registers h for PATCH requests to rule.
func (s *scaffold) Patch(rule string, h HandlerFunc) *Route {
	return s.add(rule, h, []string{"PATCH"})
}

// Delete registers h for DELETE requests to rule.
func (s *scaffold) Delete(rule string, h HandlerFunc) *Route {
	return s.add(rule, h, []string{"DELETE"})
}

// Head registers h for HEAD requests to rule, in place of the GET route.
func (s *scaffold) Head(rule string, h HandlerFunc) *Route { return s.add(rule, h, []string{"HEAD"}) }

// Options registers h for OPTIONS requests to rule, in place of the
// automatic 204 answer.
func (s *scaffold) Options(rule string, h HandlerFunc) *Route {
	return s.add(rule, h, []string{"OPTIONS"})
}

func (s *scaffold) add(rule string, h HandlerFunc, methods []string) *Route {
	site := callSite()
	if h == nil {
		panic(fmt.Sprintf("flagon: rule %s registered at %s has a nil handler", rule, site))
	}
	if len(methods) == 0 {
		methods = []string{http.MethodGet}
	}
	ms := make([]string, 0, len(methods))
	for _, m := range methods {
		if m != anyMethod {
			m = strings.ToUpper(m)
			if !isToken(m) {
				panic(fmt.Sprintf("flagon: rule %s registered at %s has an invalid method %q", rule, site, m))
			}
		}
		for _, x := range ms {
			if x == m {
				panic(fmt.Sprintf("flagon: rule %s registered at %s lists method %s twice", rule, site, m))
			}
		}
		ms = append(ms, m)
	}
	s.checkOpen("register " + strings.Join(ms, ",") + " " + rule)
	r := &Route{rule: rule, methods: ms, handler: h, local: handlerName(h), site: site, owner: s}
	s.routes = append(s.routes, r)
	s.attach(r)
	return r
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// Use adds middleware. On an App it wraps every request, including 404s,
// 405s, redirects and automatic OPTIONS answers; on a Blueprint, every route
// of the blueprint. Middleware runs outer to inner in the order given, and
// applies to routes registered before and after the call alike.
func (s *scaffold) Use(mw ...Middleware) {
	s.checkOpen("add middleware")
	notNilMiddleware(mw)
	s.mws = append(s.mws, mw...)
}

// BeforeRequest adds a hook that runs before the handler, after the
// middleware. The app's hooks run before a blueprint's, each in the order
// registered. A hook that returns an error (handled like a handler's error)
// or writes a response stops the request there.
func (s *scaffold) BeforeRequest(fn func(c *Context) error) {
	s.checkOpen("add a BeforeRequest hook")
	notNil(fn == nil, "BeforeRequest hook")
	s.before = append(s.before, fn)
}

// AfterRequest adds a hook that runs just before the response headers are
// written, so it can still change them. A blueprint's hooks run before the
// app's, each scope's in reverse order of registration, as in Flask.
func (s *scaffold) AfterRequest(fn func(c *Context)) {
	s.checkOpen("add an AfterRequest hook")
	notNil(fn == nil, "AfterRequest hook")
	s.after = append(s.after, fn)
}

// TeardownRequest adds a hook that always runs once the response is done,
// even after a panic, with the error the request ended with (nil if none).
func (s *scaffold) TeardownRequest(fn func(c *Context, err error)) {
	s.checkOpen("add a TeardownRequest hook")
	notNil(fn == nil, "TeardownRequest hook")
	s.teardown = append(s.teardown, fn)
}

// URLDefaults adds a function that gives URL building default values for
// rule variables (Flask's url_defaults): Context.URLFor calls it with the
// endpoint being built and a map to fill, and uses a value it sets for a
// variable of the endpoint's rule that the caller did not pass. On an App
// it applies to every endpoint; on a Blueprint, to the blueprint's
// endpoints. With a variable prefix ("/<lang>") it keeps the current value
// in every URL the blueprint builds:
//
//	bp.URLDefaults(func(c *flagon.Context, endpoint string, values map[string]any) {
//		values["lang"] = c.Param("lang")
//	})
func (s *scaffold) URLDefaults(fn func(c *Context, endpoint string, values map[string]any)) {
	s.checkOpen("add a URLDefaults function")
	notNil(fn == nil, "URLDefaults function")
	s.urlDefaults = append(s.urlDefaults, fn)
}

// ErrorHandler handles errors whose status is code (Abort(code), an
// *HTTPError, a 404 or 405 of the router, 500 for other errors and panics).
// The handler writes the response; if it returns an error, that error is
// rendered by the default error page.
func (s *scaffold) ErrorHandler(code int, fn func(c *Context, err error) error) {
	s.checkOpen("add an error handler")
	if code < 400 || code > 599 {
		panic(fmt.Sprintf("flagon: ErrorHandler(%d) at %s: only 4xx and 5xx codes have error handlers", code, callSite()))
	}
	notNil(fn == nil, "error handler")
	if s.codes == nil {
		s.codes = map[int]func(*Context, error) error{}
	}
	s.codes[code] = fn
}

// HandleError registers fn for errors of type E, on an App or a
// Blueprint. As in Flask, the most specific handler wins: the handlers of
// the route's blueprints are tried innermost first, then the app's; within
// a scope, the error's chain (errors.Unwrap, errors.Join) is walked from
// the error itself inwards, and the first error in it that a handler takes
// is handled: by a handler for its exact type, else by one for an interface
// it implements, in registration order. A handler for the error's status
// code (ErrorHandler) comes after every type handler of its scope.
func HandleError[E error](s Scope, fn func(c *Context, err E) error) {
	sc := s.base()
	sc.checkOpen("add an error handler")
	notNil(fn == nil, "error handler")
	sc.typed = append(sc.typed, typedHandler{
		typ:    reflect.TypeFor[E](),
		handle: func(c *Context, err error) error { return fn(c, err.(E)) },
	})
}

// notNil panics with the call site when a registered function is nil: a
// nil hook or handler would fail on every request instead.
func notNil(isNil bool, what string) {
	if isNil {
		panic(fmt.Sprintf("flagon: nil %s passed at %s", what, callSite()))
	}
}

// notNilMiddleware panics with the call site when one of mw is nil.
func notNilMiddleware(mw []Middleware) {
	for _, m := range mw {
		notNil(m == nil, "middleware")
	}
}
