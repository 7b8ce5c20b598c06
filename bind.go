package flagon

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/flagon-go/flagon/internal/binding"
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
		v.RegisterTagNameFunc(binding.ClientFieldName)
		a.validate = v
	})
	return a.validate
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
	var p *binding.Plan
	if v.Kind() == reflect.Struct {
		if p = binding.For(v.Type()); p.Err != nil {
			return p.Err
		}
	} else if mode != bindJSON {
		return fmt.Errorf("flagon: %s needs a pointer to a struct, got %T", mode, dst)
	}
	return c.bindPlanned(dst, v, p, mode)
}

// bindPlanned binds dst, whose struct is v and plan p (nil for a value
// BindJSON decodes that is not a struct): Typed calls it with the plan it
// looked up once.
func (c *Context) bindPlanned(dst any, v reflect.Value, p *binding.Plan, mode bindMode) error {
	if p != nil && mode <= bindJSON {
		p.SetBodyDefaults(v)
	}
	body, err := c.bindBody(dst, v, p, mode)
	if err != nil {
		return bindError(err)
	}
	if p == nil {
		return nil
	}
	if len(p.Sourced) > 0 {
		if err := c.bindSources(v, p, mode, body); err != nil {
			return err
		}
	}
	if err := c.app.Validator().Struct(dst); err != nil {
		return bindError(binding.Validation(err, p, body))
	}
	return nil
}

// bindBody decodes the body the mode reads and says which it was: "json",
// "xml", "form" or "" for none.
func (c *Context) bindBody(dst any, v reflect.Value, p *binding.Plan, mode bindMode) (string, error) {
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
		if !binding.IsForm(ct) {
			return "", binding.Malformed(binding.Form, "", "content-type", "The request body must be a form (Content-Type: application/x-www-form-urlencoded or multipart/form-data).", nil)
		}
		_, err := c.FormValues()
		return binding.Form, err
	case bindJSON:
		if !has {
			return "", binding.Malformed(binding.JSON, "", "missing", "The request needs a JSON body.", nil)
		}
		if !binding.IsJSON(ct) {
			return "", binding.Malformed(binding.JSON, "", "content-type", "The request body must be JSON (Content-Type: application/json).", nil)
		}
	}
	if !has {
		return "", nil
	}
	switch {
	case binding.IsJSON(ct):
		return binding.JSON, binding.Decode(r, dst, v, p, binding.JSON)
	case binding.IsXML(ct):
		return binding.XML, binding.Decode(r, dst, v, p, binding.XML)
	case binding.IsForm(ct):
		if want := p.BodyType(); want != "" {
			// A struct that reads only a JSON (or XML) body would see an
			// empty form: say what it reads instead of listing every
			// field as missing.
			return "", binding.Unsupported("The request body must be " + want + ", not " + ct + ".")
		}
		_, err := c.FormValues()
		return binding.Form, err
	case ct == "":
		return "", binding.Malformed(binding.Body, "", "content-type", "The request has a body but no Content-Type; send application/json, application/xml, application/x-www-form-urlencoded or multipart/form-data.", nil)
	}
	return "", binding.Unsupported("The server reads application/json, application/xml, application/x-www-form-urlencoded and multipart/form-data bodies, not " + ct + ".")
}

// bindSources fills the fields tagged path, query, header, cookie and form
// (those the mode reads), collecting one error per field that does not
// convert.
func (c *Context) bindSources(v reflect.Value, p *binding.Plan, mode bindMode, body string) error {
	var errs []FieldError
	r := c.Request
	for _, i := range p.Sourced {
		f := &p.Fields[i]
		if mode == bindQuery && f.Source != binding.Query || mode == bindForm && f.Source != binding.Form || mode == bindJSON {
			continue
		}
		fv := v.FieldByIndex(f.Index)
		var all []string
		switch f.Source {
		case binding.Path:
			// A route variable is never empty; a slice field gets it alone.
			if s := c.Param(f.Key); s != "" {
				if !f.Many {
					if err := f.SetOne(fv, s); err != nil {
						errs = append(errs, FieldError{Field: f.Name, Source: f.Source, Rule: "type", Message: err.Error()})
					}
					continue
				}
				all = []string{s}
			}
		case binding.Query:
			all = c.QueryValues()[f.Key]
		case binding.Header:
			all = r.Header[f.Key]
			if f.Key == "Host" && r.Host != "" { // net/http moves it out of Header
				all = []string{r.Host}
			}
		case binding.Cookie:
			for _, ck := range r.CookiesNamed(f.Key) {
				all = append(all, ck.Value)
			}
		case binding.Form:
			if body != binding.Form {
				break
			}
			if f.File != binding.NotFile {
				c.setFiles(fv, f)
				continue
			}
			all = r.PostForm[f.Key]
		}
		if err := f.Fill(fv, all); err != nil {
			errs = append(errs, FieldError{Field: f.Name, Source: f.Source, Rule: "type", Message: err.Error()})
		}
	}
	if errs != nil {
		return &BindError{Code: http.StatusBadRequest, Fields: errs}
	}
	return nil
}

// setFiles stores the uploads of a multipart form field.
func (c *Context) setFiles(fv reflect.Value, f *binding.Field) {
	if c.get().multipart == nil {
		return
	}
	fhs := c.get().multipart.File[f.Key]
	if len(fhs) == 0 {
		return
	}
	if f.File == binding.OneFile {
		fv.Set(reflect.ValueOf(fhs[0]))
		return
	}
	fv.Set(reflect.ValueOf(fhs))
}
