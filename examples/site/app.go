package main

import (
	"embed"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
)

//go:embed templates static
var files embed.FS

// entry is one signature of the guestbook.
type entry struct {
	Name    string
	Message string
	At      time.Time
}

// guestbook keeps the signatures in memory.
type guestbook struct {
	mu      sync.Mutex
	entries []entry
}

func (g *guestbook) add(e entry) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.entries = append([]entry{e}, g.entries...)
}

func (g *guestbook) list() []entry {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]entry(nil), g.entries...)
}

// newApp builds the site: templates and static files come from the
// embedded folders, so the binary runs from anywhere.
func newApp() *flagon.App {
	app := flagon.New()
	app.Config.TemplateFS, _ = fs.Sub(files, "templates")
	app.Config.StaticFS, _ = fs.Sub(files, "static")
	app.Use(middleware.CSRF())

	book := &guestbook{}
	app.Get("/", func(c *flagon.Context) error {
		return c.Template(200, "index.html", flagon.M{"Entries": book.list()})
	}).Name("index")
	app.Get("/about", func(c *flagon.Context) error {
		return c.Template(200, "about.html", nil)
	}).Name("about")
	app.Post("/sign", func(c *flagon.Context) error {
		name := strings.TrimSpace(c.Request.PostFormValue("name"))
		msg := strings.TrimSpace(c.Request.PostFormValue("message"))
		if name == "" || msg == "" {
			c.Flash("Please give your name and a message.", "error")
		} else {
			book.add(entry{Name: name, Message: msg, At: time.Now()})
			c.Flash("Thanks for signing, "+name+"!", "success")
		}
		u, err := c.URLFor("index")
		if err != nil {
			return err
		}
		return c.Redirect(303, u)
	}).Name("sign")
	return app
}
