// Package middleware holds Flagon's middleware catalog, one file each. Every
// constructor returns a flagon.Middleware usable at app, blueprint or route
// level:
//
//	app.Use(middleware.RequestID(), middleware.Logger())
//	admin.Use(middleware.BasicAuth("admin", check))
//	app.Post("/upload", upload).Use(middleware.BodyLimit(10 << 20))
//
// The catalog: RequestID, Logger, SecureHeaders, CORS, RateLimit,
// BasicAuth, CSRF, Compress, BodyLimit and Timeout, listed in the order
// they usually go in (docs/middleware.md says why). Values they leave for
// handlers are read with c.Get and the keys RequestIDKey, CSPNonceKey and
// UserKey. Bad input from clients is refused or ignored, never a panic;
// mistakes in a configuration panic when the constructor runs, with a
// message starting "flagon:".
package middleware
