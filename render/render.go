// Package render holds the response renderers of Flagon, one per file:
// JSON, IndentedJSON, XML, Text, Data, Reader, HTML templates and
// Server-Sent Events. A Renderer sets the headers it owns (Content-Type
// with its charset, Content-Length when known) and writes the body; the
// status is the writer's, set before Render is called (Context.Render does
// that). Renderers that encode a value do it into a pooled buffer before
// writing anything, so an encoding error leaves the response untouched and
// the caller can still answer 500.
//
// The package is a leaf: it imports nothing of Flagon and works with any
// http.ResponseWriter.
package render

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
)

// Renderer writes a response body and the headers that describe it.
type Renderer interface {
	Render(w http.ResponseWriter) error
}

// Content types shared by every response, so setting them allocates nothing.
var (
	plainContentType = []string{"text/plain; charset=utf-8"}
	htmlContentType  = []string{"text/html; charset=utf-8"}
	jsonContentType  = []string{"application/json; charset=utf-8"}
	xmlContentType   = []string{"application/xml; charset=utf-8"}
)

// maxPooled is the largest buffer kept for reuse; bigger ones are left to
// the garbage collector so one huge response does not pin its memory.
const maxPooled = 64 << 10

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		bufPool.Put(b)
	}
}

// writeBuffered sends an encoded body with its content type. A body too
// large for net/http's own buffer gets its Content-Length here (smaller
// ones get it from net/http, which saves an allocation).
func writeBuffered(w http.ResponseWriter, contentType []string, b []byte) error {
	h := w.Header()
	h["Content-Type"] = contentType
	if len(b) > 2048 {
		h.Set("Content-Length", strconv.Itoa(len(b)))
	}
	_, err := w.Write(b)
	return err
}
