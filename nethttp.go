package flagon

import (
	"context"
	"net/http"
)

// WrapHandler adapts an http.Handler to a HandlerFunc. The handler sees the
// rule's variables through r.PathValue(name) and the Flagon rule in
// r.Pattern, so net/http code ports without change.
func WrapHandler(h http.Handler) HandlerFunc {
	return func(c *Context) error {
		r := c.Request
		if c.route != nil {
			for i, name := range c.route.parsed.names {
				if i < len(c.params) {
					r.SetPathValue(name, c.params[i])
				}
			}
			r.Pattern = c.route.rule
		}
		h.ServeHTTP(c.Response, r)
		return nil
	}
}

// ctxKey is the request-context key under which WrapMiddleware finds the
// Context again inside a net/http middleware.
type ctxKey struct{}

// WrapMiddleware adapts a net/http middleware. A request the middleware
// replaces (with a new context, say) and a ResponseWriter it wraps are
// what the rest of the chain sees. The adapter costs one context value per
// request.
func WrapMiddleware(mw func(http.Handler) http.Handler) Middleware {
	return func(next HandlerFunc) HandlerFunc {
		inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := r.Context().Value(ctxKey{}).(*Context)
			if c == nil {
				http.Error(w, "flagon: WrapMiddleware lost the request context", http.StatusInternalServerError)
				return
			}
			prevReq, prevResp := c.Request, c.Response
			c.Request = r
			if w != http.ResponseWriter(prevResp) {
				// The middleware wrapped the writer: write through its wrapper,
				// keeping the status and hooks of this request.
				c.Response = &Response{w: w, status: prevResp.status, c: c}
			}
			c.state().wrapErr = next(c)
			// The wrapper writes through prevResp, which keeps the count.
			c.Request, c.Response = prevReq, prevResp
		})
		h := mw(inner)
		return func(c *Context) error {
			if c.route != nil {
				c.Request.Pattern = c.route.rule // what net/http middleware reads for metrics and logs
			}
			x := c.state()
			if !x.wrapped {
				c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), ctxKey{}, c))
				x.wrapped = true
			}
			x.wrapErr = nil
			h.ServeHTTP(c.Response, c.Request)
			err := x.wrapErr
			x.wrapErr = nil
			return err
		}
	}
}
