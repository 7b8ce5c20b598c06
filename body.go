package flagon

import (
	"errors"
	"io"
	"net/http"
)

// admitBody enforces Config.MaxBodyBytes and marks body read errors as the
// client's: a declared length past the limit is a 413 at once, without
// reading; a body of unknown length (chunked) is read through
// http.MaxBytesReader, whose error is a 413 wherever it surfaces (Bind
// included). A declared length within the limit needs no limit reader:
// net/http's HTTP/1 and HTTP/2 servers and net/http/cgi never read a body
// past its Content-Length, and a FastCGI front end sends the body it
// declared. The body is then read through the Context's requestBody (no
// allocation), so a truncated body is a 400, not a 500.
func (a *App) admitBody(c *Context) error {
	r := c.Request
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	if max := a.Config.MaxBodyBytes; max > 0 {
		if r.ContentLength > max {
			return tooLarge(nil)
		}
		if r.ContentLength < 0 {
			// The underlying writer lets net/http close the connection once
			// the limit is hit, instead of draining the rest.
			r.Body = http.MaxBytesReader(c.resp.w, r.Body, max)
		}
	}
	if a.Config.Debug {
		r.Body = c.recordBody(r.Body)
	}
	c.body = requestBody{rc: r.Body}
	r.Body = &c.body
	return nil
}

// requestBody is the request body as the handler reads it: the read error
// of a body cut short (a Content-Length body that ends early, a malformed
// or truncated chunked body, a client that disconnects while sending) is a
// *readError, answered 400 (413 past the limit).
type requestBody struct {
	rc io.ReadCloser
}

// Read reads from the body, marking its errors as the client's.
func (b *requestBody) Read(p []byte) (int, error) {
	if b.rc == nil {
		return 0, errors.New("flagon: read of a request body after its request ended")
	}
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = &readError{err: err}
	}
	return n, err
}

// Close closes the body.
func (b *requestBody) Close() error {
	if b.rc == nil {
		return nil
	}
	return b.rc.Close()
}

// readError is a failure to read the request's body: the client's fault.
type readError struct{ err error }

func (e *readError) Error() string { return "flagon: reading the request body: " + e.err.Error() }

func (e *readError) Unwrap() error { return e.err }

// StatusCode is 413 for a body past the limit, else 400.
func (e *readError) StatusCode() int {
	var mbe *http.MaxBytesError
	if errors.As(e.err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}
