package flagon

import "strconv"

// The request hooks of App and Blueprint, in the order a request meets
// them: before-request hooks run inside the error boundary, before the
// route middleware and the handler (see compose); after-request hooks run
// once, just before the headers are written (runAfter, called by
// Response.WriteHeader); teardown hooks run last, with the error the
// request ended with, also after a panic (finish).

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

// runScopeBefore runs the before-request hooks of the request's scopes,
// the app's first, for an answer of the router's own (see answerSpecial);
// one that fails or writes a response stops there.
func runScopeBefore(c *Context) error {
	scopes := c.scopes()
	for i := len(scopes) - 1; i >= 0; i-- {
		for _, fn := range scopes[i].before {
			if err := fn(c); err != nil {
				return err
			}
			if c.Response.Written() {
				return nil
			}
		}
	}
	return nil
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
		if c.resp.head && c.resp.size > 0 && !c.resp.discard && c.resp.Header().Get("Content-Length") == "" {
			c.resp.Header().Set("Content-Length", strconv.FormatInt(c.resp.size, 10))
		}
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
	if c.resp.stream {
		endStream(c.Request)
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
