package flagon

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/flagon-go/flagon/internal/binding"
)

// BindError is the error of request data that could not be bound. Code is
// 400 for malformed input (bad JSON, a value that does not convert, a
// required body that is missing or has the wrong Content-Type), 415 for a
// body of a media type Bind cannot read, and 422 for data that fails
// validation. Fields has one entry per field at fault, named as the client
// sent it.
//
// The default error answer renders it as application/problem+json (RFC
// 9457) with an "errors" array holding Fields, unless the client prefers
// HTML; HandleError[*flagon.BindError] renders it another way.
type BindError struct {
	Code   int
	Fields []FieldError
	Err    error // the decoder's or validator's error: logged, never sent
}

// FieldError is what is wrong with one field of a request.
type FieldError struct {
	// Field is the name the client used: the tag's name for path, query,
	// header, cookie and form fields, a path of json or xml names for
	// body fields ("address.city", "items[2].sku"). It is "" for a problem
	// with the body as a whole.
	Field string `json:"field"`
	// Source is where the value came from: "path", "query", "header",
	// "cookie", "form", "json", "xml" or "body".
	Source string `json:"source"`
	// Rule is the rule the value broke: a validate tag ("required",
	// "email", "min"), or for malformed input "type", "syntax",
	// "duplicate", "depth", "utf8", "content-type", "missing" or "read".
	Rule string `json:"rule"`
	// Message says what is wrong, for people.
	Message string `json:"message"`
}

// Error returns the status and each field's problem.
func (e *BindError) Error() string {
	var b strings.Builder
	b.WriteString("flagon: bind: ")
	b.WriteString(strconv.Itoa(e.Code))
	b.WriteByte(' ')
	b.WriteString(http.StatusText(e.Code))
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		if f.Field != "" {
			b.WriteString(f.Field)
			b.WriteString(": ")
		}
		b.WriteString(f.Message)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *BindError) Unwrap() error { return e.Err }

// StatusCode returns Code, the HTTP status of the answer.
func (e *BindError) StatusCode() int { return e.Code }

// detail is the problem+json detail of the error: one sentence.
func (e *BindError) detail() string {
	switch {
	case e.Code == http.StatusUnsupportedMediaType:
		return "The request body has a media type the server does not read."
	case e.Code == http.StatusUnprocessableEntity && len(e.Fields) == 1:
		return "1 field is invalid."
	case e.Code == http.StatusUnprocessableEntity:
		return strconv.Itoa(len(e.Fields)) + " fields are invalid."
	}
	return "The request data is malformed."
}

// bindError is err as the Bind methods return it: an *HTTPError 413 or a
// *BindError for the binding package's errors, err itself otherwise (a
// programming mistake, a 500).
func bindError(err error) error {
	e, ok := err.(*binding.Error)
	switch {
	case !ok:
		return err
	case e.Code == http.StatusRequestEntityTooLarge:
		return tooLarge(e.Err)
	}
	be := &BindError{Code: e.Code, Err: e.Err, Fields: make([]FieldError, len(e.Fields))}
	for i, f := range e.Fields {
		be.Fields[i] = FieldError(f)
	}
	return be
}

// tooLarge is the 413 of a body past Config.MaxBodyBytes.
func tooLarge(cause error) error {
	return &HTTPError{Code: http.StatusRequestEntityTooLarge, Message: "The request body is larger than the server accepts.", Err: cause}
}
