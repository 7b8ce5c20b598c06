package middleware

import (
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/internal/reqlog"
)

// LoggerConfig configures Logger. The zero value is ready to use.
type LoggerConfig struct {
	// Logger receives the structured entries (outside debug mode). Default:
	// the app's Config.Logger, else slog.Default().
	Logger *slog.Logger
	// Output receives the compact lines in debug mode. Default: os.Stderr,
	// coloured when it is a terminal.
	Output io.Writer
	// Skip, when set, leaves out the requests it returns true for (health
	// checks, say).
	Skip func(c *flagon.Context) bool
}

// Logger logs one entry per request after it is served: method, path,
// matched rule, status, size, latency, client IP, the request ID set by
// RequestID, and the error if any. In debug mode (the app's Config.Debug)
// it writes a compact, coloured line; otherwise a structured log/slog
// record at level Info (Warn for 4xx, Error for 5xx). Put it first (after
// RequestID, if any) so it sees the final status of every request,
// including 404s and 405s.
func Logger(cfg ...LoggerConfig) flagon.Middleware {
	var conf LoggerConfig
	if len(cfg) > 0 {
		conf = cfg[0]
	}
	out := conf.Output
	color := false
	if out == nil {
		out = os.Stderr
		if st, err := os.Stderr.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			color = true
		}
	}
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			// The request log of Run(true) leaves this request to Logger.
			reqlog.MarkLogged(c.Context())
			if conf.Skip != nil && conf.Skip(c) {
				return next(c)
			}
			start := time.Now()
			err := next(c)
			e := reqlog.Entry{
				Time:      start,
				Method:    c.Request.Method,
				Path:      c.Request.URL.RequestURI(),
				Rule:      c.Rule(),
				Status:    c.Response.Status(),
				Size:      c.Response.Size(),
				Latency:   time.Since(start),
				ClientIP:  c.ClientIP(),
				Err:       err,
				RequestID: c.RequestID(),
			}
			app := c.App()
			if app.Config.Debug {
				reqlog.WriteText(out, e, color)
				return err
			}
			l := conf.Logger
			if l == nil {
				l = app.Config.Logger
			}
			if l == nil {
				l = slog.Default()
			}
			reqlog.Log(c.Context(), l, e)
			return err
		}
	}
}
