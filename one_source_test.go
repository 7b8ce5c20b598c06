package flagon_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// One struct, two spellings of its title field: everything that reads the
// struct follows the tag.
type noteByTitle struct {
	ID    int64  `path:"id" json:"-"`
	Title string `json:"title" validate:"required,min=3"`
}

type noteByHeadline struct {
	ID    int64  `path:"id" json:"-"`
	Title string `json:"headline" validate:"required,min=3"`
}

type savedNote struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// TestOneStructDrivesBindTypedURLForAndTheDocument renames a field's json
// tag and checks that Bind, Typed and the OpenAPI document all take the
// new name, over real HTTP, and that the rule's variable is the one
// url_for fills, the document states and Bind's path field reads.
func TestOneStructDrivesBindTypedURLForAndTheDocument(t *testing.T) {
	t.Run("title", func(t *testing.T) {
		checkOneSource(t, "title", func(in *noteByTitle) savedNote { return savedNote{in.ID, in.Title} })
	})
	t.Run("headline", func(t *testing.T) {
		checkOneSource(t, "headline", func(in *noteByHeadline) savedNote { return savedNote{in.ID, in.Title} })
	})
}

func checkOneSource[In any](t *testing.T, name string, save func(*In) savedNote) {
	app := flagon.New()
	app.Post("/typed/<int:id>", flagon.Typed(func(c *flagon.Context, in *In) (savedNote, error) {
		return save(in), nil
	})).Name("typed")
	app.Post("/bound/<int:id>", func(c *flagon.Context) error {
		in, err := flagon.Bind[In](c)
		if err != nil {
			return err
		}
		return c.JSON(200, save(&in))
	}).Name("bound").Reads(new(In))
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)

	for _, endpoint := range []string{"typed", "bound"} {
		path, err := app.URLFor(endpoint, "id", 7)
		require.NoError(t, err)
		assert.Equal(t, "/"+endpoint+"/7", path, "url_for fills the rule's variable")

		code, _, body := post(t, srv.URL+path, "application/json", `{"`+name+`":"Hello"}`)
		assert.Equal(t, 200, code, endpoint)
		assert.JSONEq(t, `{"id":7,"title":"Hello"}`, body, "%s binds the path variable and the %q key", endpoint, name)

		code, _, body = post(t, srv.URL+path, "application/json", `{"`+name+`":"Hi"}`)
		assert.Equal(t, 422, code, endpoint)
		assert.Contains(t, body, `"field":"`+name+`"`, "%s names the failed field by its tag", endpoint)
	}

	doc := document(t, app)
	for _, endpoint := range []string{"typed", "bound"} {
		op := at(t, doc, "paths", "/"+endpoint+"/{id}", "post").(map[string]any)
		assert.Equal(t, endpoint, op["operationId"])
		assert.Equal(t, "id", at(t, op, "parameters", 0, "name"), "the document names the rule's variable")
		assert.Equal(t, "integer", at(t, op, "parameters", 0, "schema", "type"))
		body := at(t, op, "requestBody", "content", "application/json", "schema").(map[string]any)
		if ref, ok := body["$ref"].(string); ok {
			body = at(t, doc, "components", "schemas", strings.TrimPrefix(ref, "#/components/schemas/")).(map[string]any)
		}
		props := body["properties"].(map[string]any)
		assert.Contains(t, props, name, "the document's body property follows the tag")
		assert.Len(t, props, 1, "and only it: the path field is not in the body")
		assert.Equal(t, float64(3), at(t, props, name, "minLength"), "with the validate rule")
		assert.Equal(t, []any{name}, body["required"])
	}
}
