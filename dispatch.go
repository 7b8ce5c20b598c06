package flagon

import (
	"net/http"
	"strings"
)

// outcome is what the router decided when no route handles the request.
type outcome uint8

const (
	outcomeNone outcome = iota
	outcomeNotFound
	outcomeMethodNotAllowed
	outcomeRedirect
	outcomeOptions
	outcomeBadRequest
	outcomeBadHost // the host is not one of Config.TrustedHosts (hosts.go)
)

// ServeHTTP dispatches the request to its route. The first call freezes the
// app: handler chains are composed then, and registering afterwards panics.
//
// It guarantees the end of the request: a response is sent, teardown hooks
// run (also after a panic), and http.ErrAbortHandler is re-panicked for
// net/http to abort the connection.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.ready.Load() {
		a.start()
	}
	c := a.pool.Get().(*Context)
	c.reset(w, r)
	defer func() {
		// After a normal end the Context goes back to the pool; after a
		// panic that got past the chain, rescue answers it.
		if c.done {
			a.recycle(c)
			return
		}
		a.rescue(c, recover())
	}()
	// The common case inline: a path in its default escaping, matched in
	// the method's own tree by a route without a <path:...> variable.
	// Everything else, misses included, is dispatch's, from the start.
	var rt *Route
	badHost := a.hosts.on && a.rejectHost(c)
	if path := r.URL.Path; !badHost && r.URL.RawPath == "" && path != "" && path[0] == '/' {
		if i := methodIndex(r.Method); i >= 0 && a.router.trees[i] != nil {
			rt = a.router.trees[i].match(path, 1, false, &c.params)
		}
	}
	var err error
	if rt != nil && !rt.rest {
		c.route = rt
		if r.ContentLength != 0 && a.Config.MaxBodyBytes > 0 {
			err = a.limitBody(c)
		}
		if err == nil {
			err = rt.chain(c)
		}
	} else if badHost {
		err = a.special(c)
	} else {
		c.params = c.params[:0]
		err = a.dispatch(c)
	}
	if err != nil || c.hooks() || c.x != nil || c.resp.written || c.resp.hijacked || c.interrupted.Load() {
		if err != nil && !c.get().errHandled {
			a.handleError(c, err)
		}
		a.finish(c, err)
	} else {
		// The common end: no error, no hooks, no session, nothing written
		// (the handler only set the status): what finish would do, inline.
		c.afterDone = true
		c.resp.written = true
		c.resp.w.WriteHeader(c.resp.status)
	}
	c.done = true
}

// Handler returns the app as an http.Handler.
func (a *App) Handler() http.Handler { return a }

// start freezes the app on its first request (see freeze).
func (a *App) start() { a.once.Do(a.freeze) }

// rescue ends a request whose chain panicked with p (recovered by
// ServeHTTP's deferred function): it answers 500 through the error
// handlers, finishes the request and returns the Context to the pool, or
// re-panics http.ErrAbortHandler for net/http (that Context is left to the
// garbage collector, as is one whose goroutine called runtime.Goexit).
func (a *App) rescue(c *Context, p any) {
	if p == nil {
		return // runtime.Goexit: nothing to answer
	}
	var err error
	if p != http.ErrAbortHandler {
		err = a.recovered(c, p)
		if !c.get().errHandled {
			a.handleError(c, err)
		}
		p = nil
	}
	a.finish(c, err)
	if p != nil {
		panic(p)
	}
	a.recycle(c)
}

// dispatch finds the route and runs its chain, or the special chain for
// malformed paths, non-canonical paths and misses.
func (a *App) dispatch(c *Context) error {
	r := c.Request
	path, raw := r.URL.RawPath, true
	if path == "" {
		path, raw = r.URL.Path, false
	}
	if path == "" || path[0] != '/' {
		c.state().outcome = outcomeNotFound
		return a.special(c)
	}
	if raw && !validEscapes(path) {
		c.state().outcome = outcomeBadRequest
		return a.special(c)
	}
	// Non-canonical paths ("//", "/./", "/../") are redirected. The matcher
	// never matches an empty or dot segment, so only a path it matched
	// through <path:...>, or one it missed, needs the full check. An
	// escaped dot is a dot in a dot segment (the URL standard), so "%2E%2E"
	// cannot reach a variable as "..".
	if raw && (strings.Contains(path, "%2e") || strings.Contains(path, "%2E")) {
		if p := dotUnescaper.Replace(path); !isCanonical(p) {
			return a.redirectClean(c, p)
		}
	}
	if rt := a.router.lookup(r.Method, path, raw, &c.params); rt != nil {
		if rt.rest && !isCanonical(path) {
			c.params = c.params[:0]
			return a.redirectClean(c, path)
		}
		c.route = rt
		if r.ContentLength != 0 && a.Config.MaxBodyBytes > 0 {
			if err := a.limitBody(c); err != nil {
				return err
			}
		}
		return rt.chain(c)
	}
	if !isCanonical(path) {
		return a.redirectClean(c, path)
	}
	a.miss(c, path, raw)
	if c.get().outcome == outcomeOptions {
		if rt := a.preflightRoute(c, path, raw); rt != nil {
			return rt.preflight(c)
		}
	}
	return a.special(c)
}

// preflightRoute returns the route a CORS preflight (an OPTIONS request
// with Access-Control-Request-Method, for a path without an OPTIONS route)
// asks about, when that route has middleware of its own or of its
// blueprints: the automatic OPTIONS answer then runs inside that
// middleware, so a CORS middleware on a blueprint or a route answers the
// preflight as it would at app level. Otherwise it returns nil.
func (a *App) preflightRoute(c *Context, path string, raw bool) *Route {
	// The key is already canonical: Header.Get would canonicalize it again,
	// which costs more than the rest of this lookup.
	vs := c.Request.Header["Access-Control-Request-Method"]
	if len(vs) == 0 || vs[0] == "" || vs[0] == http.MethodOptions {
		return nil
	}
	method := vs[0]
	rt := a.router.lookup(method, path, raw, &c.params)
	if rt == nil || rt.preflight == nil {
		c.params = c.params[:0]
		return nil
	}
	c.route = rt
	return rt
}

var dotUnescaper = strings.NewReplacer("%2e", ".", "%2E", ".")

// redirectClean answers a non-canonical path with a 308 to its clean form.
func (a *App) redirectClean(c *Context, path string) error {
	x := c.state()
	x.outcome = outcomeRedirect
	x.location = withQuery(c.scriptRoot()+cleanPath(escapedPath(c.Request, path)), c.Request.URL.RawQuery)
	return a.special(c)
}

// escapedPath is the request's path as sent: the matcher may work on the
// decoded Path (when the escaping was the default one), but a Location
// must be escaped again ("/a%25b", not "/a%b").
func escapedPath(r *http.Request, matched string) string {
	if r.URL.RawPath != "" {
		return matched
	}
	return r.URL.EscapedPath()
}

// limitBody enforces Config.MaxBodyBytes: a declared length past it is a
// 413 at once, without reading; a body of unknown length (chunked) is read
// through http.MaxBytesReader, whose error is a 413 wherever it surfaces.
// A declared length within the limit needs no wrapper (and costs no
// allocation): net/http's HTTP/1 and HTTP/2 servers and net/http/cgi never
// read a body past its Content-Length, and a FastCGI front end sends the
// body it declared. Requests without a body never get here either.
func (a *App) limitBody(c *Context) error {
	r := c.Request
	if r.ContentLength > a.Config.MaxBodyBytes {
		return &HTTPError{Code: http.StatusRequestEntityTooLarge, Message: "The request body is larger than the server accepts."}
	}
	if r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody {
		// The underlying writer lets net/http close the connection once the
		// limit is hit, instead of draining the rest.
		r.Body = http.MaxBytesReader(c.resp.w, r.Body, a.Config.MaxBodyBytes)
	}
	return nil
}

// miss decides between OPTIONS, 405, a trailing-slash redirect and 404.
func (a *App) miss(c *Context, path string, raw bool) {
	c.params = c.params[:0]
	x := c.state()
	if allow := a.router.allowed(path, raw); allow != nil {
		x.allow = allow
		x.outcome = outcomeMethodNotAllowed
		if c.Request.Method == http.MethodOptions {
			x.outcome = outcomeOptions
		}
	} else if !strings.HasSuffix(path, "/") && a.router.allowed(path+"/", raw) != nil {
		x.outcome = outcomeRedirect
		x.location = withQuery(c.scriptRoot()+escapedPath(c.Request, path)+"/", c.Request.URL.RawQuery)
	} else {
		x.outcome = outcomeNotFound
	}
	x.missScopes = a.scopesFor(path)
	x.missHooks = hasHooks(x.missScopes)
}

// scopesFor returns the error scopes for a path no route handles: those of
// the blueprint with the longest prefix the path falls under, or the app's.
func (a *App) scopesFor(path string) []*scaffold {
	best := -1
	for i, m := range a.groups {
		if m.prefix == "" || !strings.HasPrefix(path, m.prefix) {
			continue
		}
		if len(path) > len(m.prefix) && path[len(m.prefix)] != '/' {
			continue
		}
		if best < 0 || len(m.prefix) > len(a.groups[best].prefix) {
			best = i
		}
	}
	if best < 0 {
		return a.appScopes
	}
	return a.groups[best].scopes
}

func withQuery(path, rawQuery string) string {
	path = safeLocation(path)
	if rawQuery == "" {
		return path
	}
	return path + "?" + rawQuery
}

// answerSpecial is the handler at the end of the special chain.
func (a *App) answerSpecial(c *Context) error {
	x := c.get()
	switch x.outcome {
	case outcomeRedirect:
		c.Response.Header().Set("Location", x.location)
		c.Response.WriteHeader(http.StatusPermanentRedirect)
		return nil
	case outcomeOptions:
		c.Response.Header().Set("Allow", strings.Join(x.allow, ", "))
		c.Response.WriteHeader(http.StatusNoContent)
		return nil
	case outcomeMethodNotAllowed:
		c.Response.Header().Set("Allow", strings.Join(x.allow, ", "))
		return Abort(http.StatusMethodNotAllowed)
	case outcomeBadRequest:
		return Abort(http.StatusBadRequest, "The request path has a malformed percent-escape.")
	case outcomeBadHost:
		return Abort(http.StatusBadRequest, "The requested host is not one this server answers for.")
	}
	return Abort(http.StatusNotFound)
}

// freeze composes every chain once; afterwards registration panics.
func (a *App) freeze() {
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
	special := wrap(a.boundary(a.answerSpecial), a.mws)
	if a.logAll {
		special = a.logRequests(special)
	}
	a.special = special
	a.ready.Store(true)
}

// compose builds a route's chain: app middleware, blueprint middleware
// (outer to inner), the error boundary, before-request hooks, route
// middleware, handler.
func (a *App) compose(r *Route) HandlerFunc {
	h := wrap(r.handler, r.middleware())
	var before []func(*Context) error
	for i := len(r.scopes) - 1; i >= 0; i-- {
		before = append(before, r.scopes[i].before...)
	}
	if len(before) > 0 {
		h = runBefore(before, h)
	}
	r.hooks = hasHooks(r.scopes)
	outer := len(a.mws) > 0 || a.logAll
	for i := 0; i < len(r.scopes)-1; i++ {
		outer = outer || len(r.scopes[i].mws) > 0
	}
	if !outer {
		// Nothing runs outside the boundary: serve itself answers errors
		// and panics, so the chain saves a call and a defer.
		return h
	}
	h = a.boundary(h)
	for i := 0; i < len(r.scopes)-1; i++ {
		h = wrap(h, r.scopes[i].mws)
	}
	h = wrap(h, a.mws)
	if a.logAll {
		h = a.logRequests(h)
	}
	return h
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
	h := a.boundary(wrap(a.answerSpecial, r.middleware()))
	for i := 0; i < len(r.scopes)-1; i++ {
		h = wrap(h, r.scopes[i].mws)
	}
	h = wrap(h, a.mws)
	if a.logAll {
		h = a.logRequests(h)
	}
	return h
}

// hasHooks reports whether any of the scopes has AfterRequest or
// TeardownRequest hooks, so requests without them skip the loops.
func hasHooks(scopes []*scaffold) bool {
	for _, s := range scopes {
		if len(s.after) > 0 || len(s.teardown) > 0 {
			return true
		}
	}
	return false
}

func wrap(h HandlerFunc, mws []Middleware) HandlerFunc {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// runBefore runs the before-request hooks; one that fails or writes a
// response ends the request.
func runBefore(hooks []func(*Context) error, next HandlerFunc) HandlerFunc {
	return func(c *Context) error {
		for _, fn := range hooks {
			if err := fn(c); err != nil {
				return err
			}
			if c.Response.Written() {
				return nil
			}
		}
		return next(c)
	}
}

// boundary turns the errors and panics of what it wraps into answers
// through the error handlers, then passes the error on, marked as handled,
// so outer middleware still sees it and the final status.
func (a *App) boundary(next HandlerFunc) HandlerFunc {
	return func(c *Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				err = a.recovered(c, p)
				a.handleError(c, err)
			}
		}()
		if err = next(c); err != nil {
			a.handleError(c, err)
		}
		return err
	}
}

// runAfter runs the AfterRequest hooks once, just before the headers go.
func (c *Context) runAfter() {
	if c.afterDone {
		return
	}
	c.afterDone = true
	if c.hooks() {
		for _, s := range c.scopes() {
			for i := len(s.after) - 1; i >= 0; i-- {
				s.after[i](c)
			}
		}
	}
	if c.x != nil && c.x.session != nil {
		c.saveSession() // after the hooks, which may still change the session
	}
}

// finish sends the headers if the handler wrote nothing, runs the teardown
// hooks with the request's error, then removes the temporary files of a
// multipart body.
func (a *App) finish(c *Context, err error) {
	if !c.resp.written && !c.resp.hijacked {
		c.resp.WriteHeader(c.resp.status)
	}
	if c.hooks() {
		if e := c.get().err; e != nil {
			err = e
		}
		for _, s := range c.scopes() {
			for i := len(s.teardown) - 1; i >= 0; i-- {
				a.runTeardown(c, s.teardown[i], err)
			}
		}
	}
	if c.x != nil && c.x.multipart != nil {
		c.removeUploads()
	}
}

// runTeardown runs one teardown hook; its panic is logged, not raised, so
// every hook runs.
func (a *App) runTeardown(c *Context, fn func(*Context, error), err error) {
	defer func() {
		if p := recover(); p != nil {
			_ = a.recovered(c, p)
		}
	}()
	fn(c, err)
}
