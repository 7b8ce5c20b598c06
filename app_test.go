package flagon

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHelloOverTestClient(t *testing.T) {
	app := New()
	app.Get("/", func(c *Context) error { return c.Text(200, "Hello, World!") })
	res := app.TestClient().Get("/")
	require.Equal(t, 200, res.Code)
	assert.Equal(t, "Hello, World!", res.Text())
}
