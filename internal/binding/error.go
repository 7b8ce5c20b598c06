package binding

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
)

// Error is request data that could not be bound: flagon turns it into a
// *flagon.BindError (a 413 into its *HTTPError). Code is 400 for malformed
// input, 413 for a body past the server's limits, 415 for a body of a
// media type binding cannot read, and 422 for data that fails validation.
type Error struct {
	Code   int
	Fields []FieldError
	Err    error // the decoder's or validator's error: logged, never sent
}

// FieldError is what is wrong with one field of a request, as
// flagon.FieldError documents it.
type FieldError struct {
	Field   string
	Source  string
	Rule    string
	Message string
}

// Error returns the status and the first field's message.
func (e *Error) Error() string {
	s := "binding: " + strconv.Itoa(e.Code) + " " + http.StatusText(e.Code)
	if len(e.Fields) > 0 {
		s += ": " + e.Fields[0].Message
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Malformed is a 400 Error with one entry.
func Malformed(source, field, rule, message string, cause error) *Error {
	return &Error{Code: http.StatusBadRequest, Err: cause,
		Fields: []FieldError{{Field: field, Source: source, Rule: rule, Message: message}}}
}

// Unsupported is the 415 Error of a body binding does not read.
func Unsupported(message string) *Error {
	return &Error{Code: http.StatusUnsupportedMediaType, Fields: []FieldError{{Source: Body, Rule: "content-type", Message: message}}}
}

// ReadError is the Error of a body of kind source that could not be read
// or parsed: a 413 past the body limit (wherever the limit was hit) or
// past what a multipart form may hold, a 400 otherwise.
func ReadError(err error, source string) *Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return &Error{Code: http.StatusRequestEntityTooLarge, Err: err}
	}
	var ee url.EscapeError
	if errors.As(err, &ee) {
		return Malformed(source, "", "syntax", "The form body has a malformed percent-escape.", err)
	}
	return Malformed(source, "", "read", "The request body could not be read: "+readCause(err)+".", err)
}

// readCause names a read failure without internals.
func readCause(err error) string {
	switch {
	case errors.Is(err, http.ErrMissingBoundary), errors.Is(err, http.ErrNotMultipart):
		return "the multipart boundary is missing"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), strings.Contains(err.Error(), "EOF"):
		return "it ends early"
	}
	return "it is malformed or was cut off"
}

// ClientFieldName is a field's name as the client sends it, for the
// validator's namespaces (validator.Validate.RegisterTagNameFunc); ""
// leaves the Go name.
func ClientFieldName(sf reflect.StructField) string {
	for _, tag := range [...]string{Path, Query, Header, Cookie, Form, JSON, XML} {
		if name, _, _ := strings.Cut(sf.Tag.Get(tag), ","); name != "" && name != "-" {
			return name
		}
	}
	return ""
}

// Validation turns validator errors into a 422 Error naming the
// fields as the client sent them, given the plan of the bound type and the
// body the request had.
func Validation(err error, p *Plan, body string) error {
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return err // an InvalidValidationError: a programming mistake, 500
	}
	be := &Error{Code: http.StatusUnprocessableEntity, Err: err, Fields: make([]FieldError, 0, len(ves))}
	for _, fe := range ves {
		name, source := clientName(fe, p, body)
		be.Fields = append(be.Fields, FieldError{Field: name, Source: source, Rule: fe.Tag(), Message: ruleMessage(fe)})
	}
	return be
}

// clientName is the name and source of a failed field as the client sent
// it: the top-level field by the plan (the tag of the source that filled
// it), what is below it by the validator's namespace of json or xml names
// ("items[2].sku").
func clientName(fe validator.FieldError, p *Plan, body string) (string, string) {
	ns, sns := trimRoot(fe.Namespace()), trimRoot(fe.StructNamespace())
	for p != nil && strings.Contains(sns, ".") {
		if e, _, _ := strings.Cut(sns, "."); !p.isEmbedded(e) {
			break
		}
		ns, sns = trimRoot(ns), trimRoot(sns)
	}
	top := sns
	if i := strings.IndexAny(sns, ".["); i >= 0 {
		top = sns[:i]
	}
	rest := ""
	if i := strings.IndexAny(ns, ".["); i >= 0 {
		rest = ns[i:]
	}
	if p != nil {
		if f := p.byGoName(top); f != nil {
			name, source := f.clientName(body)
			return name + rest, source
		}
	}
	if body == "" {
		body = Body
	}
	return ns, body
}

// trimRoot drops the root struct's name from a validator namespace.
func trimRoot(ns string) string {
	_, rest, _ := strings.Cut(ns, ".")
	return rest
}

// ruleMessage is a sentence for a failed validation rule.
func ruleMessage(fe validator.FieldError) string {
	param := fe.Param()
	unit := ""
	switch fe.Kind() {
	case reflect.String:
		unit = " characters"
	case reflect.Slice, reflect.Array, reflect.Map:
		unit = " items"
	}
	switch fe.Tag() {
	case "required", "required_if", "required_unless", "required_with", "required_without", "required_with_all", "required_without_all":
		return "is required"
	case "email":
		return "must be a valid email address"
	case "url", "http_url":
		return "must be a valid URL"
	case "uri":
		return "must be a valid URI"
	case "uuid", "uuid4", "uuid7":
		return "must be a valid UUID"
	case "alpha":
		return "must contain letters only"
	case "alphanum":
		return "must contain letters and digits only"
	case "numeric", "number":
		return "must be a number"
	case "ip", "ipv4", "ipv6":
		return "must be a valid IP address"
	case "datetime":
		return "must be a date and time in the format " + param
	case "oneof":
		return "must be one of: " + strings.Join(strings.Fields(param), ", ")
	case "len", "eq":
		if unit != "" && fe.Tag() == "len" {
			return "must be exactly " + param + unit + " long"
		}
		return "must be " + param
	case "ne":
		return "must not be " + param
	case "min", "gte":
		if unit != "" {
			return "must be at least " + param + unit + " long"
		}
		return "must be at least " + param
	case "max", "lte":
		if unit != "" {
			return "must be at most " + param + unit + " long"
		}
		return "must be at most " + param
	case "gt":
		if unit != "" {
			return "must be longer than " + param + unit
		}
		return "must be greater than " + param
	case "lt":
		if unit != "" {
			return "must be shorter than " + param + unit
		}
		return "must be less than " + param
	case "eqfield":
		return "must equal " + param
	case "nefield":
		return "must differ from " + param
	case "unique":
		return "must not contain duplicates"
	}
	if param != "" {
		return "must satisfy " + fe.Tag() + "=" + param
	}
	return "must satisfy " + fe.Tag()
}
