package middleware_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
)

func TestBodyLimit(t *testing.T) {
	ran := 0
	read := func(c *flagon.Context) error {
		ran++
		b, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return err
		}
		return c.Text(200, fmt.Sprintf("got %d", len(b)))
	}
	app := quietApp()
	app.Post("/small", read).Use(middleware.BodyLimit(10))
	app.Post("/free", read)
	api := flagon.NewBlueprint("api")
	api.Use(middleware.BodyLimit(100))
	api.Post("/items", read)
	app.Register(api, "/api")
	srv := serve(t, app)

	chunked := func(n int) io.Reader { return io.MultiReader(strings.NewReader(strings.Repeat("x", n))) }
	cases := []struct {
		name    string
		path    string
		body    io.Reader
		code    int
		handled bool
	}{
		{"a declared length past a route's limit is 413 before the handler runs", "/small", bytes.NewReader(make([]byte, 11)), 413, false},
		{"a chunked body past a route's limit is 413 when read", "/small", chunked(1000), 413, true},
		{"a body within a route's limit is read", "/small", strings.NewReader("0123456789"), 200, true},
		{"a route without a limit reads it all", "/free", bytes.NewReader(make([]byte, 5000)), 200, true},
		{"a blueprint's limit applies to its routes", "/api/items", bytes.NewReader(make([]byte, 101)), 413, false},
		{"a blueprint's route reads a body within it", "/api/items", bytes.NewReader(make([]byte, 100)), 200, true},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			ran = 0
			res, body := do(t, "POST", srv.URL+tt.path, map[string]string{"Accept": "application/json"}, tt.body)
			assert.Equal(t, tt.code, res.StatusCode, body)
			assert.Equal(t, tt.handled, ran == 1)
			if tt.code == 413 {
				assert.Contains(t, body, `"status":413`)
			}
		})
	}
	t.Run("a limit that is not positive panics at once", func(t *testing.T) {
		assert.PanicsWithValue(t, "flagon: BodyLimit(0): the limit must be a positive number of bytes", func() { middleware.BodyLimit(0) })
	})
}
