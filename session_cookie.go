package flagon

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The cookie store keeps the session in the cookie itself, signed in the
// spirit of Flask's itsdangerous: base64url(JSON payload) "."
// base64url(timestamp) "." base64url(HMAC-SHA256). The HMAC key is derived
// from Config.SecretKey and a salt, so the secret is never used directly;
// signatures are compared in constant time; Config.SecretKeyFallbacks are
// accepted for reading and the session is re-signed with the current key.
// The payload is signed, not encrypted: users can read it.

const (
	sessionSalt      = "flagon.session.cookie"
	maxCookieBytes   = 4093 // the smallest per-cookie limit browsers enforce
	futureClockSkew  = 5 * time.Minute
	maxSessionCookie = 8 << 10 // larger cookies are not even decoded
)

type cookieStore struct{}

// sessionKey derives the signing key from a secret.
func sessionKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(sessionSalt))
	return m.Sum(nil)
}

func signSession(key []byte, payloadAndTime string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payloadAndTime))
	return m.Sum(nil)
}

var b64 = base64.RawURLEncoding

// Load verifies and decodes the session cookie. Anything wrong with it
// (tampered, truncated, expired, badly encoded, signed with an unknown key)
// is an empty session.
func (cookieStore) Load(c *Context) (map[string]any, bool, error) {
	cfg := &c.app.Config
	ck, err := c.Request.Cookie(cfg.SessionCookieName)
	if err != nil || ck.Value == "" || len(ck.Value) > maxSessionCookie || cfg.SecretKey == "" {
		return nil, false, nil
	}
	parts := strings.Split(ck.Value, ".")
	if len(parts) != 3 {
		return nil, false, nil
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, false, nil
	}
	signed := parts[0] + "." + parts[1]
	keys := append([]string{cfg.SecretKey}, cfg.SecretKeyFallbacks...)
	matched := -1
	for i, k := range keys {
		if k != "" && hmac.Equal(sig, signSession(sessionKey(k), signed)) {
			matched = i
			break
		}
	}
	if matched < 0 {
		return nil, false, nil
	}
	tsBytes, err := b64.DecodeString(parts[1])
	if err != nil || len(tsBytes) != 8 {
		return nil, false, nil
	}
	ts := time.Unix(int64(binary.BigEndian.Uint64(tsBytes)), 0)
	now := time.Now()
	if now.Sub(ts) > cfg.SessionLifetime || ts.Sub(now) > futureClockSkew {
		return nil, false, nil
	}
	raw, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var values map[string]any
	if err := dec.Decode(&values); err != nil || dec.More() {
		return nil, false, nil
	}
	permanent, _ := values[sessionPermanentKey].(bool)
	delete(values, sessionPermanentKey)
	if s := c.get().session; matched > 0 && s != nil {
		s.modified = true // re-sign with the current key on save
	}
	return values, permanent, nil
}

// Save writes the session cookie, or deletes it when the session is empty.
func (cookieStore) Save(c *Context, values map[string]any, permanent bool) error {
	cfg := &c.app.Config
	ck := c.SessionCookie("", false)
	if len(values) == 0 && !permanent {
		if _, err := c.Request.Cookie(cfg.SessionCookieName); err == nil {
			ck.MaxAge = -1
			http.SetCookie(c.Response, ck)
		}
		return nil
	}
	if cfg.SecretKey == "" {
		return ErrNoSecretKey
	}
	payload := values
	if permanent {
		payload = make(map[string]any, len(values)+1)
		for k, v := range values {
			payload[k] = v
		}
		payload[sessionPermanentKey] = true
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("flagon: the session cannot be encoded as JSON: %w", err)
	}
	var ts [8]byte
	now := time.Now()
	binary.BigEndian.PutUint64(ts[:], uint64(now.Unix()))
	signed := b64.EncodeToString(raw) + "." + b64.EncodeToString(ts[:])
	ck.Value = signed + "." + b64.EncodeToString(signSession(sessionKey(cfg.SecretKey), signed))
	if permanent {
		ck.Expires = now.Add(cfg.SessionLifetime)
		ck.MaxAge = int(cfg.SessionLifetime / time.Second)
	}
	if n := len(ck.Name) + 1 + len(ck.Value); n > maxCookieBytes {
		return fmt.Errorf("flagon: the session cookie would be %d bytes, over the %d-byte browser limit; store less in the session or use a server-side Config.SessionStore", n, maxCookieBytes)
	}
	http.SetCookie(c.Response, ck)
	return nil
}

// SessionCookie returns the session cookie carrying value, with the
// attributes the app's settings give it: Config.SessionCookieName, its path
// (Config.SessionCookiePath, default "/" under a trusted proxy's prefix),
// domain, SameSite, HttpOnly, and Secure when configured or the request is
// HTTPS; a permanent one lasts Config.SessionLifetime. It is for
// SessionStore implementations that keep an ID in the cookie; set MaxAge
// to -1 on it to delete the cookie.
func (c *Context) SessionCookie(value string, permanent bool) *http.Cookie {
	cfg := &c.app.Config
	path := cfg.SessionCookiePath
	if path == "" {
		path = c.scriptRoot() + "/"
	}
	ck := &http.Cookie{
		Name:     cfg.SessionCookieName,
		Value:    value,
		Path:     path,
		Domain:   cfg.SessionCookieDomain,
		HttpOnly: true,
		Secure:   cfg.SessionCookieSecure || c.Scheme() == "https",
		SameSite: cfg.SessionCookieSameSite,
	}
	if permanent {
		ck.Expires = time.Now().Add(cfg.SessionLifetime)
		ck.MaxAge = int(cfg.SessionLifetime / time.Second)
	}
	return ck
}
