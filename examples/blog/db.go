package main

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/flagon-go/flagon"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DB is the key under which the app keeps its database: New sets it,
// handlers read it with DB.Get(c.App()).
var DB = flagon.NewKey[*sql.DB]("db")

//go:embed schema.sql
var schema string

// openDB opens the SQLite file at path, creating it when missing. Every
// connection of the pool enforces foreign keys and waits up to five
// seconds for another connection's write instead of failing at once.
func openDB(path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("blog: Config.Database is empty: give the path of the SQLite file")
	}
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("blog: Config.Database %q: a path with a \"?\" cannot be opened (the driver reads what follows as options)", path)
	}
	dsn := path + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("blog: opening %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("blog: opening %s: %w", path, err)
	}
	return db, nil
}

// InitDB creates the blog's tables in db when they do not exist yet. It
// keeps what is already stored, so New runs it each time the app starts.
func InitDB(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("blog: creating the tables: %w", err)
	}
	return nil
}

// ResetDB drops the blog's tables with everything stored in them and
// creates them again, empty: the init-db command (Flask's flask init-db).
func ResetDB(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS post; DROP TABLE IF EXISTS user;"); err != nil {
		return fmt.Errorf("blog: dropping the tables: %w", err)
	}
	return InitDB(ctx, db)
}

// isUniqueViolation reports whether err is SQLite refusing a row that
// repeats a UNIQUE column.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
