package main

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/flagon-go/flagon"
)

// post is a row of the post table with its author's name.
type post struct {
	ID       int64
	Title    string
	Body     string
	Created  time.Time
	AuthorID int64
	Username string
}

// blogBlueprint holds the views that list, create, update and delete
// posts. Writing needs a logged-in user.
func blogBlueprint() *flagon.Blueprint {
	bp := flagon.NewBlueprint("blog")
	bp.Get("/", index)
	bp.Route("/create", create, http.MethodGet, http.MethodPost).Use(loginRequired)
	bp.Route("/<int:id>/update", update, http.MethodGet, http.MethodPost).Use(loginRequired)
	bp.Post("/<int:id>/delete", deletePost).Name("delete").Use(loginRequired)
	return bp
}

// index lists every post, newest first.
func index(c *flagon.Context) error {
	rows, err := DB.Get(c.App()).QueryContext(c.Context(),
		`SELECT p.id, title, body, created, author_id, username
		 FROM post p JOIN user u ON p.author_id = u.id
		 ORDER BY created DESC, p.id DESC`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var posts []post
	for rows.Next() {
		var p post
		if err := rows.Scan(&p.ID, &p.Title, &p.Body, &p.Created, &p.AuthorID, &p.Username); err != nil {
			return err
		}
		posts = append(posts, p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return c.Template(http.StatusOK, "blog/index.html", flagon.M{"posts": posts})
}

// getPost returns the post id with its author. It answers 404 when there
// is no such post and, when checkAuthor is set, 403 when the logged-in
// user did not write it.
func getPost(c *flagon.Context, id int, checkAuthor bool) (*post, error) {
	var p post
	err := DB.Get(c.App()).QueryRowContext(c.Context(),
		`SELECT p.id, title, body, created, author_id, username
		 FROM post p JOIN user u ON p.author_id = u.id
		 WHERE p.id = ?`, id,
	).Scan(&p.ID, &p.Title, &p.Body, &p.Created, &p.AuthorID, &p.Username)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flagon.Abort(http.StatusNotFound, fmt.Sprintf("Post id %d doesn't exist.", id))
	}
	if err != nil {
		return nil, err
	}
	if checkAuthor && p.AuthorID != currentUser(c).ID {
		return nil, flagon.Abort(http.StatusForbidden)
	}
	return &p, nil
}

// postForm reads the title and body a create or update form posted, and
// the flash message that refuses them, if any.
func postForm(c *flagon.Context) (title, body, problem string) {
	title = strings.TrimSpace(c.Form("title"))
	body = c.Form("body")
	if title == "" {
		problem = "Title is required."
	}
	return title, body, problem
}

// create shows the form for a new post and stores the post it sends.
func create(c *flagon.Context) error {
	if c.Request.Method != http.MethodPost {
		return c.Template(http.StatusOK, "blog/create.html", flagon.M{"post": post{}})
	}
	title, body, problem := postForm(c)
	if problem != "" {
		c.Flash(problem, "error")
		return c.Template(http.StatusUnprocessableEntity, "blog/create.html",
			flagon.M{"post": post{Title: title, Body: body}})
	}
	_, err := DB.Get(c.App()).ExecContext(c.Context(),
		"INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)", title, body, currentUser(c).ID)
	if err != nil {
		return err
	}
	return c.RedirectFor(http.StatusSeeOther, ".index")
}

// update shows the form for one of the user's posts and saves the
// changes it sends.
func update(c *flagon.Context) error {
	p, err := getPost(c, c.ParamInt("id"), true)
	if err != nil {
		return err
	}
	if c.Request.Method != http.MethodPost {
		return c.Template(http.StatusOK, "blog/update.html", flagon.M{"post": p})
	}
	title, body, problem := postForm(c)
	if problem != "" {
		c.Flash(problem, "error")
		p.Title, p.Body = title, body
		return c.Template(http.StatusUnprocessableEntity, "blog/update.html", flagon.M{"post": p})
	}
	_, err = DB.Get(c.App()).ExecContext(c.Context(),
		"UPDATE post SET title = ?, body = ? WHERE id = ?", title, body, p.ID)
	if err != nil {
		return err
	}
	return c.RedirectFor(http.StatusSeeOther, ".index")
}

// deletePost deletes one of the user's posts.
func deletePost(c *flagon.Context) error {
	p, err := getPost(c, c.ParamInt("id"), true)
	if err != nil {
		return err
	}
	if _, err := DB.Get(c.App()).ExecContext(c.Context(), "DELETE FROM post WHERE id = ?", p.ID); err != nil {
		return err
	}
	return c.RedirectFor(http.StatusSeeOther, ".index")
}
