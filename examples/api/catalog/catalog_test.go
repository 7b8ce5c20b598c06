package catalog_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/flagon-go/flagon/examples/api/catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/openapi.json from the app")

// TestOpenAPIGolden compares the catalog's document with
// testdata/openapi.json; go test -run Golden -update rewrites it after a
// deliberate change.
func TestOpenAPIGolden(t *testing.T) {
	doc, err := catalog.New().OpenAPI()
	require.NoError(t, err)
	doc = append(bytes.Clone(doc), '\n')
	const golden = "testdata/openapi.json"
	if *update {
		require.NoError(t, os.WriteFile(golden, doc, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(doc), "the document changed; check it and rerun with -update")
}

func TestCatalogServesItsDocument(t *testing.T) {
	app := catalog.New()
	res := app.TestClient().Get("/openapi.json")
	require.Equal(t, 200, res.Code)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(res.Body, &doc))
	assert.Equal(t, "3.1.0", doc["openapi"])
}

func TestCatalogCRUD(t *testing.T) {
	c := catalog.New().TestClient()
	in := map[string]any{"isbn": "9780262510875", "title": "SICP", "authors": []string{"Abelson", "Sussman"}, "year": 1985, "tags": []string{"science"}}
	res := c.PostJSON("/api/books/", in)
	require.Equal(t, 201, res.Code, res.Text())
	assert.Equal(t, 409, c.PostJSON("/api/books/", in).Code)
	res = c.Get("/api/books/9780262510875")
	require.Equal(t, 200, res.Code)
	assert.JSONEq(t, `{"isbn":"9780262510875","title":"SICP","authors":["Abelson","Sussman"],"year":1985,"tags":["science"]}`, res.Text())
	assert.Equal(t, 404, c.Get("/api/books/123").Code, "not an ISBN: the converter refuses it")
	res = c.Get("/api/books/?tag=science&limit=1")
	require.Equal(t, 200, res.Code)
	assert.JSONEq(t, `{"books":[{"isbn":"9780262510875","title":"SICP","authors":["Abelson","Sussman"],"year":1985,"tags":["science"]}],"total":1}`, res.Text())
	assert.Equal(t, 422, c.Get("/api/books/?limit=0").Code)
	assert.Equal(t, 200, c.Delete("/api/books/9780262510875").Code)
	assert.Equal(t, 404, c.Delete("/api/books/9780262510875").Code)
}
