package flagon

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFramesAreSortedByWhoseCodeTheyAre(t *testing.T) {
	for _, tt := range []struct{ fn, file, pkg, kind string }{
		{"main.updateUser", "", "main", kindApp},
		{"main.main.func1", "", "main", kindApp},
		{"github.com/flagon-go/flagon.(*App).ServeHTTP", "", "github.com/flagon-go/flagon", kindFramework},
		{"github.com/flagon-go/flagon/middleware.CORS.func1", "", "github.com/flagon-go/flagon/middleware", kindFramework},
		{"github.com/flagon-go/flagon/examples/site.newApp", "", "github.com/flagon-go/flagon/examples/site", kindApp},
		{"github.com/flagon-go/flagon_test.TestX.func1", "", "github.com/flagon-go/flagon_test", kindApp},
		{"net/http.HandlerFunc.ServeHTTP", "", "net/http", kindStdlib},
		{"runtime.gopanic", "", "runtime", kindStdlib},
		{"github.com/go-playground/validator/v10.(*Validate).Struct", "/root/go/pkg/mod/github.com/go-playground/validator/v10@v10.30.6/validator_instance.go", "github.com/go-playground/validator/v10", kindLibrary},
		{"example.com/shop/handlers.Show[...]", "", "example.com/shop/handlers", kindApp},
	} {
		t.Run(tt.fn, func(t *testing.T) {
			assert.Equal(t, tt.pkg, funcPackage(tt.fn))
			assert.Equal(t, tt.kind, frameKind(funcPackage(tt.fn), tt.file))
		})
	}
}

func TestReplayNames(t *testing.T) {
	assert.Equal(t, "TestReplayUsersShow", testName("users.show"))
	assert.Equal(t, "TestReplayUpdateUser", testName("updateUser"))
	assert.Equal(t, "TestReplayRequest", testName(""))
	assert.Equal(t, "handlers", packageName("example.com/shop/handlers.Show"))
	assert.Equal(t, "main", packageName("main.updateUser"))
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
}
