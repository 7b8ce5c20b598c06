package flagon

import (
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"runtime/debug"
)

// Every route's chain has one shape, composed once when the app is frozen:
//
//	app middleware -> blueprint middleware (outer to inner) -> boundary ->
//	before-request hooks -> route middleware -> handler
//
// The boundary admits the body (Config.MaxBodyBytes) and turns the errors
// and panics of what it wraps into answers through the error handlers.
// Each middleware's own error is answered as soon as it returns (settled),
// so the middleware outside it, the request log among them, sees the final
// status and size of every answer. The router's own answers (404, 405,
// redirects, OPTIONS, a malformed path) run the special chain, which has
// the same shape around answerSpecial.

// start freezes the app on its first request, or when Run or Serve
// begins, and reports why freezing failed, on every call after a failure.
func (a *App) start() error {
	a.once.Do(func() {
		if err := a.freeze(); err != nil {
			a.startErr = err
			a.logger().Error(err.Error())
		}
	})
	return a.startErr
}

// refuse answers a request the app cannot serve because it failed to
// freeze: 500, with the reason logged on every request (and shown in
// debug mode), so the failure is never silent.
func (a *App) refuse(w http.ResponseWriter, r *http.Request, err error) {
	a.logger().ErrorContext(r.Context(), "flagon: request refused: the app failed to start", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	msg := "Internal Server Error: the application failed to start.\n"
	if a.Config.Debug {
		msg += err.Error() + "\n"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(msg))
}

// freeze composes every chain once; afterwards registration panics. A
// panic while composing (a middleware constructor that fails, say) is
// returned as an error: the app is then never ready, and start reports the
// error on every request.
func (a *App) freeze() (err error) {
	defer func() {
		if p := recover(); p != nil {
			a.serving.Store(true)
			err = fmt.Errorf("flagon: the app failed to start while composing its handler chains: %v\n%s", p, debug.Stack())
		}
	}()
	a.ensureStatic()
	a.serving.Store(true)
	a.router.compact()
	trust, bad := parseTrust(a.Config.TrustedProxies)
	for _, e := range bad {
		a.logger().Error("flagon: Config.TrustedProxies entry is not an IP, a CIDR or \"unix\"; it is not trusted", "entry", e)
	}
	a.trust = trust
	a.hosts = a.parseTrustedHosts()
	a.appHooks = hasHooks(a.appScopes)
	for _, r := range a.all {
		r.chain = a.compose(r)
		r.preflight = a.composePreflight(r)
	}
	a.special = a.outer(a.boundary(a.answerSpecial, a.hasOuter(nil)), nil)
	a.ready.Store(true)
	return nil
}

// compose builds a route's chain (see the shape above).
func (a *App) compose(r *Route) HandlerFunc {
	h := wrap(a.traced(r.handler), r.middleware())
	var before []func(*Context) error
	for i := len(r.scopes) - 1; i >= 0; i-- {
		before = append(before, r.scopes[i].before...)
	}
	if len(before) > 0 {
		h = runBefore(before, h)
	}
	r.hooks = hasHooks(r.scopes)
	return a.outer(a.boundary(h, a.hasOuter(r.scopes)), r.scopes)
}

// composePreflight builds the chain a CORS preflight for r runs (see
// preflightRoute): the automatic OPTIONS answer inside r's middleware, its
// blueprints' and the app's, without before-request hooks, as the app's
// own OPTIONS answer runs. It is nil when r and its blueprints have no
// middleware, since the app's special chain then does the same.
func (a *App) composePreflight(r *Route) HandlerFunc {
	own := len(r.middleware()) > 0
	for i := 0; i < len(r.scopes)-1; i++ {
		own = own || len(r.scopes[i].mws) > 0
	}
	if !own {
		return nil
	}
	return a.outer(a.boundary(wrap(a.answerSpecial, r.middleware()), true), r.scopes)
}

// outer wraps h in the middleware of the scopes' blueprints (innermost
// first; the last scope is the app), then the app's, each settled, and
// outermost the request log of Run(true). The outermost middleware needs
// no settling of its own: nothing outside it reads the answer before
// ServeHTTP settles its error (see end).
func (a *App) outer(h HandlerFunc, scopes []*scaffold) HandlerFunc {
	var mws []Middleware // innermost first: each list backwards, inner blueprints first
	for i := 0; i < len(scopes)-1; i++ {
		mws = appendReversed(mws, scopes[i].mws)
	}
	mws = appendReversed(mws, a.mws)
	for i, mw := range mws {
		h = apply(mw, h)
		if i < len(mws)-1 || a.logAll {
			h = a.settled(h)
		}
	}
	if a.logAll {
		h = a.logRequests(h)
	}
	return h
}

// hasOuter reports whether anything runs outside the boundary of a chain
// with these scopes: app or blueprint middleware, or the request log.
func (a *App) hasOuter(scopes []*scaffold) bool {
	outer := len(a.mws) > 0 || a.logAll
	for i := 0; i < len(scopes)-1; i++ {
		outer = outer || len(scopes[i].mws) > 0
	}
	return outer
}

// wrap applies middleware to h, the first of mws outermost.
func wrap(h HandlerFunc, mws []Middleware) HandlerFunc {
	for i := len(mws) - 1; i >= 0; i-- {
		h = apply(mws[i], h)
	}
	return h
}

// apply wraps h in mw; a middleware that returns a nil handler fails the
// freeze (see start), instead of every request that reaches it.
func apply(mw Middleware, h HandlerFunc) HandlerFunc {
	out := mw(h)
	if out == nil {
		panic(fmt.Sprintf("a middleware (%s) returned a nil handler", funcName(mw)))
	}
	return out
}

func appendReversed(dst, mws []Middleware) []Middleware {
	for i := len(mws) - 1; i >= 0; i-- {
		dst = append(dst, mws[i])
	}
	return dst
}

// settled answers the error next returns, unless a boundary inside it
// already did, and passes it on.
func (a *App) settled(next HandlerFunc) HandlerFunc {
	return func(c *Context) error {
		err := next(c)
		if err != nil {
			a.settle(c, err)
		}
		return err
	}
}

// settle answers err through the error handlers, once per request.
func (a *App) settle(c *Context, err error) {
	if !c.get().errHandled {
		a.handleError(c, err)
	}
}

// boundary admits the request's body (see admitBody), runs next, and
// turns its errors and panics into answers through the error handlers. It
// passes the error on, marked as answered, so the middleware outside sees
// it and the final status. A chain with nothing outside the boundary gets
// it without its recover: ServeHTTP recovers there, with the same
// answerPanic, and a defer per request is saved.
func (a *App) boundary(next HandlerFunc, outer bool) HandlerFunc {
	inner := func(c *Context) error {
		if c.Request.ContentLength != 0 {
			if err := a.admitBody(c); err != nil {
				a.settle(c, err)
				return err
			}
		}
		err := next(c)
		if err != nil {
			a.settle(c, err)
		}
		return err
	}
	if !outer {
		return inner
	}
	return func(c *Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				err = a.answerPanic(c, p)
			}
		}()
		return inner(c)
	}
}

// answerPanic turns a recovered panic into an error (its stack logged) and
// answers it; the boundary and ServeHTTP's rescue share it.
func (a *App) answerPanic(c *Context, p any) error {
	err := a.recovered(c, p)
	a.settle(c, err)
	return err
}

// funcName is the full name of fn's code, for messages.
func funcName(fn any) string {
	if f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()); f != nil {
		return f.Name()
	}
	return "unknown"
}
