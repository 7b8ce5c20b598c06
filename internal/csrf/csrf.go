// Package csrf keeps the per-session CSRF secret and the masked tokens
// derived from it. It is shared by middleware.CSRF and the core's
// csrf_token template helper, so both agree without an import cycle.
package csrf

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
)

// Session is the part of a flagon.Session the tokens need.
type Session interface {
	Get(key string) (any, bool)
	Set(key string, v any)
}

// Key is the session key of the CSRF secret.
const Key = "_csrf_token"

const size = 32

var enc = base64.RawURLEncoding

// secret returns the session's secret, creating it when create is set.
func secret(s Session, create bool) []byte {
	if v, ok := s.Get(Key); ok {
		if str, ok := v.(string); ok {
			if b, err := enc.DecodeString(str); err == nil && len(b) == size {
				return b
			}
		}
	}
	if !create {
		return nil
	}
	b := make([]byte, size)
	_, _ = rand.Read(b)
	s.Set(Key, enc.EncodeToString(b))
	return b
}

// Token returns a fresh masked token for the session's secret (creating the
// secret on first use). Each call gives a different string, so the token
// never repeats in compressed pages (BREACH), yet all of them are valid.
func Token(s Session) string {
	sec := secret(s, true)
	out := make([]byte, 2*size)
	_, _ = rand.Read(out[:size])
	for i := range size {
		out[size+i] = out[i] ^ sec[i]
	}
	return enc.EncodeToString(out)
}

// Valid reports whether token was made by Token for this session's secret,
// comparing in constant time. An empty or malformed token is invalid, and so
// is every token once the session (and its secret) is cleared.
func Valid(s Session, token string) bool {
	sec := secret(s, false)
	if sec == nil || token == "" || len(token) > 4*size {
		return false
	}
	b, err := enc.DecodeString(token)
	if err != nil || len(b) != 2*size {
		return false
	}
	plain := make([]byte, size)
	for i := range size {
		plain[i] = b[i] ^ b[size+i]
	}
	return subtle.ConstantTimeCompare(plain, sec) == 1
}
