package flagon_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/examples/api/catalog"
	"github.com/flagon-go/flagon/internal/browsertest"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openapiProbe shows the documentation page in a same-origin frame, waits
// until Swagger UI has drawn as many operations as the document has (or
// 15 s of the browser's virtual time have passed), and writes what each
// operation block shows into #out.
const openapiProbe = `<!doctype html>
<div id="out">pending</div>
<script>
(async () => {
  const seen = {};
  try {
    const doc = await (await fetch("/openapi.json")).json();
    let want = 0;
    for (const item of Object.values(doc.paths)) want += Object.keys(item).length;
    const f = document.createElement("iframe");
    f.width = 1200; f.height = 900;
    const loaded = new Promise(r => f.onload = r);
    f.src = "/docs";
    document.body.append(f);
    await loaded;
    const d = f.contentDocument;
    seen.title = d.title;
    await new Promise(resolve => {
      const done = () => d.querySelectorAll(".opblock").length >= want;
      if (done()) return resolve();
      new MutationObserver(() => done() && resolve()).observe(d.body, {childList: true, subtree: true});
      setTimeout(resolve, 15000);
    });
    seen.blocks = [...d.querySelectorAll(".opblock")].map(b => ({
      method: b.querySelector(".opblock-summary-method").textContent,
      path: b.querySelector(".opblock-summary-path").dataset.path,
      summary: (b.querySelector(".opblock-summary-description") || {textContent: ""}).textContent,
    }));
    seen.info = (d.querySelector(".info .title") || {textContent: ""}).textContent;
  } catch (e) {
    seen.error = String(e && e.stack || e);
  }
  document.getElementById("out").textContent = JSON.stringify(seen);
})();
</script>`

type openapiBlock struct {
	Method, Path, Summary string
}

// The documentation page of examples/api, with Swagger UI served by the
// app from the swagger-ui-dist package .ci/run installs, shown in a real
// browser: every operation of the document is drawn, with its method,
// path and summary; also under a nonce Content-Security-Policy.
func TestOpenAPIPageInARealBrowser(t *testing.T) {
	chromium := browsertest.Chromium(t)
	dist := swaggerUIPackage(t)
	for _, tc := range []struct {
		name string
		csp  string
	}{
		{"without a Content-Security-Policy", ""},
		{"under a nonce Content-Security-Policy (middleware.SecureHeaders)", "script-src 'nonce-{nonce}' 'strict-dynamic'; object-src 'none'; base-uri 'none'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := catalog.New()
			if tc.csp != "" {
				app.Use(middleware.SecureHeaders(middleware.SecureHeadersConfig{ContentSecurityPolicy: tc.csp}))
			}
			app.StaticFS("/docs/ui", os.DirFS(dist))
			app.Get("/docs", flagon.OpenAPIPage(flagon.OpenAPIPageConfig{AssetsURL: "/docs/ui"}))
			app.Get("/probe", func(c *flagon.Context) error {
				v, _ := c.Get(flagon.CSPNonceKey)
				nonce, _ := v.(string)
				return c.HTML(200, strings.Replace(openapiProbe, "<script>", `<script nonce="`+nonce+`">`, 1))
			})
			srv := httptest.NewServer(app)
			t.Cleanup(srv.Close)

			b, err := app.OpenAPI()
			require.NoError(t, err)
			var doc struct {
				Info  struct{ Title, Version string }
				Paths map[string]map[string]struct{ Summary string }
			}
			require.NoError(t, json.Unmarshal(b, &doc))
			var want []openapiBlock
			for path, item := range doc.Paths {
				for method, op := range item {
					want = append(want, openapiBlock{strings.ToUpper(method), path, op.Summary})
				}
			}
			require.GreaterOrEqual(t, len(want), 8, "the catalog's five book operations, its document, the page, its assets")

			var seen struct {
				Title, Info, Error string
				Blocks             []openapiBlock
			}
			browsertest.Results(t, chromium, srv.URL+"/probe", &seen)
			require.Empty(t, seen.Error)
			assert.Equal(t, "API documentation", seen.Title)
			require.Equal(t, "Book catalog", doc.Info.Title, "the catalog's Config.APITitle")
			assert.Contains(t, seen.Info, doc.Info.Title+" "+doc.Info.Version, "Swagger UI read the document's info")

			sortBlocks := func(bs []openapiBlock) {
				sort.Slice(bs, func(i, j int) bool { return bs[i].Path+" "+bs[i].Method < bs[j].Path+" "+bs[j].Method })
			}
			sortBlocks(want)
			sortBlocks(seen.Blocks)
			assert.Equal(t, want, seen.Blocks, "one block per operation, with its method, path and summary")
			assert.Contains(t, seen.Blocks, openapiBlock{"POST", "/api/books/", "Add a book"})
		})
	}
}
