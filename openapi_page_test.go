package flagon_test

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// swaggerUIDist is where .ci/run installs the swagger-ui-dist package
// (npm install --prefix testdata/npm), a folder git ignores.
const swaggerUIDist = "testdata/npm/node_modules/swagger-ui-dist"

// swaggerUIPackage returns the folder of the installed swagger-ui-dist.
// When it is missing, it fails the test under CI=true (.ci/run installs
// it) and skips it elsewhere, saying how to install it.
func swaggerUIPackage(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(swaggerUIDist, "swagger-ui-bundle.js")); err != nil {
		const install = "npm install --no-save --ignore-scripts --prefix testdata/npm swagger-ui-dist@<the version in .ci/run>"
		if os.Getenv("CI") == "true" {
			t.Fatalf("swagger-ui-dist is not installed: under CI=true it is required (.ci/run runs %s)", install)
		}
		t.Skipf("swagger-ui-dist is not installed (%s); CI runs this test", install)
	}
	return swaggerUIDist
}

// getPage serves h at /docs over real HTTP and returns the body of GET /docs.
func getPage(t *testing.T, h flagon.HandlerFunc) (*http.Response, string) {
	t.Helper()
	app := flagon.New()
	app.Get("/docs", h)
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	res, err := http.Get(srv.URL + "/docs")
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

var (
	assetRE   = regexp.MustCompile(`(?:src|href)="([^"]+)/(swagger-ui-bundle\.js|swagger-ui\.css)"( integrity="([^"]+)" crossorigin="anonymous")?`)
	versionRE = regexp.MustCompile(`swagger-ui-dist@([0-9.]+)$`)
)

func TestOpenAPIPage(t *testing.T) {
	t.Run("by default it loads the pinned Swagger UI from the CDN with integrity hashes", func(t *testing.T) {
		res, body := getPage(t, flagon.OpenAPIPage(flagon.OpenAPIPageConfig{}))
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		assets := assetRE.FindAllStringSubmatch(body, -1)
		require.Len(t, assets, 2, body)
		for _, a := range assets {
			assert.Regexp(t, `^https://cdn\.jsdelivr\.net/npm/swagger-ui-dist@[0-9]+\.[0-9]+\.[0-9]+$`, a[1])
			assert.Regexp(t, `^sha384-[A-Za-z0-9+/]{64}$`, a[4], a[2])
		}
		assert.Contains(t, body, `url: "/openapi.json"`)
		assert.Contains(t, body, `<div id="swagger-ui"></div>`)
	})
	t.Run("pointed at the app's own assets it loads them from there, without hashes", func(t *testing.T) {
		_, body := getPage(t, flagon.OpenAPIPage(flagon.OpenAPIPageConfig{DocumentURL: "/api/spec.json", AssetsURL: "/docs/ui/"}))
		assets := assetRE.FindAllStringSubmatch(body, -1)
		require.Len(t, assets, 2, body)
		for _, a := range assets {
			assert.Equal(t, "/docs/ui", a[1])
			assert.Empty(t, a[3], "no integrity attribute for %s", a[2])
		}
		assert.Contains(t, body, `url: "/api/spec.json"`)
		assert.NotContains(t, body, "cdn.jsdelivr.net")
	})
	t.Run("the URLs cannot break out of the script or the attributes", func(t *testing.T) {
		_, body := getPage(t, flagon.OpenAPIPage(flagon.OpenAPIPageConfig{
			DocumentURL: `/spec.json?x=</script><script>alert(1)</script>"`,
			AssetsURL:   `/ui"><script>alert(2)</script>`,
		}))
		assert.NotContains(t, body, "<script>alert")
		assert.Contains(t, body, `\u003c/script\u003e`)
		assert.Contains(t, body, `href="/ui&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;/swagger-ui.css"`)
	})
	t.Run("under SecureHeaders' nonce policy both script tags carry the request's nonce", func(t *testing.T) {
		app := flagon.New()
		app.Use(middleware.SecureHeaders(middleware.SecureHeadersConfig{ContentSecurityPolicy: "script-src 'nonce-{nonce}'"}))
		app.Get("/docs", flagon.OpenAPIPage(flagon.OpenAPIPageConfig{}))
		srv := httptest.NewServer(app)
		t.Cleanup(srv.Close)
		res, err := http.Get(srv.URL + "/docs")
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		m := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(res.Header.Get("Content-Security-Policy"))
		require.NotNil(t, m)
		assert.Equal(t, 2, strings.Count(string(b), `<script nonce="`+m[1]+`"`), string(b))
		assert.Equal(t, 2, strings.Count(string(b), "<script"))
	})
	t.Run("a URL that does not parse panics, naming the call site", func(t *testing.T) {
		defer func() {
			msg, _ := recover().(string)
			assert.Regexp(t, `^flagon: OpenAPIPage: "%zz" is not a usable URL \(at .*openapi_page_test\.go:[0-9]+\)$`, msg)
		}()
		flagon.OpenAPIPage(flagon.OpenAPIPageConfig{DocumentURL: "%zz"})
	})
}

// The hashes and version the page pins are those of the files npm
// publishes for that release, which .ci/run installs: a version bump
// without new hashes (or the reverse) fails here, not in users' browsers.
func TestOpenAPIPageHashesMatchThePinnedRelease(t *testing.T) {
	dir := swaggerUIPackage(t)
	var pkg struct{ Version string }
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &pkg))

	_, body := getPage(t, flagon.OpenAPIPage(flagon.OpenAPIPageConfig{}))
	assets := assetRE.FindAllStringSubmatch(body, -1)
	require.Len(t, assets, 2, body)
	for _, a := range assets {
		m := versionRE.FindStringSubmatch(a[1])
		require.NotNil(t, m, a[1])
		assert.Equal(t, pkg.Version, m[1], "the installed package is the pinned release (.ci/run and openapi_page.go agree)")
		f, err := os.ReadFile(filepath.Join(dir, a[2]))
		require.NoError(t, err)
		sum := sha512.Sum384(f)
		assert.Equal(t, "sha384-"+base64.StdEncoding.EncodeToString(sum[:]), a[4], a[2])
	}
}
