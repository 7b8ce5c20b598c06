package flagon

import (
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/flagon-go/flagon/internal/binding"
)

// QueryValues returns the parsed query string, parsed once per request.
// Malformed pairs are skipped.
func (c *Context) QueryValues() url.Values {
	x := c.state()
	if !x.queryOK {
		x.query, _ = url.ParseQuery(c.Request.URL.RawQuery)
		x.queryOK = true
	}
	return x.query
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

// FormValues returns the form sent in the request body, an
// application/x-www-form-urlencoded or multipart/form-data body, parsed once
// per request. It holds the body's values only, not the query string
// (Flask's request.form). A request with another Content-Type, or none, has
// an empty form. The error says why the body could not be parsed: past
// Config.MaxBodyBytes it has status 413, malformed or cut short it is a
// *BindError with status 400.
//
// A multipart body keeps at most Config.MaxMultipartMemory bytes of files in
// memory; larger files spill to temporary files, which are removed when the
// request ends.
func (c *Context) FormValues() (url.Values, error) {
	x := c.state()
	if !x.formOK {
		c.parseForm(x)
	}
	return c.Request.PostForm, x.formErr
}

// Form returns the first value of the body form field key, or "" when it is
// absent or the body is not a form; FormValues says why it could not be
// parsed.
func (c *Context) Form(key string) string {
	vs, _ := c.FormValues()
	return vs.Get(key)
}

// FormFile returns the first file uploaded as key in a multipart/form-data
// body, or http.ErrMissingFile when there is none. The file is valid until
// the request ends; open it with its Open method.
func (c *Context) FormFile(key string) (*multipart.FileHeader, error) {
	if _, err := c.FormValues(); err != nil {
		return nil, err
	}
	if m := c.get().multipart; m != nil {
		if fhs := m.File[key]; len(fhs) > 0 {
			return fhs[0], nil
		}
	}
	return nil, http.ErrMissingFile
}

// parseForm parses the body as a form through net/http (so r.FormValue and
// r.MultipartForm work for plain net/http code too), once.
func (c *Context) parseForm(x *contextState) {
	x.formOK = true
	r := c.Request
	var err error
	if mediaType(r.Header.Get("Content-Type")) == "multipart/form-data" {
		err = r.ParseMultipartForm(c.app.Config.MaxMultipartMemory)
		x.multipart = r.MultipartForm
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		if r.PostForm == nil {
			r.PostForm = url.Values{}
		}
		x.formErr = bindError(binding.ReadError(err, binding.Form))
	}
}

// removeUploads deletes the temporary files of a multipart body.
func (c *Context) removeUploads() {
	if err := c.get().multipart.RemoveAll(); err != nil {
		c.app.logger().ErrorContext(c.Request.Context(), "flagon: removing the temporary files of an upload", "method", c.Request.Method, "path", c.Request.URL.Path, "error", err.Error())
	}
}

// mediaType is the lower-case media type of a Content-Type header, without
// its parameters ("" when there is none). It does not allocate for the usual
// lower-case headers.
func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
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
