package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"golang.org/x/crypto/bcrypt"
)

//go:embed templates static
var files embed.FS

// Config is what New needs to build the blog (Flask's app.config for
// flaskr: DATABASE and SECRET_KEY).
type Config struct {
	// Database is the path of the SQLite file; it is created when missing.
	Database string
	// SecretKey signs the session cookie; New refuses an empty one.
	SecretKey string
	// PasswordCost is the bcrypt cost of new password hashes; 0 means
	// bcrypt.DefaultCost. Tests lower it to bcrypt.MinCost.
	PasswordCost int
}

// passwordCost keeps Config.PasswordCost on the app for the auth views.
var passwordCost = flagon.NewKey[int]("password_cost")

// New builds the blog (Flask's create_app): it opens the database and
// creates its tables, then registers the auth and blog blueprints, CSRF
// protection for every form and the 403 and 404 pages. The database is
// closed when the app shuts down. New returns an error when the database
// cannot be opened or the secret key is empty.
func New(cfg Config) (*flagon.App, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("blog: Config.SecretKey is empty: sessions need it")
	}
	if cfg.PasswordCost == 0 {
		cfg.PasswordCost = bcrypt.DefaultCost
	}
	db, err := openDB(cfg.Database)
	if err != nil {
		return nil, err
	}
	if err := InitDB(context.Background(), db); err != nil {
		db.Close()
		return nil, err
	}

	app := flagon.New()
	app.Config.SecretKey = cfg.SecretKey
	app.Config.TemplateFS, _ = fs.Sub(files, "templates")
	app.Config.StaticFS, _ = fs.Sub(files, "static")
	DB.Set(app, db)
	passwordCost.Set(app, cfg.PasswordCost)
	app.OnShutdown(func(context.Context) error { return db.Close() })

	app.Use(middleware.CSRF())
	app.Register(authBlueprint(), "/auth")
	app.Register(blogBlueprint(), "")
	app.ErrorHandler(403, errorPage)
	app.ErrorHandler(404, errorPage)
	app.Command("init-db", "clear the existing data and create new tables", initDB)
	return app, nil
}

// initDB is the init-db command: go run . init-db.
func initDB(cmd *flagon.Command) error {
	if err := cmd.Parse(); err != nil {
		return err
	}
	if err := ResetDB(context.Background(), DB.Get(cmd.App)); err != nil {
		return err
	}
	fmt.Fprintln(cmd.Stdout, "Initialized the database.")
	return nil
}
