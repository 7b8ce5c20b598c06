package flagon_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type typedNote struct {
	ID    int64  `path:"id" json:"-"`
	Draft bool   `query:"draft" json:"-"`
	Title string `json:"title" validate:"required,min=3"`
	Body  string `json:"body"`
}

type typedNoteOut struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Draft bool   `json:"draft"`
}

func saveNote(c *flagon.Context, in *typedNote) (*typedNoteOut, error) {
	if in.Title == "forbidden" {
		return nil, flagon.Abort(http.StatusForbidden, "no")
	}
	if in.Draft {
		c.Status(http.StatusAccepted)
	}
	return &typedNoteOut{ID: in.ID, Title: in.Title, Draft: in.Draft}, nil
}

// bindNote is saveNote written by hand, to compare answers with.
func bindNote(c *flagon.Context) error {
	var in typedNote
	if err := c.Bind(&in); err != nil {
		return err
	}
	out, err := saveNote(c, &in)
	if err != nil {
		return err
	}
	return c.JSON(c.Response.Status(), out)
}

func post(t *testing.T, url, contentType, body string) (int, string, string) {
	t.Helper()
	res, err := http.Post(url, contentType, strings.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func TestTypedAnswersAsBindThenJSONDoes(t *testing.T) {
	app := flagon.New()
	app.Post("/typed/<int:id>", flagon.Typed(saveNote))
	app.Post("/bind/<int:id>", bindNote)
	srv := httptest.NewServer(app)
	defer srv.Close()

	cases := []struct {
		name, query, contentType, body string
		code                           int
	}{
		{"a valid body is 200 with Out as JSON", "", "application/json", `{"title":"hello","body":"x"}`, 200},
		{"the status fn set is kept", "?draft=true", "application/json", `{"title":"hello"}`, 202},
		{"malformed JSON is 400", "", "application/json", `{"title":`, 400},
		{"a value that does not convert is 400", "?draft=maybe", "application/json", `{"title":"hello"}`, 400},
		{"another media type is 415", "", "text/csv", `a,b`, 415},
		{"a failed rule is 422", "", "application/json", `{"title":"hi"}`, 422},
		{"fn's error goes to the error handlers", "", "application/json", `{"title":"forbidden"}`, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, ct, body := post(t, srv.URL+"/typed/7"+tc.query, tc.contentType, tc.body)
			wantCode, wantCT, wantBody := post(t, srv.URL+"/bind/7"+tc.query, tc.contentType, tc.body)
			assert.Equal(t, tc.code, code, body)
			assert.Equal(t, wantCode, code)
			assert.Equal(t, wantCT, ct)
			assert.Equal(t, wantBody, body)
		})
	}
	code, _, body := post(t, srv.URL+"/typed/7", "application/json", `{"title":"hello"}`)
	assert.Equal(t, 200, code)
	assert.JSONEq(t, `{"id":7,"title":"hello","draft":false}`, body)
}

func TestTypedWritesNothingWhenFnAnswered(t *testing.T) {
	app := flagon.New()
	app.Get("/", flagon.Typed(func(c *flagon.Context, _ *struct{}) (map[string]int, error) {
		return map[string]int{"ignored": 1}, c.NoContent(http.StatusNoContent)
	}))
	res := app.TestClient().Get("/")
	assert.Equal(t, http.StatusNoContent, res.Code)
	assert.Empty(t, res.Body)
}

func listNotes(c *flagon.Context, _ *struct{}) ([]typedNoteOut, error) { return nil, nil }

func TestTypedEndpointIsFnsName(t *testing.T) {
	app := flagon.New()
	app.Post("/notes/<int:id>", flagon.Typed(saveNote))
	app.Put("/notes/<int:id>/again", flagon.Typed(saveNote)) // the same fn: the same endpoint
	// Typed's closures for In and Out of the same shape share their code;
	// another fn is another handler all the same.
	app.Get("/notes", flagon.Typed(listNotes))
	u, err := app.URLFor("saveNote", "id", 3)
	require.NoError(t, err)
	assert.Equal(t, "/notes/3", u)
	u, err = app.URLFor("listNotes")
	require.NoError(t, err)
	assert.Equal(t, "/notes", u)

	msg := panicMessage(func() {
		app.Get("/other", flagon.Typed(listNotes)).Name("saveNote")
	})
	assert.Contains(t, msg, `endpoint "saveNote"`)
}

type badOut struct {
	Done chan bool `json:"done"`
}

func TestTypedPanicsAtRegistration(t *testing.T) {
	cases := []struct {
		name string
		fn   func()
		want []string
	}{
		{"for a nil fn", func() { flagon.Typed[struct{}, int](nil) }, []string{"flagon: Typed at", "typed_test.go", "nil"}},
		{"for an In that is not a struct", func() {
			flagon.Typed(func(*flagon.Context, *int) (int, error) { return 0, nil })
		}, []string{"flagon: Typed(func literal)", "In must be a struct type, got int"}},
		{"for an Out without JSON", func() {
			flagon.Typed(func(*flagon.Context, *struct{}) (badOut, error) { return badOut{}, nil })
		}, []string{"flagon: Typed", "typed_test.go", "flagon_test.badOut.Done is a chan bool, which has no JSON form"}},
		{"for an In the binding plan refuses", func() {
			flagon.Typed(func(*flagon.Context, *struct {
				F func() `query:"f"`
			}) (int, error) {
				return 0, nil
			})
		}, []string{"flagon: Bind: field", "cannot be read from a string", "typed_test.go"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := panicMessage(tc.fn)
			for _, w := range tc.want {
				assert.Contains(t, msg, w)
			}
		})
	}
}

func TestTypedErrorIsReturned(t *testing.T) {
	boom := errors.New("boom")
	var seen error
	app := flagon.New()
	app.Get("/", flagon.Typed(func(*flagon.Context, *struct{}) (int, error) { return 0, boom }))
	app.TeardownRequest(func(_ *flagon.Context, err error) { seen = err })
	res := app.TestClient().Get("/")
	assert.Equal(t, 500, res.Code)
	assert.ErrorIs(t, seen, boom)
}
