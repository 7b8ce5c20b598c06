package flagon

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
)

// Response is the http.ResponseWriter a handler writes to. It records the
// status and the number of body bytes, runs the AfterRequest hooks just
// before the headers are written, and gives the underlying writer back
// through Unwrap, so http.ResponseController reaches every feature of it.
type Response struct {
	w        http.ResponseWriter
	c        *Context
	status   int
	size     int64
	written  bool
	hijacked bool
	discard  bool // the body is dropped: a HEAD request, or an error answer replaced the response
	failed   bool // a write to the client failed: it went away
	stream   bool // the handler flushed: the response is a stream (see markStream)
	head     bool // a HEAD request: body writes are counted, not sent, and the headers wait for the end
}

// Header returns the response headers, which can be changed until the
// first Write or WriteHeader.
func (r *Response) Header() http.Header { return r.w.Header() }

// WriteHeader sends the status line and headers, once; later calls are
// ignored. Informational (1xx) statuses are passed through.
func (r *Response) WriteHeader(code int) {
	if r.written || r.hijacked {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		r.w.WriteHeader(code)
		return
	}
	r.status = code
	if c := r.c; c != nil && !c.interrupted.Load() && !c.afterDone {
		if c.hooks() || c.x != nil && c.x.session != nil {
			c.runAfter()
			if r.written {
				return // a hook answered instead (a session that could not be saved)
			}
		}
		c.afterDone = true
	}
	r.written = true
	if r.head {
		r.discard = true // the framework drops HEAD bodies itself, whatever hosts it
	}
	r.w.WriteHeader(r.status)
}

// Write writes body bytes, sending the headers first if needed.
func (r *Response) Write(b []byte) (int, error) {
	if !r.written {
		if r.head {
			// As net/http does for HEAD: no body, and the headers wait
			// until the handler is done, so they can carry the length.
			r.size += int64(len(b))
			return len(b), nil
		}
		r.WriteHeader(r.status)
	}
	if r.discard {
		return len(b), nil
	}
	n, err := r.w.Write(b)
	r.size += int64(n)
	if err != nil {
		r.failed = true
	}
	return n, err
}

// WriteString writes s without copying it when the underlying writer
// supports that.
func (r *Response) WriteString(s string) (int, error) {
	if !r.written {
		if r.head {
			// As net/http does for HEAD: no body, and the headers wait
			// until the handler is done, so they can carry the length.
			r.size += int64(len(s))
			return len(s), nil
		}
		r.WriteHeader(r.status)
	}
	if r.discard {
		return len(s), nil
	}
	n, err := io.WriteString(r.w, s)
	r.size += int64(n)
	if err != nil {
		r.failed = true
	}
	return n, err
}

// Status returns the status sent, or the one that will be sent (200 unless
// set by Context.Status).
func (r *Response) Status() int { return r.status }

// Size returns the number of body bytes written so far.
func (r *Response) Size() int64 { return r.size }

// Written reports whether the headers have been sent.
func (r *Response) Written() bool { return r.written }

// Unwrap returns the underlying http.ResponseWriter.
func (r *Response) Unwrap() http.ResponseWriter { return r.w }

// Flush sends any buffered data to the client, writing the headers first.
// A response that is flushed is a stream: when the server begins a
// graceful shutdown, its request's context is cancelled at once, so the
// handler ends it instead of holding the shutdown (see App.Shutdown).
func (r *Response) Flush() {
	if !r.written {
		r.WriteHeader(r.status)
	}
	if !r.stream && r.c != nil {
		r.stream = true
		markStream(r.c.Request)
	}
	if err := http.NewResponseController(r.w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		r.failed = true
	}
}

// Hijack lets the caller take over the connection (WebSockets and the like).
func (r *Response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(r.w).Hijack()
	if err == nil {
		r.hijacked = true
	}
	return conn, rw, err
}

// WithWriter returns a Response of the same request that writes through w,
// which usually wraps r (an encoder, a buffer): middleware that transforms
// the body sets it as c.Response for what runs after it and puts r back
// when that returns (see middleware.Compress). It starts with r's status;
// the AfterRequest hooks run once, before the first of the two writes its
// headers. Its Size counts the bytes written to w.
func (r *Response) WithWriter(w http.ResponseWriter) *Response {
	return &Response{w: w, c: r.c, status: r.status}
}

// Interrupt sends code, the headers set on r so far and body as the whole
// response, with a Content-Length, and flushes it to the client at once;
// it reports whether it did (not when the headers were already sent).
// From then on no Response of the request runs the AfterRequest hooks or
// saves the session, and Interrupt reads nothing else of the Context, so
// middleware may call it while the handler still runs on another
// goroutine with its own Response from WithWriter (see
// middleware.Timeout). Later writes to r are ignored.
func (r *Response) Interrupt(code int, body []byte) bool {
	if r.written || r.hijacked {
		return false
	}
	if r.c != nil {
		r.c.interrupted.Store(true)
	}
	r.status = code
	r.written = true
	r.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	r.w.WriteHeader(code)
	n, _ := r.w.Write(body)
	r.size += int64(n)
	r.discard = true
	_ = http.NewResponseController(r.w).Flush()
	return true
}
