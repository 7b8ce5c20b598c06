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

// ServeHTTP answers the request. It is the one way through the app for
// every request: take a pooled Context, choose the chain (route picks the
// matched route's, or the special chain of the router's own answers), run
// it, and end the request (end). The first call freezes the app: handler
// chains are composed then, and registering afterwards panics.
//
// It guarantees the end of the request: a response is sent, teardown hooks
// run (also after a panic), and http.ErrAbortHandler is re-panicked for
// net/http to abort the connection.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.ready.Load() {
		if err := a.start(); err != nil {
			a.refuse(w, r, err)
			return
		}
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
	err := a.route(c)(c)
	if err != nil || c.hooks() || c.x != nil || c.resp.written || c.resp.hijacked || c.resp.head || c.interrupted.Load() {
		a.end(c, err)
	} else {
		// The common end: no error, no hooks, no session, nothing written
		// (the handler only set the status). This is what end does for
		// such a request, inline because it is most requests.
		c.afterDone = true
		c.resp.written = true
		c.resp.w.WriteHeader(c.resp.status)
	}
	c.done = true
}

// Handler returns the app as an http.Handler.
func (a *App) Handler() http.Handler { return a }

// route returns the chain the request runs: its route's, or the special
// chain of the router's own answers. The common case comes first and
// inline: a path in its default escaping, matched in the method's own
// tree by a route without a <path:...> variable. dispatch decides
// everything else from the start (it matches with the same tree walk).
func (a *App) route(c *Context) HandlerFunc {
	r := c.Request
	if a.hosts.on && a.rejectHost(c) {
		return a.special
	}
	if path := r.URL.Path; r.URL.RawPath == "" && path != "" && path[0] == '/' {
		if i := methodIndex(r.Method); i >= 0 && a.router.trees[i] != nil {
			if rt := a.router.trees[i].match(path, 1, false, &c.params); rt != nil && !rt.rest {
				c.route = rt
				return rt.chain
			}
		}
	}
	c.params = c.params[:0]
	return a.dispatch(c)
}

// end finishes a request whose chain returned: an error no boundary
// answered is answered now, then the response is completed (finish).
func (a *App) end(c *Context, err error) {
	if err != nil && !c.get().errHandled {
		a.handleError(c, err)
	}
	a.finish(c, err)
}

// rescue ends a request whose chain panicked with p (recovered by
// ServeHTTP's deferred function): the panic is answered as the error
// boundary answers it (answerPanic), the request is finished and the
// Context goes back to the pool; http.ErrAbortHandler is re-panicked for
// net/http (that Context is left to the garbage collector, as is one whose
// goroutine called runtime.Goexit).
func (a *App) rescue(c *Context, p any) {
	if p == nil {
		return // runtime.Goexit: nothing to answer
	}
	err := a.answerPanic(c, p)
	a.finish(c, err)
	if p == http.ErrAbortHandler {
		panic(p)
	}
	a.recycle(c)
}

// dispatch matches what route's common case does not: raw paths, routes
// with a <path:...> variable, non-canonical paths and misses. It returns
// the chain to run: the route's, a CORS preflight's, or the special chain
// for malformed paths, redirects, 404, 405 and OPTIONS.
func (a *App) dispatch(c *Context) HandlerFunc {
	r := c.Request
	path, raw := r.URL.RawPath, true
	if path == "" {
		path, raw = r.URL.Path, false
	}
	if path == "" || path[0] != '/' {
		c.state().outcome = outcomeNotFound
		return a.special
	}
	if raw && !validEscapes(path) {
		c.state().outcome = outcomeBadRequest
		return a.special
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
		return rt.chain
	}
	if !isCanonical(path) {
		return a.redirectClean(c, path)
	}
	a.miss(c, path, raw)
	if c.get().outcome == outcomeOptions {
		if rt := a.preflightRoute(c, path, raw); rt != nil {
			return rt.preflight
		}
	}
	return a.special
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
func (a *App) redirectClean(c *Context, path string) HandlerFunc {
	x := c.state()
	x.outcome = outcomeRedirect
	x.location = withQuery(c.scriptRoot()+cleanPath(escapedPath(c.Request, path)), c.Request.URL.RawQuery)
	return a.special
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

// miss decides between OPTIONS, 405, a trailing-slash redirect and 404.
func (a *App) miss(c *Context, path string, raw bool) {
	c.params = c.params[:0]
	x := c.state()
	allow := a.router.allowed(path, raw)
	if a.router.slashRedirect(c.Request.Method, path, raw, allow) {
		x.outcome = outcomeRedirect
		x.location = withQuery(c.scriptRoot()+escapedPath(c.Request, path)+"/", c.Request.URL.RawQuery)
	} else if allow != nil {
		x.allow = allow
		x.outcome = outcomeMethodNotAllowed
		if c.Request.Method == http.MethodOptions {
			x.outcome = outcomeOptions
		}
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
		// A prefix with variables ("/<lang>") is not a text to compare:
		// misses under it get the app's scopes.
		if m.prefix == "" || !strings.HasPrefix(path, m.prefix) || strings.IndexByte(m.prefix, '<') >= 0 {
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

// answerSpecial is the handler at the end of the special chain. Before a
// 404 or 405, the before-request hooks of the path's scopes run, as Flask
// runs them before it raises the routing error, so an error page sees
// what they loaded (the logged-in user in g).
func (a *App) answerSpecial(c *Context) error {
	x := c.get()
	if x.outcome == outcomeNotFound || x.outcome == outcomeMethodNotAllowed {
		if err := runScopeBefore(c); err != nil || c.Response.Written() {
			return err
		}
	}
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
