package middleware

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	"github.com/flagon-go/flagon"
)

// UserKey is the key c.Get returns the name of the user BasicAuth let in
// under (a string).
const UserKey = "user"

// maxAuthorization is the longest Authorization header BasicAuth decodes;
// a longer one is refused without being read.
const maxAuthorization = 4096

// BasicAuth lets in the requests whose HTTP Basic credentials check
// accepts, and stores the user name with c.Set(UserKey, name). Others,
// and requests without credentials or with a malformed or oversized
// Authorization header, get the app's 401 answer with
// WWW-Authenticate: Basic realm="realm", charset="UTF-8" (the realm quoted
// and escaped), so browsers ask for a password.
//
// check must compare in constant time, so that how long a refusal takes
// tells an attacker nothing: compare secrets with SecureCompare, or use
// BasicAuthUsers for a fixed set of accounts. BasicAuth panics when realm
// holds a control character.
func BasicAuth(realm string, check func(user, pass string) bool) flagon.Middleware {
	if check == nil {
		panic("flagon: BasicAuth needs a check function; use BasicAuthUsers for a fixed set of accounts")
	}
	if strings.ContainsFunc(realm, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		panic(fmt.Sprintf("flagon: BasicAuth realm %q holds a control character; use a realm without one", realm))
	}
	challenge := []string{`Basic realm="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(realm) + `", charset="UTF-8"`}
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			if len(c.Request.Header.Get("Authorization")) <= maxAuthorization {
				if user, pass, ok := c.Request.BasicAuth(); ok && check(user, pass) {
					c.Set(UserKey, user)
					return next(c)
				}
			}
			c.Response.Header()["Www-Authenticate"] = challenge[:1:1]
			return flagon.Abort(http.StatusUnauthorized)
		}
	}
}

// SecureCompare reports whether a and b are equal, in a time that depends
// on neither their contents nor their lengths (both are hashed first).
func SecureCompare(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// BasicAuthUsers returns a check for BasicAuth that accepts the given user
// names with their passwords. It compares against every account, in
// constant time, so neither a wrong name nor a wrong password is faster to
// find out. The map is copied.
func BasicAuthUsers(accounts map[string]string) func(user, pass string) bool {
	type account struct{ user, pass [sha256.Size]byte }
	list := make([]account, 0, len(accounts))
	for u, p := range accounts {
		list = append(list, account{sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))})
	}
	return func(user, pass string) bool {
		hu, hp := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
		found := 0
		for i := range list {
			found |= subtle.ConstantTimeCompare(hu[:], list[i].user[:]) & subtle.ConstantTimeCompare(hp[:], list[i].pass[:])
		}
		return found == 1
	}
}
