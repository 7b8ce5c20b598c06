// Command site is a small guestbook showing what pages need: templates
// that fill the blocks of a layout, a partial, static files, url_for and
// static in templates, flash messages and a form protected from CSRF.
//
//	go run ./examples/site
//
// serves it on http://127.0.0.1:5000 in debug mode. Settings come from the
// environment (FLAGON_ADDR, FLAGON_SECRET_KEY, ...).
package main

import (
	"log"
)

func main() {
	app := newApp()
	if err := app.Config.FromEnv("FLAGON"); err != nil {
		log.Fatal(err)
	}
	if app.Config.SecretKey == "" {
		log.Print("FLAGON_SECRET_KEY is not set: using a development key; set it in production")
		app.Config.SecretKey = "development key, not for production"
	}
	if err := app.Run(true); err != nil {
		log.Fatal(err)
	}
}
