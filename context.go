package flagon

import (
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
)

// Context is the state of one request: the request, the response being
// written, the route's variables and values handlers share (Flask's g).
// A Context is pooled: it is valid only until its handler returns, and must
// not be kept or used from another goroutine after that.
type Context struct {
	Request  *http.Request
	Response *Response

	app    *App
	route  *Route
	params []string // variable values, in the order of route.parsed.names
	keys   map[string]any
	resp   Response
	body   requestBody // the request's body as handlers read it (see admitBody)

	afterDone bool // AfterRequest hooks have run
	done      bool // ServeHTTP finished normally (nothing to recover)
	// interrupted is set by Response.Interrupt, possibly while the handler
	// runs on another goroutine (middleware.Timeout): from then on no
	// Response of the request runs the hooks.
	interrupted atomic.Bool

	// x is the state most requests never touch, nil until one does (see
	// state); spare is its storage, kept with the pooled Context. Keeping
	// it out of line keeps the per-request reset small.
	x     *contextState
	spare *contextState
}

// contextState is the rarely used part of a request's state: sessions,
// parsed query and form, errors, WrapMiddleware's bookkeeping and the
// router's special answers. It is written only through Context.state, so
// a request that never writes it never has to clear it.
type contextState struct {
	reqID   string   // set by SetRequestID: kept out of keys, so it costs no allocation
	session *Session // loaded on first use

	query   url.Values
	queryOK bool

	formOK    bool            // the body was parsed as a form (once)
	formErr   error           // why it could not be
	multipart *multipart.Form // its uploads, removed when the request ends

	err        error // the error the request ended with, for teardown hooks
	errHandled bool  // an error was rendered by the error handlers
	wrapped    bool  // the request's context carries c (WrapMiddleware)
	wrapErr    error // error of the Flagon chain run inside a net/http middleware

	// debug mode only, for the debug page
	body          *bodyRecord // the body the handler read
	handlerFailed bool        // the route's handler returned an error

	// set by the router for the special answers (404, 405, redirects, OPTIONS)
	missScopes []*scaffold // the scopes of the blueprint a missed path falls under
	missHooks  bool        // they have AfterRequest or TeardownRequest hooks
	outcome    outcome
	allow      []string
	location   string
}

// none is the contextState of a request that has not written any: reads go
// through Context.get, which returns it instead of nil.
var none contextState

// state returns the request's rare state for writing, taking the pooled
// storage on first use.
func (c *Context) state() *contextState {
	if c.x == nil {
		if c.spare == nil {
			c.spare = new(contextState)
		}
		c.x = c.spare
	}
	return c.x
}

// get returns the request's rare state for reading; a request that wrote
// none reads the zero state.
func (c *Context) get() *contextState {
	if c.x == nil {
		return &none
	}
	return c.x
}

func (a *App) newContext() *Context {
	c := &Context{app: a, params: make([]string, 0, a.maxParams)}
	c.resp.c = c
	return c
}

// reset prepares a pooled Context for a new request: every field is set,
// the ones kept across requests (the app, the g map and the params array,
// emptied, and the rare state's storage) as well as the rest; what a
// request put in the g map and the rare state was cleared when its Context
// went back to the pool (see App.recycle). TestResetClearsEveryField fills
// every field and checks that none of the previous request survives
// recycle and reset, so a field added later that they forget fails it.
func (c *Context) reset(w http.ResponseWriter, r *http.Request) {
	c.Request = r
	c.Response = &c.resp
	c.route = nil
	c.params = c.params[:0]
	c.resp = Response{w: w, c: c, status: http.StatusOK}
	if r.Method == http.MethodHead {
		c.resp.head = true
	}
	c.afterDone, c.done = false, false
	if c.interrupted.Load() {
		c.interrupted.Store(false)
	}
}

// scopes returns the request's error handlers and hooks, blueprints
// innermost first, then the app: the matched route's, else those of the
// blueprint a missed path falls under, else the app's.
func (c *Context) scopes() []*scaffold {
	if c.route != nil {
		return c.route.scopes
	}
	if c.x != nil && c.x.missScopes != nil {
		return c.x.missScopes
	}
	return c.app.appScopes
}

// hooks reports whether the request's scopes have AfterRequest or
// TeardownRequest hooks, so requests without them skip the loops.
func (c *Context) hooks() bool {
	if c.route != nil {
		return c.route.hooks
	}
	if c.x != nil && c.x.missScopes != nil {
		return c.x.missHooks
	}
	return c.app.appHooks
}

// recycle returns c to the pool, first emptying what its request put in
// the g map and the rare state, so no value of one request (a session above
// all) is reachable from the next.
func (a *App) recycle(c *Context) {
	if c.body.rc != nil || len(c.keys) > 0 || c.x != nil {
		c.clearUsed() // out of line: most requests leave nothing to clear
	}
	a.pool.Put(c)
}

// clearUsed empties the g map and the rare state, keeping their storage.
func (c *Context) clearUsed() {
	if c.body.rc != nil {
		c.body = requestBody{}
	}
	if len(c.keys) == 0 && c.x == nil {
		return
	}
	c.keepForTest() // a test client's request leaves them to the test
	if len(c.keys) > 0 {
		clear(c.keys)
	}
	if c.x != nil {
		*c.x = contextState{}
		c.x = nil
	}
}

// App returns the application serving the request.
func (c *Context) App() *App { return c.app }

// Context returns the request's context; it is cancelled when the client
// goes away or the server shuts down.
func (c *Context) Context() context.Context { return c.Request.Context() }

// Param returns the decoded value of the route variable name, or "" when
// the route has no such variable.
func (c *Context) Param(name string) string {
	if c.route == nil {
		return ""
	}
	for i, n := range c.route.parsed.names {
		if n == name && i < len(c.params) {
			return c.params[i]
		}
	}
	return ""
}

// ParamInt returns the route variable name as an int, or 0 when it is
// missing or not a number. An <int:name> variable always converts.
func (c *Context) ParamInt(name string) int {
	n, err := strconv.Atoi(c.Param(name))
	if err != nil {
		return 0
	}
	return n
}

// Endpoint returns the matched route's endpoint ("" for a 404, a closure
// without a name, or a special answer).
func (c *Context) Endpoint() string {
	if c.route == nil {
		return ""
	}
	return c.route.endpoint
}

// Rule returns the matched route's full rule, such as "/users/<int:id>",
// or "" when no route matched.
func (c *Context) Rule() string {
	if c.route == nil {
		return ""
	}
	return c.route.rule
}

// Set stores a value for the rest of the request (Flask's g).
func (c *Context) Set(key string, v any) {
	if c.keys == nil {
		c.keys = make(map[string]any)
	}
	c.keys[key] = v
}

// Get returns a value stored with Set during this request; for
// "request_id", the ID recorded by SetRequestID when Set stored none.
func (c *Context) Get(key string) (any, bool) {
	v, ok := c.keys[key]
	if !ok && key == requestIDKey && c.get().reqID != "" {
		return c.get().reqID, true
	}
	return v, ok
}

// requestIDKey is the key middleware.RequestID documents the ID under
// (middleware.RequestIDKey: the core cannot import middleware).
const requestIDKey = "request_id"

// SetRequestID records the request's ID; middleware.RequestID calls it.
// The request log and the default error pages show it, and
// c.Get("request_id") returns it (unless Set stored another value under
// that key). Unlike Set, it allocates nothing.
func (c *Context) SetRequestID(id string) { c.state().reqID = id }

// RequestID returns the ID recorded by SetRequestID, else a string stored
// with Set under "request_id", else "".
func (c *Context) RequestID() string {
	if id := c.get().reqID; id != "" {
		return id
	}
	id, _ := c.keys[requestIDKey].(string)
	return id
}
