package redisstore

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/flagon-go/flagon"
	"github.com/redis/go-redis/v9"
)

// The session cookie carries only the session's ID: base64url(24 random
// bytes) "." base64url(HMAC-SHA256). The HMAC key is derived from
// Config.SecretKey and a salt of this store's own, as the cookie store
// does, so a forged or guessed ID is refused without asking Redis, and
// Config.SecretKeyFallbacks are accepted (the cookie is then signed again
// with the current key). The values live in Redis under prefix+ID as JSON,
// expiring after Config.SessionLifetime.

const (
	sessionSalt  = "flagon.session.redis"
	idBytes      = 24 // 192 bits from crypto/rand
	maxCookieLen = 128
	stateKey     = "flagon.redisstore.session" // the request's sessionState, with c.Set
	permanentKey = "_permanent"                // as the cookie store keeps it
)

var b64 = base64.RawURLEncoding

// sessionStore is the Redis flagon.SessionStore.
type sessionStore struct {
	rdb    redis.UniversalClient
	prefix string
}

// sessionState is what Load learned, for Save: the ID the request's
// cookie carries and whether Redis held a session under it.
type sessionState struct {
	id    string
	found bool
}

// NewSessionStore returns a flagon.SessionStore keeping sessions in Redis
// under prefix+ID, shared by every instance using the same Redis, prefix
// and Config.SecretKey. The cookie carries only a random 192-bit ID signed
// with the app's key; the values are JSON in Redis, expiring
// Config.SessionLifetime after the last save (permanent sessions' cookies
// last as long; others end with the browser). Loading is one GET; saving
// one SET, or a DEL and a SET pipelined in one round trip when the session
// was cleared, which always issues a new ID (no session fixation); an
// emptied session is deleted with its cookie. A session revoked (see
// Revoke) while a request uses it is not written back. When Redis fails,
// the response is 503 Service Unavailable, never an empty session. It
// panics when rdb is nil.
func NewSessionStore(rdb redis.UniversalClient, prefix string) flagon.SessionStore {
	if rdb == nil {
		panic("flagon: redisstore.NewSessionStore(nil, ...): pass a Redis client, e.g. redis.NewClient(&redis.Options{Addr: \"127.0.0.1:6379\"})")
	}
	return &sessionStore{rdb: rdb, prefix: prefix}
}

// Load implements flagon.SessionStore.
func (s *sessionStore) Load(c *flagon.Context) (map[string]any, bool, error) {
	id, matched := requestID(c)
	if id == "" {
		return nil, false, nil
	}
	st := &sessionState{id: id}
	c.Set(stateKey, st)
	raw, err := s.rdb.Get(c.Context(), s.prefix+id).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil // expired or revoked
	}
	if err != nil {
		return nil, false, unavailable(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var values map[string]any
	if err := dec.Decode(&values); err != nil {
		return nil, false, nil // not a session of ours: start over under a new ID
	}
	st.found = true
	permanent, _ := values[permanentKey].(bool)
	delete(values, permanentKey)
	if matched > 0 { // signed with a fallback key: sign it with the current one
		c.SetCookie(c.SessionCookie(signID(c.App().Config.SecretKey, id), permanent))
	}
	return values, permanent, nil
}

// Save implements flagon.SessionStore.
func (s *sessionStore) Save(c *flagon.Context, values map[string]any, permanent bool) error {
	cfg := &c.App().Config
	var st *sessionState
	if v, ok := c.Get(stateKey); ok {
		st, _ = v.(*sessionState)
	}
	old := ""
	if st != nil && st.found {
		old = st.id
	}
	ctx := c.Context()
	if len(values) == 0 && !permanent {
		if old != "" {
			if err := s.rdb.Del(ctx, s.prefix+old).Err(); err != nil {
				return unavailable(err)
			}
			st.found = false
		}
		if _, err := c.Request.Cookie(cfg.SessionCookieName); err == nil {
			ck := c.SessionCookie("", false)
			ck.MaxAge = -1
			c.SetCookie(ck)
		}
		return nil
	}
	if cfg.SecretKey == "" {
		return flagon.ErrNoSecretKey
	}
	payload := values
	if permanent {
		payload = make(map[string]any, len(values)+1)
		for k, v := range values {
			payload[k] = v
		}
		payload[permanentKey] = true
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("redisstore: the session cannot be encoded as JSON: %w", err)
	}
	id := old
	if old != "" && !c.Session().Cleared() {
		// Only while it still exists: a session revoked during the request
		// stays revoked.
		ok, err := s.rdb.SetXX(ctx, s.prefix+id, raw, cfg.SessionLifetime).Result()
		if err != nil {
			return unavailable(err)
		}
		if !ok {
			ck := c.SessionCookie("", false)
			ck.MaxAge = -1
			c.SetCookie(ck)
			return nil
		}
	} else {
		if id, err = newID(); err != nil {
			return err
		}
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			if old != "" {
				p.Del(ctx, s.prefix+old)
			}
			p.Set(ctx, s.prefix+id, raw, cfg.SessionLifetime)
			return nil
		})
		if err != nil {
			return unavailable(err)
		}
		if st == nil {
			st = &sessionState{}
			c.Set(stateKey, st)
		}
		st.id, st.found = id, true
	}
	c.SetCookie(c.SessionCookie(signID(cfg.SecretKey, id), permanent))
	return nil
}

// SessionID returns the ID of the request's session in a NewSessionStore
// (loading the session): the one its cookie carries, or the new one once
// the session is saved; "" when it has none (no valid cookie, or the
// session expired or was revoked). Record it against a user to revoke
// their sessions later ("log out everywhere").
func SessionID(c *flagon.Context) string {
	c.Session()
	if v, ok := c.Get(stateKey); ok {
		if st, _ := v.(*sessionState); st != nil && st.found {
			return st.id
		}
	}
	return ""
}

// Revoke deletes the sessions with the given IDs (from SessionID) from a
// NewSessionStore with this client and prefix: their next request has an
// empty session, as when logged out. IDs that do not exist are ignored.
func Revoke(ctx context.Context, rdb redis.UniversalClient, prefix string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = prefix + id
	}
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys { // one DEL a key, so a cluster can spread them
			p.Del(ctx, k)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: revoking sessions: %w", err)
	}
	return nil
}

// requestID returns the session ID the request's cookie carries when its
// signature verifies, with the index of the key that signed it (0 for
// Config.SecretKey, then its fallbacks); "" when there is none.
func requestID(c *flagon.Context) (string, int) {
	cfg := &c.App().Config
	ck, err := c.Request.Cookie(cfg.SessionCookieName)
	if err != nil || ck.Value == "" || len(ck.Value) > maxCookieLen || cfg.SecretKey == "" {
		return "", -1
	}
	id, sigText, ok := strings.Cut(ck.Value, ".")
	if !ok || b64.DecodedLen(len(id)) != idBytes {
		return "", -1
	}
	sig, err := b64.DecodeString(sigText)
	if err != nil {
		return "", -1
	}
	for i, k := range append([]string{cfg.SecretKey}, cfg.SecretKeyFallbacks...) {
		if k != "" && hmac.Equal(sig, signature(k, id)) {
			return id, i
		}
	}
	return "", -1
}

// signID returns the cookie value for id, signed with secret.
func signID(secret, id string) string {
	return id + "." + b64.EncodeToString(signature(secret, id))
}

// signature is HMAC-SHA256 of id under a key derived from secret.
func signature(secret, id string) []byte {
	k := hmac.New(sha256.New, []byte(secret))
	k.Write([]byte(sessionSalt))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(id))
	return m.Sum(nil)
}

// newID returns a random session ID.
func newID() (string, error) {
	var b [idBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("redisstore: no randomness for a session ID: %w", err)
	}
	return b64.EncodeToString(b[:]), nil
}

// unavailable is the error of a Redis failure: the request is answered
// 503, and the session is neither emptied nor overwritten.
func unavailable(err error) error {
	return &flagon.HTTPError{Code: http.StatusServiceUnavailable, Message: "The session store is unavailable: retry later.", Err: err}
}
