package flagon

import (
	"net/http"
	"net/url"
)

// QueryValues returns the parsed query string, parsed once per request.
// Malformed pairs are skipped.
func (c *Context) QueryValues() url.Values {
	if !c.queryOK {
		c.query, _ = url.ParseQuery(c.Request.URL.RawQuery)
		c.queryOK = true
	}
	return c.query
}

// Query returns the first value of the query parameter key, or "".
func (c *Context) Query(key string) string { return c.QueryValues().Get(key) }

// QueryDefault returns the first value of the query parameter key, or def
// when the key is absent (an empty value is returned as "").
func (c *Context) QueryDefault(key, def string) string {
	if vs, ok := c.QueryValues()[key]; ok && len(vs) > 0 {
		return vs[0]
	}
	return def
}

// Header returns the first value of the request header name.
func (c *Context) Header(name string) string { return c.Request.Header.Get(name) }

// Cookie returns the value of the request cookie name, or
// http.ErrNoCookie.
func (c *Context) Cookie(name string) (string, error) {
	ck, err := c.Request.Cookie(name)
	if err != nil {
		return "", err
	}
	return ck.Value, nil
}

var _ http.ResponseWriter = (*Response)(nil)
