// Package otelflagon instruments a Flagon app with OpenTelemetry: a server
// span and the HTTP server metrics for every request, named by the route
// that served it, following the OpenTelemetry HTTP semantic conventions
// (semconv v1.43.0).
//
//	app.Use(otelflagon.Middleware())
//
// A request to /users/7 served by the rule /users/<int:id> gets the span
// "GET /users/{id}" with http.route "/users/{id}" and flagon.endpoint the
// route's endpoint; a request no route serves (a 404, a 405) is named by its
// method alone, never by its path, so the number of span names and metric
// series stays bounded. The span's status follows what the app answered,
// after its error handlers ran: a 5xx (a recovered panic among them) is an
// error, with the error recorded as an exception event; a 4xx is not.
//
// Use the middleware first, so that it sees every answer: the router's own
// 404 and 405 answers, and the errors and panics of everything inside it.
// After it returns, the request's context still carries the span, so a
// request log outside it (middleware.Logger) is correlated too; wrap the
// app's slog handler in LogHandler for log records to carry trace_id and
// span_id.
package otelflagon
