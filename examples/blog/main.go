// Command blog is Flask's tutorial application, flaskr, written with
// Flagon: users register and log in, write posts, and edit or delete their
// own. It keeps its data in a SQLite file and carries its templates and
// static files in the binary.
//
//	cd examples/blog && FLAGON_DEBUG=1 go run .
//
// serves it on http://127.0.0.1:5000, and
//
//	go run . init-db
//
// clears the data and creates new tables (go run . help lists the
// commands). BLOG_DATABASE is the SQLite file
// (default blog.sqlite in the working directory); FLAGON_SECRET_KEY signs
// the sessions (a development key is used when it is unset), and the other
// FLAGON_ variables of Config.FromEnv apply (FLAGON_ADDR, FLAGON_DEBUG, ...).
package main

import (
	"log"
	"os"
)

func main() {
	cfg := Config{
		Database:  os.Getenv("BLOG_DATABASE"),
		SecretKey: os.Getenv("FLAGON_SECRET_KEY"),
	}
	if cfg.Database == "" {
		cfg.Database = "blog.sqlite"
	}
	if cfg.SecretKey == "" {
		log.Print("FLAGON_SECRET_KEY is not set: using a development key; set it in production")
		cfg.SecretKey = "dev"
	}
	app, err := New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	if err := app.Config.FromEnv("FLAGON"); err != nil {
		log.Fatal(err)
	}
	if len(os.Args) > 1 {
		app.Main() // a command: go run . init-db, go run . routes
	}
	if err := app.Run(app.Config.Debug); err != nil {
		log.Fatal(err)
	}
}
