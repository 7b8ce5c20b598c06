package flagon

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
)

// swaggerUI is the pinned release of swagger-ui-dist the page loads by
// default, and the sha384 of its two files as npm publishes them (the CDN
// serves the same bytes); TestOpenAPIPageHashesMatchThePinnedRelease
// recomputes them from the package .ci/run installs. Change all three
// together.
const (
	swaggerUIVersion   = "5.35.0"
	swaggerUIBundleSRI = "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9"
	swaggerUICSSSRI    = "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I"
	swaggerUICDN       = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@" + swaggerUIVersion
)

// OpenAPIPageConfig says where the page of OpenAPIPage finds the document
// and the Swagger UI files.
type OpenAPIPageConfig struct {
	// DocumentURL is the URL of the OpenAPI document, as the browser
	// fetches it; empty means "/openapi.json".
	DocumentURL string

	// AssetsURL is the URL of a folder holding swagger-ui-bundle.js and
	// swagger-ui.css, such as a folder the app serves with StaticFS for
	// offline use. Empty means the pinned swagger-ui-dist release on
	// cdn.jsdelivr.net, loaded with subresource-integrity hashes.
	AssetsURL string
}

// OpenAPIPage returns a handler that answers with an HTML page rendering
// the OpenAPI document at cfg.DocumentURL with Swagger UI: every operation,
// its parameters, bodies and answers, and a form to try it. The page is
// built once, here; it holds no JavaScript or CSS of its own beyond the
// few lines that start Swagger UI. When the request has a CSP nonce
// (c.Get(CSPNonceKey), set by middleware.SecureHeaders), both script tags
// carry it, so a nonce policy lets the page run. It panics, naming the call site, when
// either URL does not parse.
func OpenAPIPage(cfg OpenAPIPageConfig) HandlerFunc {
	doc, assets := cfg.DocumentURL, strings.TrimRight(cfg.AssetsURL, "/")
	if doc == "" {
		doc = "/openapi.json"
	}
	jsSRI, cssSRI := swaggerUIBundleSRI, swaggerUICSSSRI
	if assets == "" {
		assets = swaggerUICDN
	} else {
		jsSRI, cssSRI = "", "" // the app's own files, of whatever release it has
	}
	for _, u := range []string{doc, assets} {
		if _, err := url.Parse(u); err != nil {
			panic(fmt.Sprintf("flagon: OpenAPIPage: %q is not a usable URL (at %s)", u, callSite()))
		}
	}
	parts := openapiPageParts(doc, assets, jsSRI, cssSRI)
	plain := strings.Join(parts, "")
	return func(c *Context) error {
		v, _ := c.Get(CSPNonceKey)
		nonce, _ := v.(string)
		if nonce == "" {
			return c.HTML(http.StatusOK, plain)
		}
		return c.HTML(http.StatusOK, strings.Join(parts, ` nonce="`+html.EscapeString(nonce)+`"`))
	}
}

// openapiPageParts writes the page, cut where its two script tags take the
// request's CSP nonce (middleware.SecureHeaders), if it has one. The
// document's URL goes into the script as a JSON string, which encoding/json
// escapes for HTML (<, >, &).
func openapiPageParts(doc, assets, jsSRI, cssSRI string) []string {
	docJS, _ := json.Marshal(doc)
	attr := func(sri string) string {
		if sri == "" {
			return ""
		}
		return ` integrity="` + sri + `" crossorigin="anonymous"`
	}
	a := html.EscapeString(assets)
	return []string{`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API documentation</title>
<link rel="stylesheet" href="` + a + `/swagger-ui.css"` + attr(cssSRI) + `>
</head>
<body>
<div id="swagger-ui"></div>
<script`, ` src="` + a + `/swagger-ui-bundle.js"` + attr(jsSRI) + `></script>
<script`, `>
window.ui = SwaggerUIBundle({url: ` + string(docJS) + `, dom_id: "#swagger-ui", deepLinking: true});
</script>
</body>
</html>
`}
}
