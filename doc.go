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
// # Request flow
//
// Every request takes one way through the app, in files named for each
// step. dispatch.go: ServeHTTP takes a pooled Context, checks the host
// (Config.TrustedHosts, hosts.go), and chooses the chain: the matched
// route's (router.go), or the special chain of the router's own answers
// (404, 405, redirects, OPTIONS). chain.go: each chain is composed once,
// when the app is frozen: app middleware, blueprint middleware, the error
// boundary (which admits the body, body.go, and answers errors and panics
// through the error handlers, errors.go), before-request hooks, route
// middleware, handler. hooks.go: before-request hooks, after-request hooks
// just before the headers are written (response.go), and teardown hooks
// when the request ends. forwarding.go reads the forwarding headers of
// trusted proxies for ClientIP, Scheme and Host. serve.go and shutdown.go
// serve the app and stop it gracefully; in debug mode Run first starts the
// reloader (reload.go), which runs the app as a child process it rebuilds.
// Handlers read request data with Bind (bind.go), through the per-type
// plans of the internal/binding package; Typed (typed.go) and the OpenAPI
// document (openapi.go) read the same plans.
//
// The guide is in the repository's docs/ folder.
package flagon
