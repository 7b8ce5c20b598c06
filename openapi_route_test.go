package flagon_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type newPet struct {
	Name string `json:"name" validate:"required"`
}

type pet struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func createPet(c *flagon.Context, in *newPet) (*pet, error) {
	return &pet{ID: 7, Name: in.Name}, nil
}

func acceptPet(c *flagon.Context, in *newPet) (*pet, error) {
	c.Status(http.StatusAccepted)
	return &pet{ID: 8, Name: in.Name}, nil
}

// postJSON sends body as JSON to url and returns the status and the body.
func postJSON(t *testing.T, url, body string) (int, string) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

func TestRouteStatusIsTypedsSuccessStatus(t *testing.T) {
	app := flagon.New()
	app.Post("/pets", flagon.Typed(createPet)).Status(http.StatusCreated)
	app.Post("/accepted", flagon.Typed(acceptPet)).Status(http.StatusCreated)
	app.Post("/quiet", flagon.Typed(createPet)).Status(http.StatusNoContent).Name("quiet")
	app.Post("/plain200", flagon.Typed(createPet)).Name("plain200")
	bp := flagon.NewBlueprint("zoo")
	bp.Post("/pets", flagon.Typed(createPet)).Status(http.StatusCreated)
	app.Register(bp, "/zoo")
	srv := httptest.NewServer(app)
	defer srv.Close()

	t.Run("a Typed POST with Status(201) answers 201 with the JSON", func(t *testing.T) {
		code, body := postJSON(t, srv.URL+"/pets", `{"name":"Rex"}`)
		assert.Equal(t, http.StatusCreated, code)
		assert.JSONEq(t, `{"id":7,"name":"Rex"}`, body)
	})
	t.Run("fn's own c.Status wins", func(t *testing.T) {
		code, body := postJSON(t, srv.URL+"/accepted", `{"name":"Rex"}`)
		assert.Equal(t, http.StatusAccepted, code)
		assert.JSONEq(t, `{"id":8,"name":"Rex"}`, body)
	})
	t.Run("Status(204) answers 204 with no body", func(t *testing.T) {
		code, body := postJSON(t, srv.URL+"/quiet", `{"name":"Rex"}`)
		assert.Equal(t, http.StatusNoContent, code)
		assert.Empty(t, body)
	})
	t.Run("without Status, Typed answers 200", func(t *testing.T) {
		code, _ := postJSON(t, srv.URL+"/plain200", `{"name":"Rex"}`)
		assert.Equal(t, http.StatusOK, code)
	})
	t.Run("a blueprint route's Status is the registering app's", func(t *testing.T) {
		code, body := postJSON(t, srv.URL+"/zoo/pets", `{"name":"Rex"}`)
		assert.Equal(t, http.StatusCreated, code)
		assert.JSONEq(t, `{"id":7,"name":"Rex"}`, body)
	})
	t.Run("a bad request is still the error's status", func(t *testing.T) {
		code, _ := postJSON(t, srv.URL+"/pets", `{}`)
		assert.Equal(t, http.StatusUnprocessableEntity, code)
	})
}

// searchPets is what the plain handler of GET /pets binds.
type searchPets struct {
	Q     string `query:"q" validate:"required"`
	Limit int    `query:"limit" default:"10"`
	Trace string `header:"X-Trace"`
}

type petList struct {
	Pets []pet `json:"pets"`
}

func listPets(c *flagon.Context) error {
	var in searchPets
	if err := c.Bind(&in); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, petList{Pets: []pet{{ID: 1, Name: in.Q}}})
}

func savePet(c *flagon.Context) error {
	var in newPet
	if err := c.Bind(&in); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, pet{ID: 2, Name: in.Name})
}

func TestOpenAPIStatesStatusReadsAndReturns(t *testing.T) {
	app := flagon.New()
	app.Config.APITitle = "Pet store"
	app.Config.APIVersion = "2.1.0"
	app.Post("/typed", flagon.Typed(createPet)).Status(http.StatusCreated).Name("typed")
	app.Delete("/typed", flagon.Typed(createPet)).Status(http.StatusNoContent).Name("typedQuiet")
	app.Get("/pets", listPets).Reads(searchPets{}).Returns(petList{})
	app.Post("/pets", savePet).Reads((*newPet)(nil)).Returns(&pet{}).Status(http.StatusCreated)
	app.Put("/pets", savePet).Status(http.StatusAccepted).Name("undescribed")
	app.Get("/bare", plain)
	bp := flagon.NewBlueprint("zoo")
	bp.Post("/pets", savePet).Reads(newPet{}).Returns(pet{}).Status(http.StatusCreated).Name("add")
	app.Register(bp, "/zoo")
	doc := document(t, app)

	t.Run("APITitle and APIVersion are the info", func(t *testing.T) {
		assert.Equal(t, map[string]any{"title": "Pet store", "version": "2.1.0"}, doc["info"])
	})
	t.Run("Status is a Typed route's response key, with Out's schema", func(t *testing.T) {
		res := at(t, doc, "paths", "/typed", "post", "responses").(map[string]any)
		assert.NotContains(t, res, "200")
		assert.Equal(t, "Created", at(t, res, "201", "description"))
		assert.Equal(t, "#/components/schemas/pet", at(t, res, "201", "content", "application/json", "schema", "$ref"))
	})
	t.Run("Status(204) has no content", func(t *testing.T) {
		res := at(t, doc, "paths", "/typed", "delete", "responses").(map[string]any)
		assert.Equal(t, map[string]any{"description": "No Content"}, res["204"])
		assert.NotContains(t, res, "200")
	})
	t.Run("Reads states a plain handler's query and header parameters", func(t *testing.T) {
		op := at(t, doc, "paths", "/pets", "get").(map[string]any)
		assert.JSONEq(t, `[
			{"name":"q","in":"query","required":true,"schema":{"type":"string","minLength":1}},
			{"name":"limit","in":"query","schema":{"type":"integer","format":"int64","default":10}},
			{"name":"X-Trace","in":"header","schema":{"type":"string"}}]`, asJSONText(t, op["parameters"]))
		res := op["responses"].(map[string]any)
		assert.Contains(t, res, "400")
		assert.Contains(t, res, "422")
		assert.NotContains(t, res, "default", "Returns describes the answer")
		assert.Equal(t, "#/components/schemas/petList", at(t, res, "200", "content", "application/json", "schema", "$ref"))
	})
	t.Run("Reads states a plain handler's body, Returns its answer at Status", func(t *testing.T) {
		op := at(t, doc, "paths", "/pets", "post").(map[string]any)
		assert.Equal(t, "#/components/schemas/newPet", at(t, op, "requestBody", "content", "application/json", "schema", "$ref"))
		assert.Equal(t, true, at(t, op, "requestBody", "required"))
		res := op["responses"].(map[string]any)
		assert.NotContains(t, res, "200")
		assert.Equal(t, "#/components/schemas/pet", at(t, res, "201", "content", "application/json", "schema", "$ref"))
		for _, code := range []string{"413", "415", "422"} {
			assert.Contains(t, res, code)
		}
	})
	t.Run("Status without Returns names the status, the body undescribed", func(t *testing.T) {
		res := at(t, doc, "paths", "/pets", "put", "responses").(map[string]any)
		assert.NotContains(t, at(t, res, "202").(map[string]any), "content")
		assert.Contains(t, res, "default")
	})
	t.Run("a plain handler without them is as before", func(t *testing.T) {
		res := at(t, doc, "paths", "/bare", "get", "responses").(map[string]any)
		assert.Equal(t, []string{"default"}, keys(res))
	})
	t.Run("a blueprint route's Reads, Returns and Status are the app's", func(t *testing.T) {
		op := at(t, doc, "paths", "/zoo/pets", "post").(map[string]any)
		assert.Equal(t, "zoo.add", op["operationId"])
		assert.Equal(t, "#/components/schemas/newPet", at(t, op, "requestBody", "content", "application/json", "schema", "$ref"))
		assert.Equal(t, "#/components/schemas/pet", at(t, op, "responses", "201", "content", "application/json", "schema", "$ref"))
	})
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestOpenAPIInfoDefaults(t *testing.T) {
	app := flagon.New()
	app.Get("/", plain)
	assert.Equal(t, map[string]any{"title": "Flagon API", "version": "0.0.0"}, document(t, app)["info"])

	app = flagon.New()
	app.Config = flagon.Config{} // not from DefaultConfig: the empty fields are the defaults too
	app.Get("/", plain)
	assert.Equal(t, map[string]any{"title": "Flagon API", "version": "0.0.0"}, document(t, app)["info"])
}

type chanOut struct {
	Done chan bool `json:"done"`
}

func chanPet(c *flagon.Context, in *newPet) (*pet, error) { return nil, nil }

func TestRouteStatusReadsReturnsPanic(t *testing.T) {
	app := flagon.New()
	cases := []struct {
		name string
		fn   func()
		want string
	}{
		{"Status outside 200–299", func() { app.Get("/a", plain).Status(http.StatusNotFound) }, "Status(404) for /a"},
		{"Status below 200", func() { app.Get("/b", plain).Status(199) }, "Status(199) for /b"},
		{"Reads of a number", func() { app.Get("/c", plain).Reads(42) }, "Reads(int) for /c"},
		{"Reads of nil", func() { app.Get("/d", plain).Reads(nil) }, "Reads(<nil>) for /d"},
		{"Reads of a struct with a channel", func() { app.Get("/e", plain).Reads(chanOut{}) }, "flagon_test.chanOut.Done is a chan bool"},
		{"Reads on a Typed route", func() { app.Post("/f", flagon.Typed(chanPet)).Reads(newPet{}) }, "Typed(chanPet)"},
		{"Returns on a Typed route", func() { app.Post("/g", flagon.Typed(chanPet)).Returns(pet{}) }, "Typed(chanPet)"},
		{"Returns of a channel", func() { app.Get("/h", plain).Returns(make(chan int)) }, "Returns(chan int) for /h"},
		{"Returns of nil", func() { app.Get("/i", plain).Returns(nil) }, "Returns(nil) for /i"},
		{"Returns with Status(204)", func() { app.Get("/j", plain).Status(204).Returns(pet{}) }, "status 204 has no body"},
		{"Status(204) with Returns", func() { app.Get("/k", plain).Returns(pet{}).Status(204) }, "Status(204) for /k"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := panicMessage(tc.fn)
			require.NotEmpty(t, msg, "no panic")
			assert.True(t, strings.HasPrefix(msg, "flagon: "), msg)
			assert.Contains(t, msg, tc.want)
			assert.Contains(t, msg, "openapi_route_test.go:", "names the call site")
		})
	}

	t.Run("once the app serves", func(t *testing.T) {
		app := flagon.New()
		r := app.Get("/", plain)
		_, err := app.OpenAPI()
		require.NoError(t, err)
		for _, fn := range []func(){
			func() { r.Status(201) },
			func() { r.Reads(newPet{}) },
			func() { r.Returns(pet{}) },
		} {
			msg := panicMessage(fn)
			assert.Contains(t, msg, "flagon: cannot set")
			assert.Contains(t, msg, "openapi_route_test.go:")
			assert.Contains(t, msg, "the app has started serving")
		}
	})
	t.Run("a registered blueprint's route", func(t *testing.T) {
		bp := flagon.NewBlueprint("late")
		r := bp.Get("/", plain)
		flagon.New().Register(bp, "/late")
		assert.Contains(t, panicMessage(func() { r.Status(201) }), "blueprint late has already been registered")
	})
}

// xmlPet reads an XML body: its id as an attribute, its name under
// another element name, its tags repeated.
type xmlPet struct {
	XMLName xml.Name `xml:"pet" json:"-"`
	ID      int64    `xml:"id,attr" json:"id"`
	Name    string   `xml:"title" json:"name" validate:"required"`
	Kind    string   `xml:"kind" json:"kind"`
	Tags    []string `xml:"tag" json:"tags"`
	Owner   xmlOwner `xml:"owner" json:"owner"`
	Note    string   `xml:",chardata" json:"-"`
	Trace   string   `header:"X-Trace"`
}

type xmlOwner struct {
	Email string `xml:"e-mail" json:"email"`
}

func TestOpenAPIXMLBody(t *testing.T) {
	type jsonOnly struct {
		Name string `json:"name"`
	}
	type plainNames struct {
		Name string
	}
	type mixed struct {
		Page int    `query:"page"`
		Name string `json:"name" xml:"name"`
	}
	type inner struct {
		XMLName xml.Name `xml:"inner"`
		Code    string   `xml:"urn:codes code" json:"code"`
	}
	type outer struct {
		inner
		XMLName xml.Name `xml:"outer" json:"-"`
	}
	cases := []struct {
		name string
		in   any
		xml  string // the application/xml schema, "" for none
	}{
		{"an embedded struct flattened, the outer XMLName the root, a namespace", outer{}, `{"type":"object","xml":{"name":"outer"},"properties":{"code":{"type":"string","xml":{"namespace":"urn:codes"}}}}`},
		{"no xml tags: no application/xml", jsonOnly{}, ""},
		{"no tags at all: no application/xml", plainNames{}, ""},
		{"an xml tag equal to the property: no XML Object on it", mixed{}, `{"type":"object","xml":{"name":"mixed"},"properties":{"name":{"type":"string"}}}`},
		{"attributes, other names, repeated and nested elements", xmlPet{}, `{
			"type":"object","xml":{"name":"pet"},"required":["name"],
			"properties":{
				"id":{"type":"integer","format":"int64","xml":{"attribute":true}},
				"name":{"type":"string","minLength":1,"xml":{"name":"title"}},
				"kind":{"type":"string"},
				"tags":{"type":"array","items":{"type":"string","xml":{"name":"tag"}},"xml":{"name":"tag"}},
				"owner":{"type":"object","properties":{"email":{"type":"string","xml":{"name":"e-mail"}}}}}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := flagon.New()
			app.Post("/", savePet).Reads(tc.in)
			content := at(t, document(t, app), "paths", "/", "post", "requestBody", "content").(map[string]any)
			assert.Contains(t, content, "application/json")
			if tc.xml == "" {
				assert.NotContains(t, content, "application/xml")
				return
			}
			assert.JSONEq(t, tc.xml, asJSONText(t, at(t, content, "application/xml", "schema")))
		})
	}
}
