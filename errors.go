package flagon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"
)

// HTTPError is an error with an HTTP status. Message is meant for the
// client and is shown on the error page; Err is the cause, logged and shown
// only in debug mode.
type HTTPError struct {
	Code    int
	Message string
	Err     error
}

// Error returns the status text, the message and the cause.
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("%d %s", e.Code, http.StatusText(e.Code))
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *HTTPError) Unwrap() error { return e.Err }

// Abort returns an *HTTPError with code and an optional message for the
// client: return flagon.Abort(404) from a handler ends the request with the
// app's 404 answer.
func Abort(code int, message ...string) error {
	return &HTTPError{Code: code, Message: strings.Join(message, " ")}
}

// panicError is a recovered panic: the value and the stack, and in debug
// mode its frames for the debug page.
type panicError struct {
	value any
	stack []byte
	pcs   []uintptr
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// IsPanic reports whether err, or an error it wraps, is a panic that the
// app recovered and answered with 500 (its stack was logged). Middleware
// sees such an error returned by next, since the error boundary answers a
// panic as an error; tracing middleware uses IsPanic to record it as one.
func IsPanic(err error) bool {
	var pe *panicError
	return errors.As(err, &pe)
}

// statusOf is the HTTP status of err: an *HTTPError's code, 413 for a body
// past its limit (*http.MaxBytesError), the result of a StatusCode() int
// method anywhere in its chain, or 500.
func statusOf(err error) int {
	var he *HTTPError
	if errors.As(err, &he) && he.Code >= 400 && he.Code <= 599 {
		return he.Code
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	var sc interface{ StatusCode() int }
	if errors.As(err, &sc) {
		if code := sc.StatusCode(); code >= 400 && code <= 599 {
			return code
		}
	}
	return http.StatusInternalServerError
}

// recovered turns a panic value into an error and logs its stack.
func (a *App) recovered(c *Context, v any) error {
	stack := debug.Stack()
	a.logger().ErrorContext(c.Request.Context(), "flagon: panic serving request", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", fmt.Sprint(v), "stack", string(stack))
	pe := &panicError{value: v, stack: stack}
	if a.Config.Debug {
		pe.pcs = callers(0)
	}
	return pe
}

// handleError sends the answer for err through the error handlers of the
// request's scopes, innermost first, then the default error page. What it
// logs follows what was answered: an error answered with a 5xx is logged
// at Error level (a panic was already logged, with its stack); one an
// error handler turned into a 4xx is not. An error after the response was
// started is logged at Error level, unless the client went away (a failed
// write, a cancelled request), which is no fault of the app.
func (a *App) handleError(c *Context, err error) {
	x := c.state()
	x.errHandled = true
	if x.err == nil {
		x.err = err
	}
	if c.Response.Written() || c.Response.hijacked {
		if c.Response.failed || c.Request.Context().Err() != nil {
			a.logger().DebugContext(c.Request.Context(), "flagon: the client went away during the response", "method", c.Request.Method, "path", c.Request.URL.Path, "error", err.Error())
			return
		}
		a.logger().ErrorContext(c.Request.Context(), "flagon: error after the response was started", "method", c.Request.Method, "path", c.Request.URL.Path, "error", err.Error())
		return
	}
	a.answerError(c, err)
	if code := c.Response.status; code >= 500 {
		if c.Request.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			// The client went away, or the server's shutdown deadline
			// passed, and the handler stopped for it.
			a.logger().DebugContext(c.Request.Context(), "flagon: request ended with its context", "method", c.Request.Method, "path", c.Request.URL.Path, "error", err.Error())
		} else if _, isPanic := err.(*panicError); !isPanic {
			a.logger().ErrorContext(c.Request.Context(), "flagon: request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "status", code, "error", err.Error())
		}
	}
}

// answerError writes the answer for err: the first error handler of the
// request's scopes (innermost first) that takes it, else the default error
// page. Within a scope the most specific handler for the error's type
// (HandleError) wins over one for its status code: the type says more
// about the error.
func (a *App) answerError(c *Context, err error) {
	code := statusOf(err)
	for _, s := range c.scopes() {
		if t, e := s.typedFor(err); t != nil {
			a.runErrorHandler(c, err, func() error { return t.handle(c, e) })
			return
		}
		if h := s.codes[code]; h != nil {
			a.runErrorHandler(c, err, func() error { return h(c, err) })
			return
		}
	}
	a.renderError(c, err)
}

// runErrorHandler calls an error handler; if it fails or panics, the default
// page is rendered for the original error.
func (a *App) runErrorHandler(c *Context, err error, call func() error) {
	failed := func(e error) {
		a.logger().ErrorContext(c.Request.Context(), "flagon: error handler failed", "error", e.Error())
		if !c.Response.Written() {
			a.renderError(c, err)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			failed(a.recovered(c, p))
		}
	}()
	if e := call(); e != nil {
		failed(e)
	}
}

// problem is the RFC 9457 body of a default error answer.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors lists the fields of a *BindError.
	Errors []FieldError `json:"errors,omitempty"`
	// RequestID is the ID middleware.RequestID gave the request (an
	// extension member), so a user can quote it in a bug report.
	RequestID string `json:"request_id,omitempty"`
	// Debug mode only.
	Error string `json:"error,omitempty"`
	Stack string `json:"stack,omitempty"`
}

// renderError writes the default error answer: problem+json for clients
// that prefer JSON, a small HTML page otherwise, a debug page in debug mode.
// A *BindError is problem+json, with its fields in "errors", unless the
// client prefers HTML: API clients often send no Accept header at all.
func (a *App) renderError(c *Context, err error) {
	code := statusOf(err)
	p := problem{Type: "about:blank", Title: http.StatusText(code), Status: code, RequestID: c.RequestID()}
	if p.Title == "" {
		p.Title = "Error"
	}
	var he *HTTPError
	if errors.As(err, &he) {
		p.Detail = he.Message
	}
	accept := c.Request.Header.Get("Accept")
	asJSON := prefersJSON(accept)
	var be *BindError
	if errors.As(err, &be) {
		p.Detail, p.Errors = be.detail(), be.Fields
		asJSON = !prefersHTML(accept)
	}
	var stack []byte
	var pe *panicError
	if errors.As(err, &pe) {
		stack = pe.stack
	}
	h := c.Response.Header()
	h.Del("Content-Length")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if asJSON {
		if a.Config.Debug {
			p.Error, p.Stack = err.Error(), string(stack)
		}
		body, _ := json.Marshal(p)
		h.Set("Content-Type", "application/problem+json")
		c.Response.WriteHeader(code)
		_, _ = c.Response.Write(body)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	c.Response.WriteHeader(code)
	if a.Config.Debug {
		_, _ = c.Response.WriteString(debugPage(c, p, err, stack))
		return
	}
	detail := ""
	if p.Detail != "" {
		detail = "<p>" + html.EscapeString(p.Detail) + "</p>\n"
	}
	if len(p.Errors) > 0 {
		var b strings.Builder
		b.WriteString("<ul>\n")
		for _, f := range p.Errors {
			b.WriteString("<li>")
			if f.Field != "" {
				b.WriteString("<code>" + html.EscapeString(f.Field) + "</code> ")
			}
			b.WriteString(html.EscapeString(f.Message) + "</li>\n")
		}
		b.WriteString("</ul>\n")
		detail += b.String()
	}
	if p.RequestID != "" {
		detail += "<p>Request ID: <code>" + html.EscapeString(p.RequestID) + "</code></p>\n"
	}
	_, _ = fmt.Fprintf(c.Response, "<!doctype html>\n<html lang=\"en\">\n<title>%d %s</title>\n<h1>%s</h1>\n%s</html>\n",
		code, html.EscapeString(p.Title), html.EscapeString(p.Title), detail)
}

// typedFor returns the scope's most specific type handler for err and the
// error of err's chain it takes (see HandleError), or nil.
func (s *scaffold) typedFor(err error) (*typedHandler, error) {
	if len(s.typed) == 0 {
		return nil, nil
	}
	var found *typedHandler
	var took error
	walkChain(err, func(e error) bool {
		for _, concrete := range []bool{true, false} {
			for i := range s.typed {
				t := &s.typed[i]
				if (t.typ.Kind() != reflect.Interface) == concrete && t.takes(e) {
					found, took = t, e
					return true
				}
			}
		}
		return false
	})
	return found, took
}

// walkChain calls fn for err and each error it wraps, depth first, until
// fn returns true.
func walkChain(err error, fn func(error) bool) bool {
	for err != nil {
		if fn(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if walkChain(e, fn) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return false
		}
	}
	return false
}
