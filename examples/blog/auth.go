package main

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/flagon-go/flagon"
	"golang.org/x/crypto/bcrypt"
)

// user is a row of the user table.
type user struct {
	ID       int64
	Username string
	password string // the bcrypt hash
}

// userKey is the key of Context.Get (Flask's g) that holds the logged-in
// user.
const userKey = "user"

// authBlueprint holds the views that register, log in and log out users,
// and the hook that loads the logged-in user on every request.
func authBlueprint() *flagon.Blueprint {
	bp := flagon.NewBlueprint("auth")
	bp.BeforeAppRequest(loadLoggedInUser)
	// Every template of the app sees the logged-in user (nil when none),
	// which the layout's nav shows.
	bp.AppContextProcessor(func(c *flagon.Context) flagon.M {
		if _, loaded := c.Get(userKey); !loaded {
			// An answer given before the hooks ran (CSRF middleware's 403)
			// still shows who is logged in.
			if err := loadLoggedInUser(c); err != nil {
				slog.ErrorContext(c.Context(), "blog: loading the logged-in user", "error", err.Error())
			}
		}
		return flagon.M{"user": currentUser(c)}
	})
	bp.Route("/register", register, http.MethodGet, http.MethodPost)
	bp.Route("/login", login, http.MethodGet, http.MethodPost)
	bp.Post("/logout", logout)
	return bp
}

// loadLoggedInUser puts the user whose id the session holds into g, for
// every request of the app, as Flask's before_app_request does. Without a
// user id, or for a user that no longer exists, nobody is logged in.
func loadLoggedInUser(c *flagon.Context) error {
	id := c.Session().GetInt("user_id")
	if id == 0 {
		return nil
	}
	var u user
	err := DB.Get(c.App()).QueryRowContext(c.Context(),
		"SELECT id, username, password FROM user WHERE id = ?", id,
	).Scan(&u.ID, &u.Username, &u.password)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	c.Set(userKey, &u)
	return nil
}

// currentUser is the logged-in user loadLoggedInUser found, or nil.
func currentUser(c *flagon.Context) *user {
	v, _ := c.Get(userKey)
	u, _ := v.(*user)
	return u
}

// loginRequired sends visitors who are not logged in to the login page
// (Flask's login_required decorator).
func loginRequired(next flagon.HandlerFunc) flagon.HandlerFunc {
	return func(c *flagon.Context) error {
		if currentUser(c) == nil {
			return c.RedirectFor(http.StatusSeeOther, "auth.login")
		}
		return next(c)
	}
}

// register shows the registration form and creates the user it posts,
// then sends them to the login page.
func register(c *flagon.Context) error {
	if c.Request.Method != http.MethodPost {
		return c.Template(http.StatusOK, "auth/register.html", nil)
	}
	username := strings.TrimSpace(c.Form("username"))
	password := c.Form("password")
	var problem string
	switch {
	case username == "":
		problem = "Username is required."
	case password == "":
		problem = "Password is required."
	case len(password) > 72: // bcrypt hashes no more
		problem = "Password is too long: 72 bytes at most."
	}
	if problem == "" {
		hash, err := bcrypt.GenerateFromPassword([]byte(password), passwordCost.Get(c.App()))
		if err != nil {
			return err
		}
		_, err = DB.Get(c.App()).ExecContext(c.Context(),
			"INSERT INTO user (username, password) VALUES (?, ?)", username, string(hash))
		if err == nil {
			c.Flash("Registered. Please log in.", "success")
			return c.RedirectFor(http.StatusSeeOther, ".login")
		}
		if !isUniqueViolation(err) {
			return err
		}
		problem = fmt.Sprintf("User %s is already registered.", username)
	}
	c.Flash(problem, "error")
	return c.Template(http.StatusUnprocessableEntity, "auth/register.html", flagon.M{"username": username})
}

// login shows the login form and, for a known user and the right
// password, stores the user's id in a fresh session.
func login(c *flagon.Context) error {
	if c.Request.Method != http.MethodPost {
		return c.Template(http.StatusOK, "auth/login.html", nil)
	}
	username := c.Form("username")
	var u user
	err := DB.Get(c.App()).QueryRowContext(c.Context(),
		"SELECT id, username, password FROM user WHERE username = ?", username,
	).Scan(&u.ID, &u.Username, &u.password)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err != nil || bcrypt.CompareHashAndPassword([]byte(u.password), []byte(c.Form("password"))) != nil {
		c.Flash("Incorrect username or password.", "error")
		return c.Template(http.StatusUnprocessableEntity, "auth/login.html", flagon.M{"username": username})
	}
	s := c.Session()
	s.Clear()
	s.Set("user_id", u.ID)
	return c.RedirectFor(http.StatusSeeOther, "blog.index")
}

// logout forgets the logged-in user.
func logout(c *flagon.Context) error {
	c.Session().Clear()
	return c.RedirectFor(http.StatusSeeOther, "blog.index")
}
