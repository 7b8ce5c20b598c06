package flagon_test

import (
	"encoding/json"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// document returns app's OpenAPI document, decoded.
func document(t *testing.T, app *flagon.App) map[string]any {
	t.Helper()
	b, err := app.OpenAPI()
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	return doc
}

// at walks doc by keys and indexes.
func at(t *testing.T, doc any, keys ...any) any {
	t.Helper()
	v := doc
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "at %q: not an object: %v", k, v)
			v, ok = m[k]
			require.True(t, ok, "no %q in %v", k, m)
		case int:
			a, ok := v.([]any)
			require.True(t, ok && k < len(a), "at %d: %v", k, v)
			v = a[k]
		}
	}
	return v
}

func asJSONText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func plain(c *flagon.Context) error { return c.Text(200, "ok") }

func TestOpenAPIPathsAndOperations(t *testing.T) {
	app := flagon.New()
	app.Get("/", plain)
	app.Route("/items/<int:id>", plain, "GET", "DELETE").Name("item")
	app.Put("/items/<int:item_id>", flagon.Typed(saveNote)).Summary("Save a note").Tags("notes", "items")
	app.Route("/dav", plain, "PROPFIND").Name("dav")
	app.Get("/anon", func(c *flagon.Context) error { return nil })
	app.Mount("/legacy", http.NotFoundHandler())
	bp := flagon.NewBlueprint("admin")
	child := flagon.NewBlueprint("users")
	child.Get("/<uuid:uid>", plain).Name("show").Summary("Show a user")
	child.Get("/tagged", plain).Name("tagged").Tags("own")
	bp.Register(child, "/users")
	app.Register(bp, "/admin")
	doc := document(t, app)

	assert.Equal(t, "3.1.0", doc["openapi"])
	paths := doc["paths"].(map[string]any)
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"/", "/items/{id}", "/dav", "/anon", "/admin/users/{uid}", "/admin/users/tagged"}, keys,
		"Mount is left out; PROPFIND has no OpenAPI field, so /dav is an empty path item")

	t.Run("a plain handler's answer is the default response", func(t *testing.T) {
		assert.Equal(t, "plain", at(t, paths, "/", "get", "operationId"))
		assert.Contains(t, at(t, paths, "/", "get", "responses"), "default")
	})
	t.Run("an endpoint with several operations names each by its method", func(t *testing.T) {
		assert.Equal(t, "item_get", at(t, paths, "/items/{id}", "get", "operationId"))
		assert.Equal(t, "item_delete", at(t, paths, "/items/{id}", "delete", "operationId"))
		assert.Equal(t, "saveNote", at(t, paths, "/items/{id}", "put", "operationId"))
	})
	t.Run("a rule of the same shape takes the path's variable names", func(t *testing.T) {
		assert.Equal(t, "id", at(t, paths, "/items/{id}", "put", "parameters", 0, "name"))
		assert.Equal(t, "query", at(t, paths, "/items/{id}", "put", "parameters", 1, "in"))
	})
	t.Run("Summary and Tags are stated", func(t *testing.T) {
		assert.Equal(t, "Save a note", at(t, paths, "/items/{id}", "put", "summary"))
		assert.Equal(t, []any{"notes", "items"}, at(t, paths, "/items/{id}", "put", "tags"))
	})
	t.Run("a blueprint route is tagged with its blueprint and keeps its summary", func(t *testing.T) {
		assert.Equal(t, []any{"admin.users"}, at(t, paths, "/admin/users/{uid}", "get", "tags"))
		assert.Equal(t, "Show a user", at(t, paths, "/admin/users/{uid}", "get", "summary"))
		assert.Equal(t, "admin.users.show", at(t, paths, "/admin/users/{uid}", "get", "operationId"))
		assert.Equal(t, []any{"own"}, at(t, paths, "/admin/users/tagged", "get", "tags"))
		assert.JSONEq(t, `{"type":"string","format":"uuid"}`, asJSONText(t, at(t, paths, "/admin/users/{uid}", "get", "parameters", 0, "schema")))
	})
	t.Run("a route without an endpoint has no operationId", func(t *testing.T) {
		assert.NotContains(t, at(t, paths, "/anon", "get"), "operationId")
	})
	t.Run("the document lists its tags", func(t *testing.T) {
		assert.JSONEq(t, `[{"name":"admin.users"},{"name":"items"},{"name":"notes"},{"name":"own"}]`, asJSONText(t, doc["tags"]))
	})
	t.Run("a Typed route states its errors", func(t *testing.T) {
		res := at(t, paths, "/items/{id}", "put", "responses").(map[string]any)
		for _, code := range []string{"200", "400", "404", "413", "415", "422"} {
			assert.Contains(t, res, code)
		}
		assert.Equal(t, "#/components/responses/UnprocessableEntity", at(t, res, "422", "$ref"))
		assert.Equal(t, "#/components/schemas/BindError",
			at(t, doc, "components", "responses", "UnprocessableEntity", "content", "application/problem+json", "schema", "$ref"))
	})
}

type uploadForm struct {
	Title   string                  `form:"title" validate:"required"`
	Files   []*multipart.FileHeader `form:"files"`
	Session string                  `cookie:"sid"`
	Tags    []string                `query:"tag" validate:"max=3"`
}

type searchForm struct {
	Q    string `form:"q" validate:"min=1"`
	Page int    `form:"page" default:"1"`
}

func TestOpenAPIFormsAndCookies(t *testing.T) {
	app := flagon.New()
	app.Post("/upload", flagon.Typed(func(*flagon.Context, *uploadForm) (int, error) { return 0, nil })).Name("upload")
	app.Post("/search", flagon.Typed(func(*flagon.Context, *searchForm) (int, error) { return 0, nil })).Name("search")
	doc := document(t, app)
	up := at(t, doc, "paths", "/upload", "post")
	assert.JSONEq(t, `[
		{"name":"sid","in":"cookie","schema":{"type":"string"}},
		{"name":"tag","in":"query","schema":{"type":"array","items":{"type":"string"},"maxItems":3}}
	]`, asJSONText(t, at(t, up, "parameters")))
	assert.JSONEq(t, `{"required":true,"content":{"multipart/form-data":{"schema":{"type":"object","required":["title"],"properties":{
		"title":{"type":"string","minLength":1},
		"files":{"type":"array","items":{"type":"string","contentMediaType":"application/octet-stream"}}
	}}}}}`, asJSONText(t, at(t, up, "requestBody")), "uploads need multipart")
	content := at(t, doc, "paths", "/search", "post", "requestBody", "content").(map[string]any)
	assert.Contains(t, content, "application/x-www-form-urlencoded")
	assert.Contains(t, content, "multipart/form-data")
	assert.JSONEq(t, `{"type":"integer","format":"int64","default":1}`, asJSONText(t, at(t, content, "multipart/form-data", "schema", "properties", "page")))
}

func TestOpenAPIRefusesRulesItCannotTellApart(t *testing.T) {
	app := flagon.New()
	app.Get("/u/<int:id>", plain).Name("byID")
	app.Get("/u/<string:id>", plain).Name("byName")
	_, err := app.OpenAPI()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flagon: OpenAPI: GET /u/<int:id>")
	assert.Contains(t, err.Error(), "GET /u/<string:id>")
	assert.Contains(t, err.Error(), "openapi_test.go")
}

func TestOpenAPIIsBuiltOnceAndFreezesTheApp(t *testing.T) {
	app := flagon.New()
	app.Get("/", plain)
	a, err := app.OpenAPI()
	require.NoError(t, err)
	b, err := app.OpenAPI()
	require.NoError(t, err)
	assert.Same(t, &a[0], &b[0], "the same bytes, not built again")
	assert.Contains(t, panicMessage(func() { app.Get("/late", plain) }), "flagon: cannot register")

	// Served: the document is read from a handler, and never built per request.
	app2 := flagon.New()
	app2.Get("/openapi.json", func(c *flagon.Context) error {
		doc, err := c.App().OpenAPI()
		if err != nil {
			return err
		}
		return c.Blob(200, "application/json", doc)
	})
	client := app2.TestClient()
	first := client.Get("/openapi.json")
	require.Equal(t, 200, first.Code)
	assert.Equal(t, first.Body, client.Get("/openapi.json").Body)
	assert.Contains(t, first.Text(), `"/openapi.json"`)
}

func TestRouteDocPanicsOnceServing(t *testing.T) {
	app := flagon.New()
	r := app.Get("/", plain)
	assert.Contains(t, panicMessage(func() { r.Tags("") }), "flagon: empty tag for /")
	app.TestClient().Get("/")
	assert.Contains(t, panicMessage(func() { r.Summary("late") }), "flagon: cannot set the summary of /")
	assert.Contains(t, panicMessage(func() { r.Tags("late") }), "flagon: cannot set the tags of /")
}
