package flagon

import (
	"io"
	"os"
	"time"

	"github.com/flagon-go/flagon/internal/reqlog"
)

// logRequests is the request log of Run(true): one compact line per
// request on standard error, coloured when that is a terminal. A request
// that middleware.Logger logs is not logged again (see reqlog.Claim).
func (a *App) logRequests(next HandlerFunc) HandlerFunc {
	out := a.consoleOut()
	color := isTerminal(out)
	return func(c *Context) error {
		start := time.Now()
		a.warnForeignHeaders(c.Request)
		var claim reqlog.Claim
		c.Request = c.Request.WithContext(reqlog.WithClaim(c.Request.Context(), &claim))
		err := next(c)
		if claim.Logged {
			return err
		}
		e := reqlog.Entry{
			Time: start, Method: c.Request.Method, Path: c.Request.URL.RequestURI(), Rule: c.Rule(),
			Status: c.resp.status, Size: c.resp.size, Latency: time.Since(start), ClientIP: c.ClientIP(), RequestID: c.RequestID(), Err: err,
		}
		reqlog.WriteText(out, e, color)
		return err
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
