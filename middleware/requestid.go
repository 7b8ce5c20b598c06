package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/flagon-go/flagon"
)

// RequestIDKey is the key c.Get returns the request's ID under, for code
// that reads Flask-style values; c.RequestID() returns it as a string.
const RequestIDKey = "request_id"

// RequestIDHeader is the header RequestID reads the incoming ID from and
// sends the ID back in.
const RequestIDHeader = "X-Request-ID"

// MaxRequestIDLength is the longest incoming ID RequestID reuses.
const MaxRequestIDLength = 64

// RequestIDConfig configures RequestID. The zero value is ready to use.
type RequestIDConfig struct {
	// Generator makes the ID of a request that brings none, or one that is
	// not reused. A result that is not a valid ID (empty, too long, not
	// printable ASCII) is replaced by the default: 16 bytes from
	// crypto/rand as 32 hex digits.
	Generator func() string
	// NoContext leaves the request's context alone, so RequestIDFromContext
	// finds nothing. Putting a value in a context costs two allocations
	// (the context and the request copy); without it, a request that brings
	// its own ID costs none.
	NoContext bool
}

// requestIDCtxKey is the request-context key of the ID.
type requestIDCtxKey struct{}

// canonical form of RequestIDHeader, to index the header maps directly.
const requestIDHeaderKey = "X-Request-Id"

// RequestID gives every request an ID: the incoming X-Request-ID when it
// is 1 to 64 printable ASCII characters without spaces (so a proxy's ID
// carries through), otherwise a new random one. The ID is sent back in the
// X-Request-ID response header, recorded on c (c.RequestID(), or
// c.Get(RequestIDKey)), where the request log and the default error pages
// show it, and put in the request's context for RequestIDFromContext. An
// unusable incoming value is ignored, never echoed. Put it first, before
// Logger, so every answer carries the ID.
func RequestID(cfg ...RequestIDConfig) flagon.Middleware {
	var conf RequestIDConfig
	if len(cfg) > 0 {
		conf = cfg[0]
	}
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			// ids holds the ID: the request's own slice when the incoming
			// one is reused, shared (capped, so an Add cannot write into
			// it) with the response header, and pointed to from the
			// context, so none of the three allocates.
			ids := c.Request.Header[requestIDHeaderKey]
			if len(ids) == 0 || !validRequestID(ids[0]) {
				ids = []string{newRequestID(conf.Generator)}
			}
			c.Response.Header()[requestIDHeaderKey] = ids[:1:1]
			c.SetRequestID(ids[0])
			if !conf.NoContext {
				c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDCtxKey{}, &ids[0]))
			}
			return next(c)
		}
	}
}

// RequestIDFromContext returns the ID RequestID put in a request's context,
// or "" when there is none.
func RequestIDFromContext(ctx context.Context) string {
	if id, ok := ctx.Value(requestIDCtxKey{}).(*string); ok {
		return *id
	}
	return ""
}

// validRequestID accepts 1 to MaxRequestIDLength bytes from '!' to '~'.
func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > MaxRequestIDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return false
		}
	}
	return true
}

func newRequestID(gen func() string) string {
	if gen != nil {
		if id := gen(); validRequestID(id) {
			return id
		}
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}
