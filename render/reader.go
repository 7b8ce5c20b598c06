package render

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// Reader copies a stream to the response. With Flush set every chunk read
// is sent to the client at once (progress output, logs, long polls); the
// copy stops when Context is done (pass the request's context, cancelled
// when the client goes away), when the reader ends, or when a write fails.
// ContentLength, when positive, is sent as Content-Length.
type Reader struct {
	ContentType   string
	ContentLength int64
	Reader        io.Reader
	Flush         bool
	Context       context.Context
}

// chunk is the size of the reads of a flushed copy.
const chunk = 32 << 10

// Render implements Renderer. It returns the context's error when the
// copy was stopped by it.
func (r Reader) Render(w http.ResponseWriter) error {
	h := w.Header()
	if r.ContentType != "" {
		h.Set("Content-Type", r.ContentType)
	}
	if r.ContentLength > 0 {
		h.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
	ctx := r.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if !r.Flush {
		_, err := io.Copy(w, readerFunc(func(p []byte) (int, error) {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			return r.Reader.Read(p)
		}))
		return err
	}
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err // headers first, so the client sees the stream start
	}
	buf := make([]byte, chunk)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := r.Reader.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return err
			}
			if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
