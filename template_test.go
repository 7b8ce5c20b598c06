package flagon_test

import (
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, src := range files {
		m[name] = &fstest.MapFile{Data: []byte(src), ModTime: time.Unix(1700000000, 0)}
	}
	return m
}

// site is a small template folder: a layout with blocks, two pages that
// fill them (one leaves the sidebar to the layout's default), a partial
// and a file of macros.
var site = map[string]string{
	"base.html": `<title>{{block "title" .}}Site{{end}}</title>` +
		`<nav>{{template "nav.html" .}}</nav>` +
		`<aside>{{block "sidebar" .}}default sidebar{{end}}</aside>` +
		`<main>{{block "content" .}}{{end}}</main>`,
	"nav.html":    `<a href="{{url_for "index"}}">home</a>`,
	"macros.html": `{{define "badge"}}<span class="badge">{{.}}</span>{{end}}`,
	"index.html": `{{template "base.html" .}}` +
		`{{define "title"}}Home{{end}}` +
		`{{define "sidebar"}}home sidebar{{end}}` +
		`{{define "content"}}Hello {{.Name}} {{template "badge" "new"}}{{end}}`,
	"user/show.html": `{{template "base.html" .}}{{define "content"}}User {{.Name}}{{end}}`,
	"helpers.html":   `css={{static "app.css"}} user={{url_for "user" "id" 7 "tab" "a b"}} nonce={{csp_nonce}} shout={{shout "hi"}}`,
	"flash.html":     `{{range flashes}}[{{.Category}}:{{.Message}}]{{end}}`,
	"csrf.html":      `<input name="csrf_token" value="{{csrf_token}}">`,
	"script.html":    `<script>var name = {{.}};</script><a href="/?q={{.}}">{{.}}</a>`,
}

func templateApp(t *testing.T, fsys map[string]string) *flagon.App {
	app := quietApp()
	app.Config.TemplateFS = mapFS(fsys)
	app.Config.StaticFS = mapFS(map[string]string{"app.css": "body{}"})
	app.Config.SecretKey = "test secret"
	app.TemplateFuncs(template.FuncMap{"shout": strings.ToUpper})
	app.Get("/", func(c *flagon.Context) error {
		return c.Template(200, c.Query("page"), flagon.M{"Name": c.QueryDefault("name", "Ann")})
	}).Name("index")
	app.Get("/users/<int:id>", func(c *flagon.Context) error { return nil }).Name("user")
	app.Get("/helpers", func(c *flagon.Context) error {
		c.Set(flagon.CSPNonceKey, "n0nce")
		return c.Template(200, "helpers.html", nil)
	})
	app.Get("/flash", func(c *flagon.Context) error {
		c.Flash("saved")
		c.Flash("careful", "warning")
		return c.Text(200, "ok")
	})
	app.Get("/flashes", func(c *flagon.Context) error { return c.Template(200, "flash.html", nil) })
	app.Get("/csrf", func(c *flagon.Context) error { return c.Template(200, "csrf.html", nil) })
	app.Get("/script", func(c *flagon.Context) error { return c.Template(200, "script.html", c.Query("v")) })
	return app
}

func TestPagesFillTheBlocksOfTheirLayout(t *testing.T) {
	srv := serveApp(t, templateApp(t, site))
	res, body := request(t, "GET", srv.URL+"/?page=index.html&name=Bob", nil)
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, `<title>Home</title><nav><a href="/">home</a></nav><aside>home sidebar</aside>`+
		`<main>Hello Bob <span class="badge">new</span></main>`, body)

	_, body = request(t, "GET", srv.URL+"/?page=user/show.html&name=Cy", nil)
	assert.Equal(t, `<title>Site</title><nav><a href="/">home</a></nav><aside>default sidebar</aside>`+
		`<main>User Cy</main>`, body, "a page that does not fill a block gets the layout's default, not another page's")

	// The pages render concurrently-safe and repeatedly from their pooled clones.
	for range 3 {
		_, body = request(t, "GET", srv.URL+"/?page=index.html&name=Dee", nil)
		assert.Contains(t, body, "Hello Dee")
	}
}

func TestTemplatesEscapeByContext(t *testing.T) {
	srv := serveApp(t, templateApp(t, site))
	_, body := request(t, "GET", srv.URL+`/script?v=`+"%3C%2Fscript%3E%22%26", nil)
	assert.Equal(t, `<script>var name = "\u003c/script\u003e\"\u0026";</script><a href="/?q=%3c%2fscript%3e%22%26">&lt;/script&gt;&#34;&amp;</a>`, body)
}

func TestTemplateHelpers(t *testing.T) {
	srv := serveApp(t, templateApp(t, site))
	_, body := request(t, "GET", srv.URL+"/helpers", nil)
	assert.Equal(t, `css=/static/app.css user=/users/7?tab=a&#43;b nonce=n0nce shout=HI`, body)

	t.Run("flashes shows the messages once", func(t *testing.T) {
		jar := newJarClient(t)
		res, err := jar.Get(srv.URL + "/flash")
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, "[message:saved][warning:careful]", readBody(t, jar, srv.URL+"/flashes"))
		assert.Equal(t, "", readBody(t, jar, srv.URL+"/flashes"))
	})
	t.Run("csrf_token gives a token the session accepts", func(t *testing.T) {
		jar := newJarClient(t)
		body := readBody(t, jar, srv.URL+"/csrf")
		assert.Regexp(t, `^<input name="csrf_token" value="[A-Za-z0-9_-]{80,}">$`, body)
	})
}

func TestCSRFTokenWithoutASecretKeyIsAClearError(t *testing.T) {
	app := templateApp(t, site)
	app.Config.SecretKey = ""
	app.Config.Debug = true
	srv := serveApp(t, app)
	res, body := request(t, "GET", srv.URL+"/csrf", nil)
	assert.Equal(t, 500, res.StatusCode)
	assert.Contains(t, body, "SecretKey")
}

func TestATemplateErrorNamesTheTemplateAndLineInDebugModeOnly(t *testing.T) {
	files := map[string]string{
		"bad.html":    "line one\n{{.Name.Deeper}}\n",
		"syntax.html": "one\ntwo {{if}}\n",
	}
	for _, debug := range []bool{true, false} {
		app := templateApp(t, files)
		app.Config.Debug = debug
		srv := serveApp(t, app)
		cases := []struct{ page, want string }{
			{"bad.html", "bad.html:2"},
			{"syntax.html", "syntax.html:2"},
			{"missing.html", `template &#34;missing.html&#34; not found`},
		}
		for _, tc := range cases {
			res, body := request(t, "GET", srv.URL+"/?page="+tc.page, nil)
			assert.Equal(t, 500, res.StatusCode, tc.page)
			if debug {
				assert.Contains(t, body, tc.want, "debug mode names the template and line")
			} else {
				assert.NotContains(t, body, tc.page, "production shows no internals")
				assert.NotContains(t, body, "line one")
			}
		}
	}
}

func TestTemplatesReloadInDebugModeOnly(t *testing.T) {
	for _, debug := range []bool{true, false} {
		dir := t.TempDir()
		page := filepath.Join(dir, "page.html")
		require.NoError(t, os.WriteFile(page, []byte("version 1"), 0o644))
		app := quietApp()
		app.Config.Debug = debug
		app.Config.TemplateDir = dir
		app.Get("/", func(c *flagon.Context) error { return c.Template(200, "page.html", nil) })
		srv := serveApp(t, app)
		_, body := request(t, "GET", srv.URL+"/", nil)
		require.Equal(t, "version 1", body)
		require.NoError(t, os.WriteFile(page, []byte("version 2, longer"), 0o644))
		_, body = request(t, "GET", srv.URL+"/", nil)
		if debug {
			assert.Equal(t, "version 2, longer", body, "debug mode picks up the change without a restart")
		} else {
			assert.Equal(t, "version 1", body, "production parses templates once")
		}
	}
}

func TestTheDefaultTemplateFolderIsTemplates(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "templates"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "templates", "hi.html"), []byte("hi {{.}}"), 0o644))
	t.Chdir(dir)
	app := quietApp()
	app.Get("/", func(c *flagon.Context) error { return c.Template(200, "hi.html", "<you>") })
	srv := serveApp(t, app)
	_, body := request(t, "GET", srv.URL+"/", nil)
	assert.Equal(t, "hi &lt;you&gt;", body)
}

func TestTheCSPNonceOfSecureHeadersReachesTemplates(t *testing.T) {
	app := quietApp()
	app.Config.TemplateFS = mapFS(map[string]string{"page.html": `<script nonce="{{csp_nonce}}">go()</script>`})
	app.Use(middleware.SecureHeaders(middleware.SecureHeadersConfig{ContentSecurityPolicy: "script-src 'nonce-{nonce}'"}))
	app.Get("/", func(c *flagon.Context) error { return c.Template(200, "page.html", nil) })
	srv := serveApp(t, app)
	nonces := map[string]bool{}
	for range 2 {
		res, body := request(t, "GET", srv.URL+"/", nil)
		m := regexp.MustCompile(`^script-src 'nonce-([A-Za-z0-9+/=_-]{16,})'$`).FindStringSubmatch(res.Header.Get("Content-Security-Policy"))
		require.NotNil(t, m, res.Header.Get("Content-Security-Policy"))
		assert.Equal(t, `<script nonce="`+m[1]+`">go()</script>`, strings.ReplaceAll(body, "&#43;", "+"))
		nonces[m[1]] = true
	}
	assert.Len(t, nonces, 2, "a new nonce for every request")
}
