package flagon

import "fmt"

// appWide is what a blueprint registers on every app that registers it
// (Flask's before_app_request and app_errorhandler), so a blueprint can
// carry its own wiring: the hook that loads the logged-in user, the 404
// page of the whole site.
type appWide struct {
	before []func(*Context) error
	codes  map[int]func(*Context, error) error
	procs  []func(*Context) M // AppContextProcessor
}

// BeforeAppRequest adds a before-request hook to every app that registers
// b, for all of the app's requests, not only b's routes (Flask's
// before_app_request). It runs among the app's own hooks, in the order the
// app registered it.
func (b *Blueprint) BeforeAppRequest(fn func(c *Context) error) {
	b.checkOpen("add a BeforeAppRequest hook")
	notNil(fn == nil, "BeforeAppRequest hook")
	b.app.before = append(b.app.before, fn)
}

// AppErrorHandler adds an error handler for code to every app that
// registers b, for all of the app's requests (Flask's app_errorhandler).
// It replaces an app handler for the same code registered before the
// blueprint, and is replaced by one registered after.
func (b *Blueprint) AppErrorHandler(code int, fn func(c *Context, err error) error) {
	b.checkOpen("add an AppErrorHandler")
	if code < 400 || code > 599 {
		panic(fmt.Sprintf("flagon: AppErrorHandler(%d) at %s: only 4xx and 5xx codes have error handlers", code, callSite()))
	}
	notNil(fn == nil, "error handler")
	if b.app.codes == nil {
		b.app.codes = map[int]func(*Context, error) error{}
	}
	b.app.codes[code] = fn
}

// registerOn adds b's app-wide hooks, handlers and context processors to
// a, as App.Register does for b and each of its children: once per app,
// however many times a registers b (Flask's record_once).
func (w *appWide) registerOn(a *App, b *Blueprint) {
	for _, g := range a.groups {
		if g.scopes[0] == &b.scaffold {
			return
		}
	}
	a.ctxProcs = append(a.ctxProcs, w.procs...)
	a.before = append(a.before, w.before...)
	for code, fn := range w.codes {
		if a.codes == nil {
			a.codes = map[int]func(*Context, error) error{}
		}
		a.codes[code] = fn
	}
}
