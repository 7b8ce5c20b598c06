package bench

import "net/http"

// DiscardWriter is the in-memory ResponseWriter of the router and
// full-stack benchmarks: it reuses its header map and discards the body.
type DiscardWriter struct {
	h      http.Header
	Status int
	Body   []byte // kept only when Keep is set (correctness tests)
	Keep   bool
}

// NewDiscardWriter returns a writer with an empty header map.
func NewDiscardWriter() *DiscardWriter { return &DiscardWriter{h: http.Header{}} }

// Header returns the reused header map.
func (d *DiscardWriter) Header() http.Header { return d.h }

// Write discards b (or keeps it in correctness tests).
func (d *DiscardWriter) Write(b []byte) (int, error) {
	if d.Keep {
		d.Body = append(d.Body, b...)
	}
	return len(b), nil
}

// WriteString discards s without converting it.
func (d *DiscardWriter) WriteString(s string) (int, error) {
	if d.Keep {
		d.Body = append(d.Body, s...)
	}
	return len(s), nil
}

// WriteHeader records the status.
func (d *DiscardWriter) WriteHeader(code int) { d.Status = code }
