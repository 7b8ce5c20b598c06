package flagon_test

import (
	"fmt"
	"net/http/httptest"
	"testing/fstest"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/render"
)

func ExampleContext_Template() {
	app := flagon.New()
	app.Config.TemplateFS = fstest.MapFS{ // or an embed.FS, or the folder templates/
		"base.html":  {Data: []byte(`<h1>{{block "title" .}}Site{{end}}</h1>{{block "content" .}}{{end}}`)},
		"hello.html": {Data: []byte(`{{template "base.html" .}}{{define "content"}}<p>Hello, {{.}}!</p>{{end}}`)},
	}
	app.Get("/hello/<name>", func(c *flagon.Context) error {
		return c.Template(200, "hello.html", c.Param("name"))
	})

	res := app.TestClient().Get("/hello/%3Cb%3EAda")
	fmt.Println(res.Header.Get("Content-Type"))
	fmt.Println(res.Text())
	// Output:
	// text/html; charset=utf-8
	// <h1>Site</h1><p>Hello, &lt;b&gt;Ada!</p>
}

func ExampleContext_Accepts() {
	app := flagon.New()
	app.Get("/user", func(c *flagon.Context) error {
		switch c.Accepts("application/json", "text/html") {
		case "application/json":
			return c.JSON(200, flagon.M{"name": "Ada"})
		case "text/html":
			return c.HTML(200, "<p>Ada</p>")
		}
		return flagon.Abort(406)
	})

	client := app.TestClient()
	for _, accept := range []string{"application/json", "text/html;q=0.9, */*;q=0.1", "image/png"} {
		req := httptest.NewRequest("GET", "/user", nil)
		req.Header.Set("Accept", accept)
		res := client.Do(req)
		fmt.Println(res.Code, res.Header.Get("Content-Type"))
	}
	// Output:
	// 200 application/json; charset=utf-8
	// 200 text/html; charset=utf-8
	// 406 text/html; charset=utf-8
}

func ExampleContext_Render() {
	app := flagon.New()
	app.Get("/events", func(c *flagon.Context) error {
		for i := 1; i <= 2; i++ {
			if err := c.Render(200, render.Event{Event: "tick", Data: flagon.M{"n": i}}); err != nil {
				return err // the client went away
			}
		}
		return nil
	})

	res := app.TestClient().Get("/events")
	fmt.Println(res.Header.Get("Content-Type"))
	fmt.Print(res.Text())
	// Output:
	// text/event-stream
	// event: tick
	// data: {"n":1}
	//
	// event: tick
	// data: {"n":2}
}

func ExampleApp_StaticFS() {
	app := flagon.New()
	app.StaticFS("/assets", fstest.MapFS{"app.css": {Data: []byte("body{}")}})

	u, _ := app.URLFor("static:assets", "filename", "app.css")
	res := app.TestClient().Get(u)
	fmt.Println(u, res.Code, res.Header.Get("Content-Type"), res.Text())
	// Output: /assets/app.css 200 text/css; charset=utf-8 body{}
}
