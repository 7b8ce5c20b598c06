package render

import (
	"io"
	"net/http"
)

// Text renders a string as text/plain; charset=utf-8.
type Text struct {
	Text string
}

// Render implements Renderer.
func (r Text) Render(w http.ResponseWriter) error {
	return writeString(w, plainContentType, r.Text)
}

// HTMLString renders a string of HTML as text/html; charset=utf-8, as is:
// nothing in it is escaped.
type HTMLString struct {
	HTML string
}

// Render implements Renderer.
func (r HTMLString) Render(w http.ResponseWriter) error {
	return writeString(w, htmlContentType, r.HTML)
}

func writeString(w http.ResponseWriter, contentType []string, s string) error {
	w.Header()["Content-Type"] = contentType
	_, err := io.WriteString(w, s)
	return err
}
