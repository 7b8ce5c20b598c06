package flagon

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fill sets every field reachable from v, exported or not, to a value other
// than its zero value, so a test can see which ones a reset clears.
func fill(t *testing.T, v reflect.Value) {
	t.Helper()
	if !v.CanSet() {
		v = reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.String:
		v.SetString("stale")
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		m.SetMapIndex(reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem())
		v.Set(m)
	case reflect.Interface:
		for _, x := range []any{errors.New("stale"), httptest.NewRecorder(), io.NopCloser(strings.NewReader("stale"))} {
			if reflect.TypeOf(x).Implements(v.Type()) {
				v.Set(reflect.ValueOf(x))
				return
			}
		}
		t.Fatalf("fill: no value for interface %s", v.Type())
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(t, v.Index(i))
		}
	default:
		t.Fatalf("fill: kind %s not handled", v.Kind())
	}
}

// TestResetClearsEveryField fills every field of a pooled Context, the rare
// state included, and checks that recycling and resetting it leaves nothing
// of that request behind: a field added later that they forget fails here.
func TestResetClearsEveryField(t *testing.T) {
	a := New()
	a.Get("/", func(c *Context) error { return nil })
	a.freeze()
	c := a.newContext()
	fill(t, reflect.ValueOf(c).Elem())
	fill(t, reflect.ValueOf(c.x).Elem())
	c.spare = c.x // the rare state in use is the pooled storage
	spare, keys, params := c.spare, c.keys, c.params
	require.NotEmpty(t, keys)

	w, r := httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)
	c.app = a
	c.clearUsed() // what recycle does before the Context goes back to the pool
	c.reset(w, r)

	assert.Same(t, r, c.Request)
	assert.Same(t, &c.resp, c.Response)
	assert.Same(t, a, c.app)
	assert.Equal(t, reflect.ValueOf(keys).Pointer(), reflect.ValueOf(c.keys).Pointer(), "the g map is kept")
	assert.Empty(t, c.keys, "and emptied")
	assert.Equal(t, unsafe.SliceData(params), unsafe.SliceData(c.params), "the params array is kept")
	assert.Empty(t, c.params, "and emptied")
	assert.Same(t, spare, c.spare, "the rare state's storage is kept")
	assert.True(t, reflect.ValueOf(*c.spare).IsZero(), "and cleared: %+v", *c.spare)
	assert.Nil(t, c.x)
	assert.Equal(t, a.appScopes, c.scopes())
	assert.Equal(t, a.appHooks, c.hooks())
	assert.Equal(t, http.ResponseWriter(w), c.resp.w)
	assert.Same(t, c, c.resp.c)
	assert.Equal(t, http.StatusOK, c.resp.status)

	carried := map[string]bool{"Request": true, "Response": true, "app": true, "keys": true, "params": true,
		"spare": true, "resp": true}
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		if name := v.Type().Field(i).Name; !carried[name] {
			assert.True(t, v.Field(i).IsZero(), "Context.%s survives reset", name)
		}
	}
	rv := reflect.ValueOf(c.resp)
	for i := range rv.NumField() {
		if name := rv.Type().Field(i).Name; name != "w" && name != "c" && name != "status" {
			assert.True(t, rv.Field(i).IsZero(), "Response.%s survives reset", name)
		}
	}
}

// TestRareStateReadsNeverWrite serves requests that use every part of the
// rare state, then checks that the shared zero state readers get (none) is
// still zero: a write through get instead of state would change it for
// every request.
func TestRareStateReadsNeverWrite(t *testing.T) {
	a := New()
	a.Config.SecretKey = "a-secret-key-for-the-tests-only-0123456789"
	a.Get("/all", func(c *Context) error {
		c.SetRequestID("id-1")
		_ = c.Query("q")
		_, _ = c.FormValues()
		c.Session().Set("n", 1)
		return Abort(http.StatusTeapot)
	})
	a.Post("/form", func(c *Context) error {
		_, err := c.FormFile("f")
		return err
	})
	srv := httptest.NewServer(a)
	defer srv.Close()
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/all?q=1", ""},
		{"GET", "/missing", ""},
		{"DELETE", "/all", ""},
		{"OPTIONS", "/all", ""},
		{"GET", "/all/", ""},
		{"POST", "/form", "f=1"},
	} {
		rq, err := http.NewRequest(req.method, srv.URL+req.path, strings.NewReader(req.body))
		require.NoError(t, err)
		rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := srv.Client().Do(rq)
		require.NoError(t, err)
		resp.Body.Close()
	}
	assert.True(t, reflect.ValueOf(none).IsZero(), "the shared zero state was written: %+v", none)
}
