package openapitest

import (
	"bufio"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/examples/api/catalog"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// load parses doc with libopenapi, checks it against the OpenAPI 3.1
// specification, and returns a validator of requests and responses.
func load(t *testing.T, doc []byte) validator.Validator {
	t.Helper()
	d, err := libopenapi.NewDocument(doc)
	require.NoError(t, err)
	_, err = d.BuildV3Model()
	require.NoError(t, err, "libopenapi builds a model of the document")
	v, errs := validator.NewValidator(d, config.WithXmlBodyValidation())
	require.Empty(t, errs)
	ok, verrs := v.ValidateDocument()
	for _, e := range verrs {
		t.Errorf("document: %s: %s", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			t.Errorf("  at %s: %s", s.KeywordLocation, s.Reason)
		}
	}
	require.True(t, ok, "the document is valid OpenAPI")
	return v
}

// Kitchen is a type of every kind the document states.
type Kitchen struct {
	ID      string            `path:"id"`
	Lang    string            `path:"lang"`
	Ratio   float64           `path:"ratio"`
	Rest    string            `path:"rest"`
	Since   time.Time         `query:"since"`
	Wait    time.Duration     `query:"wait" default:"1s"`
	Tags    []string          `query:"tag" validate:"max=3,dive,alpha"`
	Trace   string            `header:"X-Trace" validate:"omitempty,uuid"`
	Session string            `cookie:"sid"`
	Name    string            `json:"name" validate:"required,min=2,max=20"`
	Email   string            `json:"email" validate:"required,email"`
	Site    string            `json:"site,omitempty" validate:"omitempty,url"`
	Color   string            `json:"color" validate:"oneof=red green"`
	Score   float32           `json:"score" validate:"gt=0,lt=10"`
	Items   []KitchenItem     `json:"items" validate:"dive"`
	Meta    map[string]int    `json:"meta" validate:"dive,min=0"`
	Parent  *Kitchen          `json:"parent,omitempty"`
	Any     any               `json:"any"`
	Raw     []byte            `json:"raw"`
	When    *time.Time        `json:"when"`
	Grid    [2][2]int8        `json:"grid"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// KitchenItem is an item of a Kitchen.
type KitchenItem struct {
	SKU string `json:"sku" validate:"required,len=8"`
	N   uint16 `json:"n" validate:"min=1"`
}

// Upload is a multipart form with files.
type Upload struct {
	Title string                  `form:"title" validate:"required"`
	File  *multipart.FileHeader   `form:"file"`
	More  []*multipart.FileHeader `form:"more"`
}

func kitchen(c *flagon.Context, in *Kitchen) (*Kitchen, error) { return in, nil }
func upload(c *flagon.Context, in *Upload) (map[string]string, error) {
	return map[string]string{"title": in.Title}, nil
}

func TestDocumentsAreValidOpenAPI(t *testing.T) {
	t.Run("the catalog example", func(t *testing.T) {
		doc, err := catalog.New().OpenAPI()
		require.NoError(t, err)
		load(t, doc)
	})
	t.Run("every converter, source and rule", func(t *testing.T) {
		app := flagon.New()
		app.Post("/k/<uuid:id>/<any(en,fr):lang>/<float:ratio>/<path:rest>", flagon.Typed(kitchen))
		app.Post("/upload", flagon.Typed(upload))
		app.Route("/plain/<int:n>/", func(c *flagon.Context) error { return nil }, "GET", "HEAD", "OPTIONS").Name("plain")
		doc, err := app.OpenAPI()
		require.NoError(t, err)
		load(t, doc)
	})
	t.Run("the GitHub API route set", func(t *testing.T) {
		load(t, githubApp(t).mustDoc(t))
	})
}

type docApp struct{ *flagon.App }

func (a docApp) mustDoc(t *testing.T) []byte {
	doc, err := a.OpenAPI()
	require.NoError(t, err)
	return doc
}

// githubApp registers the GitHub API route set of the root's testdata.
func githubApp(t testing.TB) docApp {
	f, err := os.Open("../testdata/githubapi.rules")
	require.NoError(t, err)
	defer f.Close()
	app := flagon.New()
	s := bufio.NewScanner(f)
	for s.Scan() {
		method, rule, ok := strings.Cut(strings.TrimSpace(s.Text()), " ")
		if !ok {
			continue
		}
		app.Route(rule, func(c *flagon.Context) error { return nil }, method)
	}
	require.NoError(t, s.Err())
	return docApp{app}
}

// TestExchangesMatchTheDocument sends real requests to the catalog and
// checks that the document accepts what the handler accepts and refuses
// what it refuses, and that every answer matches the document.
func TestExchangesMatchTheDocument(t *testing.T) {
	app := catalog.New()
	doc, err := app.OpenAPI()
	require.NoError(t, err)
	v := load(t, doc)
	srv := httptest.NewServer(app)
	defer srv.Close()

	const book = `{"isbn":"9780262510875","title":"SICP","authors":["Abelson","Sussman"],"year":1985,"tags":["science"]}`
	cases := []struct {
		name, method, path, contentType, body string
		code                                  int
	}{
		{"a valid create", "POST", "/api/books/", "application/json", book, 201},
		{"a valid create in XML", "POST", "/api/books/", "application/xml", `<book isbn="9780131103627"><title>The C Programming Language</title><author>Kernighan</author><author>Ritchie</author><year>1978</year><tag>science</tag></book>`, 201},
		{"an XML create without a title", "POST", "/api/books/", "application/xml", `<book isbn="9780131103628"><author>Kernighan</author><year>1978</year></book>`, 422},
		{"an XML create without its ISBN attribute", "POST", "/api/books/", "application/xml", `<book><title>T</title><author>A</author><year>2000</year></book>`, 422},
		{"an XML create with a year out of range", "POST", "/api/books/", "application/xml", `<book isbn="9780131103629"><title>T</title><author>A</author><year>1200</year></book>`, 422},
		{"an XML replace", "PUT", "/api/books/9780131103627", "application/xml", `<book><title>K&amp;R</title><author>Kernighan</author><year>1988</year></book>`, 200},
		{"a search by a plain handler", "GET", "/api/books/search?q=sicp", "", "", 200},
		{"a search too short", "GET", "/api/books/search?q=s", "", "", 422},
		{"a list", "GET", "/api/books/?limit=5&tag=science", "", "", 200},
		{"a show", "GET", "/api/books/9780262510875", "", "", 200},
		{"a replace", "PUT", "/api/books/9780262510875", "application/json", `{"title":"SICP 2","authors":["Abelson"],"year":1996}`, 200},
		{"a limit out of range", "GET", "/api/books/?limit=500", "", "", 422},
		{"a limit that is not a number", "GET", "/api/books/?limit=many", "", "", 400},
		{"a tag not in the enum", "GET", "/api/books/?tag=poetry", "", "", 422},
		{"a title missing", "POST", "/api/books/", "application/json", `{"isbn":"9780262510876","authors":["A"],"year":2000}`, 422},
		{"too many tags", "PUT", "/api/books/9780262510875", "application/json", `{"title":"T","authors":["A"],"year":2000,"tags":["fiction","fiction","fiction","fiction","fiction","fiction"]}`, 422},
		{"a year out of range", "POST", "/api/books/", "application/json", `{"isbn":"9780262510877","title":"T","authors":["A"],"year":1200}`, 422},
		{"an ISBN too short", "POST", "/api/books/", "application/json", `{"isbn":"978","title":"T","authors":["A"],"year":2000}`, 422},
		{"an author that is empty", "POST", "/api/books/", "application/json", `{"isbn":"9780262510878","title":"T","authors":[""],"year":2000}`, 422},
		{"a body of another media type", "POST", "/api/books/", "text/csv", "a,b", 415},
		{"an unknown book", "GET", "/api/books/9780000000000", "", "", 404},
		{"a delete", "DELETE", "/api/books/9780262510875", "", "", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, body)
			require.NoError(t, err)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resBody, err := io.ReadAll(res.Body)
			res.Body.Close()
			require.NoError(t, err)
			require.Equal(t, tc.code, res.StatusCode, "%s", resBody)

			// The same request, for the validator (its body was read).
			check, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if tc.contentType != "" {
				check.Header.Set("Content-Type", tc.contentType)
			}
			ok, errs := v.ValidateHttpRequestSync(check)
			handlerAccepted := res.StatusCode < 400 || res.StatusCode == http.StatusNotFound // 404: a book not stored, not a bad request
			assert.Equal(t, handlerAccepted, ok, "the document and the handler agree on the request: %v", messages(errs))

			res.Body = io.NopCloser(bytes.NewReader(resBody))
			check, _ = http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if tc.contentType != "" {
				check.Header.Set("Content-Type", tc.contentType)
			}
			ok, errs = v.ValidateHttpResponse(check, res)
			assert.True(t, ok, "the answer matches the document: %v\n%s", messages(errs), resBody)
		})
	}
}

func messages(errs []*liberrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		s := e.Message + ": " + e.Reason
		for _, f := range e.SchemaValidationErrors {
			s += " [" + f.KeywordLocation + ": " + f.Reason + "]"
		}
		out = append(out, s)
	}
	return out
}
