package flagon_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/go-playground/validator/v10"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problemBody is the default problem+json answer of a failed bind.
type problemBody struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors []flagon.FieldError `json:"errors"`
}

func decodeProblem(t *testing.T, res *flagon.TestResponse) problemBody {
	t.Helper()
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"), "body: %s", res.Body)
	var p problemBody
	require.NoError(t, json.Unmarshal(res.Body, &p))
	return p
}

type address struct {
	City string `json:"city" validate:"required"`
	Zip  string `json:"zip" validate:"len=5"`
}

type signup struct {
	ID       int               `path:"id"`
	Page     int               `query:"page" default:"1"`
	Tags     []string          `query:"tag"`
	Token    string            `header:"X-Token"`
	Session  string            `cookie:"sid"`
	Name     string            `json:"name" validate:"required,min=2"`
	Email    string            `json:"email" validate:"required,email"`
	Age      int               `json:"age" validate:"gte=0,lte=150"`
	Address  address           `json:"address"`
	Items    []item            `json:"items" validate:"dive"`
	Extra    map[string]string `json:"extra"`
	Language string            `json:"lang" default:"en"`
}

type item struct {
	SKU string `json:"sku" validate:"required"`
	Qty int    `json:"qty" validate:"min=1"`
}

func bindApp(t *testing.T, route string, bind func(c *flagon.Context) (any, error)) *flagon.TestClient {
	t.Helper()
	app := quietApp()
	app.Route(route, func(c *flagon.Context) error {
		v, err := bind(c)
		if err != nil {
			return err
		}
		return c.JSON(200, v)
	}, "GET", "POST", "PUT")
	return app.TestClient()
}

func jsonRequest(method, target, body string) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestBindEverySource(t *testing.T) {
	tc := bindApp(t, "/users/<int:id>", func(c *flagon.Context) (any, error) {
		return flagon.Bind[signup](c)
	})

	t.Run("path, query, header, cookie and a JSON body fill one struct", func(t *testing.T) {
		req := jsonRequest("POST", "/users/7?page=3&tag=a&tag=b",
			`{"name":"Ada","email":"ada@example.com","age":36,"address":{"city":"London","zip":"12345"},"items":[{"sku":"x","qty":2}],"extra":{"k":"v"}}`)
		req.Header.Set("X-Token", "tok")
		req.AddCookie(&http.Cookie{Name: "sid", Value: "s1"})
		res := tc.Do(req)
		require.Equal(t, 200, res.Code, res.Text())
		var got signup
		require.NoError(t, res.JSON(&got))
		assert.Equal(t, signup{ID: 7, Page: 3, Tags: []string{"a", "b"}, Token: "tok", Session: "s1", Name: "Ada", Email: "ada@example.com", Age: 36,
			Address: address{City: "London", Zip: "12345"}, Items: []item{{SKU: "x", Qty: 2}}, Extra: map[string]string{"k": "v"}, Language: "en"}, got)
	})
	t.Run("defaults fill absent query values and body fields, and values sent win", func(t *testing.T) {
		res := tc.Do(jsonRequest("POST", "/users/1", `{"name":"Ada","email":"ada@example.com","address":{"city":"L","zip":"12345"},"lang":"fr"}`))
		require.Equal(t, 200, res.Code, res.Text())
		var got signup
		require.NoError(t, res.JSON(&got))
		assert.Equal(t, 1, got.Page)
		assert.Equal(t, "fr", got.Language)
	})
	t.Run("failed validation is 422 naming each field as the client sent it", func(t *testing.T) {
		req := jsonRequest("POST", "/users/1", `{"name":"A","email":"nope","age":200,"address":{"zip":"1"},"items":[{"sku":"","qty":0}]}`)
		res := tc.Do(req)
		require.Equal(t, 422, res.Code)
		p := decodeProblem(t, res)
		assert.Equal(t, 422, p.Status)
		assert.Equal(t, "Unprocessable Entity", p.Title)
		assert.Equal(t, "7 fields are invalid.", p.Detail)
		assert.Equal(t, []flagon.FieldError{
			{Field: "name", Source: "json", Rule: "min", Message: "must be at least 2 characters long"},
			{Field: "email", Source: "json", Rule: "email", Message: "must be a valid email address"},
			{Field: "age", Source: "json", Rule: "lte", Message: "must be at most 150"},
			{Field: "address.city", Source: "json", Rule: "required", Message: "is required"},
			{Field: "address.zip", Source: "json", Rule: "len", Message: "must be exactly 5 characters long"},
			{Field: "items[0].sku", Source: "json", Rule: "required", Message: "is required"},
			{Field: "items[0].qty", Source: "json", Rule: "min", Message: "must be at least 1"},
		}, p.Errors)
	})
	t.Run("a value that does not convert is 400 naming its source", func(t *testing.T) {
		res := tc.Do(jsonRequest("POST", "/users/1?page=two", `{"name":"Ada","email":"ada@example.com","address":{"city":"L","zip":"12345"}}`))
		require.Equal(t, 400, res.Code)
		p := decodeProblem(t, res)
		assert.Equal(t, []flagon.FieldError{{Field: "page", Source: "query", Rule: "type", Message: "must be a whole number"}}, p.Errors)
	})
	t.Run("a JSON value of the wrong type is 400 naming its JSON path", func(t *testing.T) {
		res := tc.Do(jsonRequest("POST", "/users/1", `{"name":"Ada","address":{"city":5}}`))
		require.Equal(t, 400, res.Code)
		p := decodeProblem(t, res)
		require.Len(t, p.Errors, 1)
		assert.Equal(t, flagon.FieldError{Field: "address.city", Source: "json", Rule: "type", Message: "must be a string, not number"}, p.Errors[0])
	})
}

func TestBindSourceFieldsAreOutOfTheBodysReach(t *testing.T) {
	type in struct {
		UserID int    `header:"X-User"`
		Role   string `query:"role"`
		Name   string `json:"name"`
	}
	tc := bindApp(t, "/", func(c *flagon.Context) (any, error) { return flagon.Bind[in](c) })
	res := tc.Do(jsonRequest("POST", "/", `{"UserID":1,"userid":2,"Role":"admin","name":"x"}`))
	require.Equal(t, 200, res.Code, res.Text())
	var got in
	require.NoError(t, res.JSON(&got))
	assert.Equal(t, in{Name: "x"}, got, "a field tagged header or query is not set from JSON keys matching its Go name")
}

func TestBindKeepsWhatTheBodyCannotReach(t *testing.T) {
	type in struct {
		Tenant string `header:"X-Tenant"`
		Name   string `json:"name"`
	}
	app := quietApp()
	app.Post("/", func(c *flagon.Context) error {
		v := in{Tenant: "preset"}
		if err := c.Bind(&v); err != nil {
			return err
		}
		return c.Text(200, v.Tenant+" "+v.Name)
	})
	res := app.TestClient().Do(jsonRequest("POST", "/", `{"Tenant":"forged","name":"n"}`))
	assert.Equal(t, "preset n", res.Text(), "a value set before Bind survives a body naming the field")
}

func BenchmarkBindJSON(b *testing.B) {
	type in struct {
		Page  int    `query:"page" default:"1"`
		Name  string `json:"name" validate:"required"`
		Email string `json:"email" validate:"required,email"`
		Age   int    `json:"age" validate:"gte=0"`
	}
	app := flagon.New()
	app.Post("/", func(c *flagon.Context) error {
		var v in
		if err := c.Bind(&v); err != nil {
			return err
		}
		return c.NoContent(204)
	})
	body := []byte(`{"name":"Ada","email":"ada@example.com","age":36}`)
	req := httptest.NewRequest("POST", "/?page=2", nil)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = int64(len(body))
	rd := bytes.NewReader(body)
	rc := io.NopCloser(rd)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		req.Body = rc
		app.ServeHTTP(w, req)
	}
}

func TestBindTypes(t *testing.T) {
	type in struct {
		S   string        `query:"s"`
		I8  int8          `query:"i8"`
		I16 int16         `query:"i16"`
		I32 int32         `query:"i32"`
		I64 int64         `query:"i64"`
		U   uint          `query:"u"`
		U8  uint8         `query:"u8"`
		U64 uint64        `query:"u64"`
		F32 float32       `query:"f32"`
		F64 float64       `query:"f64"`
		B   bool          `query:"b"`
		T   time.Time     `query:"t"`
		D   time.Duration `query:"d"`
		P   *int          `query:"p"`
		PS  *string       `query:"ps"`
		IDs []int         `query:"id"`
		IP  netip.Addr    `query:"ip"`
		Def []string      `query:"def" default:"a,b"`
	}
	tc := bindApp(t, "/", func(c *flagon.Context) (any, error) { return flagon.Bind[in](c) })

	t.Run("every supported type converts from a string", func(t *testing.T) {
		res := tc.Get("/?s=x&i8=-8&i16=16&i32=32&i64=64&u=1&u8=255&u64=18446744073709551615&f32=1.5&f64=-2.25&b=true&t=2025-01-31T15:04:05Z&d=1h30m&p=5&ps=&id=1&id=2&ip=10.0.0.1")
		require.Equal(t, 200, res.Code, res.Text())
		var got in
		require.NoError(t, res.JSON(&got))
		five, empty := 5, ""
		assert.Equal(t, in{S: "x", I8: -8, I16: 16, I32: 32, I64: 64, U: 1, U8: 255, U64: 18446744073709551615, F32: 1.5, F64: -2.25, B: true,
			T: time.Date(2025, 1, 31, 15, 4, 5, 0, time.UTC), D: 90 * time.Minute, P: &five, PS: &empty, IDs: []int{1, 2},
			IP: netip.MustParseAddr("10.0.0.1"), Def: []string{"a", "b"}}, got)
	})
	t.Run("absent values leave pointers nil and empty numbers count as absent", func(t *testing.T) {
		res := tc.Get("/?p=&i8=")
		require.Equal(t, 200, res.Code, res.Text())
		var got in
		require.NoError(t, res.JSON(&got))
		assert.Nil(t, got.P)
		assert.Nil(t, got.PS)
		assert.Zero(t, got.I8)
	})
	t.Run("values that do not convert are 400 with one entry per field", func(t *testing.T) {
		res := tc.Get("/?i8=128&u=-1&f64=x&b=maybe&t=yesterday&d=soon&id=1&id=x&ip=300.1.1.1")
		require.Equal(t, 400, res.Code)
		p := decodeProblem(t, res)
		got := map[string]string{}
		for _, e := range p.Errors {
			assert.Equal(t, "query", e.Source)
			assert.Equal(t, "type", e.Rule)
			got[e.Field] = e.Message
		}
		assert.Equal(t, map[string]string{
			"i8":  "must be a whole number from -128 to 127",
			"u":   "must be a whole number, 0 or more",
			"f64": "must be a number",
			"b":   "must be true or false",
			"t":   "must be an RFC 3339 time, such as 2025-01-31T15:04:05Z",
			"d":   "must be a duration, such as 90s or 1h30m",
			"id":  "must be a whole number",
			"ip":  `is not valid: ParseAddr("300.1.1.1"): IPv4 field has value >255`,
		}, got)
	})
}

func TestBindBodies(t *testing.T) {
	type in struct {
		Name string   `json:"name" xml:"name" form:"name" validate:"required"`
		Tags []string `json:"tags" xml:"tag" form:"tag"`
	}
	tc := bindApp(t, "/", func(c *flagon.Context) (any, error) { return flagon.Bind[in](c) })
	want := in{Name: "n", Tags: []string{"a", "b"}}
	for _, tt := range []struct {
		name, ct, body string
	}{
		{"a JSON body is read by its json tags", "application/json", `{"name":"n","tags":["a","b"]}`},
		{"a +json media type is JSON", "application/vnd.api+json; charset=utf-8", `{"name":"n","tags":["a","b"]}`},
		{"an XML body is read by its xml tags", "application/xml", `<in><name>n</name><tag>a</tag><tag>b</tag></in>`},
		{"a urlencoded form is read by its form tags", "application/x-www-form-urlencoded", `name=n&tag=a&tag=b`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := tc.Post("/", tt.ct, strings.NewReader(tt.body))
			require.Equal(t, 200, res.Code, res.Text())
			var got in
			require.NoError(t, res.JSON(&got))
			assert.Equal(t, want, got)
		})
	}
	for _, tt := range []struct {
		name, ct, body string
		code           int
		rule           string
	}{
		{"an unsupported media type is 415", "text/plain", "name=n", 415, "content-type"},
		{"a body without a Content-Type is 400", "", `{"name":"n"}`, 400, "content-type"},
		{"malformed XML is 400", "application/xml", `<in><name>n</nam></in>`, 400, "syntax"},
		{"a malformed form is 400", "application/x-www-form-urlencoded", `name=%zz`, 400, "syntax"},
		{"a missing required field is 422", "application/json", `{"tags":[]}`, 422, "required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := tc.Post("/", tt.ct, strings.NewReader(tt.body))
			require.Equal(t, tt.code, res.Code, res.Text())
			p := decodeProblem(t, res)
			require.NotEmpty(t, p.Errors)
			assert.Equal(t, tt.rule, p.Errors[0].Rule)
		})
	}
	t.Run("no body binds the other sources and validates", func(t *testing.T) {
		res := tc.Get("/")
		require.Equal(t, 422, res.Code)
		p := decodeProblem(t, res)
		assert.Equal(t, []flagon.FieldError{{Field: "name", Source: "json", Rule: "required", Message: "is required"}}, p.Errors)
	})
}

func TestBindOneSource(t *testing.T) {
	type in struct {
		Q    string `query:"q" validate:"required"`
		F    string `form:"f"`
		Name string `json:"name"`
	}
	t.Run("BindJSON reads the JSON body only and needs one", func(t *testing.T) {
		tc := bindApp(t, "/", func(c *flagon.Context) (any, error) {
			var m map[string]any
			return m, c.BindJSON(&m)
		})
		res := tc.Post("/?q=1", "application/json", strings.NewReader(`{"a":[1,2]}`))
		require.Equal(t, 200, res.Code, res.Text())
		assert.JSONEq(t, `{"a":[1,2]}`, res.Text())

		res = tc.Post("/", "application/x-www-form-urlencoded", strings.NewReader(`a=1`))
		require.Equal(t, 400, res.Code)
		assert.Equal(t, "content-type", decodeProblem(t, res).Errors[0].Rule)

		res = tc.Post("/", "application/json", nil)
		require.Equal(t, 400, res.Code)
		assert.Equal(t, "missing", decodeProblem(t, res).Errors[0].Rule)
	})
	t.Run("BindQuery reads the query only", func(t *testing.T) {
		tc := bindApp(t, "/", func(c *flagon.Context) (any, error) {
			var v in
			return v, c.BindQuery(&v)
		})
		res := tc.Post("/?q=x", "application/json", strings.NewReader(`{"name":"n"}`))
		require.Equal(t, 200, res.Code, res.Text())
		assert.JSONEq(t, `{"Q":"x","F":"","name":""}`, res.Text())
		res = tc.Get("/")
		require.Equal(t, 422, res.Code)
		assert.Equal(t, flagon.FieldError{Field: "q", Source: "query", Rule: "required", Message: "is required"}, decodeProblem(t, res).Errors[0])
	})
	t.Run("BindForm reads the body form only and refuses another body", func(t *testing.T) {
		type in struct {
			Q    string `query:"q"`
			F    string `form:"f"`
			Name string `json:"name"`
		}
		tc := bindApp(t, "/", func(c *flagon.Context) (any, error) {
			var v in
			return v, c.BindForm(&v)
		})
		res := tc.Post("/?q=x", "application/x-www-form-urlencoded", strings.NewReader(`f=y&q=z`))
		require.Equal(t, 200, res.Code, res.Text())
		assert.JSONEq(t, `{"Q":"","F":"y","name":""}`, res.Text())

		res = tc.Post("/", "application/json", strings.NewReader(`{}`))
		require.Equal(t, 400, res.Code)
		assert.Equal(t, "content-type", decodeProblem(t, res).Errors[0].Rule)
	})
}

func TestBindMistakesAreServerErrors(t *testing.T) {
	type badType struct {
		C chan int `query:"c"`
	}
	type badDefault struct {
		N int `query:"n" default:"many"`
	}
	type structUnderQuery struct {
		P *struct{} `query:"p"`
	}
	type fileWithoutForm struct {
		F *multipart.FileHeader `json:"f"`
	}
	for _, tt := range []struct {
		name string
		bind func(c *flagon.Context) error
		want string
	}{
		{"a non-pointer is a mistake", func(c *flagon.Context) error { return c.Bind(signup{}) }, "non-nil pointer"},
		{"a pointer to a non-struct is a mistake", func(c *flagon.Context) error { var n int; return c.Bind(&n) }, "pointer to a struct"},
		{"a field type strings cannot fill is a mistake", func(c *flagon.Context) error { return c.Bind(&badType{}) }, "cannot be read from a string"},
		{"a default that does not convert is a mistake", func(c *flagon.Context) error { return c.Bind(&badDefault{}) }, `default "many"`},
		{"a struct pointer under a query tag is a mistake", func(c *flagon.Context) error { return c.Bind(&structUnderQuery{}) }, "cannot be read from a string"},
		{"an upload field without a form tag is a mistake", func(c *flagon.Context) error { return c.Bind(&fileWithoutForm{}) }, "holds uploads"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := quietApp()
			var got error
			app.Get("/", func(c *flagon.Context) error { got = tt.bind(c); return got })
			res := app.TestClient().Get("/")
			assert.Equal(t, 500, res.Code)
			require.Error(t, got)
			assert.Contains(t, got.Error(), tt.want)
			assert.True(t, strings.HasPrefix(got.Error(), "flagon: "))
		})
	}
}

func TestBindErrorRendering(t *testing.T) {
	type in struct {
		Email string `form:"email" validate:"required,email"`
	}
	app := quietApp()
	app.Post("/", func(c *flagon.Context) error {
		var v in
		return c.Bind(&v)
	})
	custom := quietApp()
	custom.Post("/", func(c *flagon.Context) error {
		var v in
		return c.Bind(&v)
	})
	flagon.HandleError(custom, func(c *flagon.Context, err *flagon.BindError) error {
		return c.JSON(err.Code, flagon.M{"fields": len(err.Fields), "first": err.Fields[0].Field})
	})
	form := func(accept string) *http.Request {
		req := httptest.NewRequest("POST", "/", strings.NewReader("email=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		return req
	}
	t.Run("a client without an Accept header gets problem+json", func(t *testing.T) {
		res := app.TestClient().Do(form(""))
		require.Equal(t, 422, res.Code)
		assert.JSONEq(t, `{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"1 field is invalid.",
			"errors":[{"field":"email","source":"form","rule":"email","message":"must be a valid email address"}]}`, res.Text())
	})
	t.Run("a browser gets an HTML page listing the fields", func(t *testing.T) {
		res := app.TestClient().Do(form("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"))
		require.Equal(t, 422, res.Code)
		assert.Contains(t, res.Header.Get("Content-Type"), "text/html")
		assert.Contains(t, res.Text(), "<code>email</code> must be a valid email address")
	})
	t.Run("HandleError renders a BindError the app's way", func(t *testing.T) {
		res := custom.TestClient().Do(form(""))
		require.Equal(t, 422, res.Code)
		assert.JSONEq(t, `{"fields":1,"first":"email"}`, res.Text())
	})
	t.Run("Error lists the fields", func(t *testing.T) {
		e := &flagon.BindError{Code: 422, Fields: []flagon.FieldError{{Field: "a", Message: "is required"}, {Field: "b", Message: "must be a number"}}}
		assert.Equal(t, "flagon: bind: 422 Unprocessable Entity: a: is required; b: must be a number", e.Error())
		assert.Equal(t, 422, e.StatusCode())
	})
}

func TestValidatorCustomRules(t *testing.T) {
	type in struct {
		Color string `query:"color" validate:"required,color"`
	}
	app := quietApp()
	require.NoError(t, app.Validator().RegisterValidation("color", func(fl validator.FieldLevel) bool {
		return fl.Field().String() == "red" || fl.Field().String() == "blue"
	}))
	assert.Same(t, app.Validator(), app.Validator(), "one validator per app")
	app.Get("/", func(c *flagon.Context) error {
		v, err := flagon.Bind[in](c)
		if err != nil {
			return err
		}
		return c.Text(200, v.Color)
	})
	tc := app.TestClient()
	assert.Equal(t, "red", tc.Get("/?color=red").Text())
	res := tc.Get("/?color=green")
	require.Equal(t, 422, res.Code)
	assert.Equal(t, flagon.FieldError{Field: "color", Source: "query", Rule: "color", Message: "must satisfy color"}, decodeProblem(t, res).Errors[0])
}

func TestBindHeadersAndCookies(t *testing.T) {
	type in struct {
		Host    string   `header:"host"`
		Lang    []string `header:"accept-language"`
		Trace   *string  `header:"X-Trace"`
		Prefs   []string `cookie:"pref"`
		Session string   `cookie:"sid" default:"anon"`
	}
	tc := bindApp(t, "/", func(c *flagon.Context) (any, error) { return flagon.Bind[in](c) })
	req := httptest.NewRequest("GET", "http://example.com/", nil)
	req.Header.Add("Accept-Language", "fr")
	req.Header.Add("Accept-Language", "en")
	req.AddCookie(&http.Cookie{Name: "pref", Value: "a"})
	req.AddCookie(&http.Cookie{Name: "pref", Value: "b"})
	res := tc.Do(req)
	require.Equal(t, 200, res.Code, res.Text())
	var got in
	require.NoError(t, res.JSON(&got))
	assert.Equal(t, in{Host: "example.com", Lang: []string{"fr", "en"}, Prefs: []string{"a", "b"}, Session: "anon"}, got,
		"header names match in any case, Host included; repeated headers and cookies fill slices")
}

func TestBindEmbeddedStructs(t *testing.T) {
	type Paging struct {
		Page int `query:"page" default:"1"`
		Per  int `query:"per" default:"20" validate:"max=100"`
	}
	type in struct {
		Paging
		Q string `query:"q"`
	}
	tc := bindApp(t, "/", func(c *flagon.Context) (any, error) { return flagon.Bind[in](c) })
	res := tc.Get("/?q=go&page=2")
	require.Equal(t, 200, res.Code, res.Text())
	assert.JSONEq(t, `{"Page":2,"Per":20,"Q":"go"}`, res.Text())
	res = tc.Get("/?per=500")
	require.Equal(t, 422, res.Code)
	assert.Equal(t, flagon.FieldError{Field: "per", Source: "query", Rule: "max", Message: "must be at most 100"}, decodeProblem(t, res).Errors[0])
}

func TestBindPlanIsSafeConcurrently(t *testing.T) {
	type in struct {
		N int `query:"n" validate:"min=1"`
	}
	app := quietApp()
	app.Get("/", func(c *flagon.Context) error {
		v, err := flagon.Bind[in](c)
		if err != nil {
			return err
		}
		return c.Text(200, fmt.Sprint(v.N))
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			res, err := http.Get(srv.URL + "/?n=" + url.QueryEscape(fmt.Sprint(i+1)))
			if err == nil {
				var b bytes.Buffer
				_, _ = b.ReadFrom(res.Body)
				res.Body.Close()
				if b.String() != fmt.Sprint(i+1) {
					err = fmt.Errorf("got %q", b.String())
				}
			}
			errs <- err
		}()
	}
	for range 16 {
		assert.NoError(t, <-errs)
	}
}

func TestBindPathVariables(t *testing.T) {
	type in struct {
		N   int      `path:"v"`
		All []string `path:"v"`
	}
	tc := bindApp(t, "/p/<v>", func(c *flagon.Context) (any, error) { return flagon.Bind[in](c) })
	res := tc.Get("/p/5")
	require.Equal(t, 200, res.Code, res.Text())
	assert.JSONEq(t, `{"N":5,"All":["5"]}`, res.Text())
	res = tc.Get("/p/five")
	require.Equal(t, 400, res.Code)
	assert.Equal(t, []flagon.FieldError{{Field: "v", Source: "path", Rule: "type", Message: "must be a whole number"}}, decodeProblem(t, res).Errors)
}

func TestBindAFormBodyToAJSONOnlyStructIs415NamingJSON(t *testing.T) {
	type signup struct {
		Email string `json:"email" validate:"required,email"`
		Name  string `json:"name" validate:"required"`
		Page  int    `query:"page"`
	}
	tc := bindApp(t, "/", func(c *flagon.Context) (any, error) { return flagon.Bind[signup](c) })

	res := tc.Post("/", "application/x-www-form-urlencoded", strings.NewReader(`{"email":"a@b.c","name":"ada"}`))
	require.Equal(t, 415, res.Code, res.Text())
	p := decodeProblem(t, res)
	require.Len(t, p.Errors, 1, "one error about the media type, not one per field")
	assert.Equal(t, "content-type", p.Errors[0].Rule)
	assert.Equal(t, "The request body must be application/json, not application/x-www-form-urlencoded.", p.Errors[0].Message)

	res = tc.Post("/", "application/json", strings.NewReader(`{"email":"a@b.c","name":"ada"}`))
	assert.Equal(t, 200, res.Code, "the JSON it reads is still read")

	t.Run("a struct with form fields still reads forms", func(t *testing.T) {
		type login struct {
			User string `form:"user" json:"user" validate:"required"`
		}
		tc := bindApp(t, "/", func(c *flagon.Context) (any, error) { return flagon.Bind[login](c) })
		res := tc.PostForm("/", url.Values{"user": {"ada"}})
		assert.Equal(t, 200, res.Code, res.Text())
	})
	t.Run("an XML-only struct names XML", func(t *testing.T) {
		type doc struct {
			Title string `xml:"title"`
		}
		tc := bindApp(t, "/", func(c *flagon.Context) (any, error) { return flagon.Bind[doc](c) })
		res := tc.Post("/", "multipart/form-data; boundary=x", strings.NewReader("--x--\r\n"))
		require.Equal(t, 415, res.Code, res.Text())
		assert.Contains(t, decodeProblem(t, res).Errors[0].Message, "must be application/xml")
	})
}
