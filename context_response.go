package flagon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
)

// Content types shared by every response, so setting them allocates nothing.
var (
	textPlain = []string{"text/plain; charset=utf-8"}
	textHTML  = []string{"text/html; charset=utf-8"}
	appJSON   = []string{"application/json; charset=utf-8"}
)

// Status sets the status the response will be sent with when the handler
// writes a body without giving one (or none at all).
func (c *Context) Status(code int) *Context {
	c.Response.status = code
	return c
}

// SetHeader sets a response header, replacing any value it had.
func (c *Context) SetHeader(k, v string) { c.Response.Header().Set(k, v) }

// SetCookie adds a Set-Cookie header. Invalid cookies are dropped, as
// http.SetCookie does.
func (c *Context) SetCookie(cookie *http.Cookie) { http.SetCookie(c.Response, cookie) }

// Text sends s as text/plain.
func (c *Context) Text(code int, s string) error {
	c.Response.Header()["Content-Type"] = textPlain
	c.Response.WriteHeader(code)
	_, err := c.Response.WriteString(s)
	return err
}

// String sends fmt.Sprintf(format, args...) as text/plain.
func (c *Context) String(code int, format string, args ...any) error {
	return c.Text(code, fmt.Sprintf(format, args...))
}

// HTML sends html as text/html; the string is sent as is, not escaped.
func (c *Context) HTML(code int, html string) error {
	c.Response.Header()["Content-Type"] = textHTML
	c.Response.WriteHeader(code)
	_, err := c.Response.WriteString(html)
	return err
}

// Blob sends b with the given content type.
func (c *Context) Blob(code int, contentType string, b []byte) error {
	c.Response.Header().Set("Content-Type", contentType)
	c.Response.WriteHeader(code)
	_, err := c.Response.Write(b)
	return err
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// JSON sends v encoded as JSON (HTML characters escaped). The value is
// encoded before anything is written, so a value that cannot be encoded
// returns an error (a clean 500) instead of a half-written 200.
func (c *Context) JSON(code int, v any) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<16 {
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	buf.Reset()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return fmt.Errorf("flagon: encoding JSON response: %w", err)
	}
	h := c.Response.Header()
	h["Content-Type"] = appJSON
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	c.Response.WriteHeader(code)
	_, err := c.Response.Write(buf.Bytes())
	return err
}

// Redirect sends a redirect to url with code (301, 302, 303, 307 or 308).
// It returns an error for other codes.
func (c *Context) Redirect(code int, url string) error {
	if code < 300 || code > 308 {
		return fmt.Errorf("flagon: Redirect with status %d: use a 3xx status", code)
	}
	http.Redirect(c.Response, c.Request, url, code)
	return nil
}

// NoContent sends code with no body (204, or 201/202 without one).
func (c *Context) NoContent(code int) error {
	c.Response.WriteHeader(code)
	return nil
}
