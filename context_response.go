package flagon

import (
	"fmt"
	"io"
	"net/http"

	"github.com/flagon-go/flagon/render"
)

// Status sets the status the response will be sent with when the handler
// writes a body without giving one (or none at all).
func (c *Context) Status(code int) *Context {
	if !c.Response.written {
		c.Response.status = code
	}
	return c
}

// SetHeader sets a response header, replacing any value it had.
func (c *Context) SetHeader(k, v string) { c.Response.Header().Set(k, v) }

// SetCookie adds a Set-Cookie header. Invalid cookies are dropped, as
// http.SetCookie does.
func (c *Context) SetCookie(cookie *http.Cookie) { http.SetCookie(c.Response, cookie) }

// Render sends r with status code: the status is set, then r writes its
// headers and body. Renderers that encode a value (JSON, XML, templates)
// encode it before writing anything, so an encoding error is returned with
// the response untouched, and the app answers 500 cleanly. A render.HTML
// (or *render.HTML) with map data gets the keys of the context
// processors, as in Template; the caller's value is not changed.
func (c *Context) Render(code int, r render.Renderer) error {
	switch h := r.(type) {
	case render.HTML:
		r = c.withProcessors(h)
	case *render.HTML:
		if h != nil {
			r = c.withProcessors(*h)
		}
	}
	c.Status(code)
	return r.Render(c.Response)
}

// withProcessors is h with the context processors' keys merged into its
// data, when its data takes them.
func (c *Context) withProcessors(h render.HTML) render.HTML {
	if data, merged := c.templateData(h.Data); merged {
		h.Data = data
	}
	return h
}

// Text sends s as text/plain; charset=utf-8.
func (c *Context) Text(code int, s string) error {
	c.Status(code)
	return render.Text{Text: s}.Render(c.Response)
}

// String sends fmt.Sprintf(format, args...) as text/plain.
func (c *Context) String(code int, format string, args ...any) error {
	return c.Text(code, fmt.Sprintf(format, args...))
}

// HTML sends html as text/html; charset=utf-8. The string is sent as is,
// not escaped: use Template for pages built from data.
func (c *Context) HTML(code int, html string) error {
	c.Status(code)
	return render.HTMLString{HTML: html}.Render(c.Response)
}

// Blob sends b with the given content type.
func (c *Context) Blob(code int, contentType string, b []byte) error {
	c.Status(code)
	return render.Data{ContentType: contentType, Data: b}.Render(c.Response)
}

// JSON sends v encoded as JSON with application/json; charset=utf-8 (<, >
// and & escaped, so it is safe inside HTML). The value is encoded before
// anything is written, so a value that cannot be encoded returns an error
// (a clean 500) instead of a half-written 200.
func (c *Context) JSON(code int, v any) error {
	c.Status(code)
	return render.JSON{Data: v}.Render(c.Response)
}

// XML sends v encoded with encoding/xml as application/xml; charset=utf-8,
// encoded before anything is written like JSON.
func (c *Context) XML(code int, v any) error {
	c.Status(code)
	return render.XML{Data: v}.Render(c.Response)
}

// Stream sends what r yields as it comes, flushing each chunk to the
// client, until r ends or the client goes away (the request's context is
// done; a reader that blocks should watch c.Context() itself). It returns
// the context's error when the client left.
func (c *Context) Stream(code int, contentType string, r io.Reader) error {
	c.Status(code)
	return render.Reader{ContentType: contentType, Reader: r, Flush: true, Context: c.Request.Context()}.Render(c.Response)
}

// Redirect sends a redirect to url with code: 301, 302, 303, 307 or 308.
// It returns an error for any other code (300, 304, 305 and 306 are not
// redirects a browser follows).
func (c *Context) Redirect(code int, url string) error {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return fmt.Errorf("flagon: Redirect with status %d: use 301, 302, 303, 307 or 308", code)
	}
	http.Redirect(c.Response, c.Request, url, code)
	return nil
}

// RedirectFor sends a redirect with code (301, 302, 303, 307 or 308) to
// the URL URLFor builds for endpoint and args (Flask's
// redirect(url_for(...)) in one call); it returns URLFor's error, or
// Redirect's for another code, and sends nothing then.
func (c *Context) RedirectFor(code int, endpoint string, args ...any) error {
	u, err := c.URLFor(endpoint, args...)
	if err != nil {
		return err
	}
	return c.Redirect(code, u)
}

// NoContent sends code with no body (204, or 201/202 without one).
func (c *Context) NoContent(code int) error {
	c.Response.WriteHeader(code)
	return nil
}
