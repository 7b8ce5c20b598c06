package render

import (
	"errors"
	"html/template"
	"net/http"
)

// HTML renders an html/template as text/html; charset=utf-8. Name selects
// a template of the set (Template itself when empty). The page is executed
// into a pooled buffer first, so a template error returns an error and
// writes nothing.
type HTML struct {
	Template *template.Template
	Name     string
	Data     any
}

// Render implements Renderer.
func (r HTML) Render(w http.ResponseWriter) error {
	if r.Template == nil {
		return errors.New("render: HTML without a template")
	}
	buf := getBuffer()
	defer putBuffer(buf)
	var err error
	if r.Name == "" {
		err = r.Template.Execute(buf, r.Data)
	} else {
		err = r.Template.ExecuteTemplate(buf, r.Name, r.Data)
	}
	if err != nil {
		return err
	}
	return writeBuffered(w, htmlContentType, buf.Bytes())
}
