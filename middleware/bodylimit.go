package middleware

import (
	"fmt"
	"net/http"

	"github.com/flagon-go/flagon"
)

// BodyLimit refuses request bodies larger than n bytes with 413 Request
// Entity Too Large. A declared Content-Length past n is refused at once,
// before the handler runs and without reading the body; any other body
// (chunked, or shorter than declared) is read through
// http.MaxBytesReader, so the read that crosses the limit fails with an
// *http.MaxBytesError, which the app answers with 413 wherever it
// surfaces (c.Bind, r.ParseForm, io.ReadAll), and net/http closes the
// connection instead of reading the rest.
//
// Limits nest: behind an app-wide BodyLimit, a route's larger one cannot
// let more through (the app-wide one is checked first), so give routes
// that take uploads their limit on the route or their blueprint only. It
// panics when n is not positive.
func BodyLimit(n int64) flagon.Middleware {
	if n <= 0 {
		panic(fmt.Sprintf("flagon: BodyLimit(%d): the limit must be a positive number of bytes", n))
	}
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			r := c.Request
			if r.ContentLength > n {
				return &flagon.HTTPError{Code: http.StatusRequestEntityTooLarge, Message: "The request body is larger than this endpoint accepts."}
			}
			if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
				r.Body = http.MaxBytesReader(connWriter(c.Response), r.Body, n)
			}
			return next(c)
		}
	}
}

// connWriter unwraps w down to the server's own ResponseWriter, the one
// http.MaxBytesReader can tell to close the connection.
func connWriter(w http.ResponseWriter) http.ResponseWriter {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}
