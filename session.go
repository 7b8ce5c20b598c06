package flagon

import (
	"encoding/json"
	"errors"
	"maps"
	"strconv"
)

// Session is the user's session (Flask's session): values that survive
// across requests, kept by the app's SessionStore (by default a signed
// cookie). It is loaded on first use and saved, only when modified, just
// before the response headers are written. Values must be encodable as
// JSON; numbers come back as json.Number, which the typed getters read.
type Session struct {
	values    map[string]any
	modified  bool
	permanent bool
	cleared   bool  // Clear was called: server-side stores issue a new ID
	loadErr   error // the store failed to load it: the response becomes the error's answer
}

// reserved keys the framework keeps in the session.
const (
	sessionPermanentKey = "_permanent"
	sessionFlashesKey   = "_flashes"
)

// Get returns the value stored under key.
func (s *Session) Get(key string) (any, bool) {
	v, ok := s.values[key]
	return v, ok
}

// Set stores v under key and marks the session modified.
func (s *Session) Set(key string, v any) {
	if s.values == nil {
		s.values = map[string]any{}
	}
	s.values[key] = v
	s.modified = true
}

// Delete removes key; deleting a missing key changes nothing.
func (s *Session) Delete(key string) {
	if _, ok := s.values[key]; ok {
		delete(s.values, key)
		s.modified = true
	}
}

// Clear removes every value (log out); the cookie is deleted on save.
// A server-side SessionStore also gives the session a new ID (see Cleared).
func (s *Session) Clear() {
	s.cleared = true
	if len(s.values) > 0 || s.permanent {
		s.values = map[string]any{}
		s.permanent = false
		s.modified = true
	}
}

// GetString returns the value under key if it is a string, else "".
func (s *Session) GetString(key string) string {
	v, _ := s.values[key].(string)
	return v
}

// GetInt returns the value under key as an int if it is a whole number,
// else 0.
func (s *Session) GetInt(key string) int {
	switch v := s.values[key].(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		if v == float64(int(v)) {
			return int(v)
		}
	case json.Number:
		if n, err := strconv.Atoi(string(v)); err == nil {
			return n
		}
	}
	return 0
}

// GetBool returns the value under key if it is a bool, else false.
func (s *Session) GetBool(key string) bool {
	v, _ := s.values[key].(bool)
	return v
}

// Permanent reports whether the session outlives the browser session.
func (s *Session) Permanent() bool { return s.permanent }

// SetPermanent makes the cookie last Config.SessionLifetime (true) or end
// with the browser session (false, the default).
func (s *Session) SetPermanent(p bool) {
	if s.permanent != p {
		s.permanent = p
		s.modified = true
	}
}

// Modified reports whether the session changed during this request.
func (s *Session) Modified() bool { return s.modified }

// Cleared reports whether Clear was called during this request, for
// SessionStore implementations that keep the session under an ID: their
// Save then drops the old ID and issues a new one, so an ID known before
// (one an attacker planted, say) is worthless after a log-in that starts
// with Clear, or after a log-out.
func (s *Session) Cleared() bool { return s.cleared }

// Values returns a copy of the session's values, for SessionStore
// implementations.
func (s *Session) Values() map[string]any { return maps.Clone(s.values) }

// SessionStore loads and saves sessions. The default is the signed-cookie
// store; set Config.SessionStore to keep sessions elsewhere (a database, a
// cache) without touching handlers.
type SessionStore interface {
	// Load returns the values of the request's session. A missing, invalid
	// or expired session is an empty map and no error. An error means the
	// store itself failed: it is logged, the handler sees an empty session,
	// nothing is saved, and the response is replaced by the error's answer
	// (an *HTTPError's code, such as 503, else 500), so a failing store
	// never logs a user out silently.
	Load(c *Context) (values map[string]any, permanent bool, err error)
	// Save persists the session for the response, just before its headers
	// are written; values is empty when the session was cleared. An error
	// replaces the response with its answer, as for Load.
	Save(c *Context, values map[string]any, permanent bool) error
}

// ErrNoSecretKey is the error of saving a session with an empty
// Config.SecretKey.
var ErrNoSecretKey = errors.New("flagon: the session is unavailable because Config.SecretKey is empty; set it (or FLAGON_SECRET_KEY) to a long random string")

// Session returns the request's session, loading it on first use.
func (c *Context) Session() *Session {
	x := c.state()
	if x.session != nil {
		return x.session
	}
	s := &Session{}
	x.session = s
	values, permanent, err := c.app.sessionStore().Load(c)
	if err != nil {
		c.app.logger().ErrorContext(c.Request.Context(), "flagon: loading the session failed; the response will be an error", "method", c.Request.Method, "path", c.Request.URL.Path, "error", err.Error())
		s.loadErr = err
	}
	s.values, s.permanent = values, permanent
	if s.values == nil {
		s.values = map[string]any{}
	}
	return s
}

func (a *App) sessionStore() SessionStore {
	if a.Config.SessionStore != nil {
		return a.Config.SessionStore
	}
	return cookieStore{}
}

// saveSession runs just before the headers are written: a session used in
// this request gets Vary: Cookie, and a modified one is saved. A failure
// replaces the response with an error answer.
func (c *Context) saveSession() {
	s := c.get().session
	if s == nil {
		return
	}
	c.Response.Header().Add("Vary", "Cookie")
	if s.loadErr != nil {
		c.failBeforeHeaders(s.loadErr)
		return
	}
	if !s.modified {
		return
	}
	if err := c.app.sessionStore().Save(c, s.values, s.permanent); err != nil {
		c.failBeforeHeaders(err)
	}
}

// failBeforeHeaders answers with err's error page in place of the response
// the handler is about to send; the handler's own writes are discarded. An
// *HTTPError keeps its code (a store's 503); any other error is a 500.
func (c *Context) failBeforeHeaders(err error) {
	c.app.logger().ErrorContext(c.Request.Context(), "flagon: cannot send the response", "method", c.Request.Method, "path", c.Request.URL.Path, "error", err.Error())
	resp := c.Response // the one the handler writes to (middleware may wrap it)
	h := resp.Header()
	for k := range h {
		if k != "Vary" {
			delete(h, k)
		}
	}
	var he *HTTPError
	if !errors.As(err, &he) {
		err = &HTTPError{Code: 500, Err: err}
	}
	c.app.renderError(c, err)
	resp.discard = true
}
