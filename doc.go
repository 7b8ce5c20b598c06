// Package flagon is a Flask-like micro web framework: an App registers
// decorator-style routes written in Flask's rule syntax into a segment tree,
// wraps handlers in middleware chains, and serves them with Run(debug) in
// development or as a plain http.Handler in production.
//
//	func hello(c *flagon.Context) error {
//		return c.Text(200, "Hello, World!")
//	}
//
//	func main() {
//		app := flagon.New()
//		app.Get("/", hello)
//		app.Run(true)
//	}
//
// Rules such as "/users/<int:id>" are matched segment by segment, static
// text first, then the converters in a fixed precedence, with backtracking;
// URLFor builds them back. Handlers return errors, which the app's error
// handlers (ErrorHandler, HandleError) turn into answers; blueprints group
// routes, middleware, hooks and error handlers under a prefix. Sessions are
// signed cookies; the middleware package holds the usual middleware.
//
// The guide is in the repository's docs/ folder.
package flagon
