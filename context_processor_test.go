package flagon_test

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/render"
	"github.com/stretchr/testify/assert"
)

// layersPage shows which scope each key came from; a missing key shows "-".
const layersPage = `site={{or .site "-"}} who={{or .who "-"}} layer={{or .layer "-"}} cart={{or .cart "-"}} ` +
	`admin={{or .admin_only "-"}} shop={{or .shop_only "-"}} own={{or .own "-"}}`

// layeredApp has an app processor, an admin blueprint with a nested inner
// blueprint (each with a processor), and a shop blueprint with a processor
// for its routes and an app-wide one. Every route renders layersPage.
func layeredApp(t *testing.T) *flagon.App {
	app := quietApp()
	app.Config.TemplateFS = mapFS(map[string]string{"page.html": layersPage, "missing.html": "404 " + layersPage})
	app.ContextProcessor(func(c *flagon.Context) flagon.M {
		return flagon.M{"site": "app", "who": "app", "layer": "app"}
	})
	page := func(data flagon.M) flagon.HandlerFunc {
		return func(c *flagon.Context) error { return c.Template(200, "page.html", data) }
	}
	admin := flagon.NewBlueprint("admin")
	admin.ContextProcessor(func(c *flagon.Context) flagon.M {
		return flagon.M{"who": "admin", "layer": "admin", "admin_only": "yes"}
	})
	admin.Get("/x", page(nil))
	inner := flagon.NewBlueprint("inner")
	inner.ContextProcessor(func(c *flagon.Context) flagon.M { return flagon.M{"layer": "inner"} })
	inner.Get("/y", page(flagon.M{"own": "mine"}))
	admin.Register(inner, "/in")
	shop := flagon.NewBlueprint("shop")
	shop.ContextProcessor(func(c *flagon.Context) flagon.M { return flagon.M{"shop_only": "yes"} })
	shop.AppContextProcessor(func(c *flagon.Context) flagon.M { return flagon.M{"cart": 3} })
	shop.Get("/z", page(nil))

	app.Get("/", page(flagon.M{"own": "mine"}))
	app.Get("/mine", page(flagon.M{"who": "handler", "layer": "handler"}))
	app.Register(admin, "/admin")
	app.Register(shop, "/shop")
	app.ErrorHandler(404, func(c *flagon.Context, err error) error { return c.Template(404, "missing.html", nil) })
	return app
}

func TestContextProcessorsMergeTheirKeysByScope(t *testing.T) {
	srv := serveApp(t, layeredApp(t))
	cases := []struct{ name, path, want string }{
		{"the app's processor and a blueprint's app-wide one reach an app route", "/",
			"site=app who=app layer=app cart=3 admin=- shop=- own=mine"},
		{"the handler's own keys win over every processor", "/mine",
			"site=app who=handler layer=handler cart=3 admin=- shop=- own=-"},
		{"a blueprint's processor reaches its routes, over the app's", "/admin/x",
			"site=app who=admin layer=admin cart=3 admin=yes shop=- own=-"},
		{"an inner blueprint wins over the outer one, which still applies", "/admin/in/y",
			"site=app who=admin layer=inner cart=3 admin=yes shop=- own=mine"},
		{"another blueprint's routes get its processor, not admin's", "/shop/z",
			"site=app who=app layer=app cart=3 admin=- shop=yes own=-"},
		{"a 404 page under a blueprint's prefix gets its processor", "/admin/nope",
			"404 site=app who=admin layer=admin cart=3 admin=yes shop=- own=-"},
		{"a 404 page elsewhere gets the app's only", "/nope",
			"404 site=app who=app layer=app cart=3 admin=- shop=- own=-"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := request(t, "GET", srv.URL+tc.path, nil)
			assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
			assert.Equal(t, tc.want, body)
		})
	}
}

func TestContextProcessorsRunOnlyForMapDataAndNeverChangeIt(t *testing.T) {
	var runs atomic.Int32
	app := quietApp()
	app.Config.TemplateFS = mapFS(map[string]string{
		"struct.html": `{{.Name}}`,
		"map.html":    `{{.own}} {{.extra}}`,
	})
	app.ContextProcessor(func(c *flagon.Context) flagon.M {
		runs.Add(1)
		return flagon.M{"extra": "added"}
	})
	shared := flagon.M{"own": "mine"}
	plain := map[string]any{"own": "plain"}
	app.Get("/struct", func(c *flagon.Context) error {
		return c.Template(200, "struct.html", struct{ Name string }{"Ann"})
	})
	app.Get("/map", func(c *flagon.Context) error { return c.Template(200, "map.html", shared) })
	app.Get("/plain", func(c *flagon.Context) error { return c.Template(200, "map.html", plain) })
	app.Get("/text", func(c *flagon.Context) error { return c.Text(200, "no template") })
	srv := serveApp(t, app)

	_, body := request(t, "GET", srv.URL+"/struct", nil)
	assert.Equal(t, "Ann", body, "a struct is rendered as it is")
	_, body = request(t, "GET", srv.URL+"/text", nil)
	assert.Equal(t, "no template", body)
	assert.Zero(t, runs.Load(), "processors run only for templates rendered with map data")

	for range 2 {
		_, body = request(t, "GET", srv.URL+"/map", nil)
		assert.Equal(t, "mine added", body)
	}
	_, body = request(t, "GET", srv.URL+"/plain", nil)
	assert.Equal(t, "plain added", body, "map[string]any data takes the keys too")
	assert.Equal(t, int32(3), runs.Load(), "once per render")
	assert.Equal(t, flagon.M{"own": "mine"}, shared, "the handler's map is not written")
	assert.Equal(t, map[string]any{"own": "plain"}, plain)
}

func TestRenderHTMLGetsTheContextProcessorsToo(t *testing.T) {
	app := quietApp()
	app.ContextProcessor(func(c *flagon.Context) flagon.M { return flagon.M{"site": "Flagon"} })
	own := template.Must(template.New("t").Parse(`{{.site}}: {{.title}}`))
	app.Get("/", func(c *flagon.Context) error {
		return c.Render(200, render.HTML{Template: own, Data: flagon.M{"title": "home"}})
	})
	pointer := &render.HTML{Template: own, Data: flagon.M{"title": "pointer"}}
	app.Get("/pointer", func(c *flagon.Context) error { return c.Render(200, pointer) })
	srv := serveApp(t, app)
	_, body := request(t, "GET", srv.URL+"/", nil)
	assert.Equal(t, "Flagon: home", body)
	_, body = request(t, "GET", srv.URL+"/pointer", nil)
	assert.Equal(t, "Flagon: pointer", body, "a *render.HTML gets them as well")
	assert.Equal(t, flagon.M{"title": "pointer"}, pointer.Data, "and is left as it was")
}

func TestAnAppRegisteringABlueprintTwiceRunsItsAppContextProcessorOnce(t *testing.T) {
	var runs atomic.Int32
	app := quietApp()
	app.Config.TemplateFS = mapFS(map[string]string{"p.html": `{{.n}}`})
	bp := flagon.NewBlueprint("bp")
	bp.AppContextProcessor(func(c *flagon.Context) flagon.M { return flagon.M{"n": runs.Add(1)} })
	bp.Get("/", func(c *flagon.Context) error { return c.Template(200, "p.html", nil) })
	app.Register(bp, "/one")
	app.Register(bp, "/two")
	srv := serveApp(t, app)
	_, body := request(t, "GET", srv.URL+"/two/", nil)
	assert.Equal(t, "1", body)
	assert.Equal(t, int32(1), runs.Load())
}

func TestAPanickingContextProcessorAnswers500WithoutShowingThePanic(t *testing.T) {
	for _, debug := range []bool{false, true} {
		t.Run(fmt.Sprintf("debug %v", debug), func(t *testing.T) {
			app := quietApp()
			app.Config.Debug = debug
			app.Config.TemplateFS = mapFS(map[string]string{"p.html": `ok {{.x}}`})
			app.ContextProcessor(func(c *flagon.Context) flagon.M {
				if c.Query("boom") != "" {
					panic("processor secret")
				}
				return flagon.M{"x": 1}
			})
			app.Get("/", func(c *flagon.Context) error { return c.Template(200, "p.html", nil) })
			srv := serveApp(t, app)
			res, body := request(t, "GET", srv.URL+"/?boom=1", nil)
			assert.Equal(t, 500, res.StatusCode)
			if debug {
				assert.Contains(t, body, "processor secret", "debug mode shows the panic")
			} else {
				assert.NotContains(t, body, "processor secret", "production shows no internals")
				assert.NotContains(t, body, "goroutine")
			}
			res, body = request(t, "GET", srv.URL+"/", nil)
			assert.Equal(t, 200, res.StatusCode)
			assert.Equal(t, "ok 1", body, "the page still renders afterwards")
		})
	}
}

func TestANilContextProcessorPanicsWithTheCallSite(t *testing.T) {
	cases := map[string]func(){
		"App.ContextProcessor":          func() { flagon.New().ContextProcessor(nil) },
		"Blueprint.ContextProcessor":    func() { flagon.NewBlueprint("b").ContextProcessor(nil) },
		"Blueprint.AppContextProcessor": func() { flagon.NewBlueprint("b").AppContextProcessor(nil) },
	}
	for name, register := range cases {
		t.Run(name, func(t *testing.T) {
			msg := panicMessage(register)
			assert.True(t, strings.HasPrefix(msg, "flagon: nil "), msg)
			assert.Contains(t, msg, "context processor")
			assert.Contains(t, msg, "context_processor_test.go:", "names the call site")
		})
	}
	t.Run("after registration", func(t *testing.T) {
		bp := flagon.NewBlueprint("b")
		flagon.New().Register(bp, "")
		msg := panicMessage(func() { bp.AppContextProcessor(func(*flagon.Context) flagon.M { return nil }) })
		assert.Contains(t, msg, "blueprint b has already been registered")
	})
}

func TestOneBlueprintWithProcessorsServesManyAppsInParallel(t *testing.T) {
	bp := flagon.NewBlueprint("shared")
	bp.ContextProcessor(func(c *flagon.Context) flagon.M { return flagon.M{"bp": "local"} })
	bp.AppContextProcessor(func(c *flagon.Context) flagon.M { return flagon.M{"wide": "all"} })
	bp.Get("/page", func(c *flagon.Context) error { return c.Template(200, "p.html", nil) })
	for i := range 4 {
		t.Run(fmt.Sprintf("app %d", i), func(t *testing.T) {
			t.Parallel()
			app := quietApp()
			app.Config.TemplateFS = mapFS(map[string]string{"p.html": `{{.app}} {{or .bp "-"}} {{.wide}}`})
			app.ContextProcessor(func(c *flagon.Context) flagon.M { return flagon.M{"app": i} })
			app.Register(bp, "/bp")
			app.Get("/", func(c *flagon.Context) error { return c.Template(200, "p.html", nil) })
			srv := serveApp(t, app)
			_, body := request(t, "GET", srv.URL+"/bp/page", nil)
			assert.Equal(t, fmt.Sprintf("%d local all", i), body)
			_, body = request(t, "GET", srv.URL+"/", nil)
			assert.Equal(t, fmt.Sprintf("%d - all", i), body)
		})
	}
}

func TestTemplatesReadGRequestAndSession(t *testing.T) {
	app := quietApp()
	app.Config.SecretKey = "test secret"
	app.Config.TemplateFS = mapFS(map[string]string{
		"p.html": `user={{g "user"}} missing={{g "missing"}} path={{request.URL.Path}} method={{request.Method}} ` +
			`n={{session.GetInt "n"}}`,
	})
	app.BeforeRequest(func(c *flagon.Context) error {
		c.Set("user", "ann")
		return nil
	})
	app.Get("/count", func(c *flagon.Context) error {
		s := c.Session()
		s.Set("n", s.GetInt("n")+1)
		return c.Text(200, "ok")
	})
	app.Get("/show/<name>", func(c *flagon.Context) error { return c.Template(200, "p.html", nil) })
	srv := serveApp(t, app)
	jar := newJarClient(t)
	assert.Equal(t, "user=ann missing= path=/show/me method=GET n=0", readBody(t, jar, srv.URL+"/show/me"))
	readBody(t, jar, srv.URL+"/count")
	readBody(t, jar, srv.URL+"/count")
	assert.Equal(t, "user=ann missing= path=/show/you method=GET n=2", readBody(t, jar, srv.URL+"/show/you"))
}

type tmplUser struct{ Name, Role string }

func TestTemplateFuncsCanTakeTheRequestsContext(t *testing.T) {
	app := quietApp()
	app.Config.TemplateFS = mapFS(map[string]string{
		"p.html": `{{with current_user}}{{.Name}}{{end}} admin={{has_role "admin"}} editor={{has_role "editor"}} ` +
			`shout={{shout "hi"}} keys={{join_g "-" "a" "b"}} none={{join_g "-"}}`,
		"err.html": `{{fails}}`,
	})
	app.TemplateFuncs(template.FuncMap{
		"current_user": func(c *flagon.Context) *tmplUser {
			v, _ := c.Get("user")
			u, _ := v.(*tmplUser)
			return u
		},
		"has_role": func(c *flagon.Context, role string) bool {
			v, _ := c.Get("user")
			u, ok := v.(*tmplUser)
			return ok && u.Role == role
		},
		"join_g": func(c *flagon.Context, sep string, keys ...string) string {
			var vals []string
			for _, k := range keys {
				v, _ := c.Get(k)
				vals = append(vals, fmt.Sprint(v))
			}
			return strings.Join(vals, sep)
		},
		"fails": func(c *flagon.Context) (string, error) { return "", errors.New("no " + c.Param("who")) },
		"shout": strings.ToUpper,
	})
	app.BeforeRequest(func(c *flagon.Context) error {
		c.Set("user", &tmplUser{Name: c.Query("name"), Role: c.Query("role")})
		c.Set("a", 1)
		c.Set("b", c.Query("name"))
		return nil
	})
	app.Get("/", func(c *flagon.Context) error { return c.Template(200, "p.html", nil) })
	app.Get("/err/<who>", func(c *flagon.Context) error { return c.Template(200, "err.html", nil) })
	app.Config.Debug = true
	srv := serveApp(t, app)
	for _, tc := range []struct{ query, want string }{
		{"?name=Ann&role=admin", "Ann admin=true editor=false shout=HI keys=1-Ann none="},
		{"?name=Bob&role=editor", "Bob admin=false editor=true shout=HI keys=1-Bob none="},
	} {
		_, body := request(t, "GET", srv.URL+"/"+tc.query, nil)
		assert.Equal(t, tc.want, body, "each request's own Context")
	}
	res, body := request(t, "GET", srv.URL+"/err/cy", nil)
	assert.Equal(t, 500, res.StatusCode)
	assert.Contains(t, body, "no cy", "the function's error stops the page")
}

func TestTemplateFuncsThatTemplatesCannotCallPanicAtRegistration(t *testing.T) {
	cases := map[string]struct {
		funcs template.FuncMap
		want  string
	}{
		"not a function":         {template.FuncMap{"x": 3}, "is a int, not a function"},
		"a nil function":         {template.FuncMap{"x": (func() string)(nil)}, "not a function"},
		"no result":              {template.FuncMap{"x": func(c *flagon.Context) {}}, "must return one value"},
		"a second non-error":     {template.FuncMap{"x": func() (string, bool) { return "", true }}, "must return one value"},
		"a name with a dash":     {template.FuncMap{"has-role": strings.ToUpper}, "has a name templates cannot call"},
		"a name opening a digit": {template.FuncMap{"1x": strings.ToUpper}, "has a name templates cannot call"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			msg := panicMessage(func() { flagon.New().TemplateFuncs(tc.funcs) })
			assert.True(t, strings.HasPrefix(msg, "flagon: template function "), msg)
			assert.Contains(t, msg, tc.want)
			assert.Contains(t, msg, "context_processor_test.go:", "names the call site")
		})
	}
}

func TestARouteWithoutTemplatesAllocatesNothingWithContextProcessors(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	var runs atomic.Int32
	app := flagon.New()
	app.ContextProcessor(func(c *flagon.Context) flagon.M { runs.Add(1); return flagon.M{"x": 1} })
	app.TemplateFuncs(template.FuncMap{"me": func(c *flagon.Context) string { return "" }})
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Hello, World!") })
	w := newDiscardWriter()
	req, _ := http.NewRequest("GET", "/", nil)
	app.ServeHTTP(w, req)
	assert.Zero(t, testing.AllocsPerRun(200, func() { app.ServeHTTP(w, req) }))
	assert.Zero(t, runs.Load())
}

// benchTemplate serves a page rendered with M data, with that many context
// processors, alternately on the app and on the route's blueprint.
func benchTemplate(b *testing.B, processors int) {
	app := flagon.New()
	app.Config.TemplateFS = mapFS(map[string]string{"p.html": `<p>{{.title}} {{.site}} {{.user}}</p>`})
	bp := flagon.NewBlueprint("bp")
	for i := range processors {
		s := app.ContextProcessor
		if i%2 == 1 {
			s = bp.ContextProcessor
		}
		s(func(c *flagon.Context) flagon.M { return flagon.M{"site": "Flagon", "user": i} })
	}
	data := flagon.M{"title": "Home"}
	bp.Get("/", func(c *flagon.Context) error { return c.Template(200, "p.html", data) })
	app.Register(bp, "")
	w := newDiscardWriter()
	req, _ := http.NewRequest("GET", "/", nil)
	app.ServeHTTP(w, req)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		app.ServeHTTP(w, req)
	}
}

func BenchmarkTemplate(b *testing.B)                     { benchTemplate(b, 0) }
func BenchmarkTemplateWithContextProcessor(b *testing.B) { benchTemplate(b, 2) }
