package binding

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/go-playground/validator/v10"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type decodeTarget struct {
	Page  int    `query:"page" json:"-"`
	Owner string `header:"x-owner"`
	Note  string `form:"note" json:"note" xml:"note"`
	Title string `json:"title" xml:"title"`
}

func decode(t *testing.T, body, kind string, dst *decodeTarget) error {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	v := reflect.ValueOf(dst).Elem()
	return Decode(r, dst, v, For(v.Type()), kind)
}

func TestDecodeKeepsWhatTheBodyCannotReach(t *testing.T) {
	dst := decodeTarget{Page: 3}
	require.NoError(t, decode(t, `{"title":"T","note":"n","Page":9,"Owner":"mallory"}`, JSON, &dst))
	assert.Equal(t, decodeTarget{Page: 3, Note: "n", Title: "T"}, dst,
		"a JSON body sets its fields and the form field a json tag names, never a query or header field")

	dst = decodeTarget{Owner: "ann"}
	require.NoError(t, decode(t, `<decodeTarget><title>T</title><Owner>mallory</Owner><Page>9</Page></decodeTarget>`, XML, &dst))
	assert.Equal(t, decodeTarget{Owner: "ann", Title: "T"}, dst, "nor can an XML body")
}

func TestDecodeErrors(t *testing.T) {
	for _, tt := range []struct {
		name, body, kind string
		code             int
		rule             string
	}{
		{"JSON syntax", `{"title":`, JSON, 400, "syntax"},
		{"JSON duplicate key", `{"title":"a","title":"b"}`, JSON, 400, "duplicate"},
		{"JSON wrong type", `{"title":5}`, JSON, 400, "type"},
		{"empty XML", ``, XML, 400, "missing"},
		{"XML syntax", `<a><b></a>`, XML, 400, "syntax"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var dst decodeTarget
			err := decode(t, tt.body, tt.kind, &dst)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.code, e.Code)
			require.Len(t, e.Fields, 1)
			assert.Equal(t, tt.kind, e.Fields[0].Source)
			assert.Equal(t, tt.rule, e.Fields[0].Rule)
			assert.NotEmpty(t, e.Fields[0].Message)
		})
	}
}

// failingBody fails its first read with err.
type failingBody struct{ err error }

func (b failingBody) Read([]byte) (int, error) { return 0, b.err }

func TestReadError(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		code int
		rule string
		msg  string
	}{
		{"past the limit", &http.MaxBytesError{Limit: 10}, 413, "", ""},
		{"cut short", io.ErrUnexpectedEOF, 400, "read", "The request body could not be read: it ends early."},
		{"bad escape", url.EscapeError("%zz"), 400, "syntax", "The form body has a malformed percent-escape."},
		{"no boundary", http.ErrMissingBoundary, 400, "read", "The request body could not be read: the multipart boundary is missing."},
		{"other", errors.New("connection reset by peer"), 400, "read", "The request body could not be read: it is malformed or was cut off."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", io.NopCloser(failingBody{tt.err}))
			var dst decodeTarget
			v := reflect.ValueOf(&dst).Elem()
			var e *Error
			require.ErrorAs(t, Decode(r, &dst, v, For(v.Type()), JSON), &e)
			assert.Equal(t, tt.code, e.Code)
			assert.ErrorIs(t, e, tt.err, "the cause is kept for the log")
			if tt.code == 413 {
				assert.Empty(t, e.Fields)
				return
			}
			assert.Equal(t, []FieldError{{Source: JSON, Rule: tt.rule, Message: tt.msg}}, e.Fields)
		})
	}
}

func TestValidationNamesFieldsAsTheClientSentThem(t *testing.T) {
	type item struct {
		SKU string `json:"sku" validate:"required"`
	}
	type order struct {
		decodeEmbedded
		Page  int    `query:"page" validate:"min=1"`
		Note  string `form:"note" json:"note" validate:"max=3"`
		Items []item `json:"items" validate:"dive"`
	}
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(ClientFieldName)
	p := For(reflect.TypeFor[order]())
	in := order{Page: 0, Note: "long", Items: []item{{"a"}, {""}}}
	err := Validation(v.Struct(&in), p, JSON)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 422, e.Code)
	assert.Equal(t, []FieldError{
		{Field: "x-owner", Source: Header, Rule: "required", Message: "is required"},
		{Field: "page", Source: Query, Rule: "min", Message: "must be at least 1"},
		{Field: "note", Source: JSON, Rule: "max", Message: "must be at most 3 characters long"},
		{Field: "items[1].sku", Source: JSON, Rule: "required", Message: "is required"},
	}, e.Fields)

	err = Validation(v.Struct(&in), p, Form)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, FieldError{Field: "note", Source: Form, Rule: "max", Message: "must be at most 3 characters long"}, e.Fields[2],
		"a form field is named by the body that came")

	assert.NotErrorAs(t, Validation(v.Struct(42), p, ""), &e, "a validator misuse stays a plain error (a 500)")
}

type decodeEmbedded struct {
	Owner string `header:"x-owner" validate:"required"`
}
