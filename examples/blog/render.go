package main

import (
	"errors"
	"net/http"

	"github.com/flagon-go/flagon"
)

// render renders the template name with data, adding what every page
// needs: "user", the logged-in user or nil, which the layout's nav shows.
// It is the one place to change when the app gets context processors:
// app.ContextProcessor(func(c *flagon.Context) flagon.M {
// return flagon.M{"user": currentUser(c)} }) in New, and render becomes
// c.Template.
func render(c *flagon.Context, code int, name string, data flagon.M) error {
	if data == nil {
		data = flagon.M{}
	}
	data["user"] = currentUser(c)
	return c.Template(code, name, data)
}

// errorPage is the error handler of the 403 and 404 answers: the layout,
// with the status and the message given to flagon.Abort.
func errorPage(c *flagon.Context, err error) error {
	code, message := http.StatusInternalServerError, ""
	var he *flagon.HTTPError
	if errors.As(err, &he) {
		code, message = he.Code, he.Message
	}
	if message == "" && code == http.StatusNotFound {
		message = "There is no page at this address."
	}
	if message == "" && code == http.StatusForbidden {
		message = "You are not allowed to do that."
	}
	return render(c, code, "error.html", flagon.M{
		"status":  code,
		"title":   http.StatusText(code),
		"message": message,
	})
}
