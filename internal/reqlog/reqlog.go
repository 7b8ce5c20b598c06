// Package reqlog formats the request log that Run(true) prints and that
// middleware.Logger writes, so both look the same.
package reqlog

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Entry is one served request.
type Entry struct {
	Time      time.Time
	Method    string
	Path      string // path and query as requested
	Rule      string // the matched rule, "" when none
	Status    int
	Size      int64
	Latency   time.Duration
	ClientIP  string
	RequestID string
	Err       error
}

const (
	reset  = "\x1b[0m"
	dim    = "\x1b[2m"
	green  = "\x1b[32m"
	cyan   = "\x1b[36m"
	yellow = "\x1b[33m"
	red    = "\x1b[31m"
)

func statusColor(code int) string {
	switch {
	case code >= 500:
		return red
	case code >= 400:
		return yellow
	case code >= 300:
		return cyan
	}
	return green
}

// WriteText writes the compact one-line form used in debug mode:
//
//	127.0.0.1 - [25/Nov/2026 06:30:00] "GET /users/7" 200 13B 1.2ms /users/<int:id>
func WriteText(w io.Writer, e Entry, color bool) {
	status := fmt.Sprint(e.Status)
	rule := e.Rule
	if color {
		status = statusColor(e.Status) + status + reset
		if rule != "" {
			rule = dim + rule + reset
		}
	}
	line := fmt.Sprintf("%s - [%s] \"%s %s\" %s %dB %s", e.ClientIP, e.Time.Format("02/Jan/2006 15:04:05"),
		e.Method, e.Path, status, e.Size, e.Latency.Round(time.Microsecond))
	if rule != "" {
		line += " " + rule
	}
	if e.RequestID != "" {
		line += " id=" + e.RequestID
	}
	if e.Err != nil {
		line += " error=" + fmt.Sprintf("%q", e.Err.Error())
	}
	fmt.Fprintln(w, line)
}

// Log writes the structured form to l: level Info, Warn for 4xx, Error
// for 5xx.
func Log(ctx context.Context, l *slog.Logger, e Entry) {
	level := slog.LevelInfo
	switch {
	case e.Status >= 500:
		level = slog.LevelError
	case e.Status >= 400:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("method", e.Method),
		slog.String("path", e.Path),
		slog.String("rule", e.Rule),
		slog.Int("status", e.Status),
		slog.Int64("size", e.Size),
		slog.Duration("latency", e.Latency),
		slog.String("client_ip", e.ClientIP),
	}
	if e.RequestID != "" {
		attrs = append(attrs, slog.String("request_id", e.RequestID))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	l.LogAttrs(ctx, level, "request", attrs...)
}

// claimKey is the request-context key of the debug request log's Claim.
type claimKey struct{}

// Claim lets the request log of Run(true) step aside for middleware.Logger,
// so a request is logged once: the core puts one in the request's context,
// and Logger marks it.
type Claim struct{ Logged bool }

// WithClaim returns ctx carrying cl.
func WithClaim(ctx context.Context, cl *Claim) context.Context {
	return context.WithValue(ctx, claimKey{}, cl)
}

// MarkLogged records, in the Claim ctx carries (if any), that another
// logger logs the request.
func MarkLogged(ctx context.Context) {
	if cl, _ := ctx.Value(claimKey{}).(*Claim); cl != nil {
		cl.Logged = true
	}
}
