// Package middleware holds Flagon's middleware catalog, one file each. Every
// constructor returns a flagon.Middleware usable at app, blueprint or route
// level:
//
//	app.Use(middleware.Logger())
//	admin.Use(middleware.BasicAuth("admin", check))
//	app.Post("/upload", upload).Use(middleware.BodyLimit(10 << 20))
package middleware
