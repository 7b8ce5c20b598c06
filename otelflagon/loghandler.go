package otelflagon

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// LogHandler returns a slog.Handler that adds trace_id and span_id to each
// record logged with a context that carries a valid span (slog's
// ...Context functions and LogAttrs), and passes it on to h. The request
// log of middleware.Logger and the app's own error logs are written with
// the request's context, so with the app's logger built on LogHandler they
// join the request's trace:
//
//	app.Config.Logger = slog.New(otelflagon.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
//
// Records logged without a context, or outside any span, pass unchanged.
// Under WithGroup the two attributes go in the group, as the record's own
// attributes do.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h: h} }

type logHandler struct{ h slog.Handler }

func (l logHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return l.h.Enabled(ctx, level)
}

func (l logHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone() // the record may be shared with other handlers
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return l.h.Handle(ctx, r)
}

func (l logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{h: l.h.WithAttrs(attrs)}
}

func (l logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h: l.h.WithGroup(name)}
}
