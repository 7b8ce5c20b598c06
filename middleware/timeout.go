package middleware

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/flagon-go/flagon"
)

// timeoutBody is the body of the 503 Timeout sends.
var timeoutBody = []byte("503 Service Unavailable: the server took too long to answer.\n")

// Timeout gives the request's context a deadline d from now and answers
// 503 Service Unavailable when the handler has not returned by then.
//
// The handler (and the middleware after Timeout) runs on its own goroutine
// and writes into a buffer: the answer is sent when it returns in time.
// At the deadline Timeout sends a complete plain-text 503 at once (with a
// Content-Length, and the headers set before Timeout ran), without the
// AfterRequest hooks, which may not run while the handler still holds the
// request; the handler's later writes fail with http.ErrHandlerTimeout.
// Timeout then waits for the handler to return before it returns, since
// the Context is reused afterwards: handlers must watch c.Context().Done()
// (database and HTTP clients given c.Context() do) or the goroutine serving
// the request stays busy. A panic in the handler is raised again on the
// request's goroutine, its value printing the stack where it happened. Because the answer is buffered, streaming routes
// (server-sent events, large downloads) should not be under Timeout.
// It panics when d is not positive.
func Timeout(d time.Duration) flagon.Middleware {
	if d <= 0 {
		panic(fmt.Sprintf("flagon: Timeout(%s): the timeout must be positive", d))
	}
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			prevReq, prev := c.Request, c.Response
			ctx, cancel := context.WithTimeout(prevReq.Context(), d)
			defer cancel()
			tw := &timeoutWriter{ctx: ctx, h: prev.Header().Clone(), code: http.StatusOK}
			inner := prev.WithWriter(tw)
			c.Request, c.Response = prevReq.WithContext(ctx), inner

			done := make(chan struct{})
			var err error
			var panicked any
			var late bool // the handler returned after the deadline
			go func() {
				defer close(done)
				defer func() {
					if p := recover(); p != nil {
						panicked = p
						if p != http.ErrAbortHandler {
							// Raised again on the request's goroutine, it would
							// lose where it happened.
							panicked = &handlerPanic{value: p, stack: debug.Stack()}
						}
					}
				}()
				err = next(c)
				late = ctx.Err() != nil
			}()
			// expired reports whether the deadline, not the client, ended ctx.
			expired := func() bool {
				return errors.Is(ctx.Err(), context.DeadlineExceeded) && prevReq.Context().Err() == nil
			}
			timedOut := false
			select {
			case <-done:
				timedOut = late && panicked == nil && expired()
			case <-ctx.Done():
				select {
				case <-done: // it returned just then
					timedOut = late && panicked == nil && expired()
				default:
					timedOut = expired()
				}
			}
			if timedOut {
				h := prev.Header()
				h.Del("Content-Encoding")
				h.Set("Content-Type", "text/plain; charset=utf-8")
				h.Set("Cache-Control", "no-store")
				prev.Interrupt(http.StatusServiceUnavailable, timeoutBody)
			}
			<-done
			c.Request, c.Response = prevReq, prev
			if panicked != nil {
				panic(panicked)
			}
			if timedOut {
				return nil
			}
			// The handler is done: its answer goes out as it wrote it.
			h := prev.Header()
			clear(h)
			for k, v := range tw.h {
				h[k] = v
			}
			if !tw.wrote {
				c.Status(inner.Status())
				return err
			}
			prev.WriteHeader(tw.code)
			if tw.buf.Len() > 0 {
				_, _ = prev.Write(tw.buf.Bytes())
			}
			return err
		}
	}
}

// handlerPanic is a panic of the handler's goroutine, raised again on the
// request's with the stack where it happened.
type handlerPanic struct {
	value any
	stack []byte
}

func (p *handlerPanic) String() string {
	return fmt.Sprint(p.value) + "\n\n[handler goroutine under middleware.Timeout]\n" + string(p.stack)
}

// timeoutWriter holds the handler's answer until it returns. Only the
// handler's goroutine uses it until then.
type timeoutWriter struct {
	ctx   context.Context // once it is done, writes fail
	h     http.Header
	buf   bytes.Buffer
	code  int
	wrote bool
}

// Header returns the handler's own headers.
func (tw *timeoutWriter) Header() http.Header { return tw.h }

// WriteHeader records the status.
func (tw *timeoutWriter) WriteHeader(code int) {
	if tw.ctx.Err() != nil || tw.wrote || code < 200 {
		return
	}
	tw.code, tw.wrote = code, true
}

// Write buffers b, or fails once the deadline has passed.
func (tw *timeoutWriter) Write(b []byte) (int, error) {
	if tw.ctx.Err() != nil {
		return 0, http.ErrHandlerTimeout
	}
	tw.wrote = true
	return tw.buf.Write(b)
}
