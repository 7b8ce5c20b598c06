package render

import (
	"net/http"
	"strconv"
)

// Data renders bytes with the given content type (application/octet-stream
// when empty).
type Data struct {
	ContentType string
	Data        []byte
}

// Render implements Renderer.
func (r Data) Render(w http.ResponseWriter) error {
	ct := r.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(r.Data)))
	_, err := w.Write(r.Data)
	return err
}
