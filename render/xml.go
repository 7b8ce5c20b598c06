package render

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// XML renders Data with encoding/xml, preceded by the XML declaration, as
// application/xml; charset=utf-8. A value that cannot be encoded returns an
// error and writes nothing.
type XML struct {
	Data any
}

// Render implements Renderer.
func (r XML) Render(w http.ResponseWriter) error {
	buf := getBuffer()
	defer putBuffer(buf)
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(buf).Encode(r.Data); err != nil {
		return fmt.Errorf("render: encoding XML: %w", err)
	}
	return writeBuffered(w, xmlContentType, buf.Bytes())
}
