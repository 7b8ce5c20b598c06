package render

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// JSON renders Data as JSON with application/json; charset=utf-8. The
// characters <, > and & are escaped (\u003c…), so the body is safe to embed
// in an HTML page. A value that cannot be encoded returns an error and
// writes nothing.
type JSON struct {
	Data any
}

// Render implements Renderer.
func (r JSON) Render(w http.ResponseWriter) error {
	return writeJSON(w, r.Data, "")
}

// IndentedJSON renders Data as JSON like JSON, indented by two spaces per
// level for people reading it.
type IndentedJSON struct {
	Data any
}

// Render implements Renderer.
func (r IndentedJSON) Render(w http.ResponseWriter) error {
	return writeJSON(w, r.Data, "  ")
}

func writeJSON(w http.ResponseWriter, v any, indent string) error {
	buf := getBuffer()
	defer putBuffer(buf)
	enc := json.NewEncoder(buf)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("render: encoding JSON: %w", err)
	}
	return writeBuffered(w, jsonContentType, buf.Bytes())
}
