package main

import (
	"errors"
	"net/http"

	"github.com/flagon-go/flagon"
)

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
	return c.Template(code, "error.html", flagon.M{
		"status":  code,
		"title":   http.StatusText(code),
		"message": message,
	})
}
