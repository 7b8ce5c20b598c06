package flagon

import "maps"

// ContextProcessor adds a function whose keys every template rendered with
// map data gets (Flask's context_processor): on an App, every request's
// templates, including those of error pages; on a Blueprint, only those of
// its own routes and of the 404 and 405 pages under its prefix, like its
// error handlers.
//
// The processors run when a template is rendered, never otherwise, each
// time one is: the app's first (with the AppContextProcessor functions of
// its blueprints), then those of the route's blueprints from the outermost
// in, each scope's in registration order. Their keys are merged into a new
// map, never into the handler's, and the handler's own keys win, then an
// inner blueprint's over an outer one's over the app's. Only M or
// map[string]any data (or nil) can take keys: a struct is rendered as it
// is, without running the processors. A processor that panics fails the
// render like a handler that panics (500). It panics when fn is nil.
func (s *scaffold) ContextProcessor(fn func(c *Context) M) {
	s.checkOpen("add a context processor")
	notNil(fn == nil, "context processor")
	s.ctxProcs = append(s.ctxProcs, fn)
}

// AppContextProcessor adds a context processor to every app that registers
// b, for all of that app's templates and not only those of b's routes
// (Flask's app_context_processor); it runs with the app's own processors,
// after those registered on the app before b was. An app registering b
// twice runs it once. It panics when fn is nil.
func (b *Blueprint) AppContextProcessor(fn func(c *Context) M) {
	b.checkOpen("add an app context processor")
	notNil(fn == nil, "app context processor")
	b.app.procs = append(b.app.procs, fn)
}

// templateData returns the data a template is executed with: data with
// the keys of the request's context processors merged in, as a new map of
// data's type, when data is M, map[string]any or nil and there are
// processors; else data itself, and false.
func (c *Context) templateData(data any) (any, bool) {
	var own map[string]any
	switch d := data.(type) {
	case nil:
	case M:
		own = d
	case map[string]any:
		own = d
	default:
		return data, false
	}
	scopes := c.scopes()
	n := 0
	for _, s := range scopes {
		n += len(s.ctxProcs)
	}
	if n == 0 {
		return data, false
	}
	merged := make(map[string]any, len(own)+n)
	for i := len(scopes) - 1; i >= 0; i-- { // the app is last
		for _, fn := range scopes[i].ctxProcs {
			maps.Copy(merged, fn(c))
		}
	}
	maps.Copy(merged, own)
	if _, ok := data.(map[string]any); ok {
		return merged, true
	}
	return M(merged), true
}
