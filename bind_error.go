package flagon

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

// Sources of request data, as FieldError.Source names them.
const (
	sourcePath   = "path"
	sourceQuery  = "query"
	sourceHeader = "header"
	sourceCookie = "cookie"
	sourceForm   = "form"
	sourceJSON   = "json"
	sourceXML    = "xml"
	sourceBody   = "body"
)

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

// malformed is a 400 BindError with one entry.
func malformed(source, field, rule, message string, cause error) *BindError {
	return &BindError{Code: http.StatusBadRequest, Err: cause,
		Fields: []FieldError{{Field: field, Source: source, Rule: rule, Message: message}}}
}

// bodyError is the error of a body that could not be read or parsed: a
// 413 *HTTPError past the body limit (wherever the limit was hit) or past
// what a multipart form may hold, a 400 *BindError otherwise.
func bodyError(err error, source string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return tooLarge(err)
	}
	var be *BindError
	if errors.As(err, &be) {
		return be
	}
	var ee url.EscapeError
	if errors.As(err, &ee) {
		return malformed(source, "", "syntax", "The form body has a malformed percent-escape.", err)
	}
	return malformed(source, "", "read", "The request body could not be read: "+readCause(err)+".", err)
}

// tooLarge is the 413 of a body past Config.MaxBodyBytes.
func tooLarge(cause error) error {
	return &HTTPError{Code: http.StatusRequestEntityTooLarge, Message: "The request body is larger than the server accepts.", Err: cause}
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

// validationError turns validator errors into a 422 BindError naming the
// fields as the client sent them, given the plan of the bound type and the
// body the request had.
func validationError(err error, p *bindPlan, body string) error {
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return err // an InvalidValidationError: a programming mistake, 500
	}
	be := &BindError{Code: http.StatusUnprocessableEntity, Err: err, Fields: make([]FieldError, 0, len(ves))}
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
func clientName(fe validator.FieldError, p *bindPlan, body string) (string, string) {
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
		body = sourceBody
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
