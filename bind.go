package flagon

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

// Bind fills the struct dst points to from every part of the request, then
// validates it with its validate tags (see App.Validator).
//
// Fields tagged path, query, header, cookie or form take the value of the
// route variable, query parameter, header, cookie or body form field of
// that name, and only that: a JSON or XML body cannot set them unless they
// also have a json or xml tag. The body is read by its Content-Type: JSON
// (json tags; decoded strictly), XML (xml tags), or a form
// (application/x-www-form-urlencoded or multipart/form-data, into the form
// fields, files as *multipart.FileHeader or []*multipart.FileHeader). A
// default tag gives the value of a field that is absent.
//
// The error is a *BindError: 400 for malformed input (a body that does not
// parse, a value that does not convert, a body without a Content-Type),
// 415 for a body of another media type (a form sent to a struct without
// form fields that reads a JSON or XML body is one, naming the type it
// reads), 422 when validation fails. A body
// past Config.MaxBodyBytes is a 413 *HTTPError. Returned from a handler,
// either becomes the answer. A dst that is not a non-nil pointer to a
// struct, or a struct whose tagged field types cannot be bound, is a plain
// error (a 500), naming the mistake.
func (c *Context) Bind(dst any) error { return c.bind(dst, bindAll) }

// BindJSON decodes a JSON body into dst (strictly, as Bind does) and
// validates it; dst may point to any JSON-decodable value, and only structs
// are validated. A missing body, or one whose Content-Type is not JSON
// (application/json or any +json type), is a 400 *BindError.
func (c *Context) BindJSON(dst any) error { return c.bind(dst, bindJSON) }

// BindQuery fills the query-tagged fields of the struct dst points to from
// the query string and validates the struct, as Bind does.
func (c *Context) BindQuery(dst any) error { return c.bind(dst, bindQuery) }

// BindForm fills the form-tagged fields of the struct dst points to from
// an application/x-www-form-urlencoded or multipart/form-data body and
// validates the struct, as Bind does. A body of another Content-Type is a
// 400 *BindError; no body is an empty form.
func (c *Context) BindForm(dst any) error { return c.bind(dst, bindForm) }

// Bind returns a T filled and validated by c.Bind: in, err :=
// flagon.Bind[SignupForm](c).
func Bind[T any](c *Context) (T, error) {
	var v T
	err := c.Bind(&v)
	return v, err
}

// Validator returns the validator Bind uses, created on first use, to
// register custom rules and aliases before the app serves. Its errors name
// fields as the client sent them (the path, query, header, cookie, form,
// json or xml tag's name). It is safe for concurrent use.
func (a *App) Validator() *validator.Validate {
	a.validateOnce.Do(func() {
		v := validator.New(validator.WithRequiredStructEnabled())
		v.RegisterTagNameFunc(clientFieldName)
		a.validate = v
	})
	return a.validate
}

// clientFieldName is a field's name as the client sends it, for the
// validator's namespaces; "" leaves the Go name.
func clientFieldName(sf reflect.StructField) string {
	for _, tag := range [...]string{sourcePath, sourceQuery, sourceHeader, sourceCookie, sourceForm, sourceJSON, sourceXML} {
		if name, _, _ := strings.Cut(sf.Tag.Get(tag), ","); name != "" && name != "-" {
			return name
		}
	}
	return ""
}

// bindMode is which parts of the request a Bind method reads.
type bindMode uint8

const (
	bindAll bindMode = iota
	bindJSON
	bindQuery
	bindForm
)

func (m bindMode) String() string {
	return [...]string{"Bind", "BindJSON", "BindQuery", "BindForm"}[m]
}

func (c *Context) bind(dst any, mode bindMode) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("flagon: %s needs a non-nil pointer to a struct, got %T", mode, dst)
	}
	v := rv.Elem()
	var p *bindPlan
	if v.Kind() == reflect.Struct {
		if p = planFor(v.Type()); p.err != nil {
			return p.err
		}
	} else if mode != bindJSON {
		return fmt.Errorf("flagon: %s needs a pointer to a struct, got %T", mode, dst)
	}
	return c.bindPlanned(dst, v, p, mode)
}

// bindPlanned binds dst, whose struct is v and plan p (nil for a value
// BindJSON decodes that is not a struct): Typed calls it with the plan it
// looked up once.
func (c *Context) bindPlanned(dst any, v reflect.Value, p *bindPlan, mode bindMode) error {
	if p != nil && mode <= bindJSON {
		p.setBodyDefaults(v)
	}
	body, err := c.bindBody(dst, v, p, mode)
	if err != nil {
		return err
	}
	if p == nil {
		return nil
	}
	if len(p.sourced) > 0 {
		if err := c.bindSources(v, p, mode, body); err != nil {
			return err
		}
	}
	if err := c.app.Validator().Struct(dst); err != nil {
		return validationError(err, p, body)
	}
	return nil
}

// bindBody decodes the body the mode reads and says which it was: "json",
// "xml", "form" or "" for none.
func (c *Context) bindBody(dst any, v reflect.Value, p *bindPlan, mode bindMode) (string, error) {
	r := c.Request
	has := r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
	ct := mediaType(r.Header.Get("Content-Type"))
	switch mode {
	case bindQuery:
		return "", nil
	case bindForm:
		if !has {
			return "", nil
		}
		if !isFormType(ct) {
			return "", malformed(sourceForm, "", "content-type", "The request body must be a form (Content-Type: application/x-www-form-urlencoded or multipart/form-data).", nil)
		}
		_, err := c.FormValues()
		return sourceForm, err
	case bindJSON:
		if !has {
			return "", malformed(sourceJSON, "", "missing", "The request needs a JSON body.", nil)
		}
		if !isJSONType(ct) {
			return "", malformed(sourceJSON, "", "content-type", "The request body must be JSON (Content-Type: application/json).", nil)
		}
	}
	if !has {
		return "", nil
	}
	switch {
	case isJSONType(ct):
		return sourceJSON, c.decodeBody(v, p, sourceJSON, func(b []byte) error { return decodeJSON(b, dst, p, v) })
	case isXMLType(ct):
		return sourceXML, c.decodeBody(v, p, sourceXML, func(b []byte) error { return decodeXML(b, dst) })
	case isFormType(ct):
		if want := p.bodyType(); want != "" {
			// A struct that reads only a JSON (or XML) body would see an
			// empty form: say what it reads instead of listing every
			// field as missing.
			return "", &BindError{Code: http.StatusUnsupportedMediaType, Fields: []FieldError{{Source: sourceBody, Rule: "content-type",
				Message: "The request body must be " + want + ", not " + ct + "."}}}
		}
		_, err := c.FormValues()
		return sourceForm, err
	case ct == "":
		return "", malformed(sourceBody, "", "content-type", "The request has a body but no Content-Type; send application/json, application/xml, application/x-www-form-urlencoded or multipart/form-data.", nil)
	}
	return "", &BindError{Code: http.StatusUnsupportedMediaType, Fields: []FieldError{{Source: sourceBody, Rule: "content-type",
		Message: "The server reads application/json, application/xml, application/x-www-form-urlencoded and multipart/form-data bodies, not " + ct + "."}}}
}

// decodeBody reads the body and decodes it. Fields that only a path,
// query, header, cookie or form tag names keep the value they had: the body
// cannot reach them.
func (c *Context) decodeBody(v reflect.Value, p *bindPlan, body string, decode func([]byte) error) error {
	var kept []reflect.Value
	if p != nil && p.guarded(body) {
		kept = p.keep(v, body)
	}
	bp, err := readBody(c.Request)
	if err == nil {
		err = decode(*bp)
	} else {
		err = bodyError(err, body)
	}
	putBody(bp)
	if kept != nil {
		p.restore(v, body, kept)
	}
	return err
}

// bodyType is the media type a struct reads its body as when it has no
// form fields but has fields named by a json or xml tag ("application/json",
// "application/xml", or both); "" when a form body can fill it.
func (p *bindPlan) bodyType() string {
	if p == nil {
		return ""
	}
	var json, xml bool
	for i := range p.fields {
		f := &p.fields[i]
		if f.source == sourceForm {
			return ""
		}
		json = json || f.inJSON
		xml = xml || f.inXML
	}
	switch {
	case json && xml:
		return "application/json or application/xml"
	case json:
		return "application/json"
	case xml:
		return "application/xml"
	}
	return ""
}

func isJSONType(ct string) bool {
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

func isXMLType(ct string) bool {
	return ct == "application/xml" || ct == "text/xml" || strings.HasSuffix(ct, "+xml")
}

func isFormType(ct string) bool {
	return ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data"
}

// bindSources fills the fields tagged path, query, header, cookie and form
// (those the mode reads), collecting one error per field that does not
// convert.
func (c *Context) bindSources(v reflect.Value, p *bindPlan, mode bindMode, body string) error {
	var errs []FieldError
	r := c.Request
	for _, i := range p.sourced {
		f := &p.fields[i]
		if mode == bindQuery && f.source != sourceQuery || mode == bindForm && f.source != sourceForm || mode == bindJSON {
			continue
		}
		fv := v.FieldByIndex(f.index)
		var all []string
		switch f.source {
		case sourcePath:
			// A route variable is never empty; a slice field gets it alone.
			if s := c.Param(f.key); s != "" {
				if f.many {
					all = []string{s}
				} else if err := f.set(fv, s, nil); err != nil {
					errs = append(errs, FieldError{Field: f.name, Source: f.source, Rule: "type", Message: err.Error()})
				}
				if !f.many {
					continue
				}
			}
		case sourceQuery:
			all = c.QueryValues()[f.key]
		case sourceHeader:
			all = r.Header[f.key]
			if f.key == "Host" && r.Host != "" { // net/http moves it out of Header
				all = []string{r.Host}
			}
		case sourceCookie:
			for _, ck := range r.CookiesNamed(f.key) {
				all = append(all, ck.Value)
			}
		case sourceForm:
			if body != sourceForm {
				break
			}
			if f.file != notFile {
				c.setFiles(fv, f)
				continue
			}
			all = r.PostForm[f.key]
		}
		var err error
		switch {
		case present(all, f.str):
			err = f.set(fv, all[0], all)
		case f.hasDef:
			err = f.set(fv, f.def, f.defAll)
		}
		if err != nil {
			errs = append(errs, FieldError{Field: f.name, Source: f.source, Rule: "type", Message: err.Error()})
		}
	}
	if errs != nil {
		return &BindError{Code: http.StatusBadRequest, Fields: errs}
	}
	return nil
}

// present reports whether values hold a value: an empty one counts only for
// string fields, so an empty number input is absent, not malformed.
func present(all []string, str bool) bool {
	if len(all) == 0 {
		return false
	}
	if str {
		return true
	}
	for _, s := range all {
		if s != "" {
			return true
		}
	}
	return false
}

// setFiles stores the uploads of a multipart form field.
func (c *Context) setFiles(fv reflect.Value, f *bindField) {
	if c.get().multipart == nil {
		return
	}
	fhs := c.get().multipart.File[f.key]
	if len(fhs) == 0 {
		return
	}
	if f.file == oneFile {
		fv.Set(reflect.ValueOf(fhs[0]))
		return
	}
	fv.Set(reflect.ValueOf(fhs))
}

// decodeXML decodes an XML body into dst.
func decodeXML(data []byte, dst any) error {
	err := xml.Unmarshal(data, dst)
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		return malformed(sourceXML, "", "missing", "The XML body is empty.", err)
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return malformed(sourceXML, "", "syntax", fmt.Sprintf("The XML body is malformed at line %d: %s.", se.Line, se.Msg), err)
	}
	return malformed(sourceXML, "", "type", "A value in the XML body is not valid: "+err.Error()+".", err)
}

// maxPooledBody is the largest body buffer kept for reuse.
const maxPooledBody = 64 << 10

var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// readBody reads the whole body into a pooled buffer; give it back with
// putBody once decoded (the decoders copy what they keep).
func readBody(r *http.Request) (*[]byte, error) {
	bp := bodyPool.Get().(*[]byte)
	b := (*bp)[:0]
	if n := r.ContentLength; n >= int64(cap(b)) && n < 1<<20 {
		b = make([]byte, 0, n+1) // + 1 to see the end without growing
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*bp = b
			return bp, err
		}
	}
	*bp = b
	return bp, nil
}

func putBody(bp *[]byte) {
	if cap(*bp) <= maxPooledBody {
		*bp = (*bp)[:0]
		bodyPool.Put(bp)
	}
}
