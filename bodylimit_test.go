package flagon_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaxBodyBytes(t *testing.T) {
	ran := false
	app := quietApp()
	app.Config.MaxBodyBytes = 1024
	app.Post("/upload", func(c *flagon.Context) error {
		ran = true
		b, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return err
		}
		return c.Text(200, fmt.Sprintf("got %d", len(b)))
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	t.Run("a declared length past the limit is 413 without reading", func(t *testing.T) {
		ran = false
		res, err := http.Post(srv.URL+"/upload", "text/plain", bytes.NewReader(make([]byte, 2048)))
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 413, res.StatusCode)
		assert.False(t, ran, "the handler does not run")
	})
	t.Run("a chunked body past the limit is 413 when read", func(t *testing.T) {
		req, _ := http.NewRequest("POST", srv.URL+"/upload", io.MultiReader(strings.NewReader(strings.Repeat("x", 4096))))
		req.ContentLength = -1 // chunked
		req.Header.Set("Accept", "application/json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, 413, res.StatusCode)
		assert.Contains(t, string(body), `"status":413`)
	})
	t.Run("a body within the limit is read", func(t *testing.T) {
		res, err := http.Post(srv.URL+"/upload", "text/plain", strings.NewReader("hello"))
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "got 5", string(b))
	})
}
