package flagon

import (
	"net/http"
	"strings"
)

// The router splits a path at its slashes as the client wrote them, then
// decodes each variable: "/files/admin%2Fkey.pem" is the one segment
// "admin/key.pem", which a guard on "/files/admin/<path:p>" never sees.
// A file path built from that variable would have a separator the router
// did not route on (the class of echo's CVE-2026-55677), and so would a
// backslash, which Windows reads as a separator and the router never does.
// The checks below keep such names from reaching the file system.

// escapedSlash reports whether the request's path spells a slash as %2F.
// The router matches the escaped path (URL.RawPath) when there is one; an
// empty RawPath means the path is in its default escaping, which never
// escapes "/" (and then the router split the decoded path, so every slash
// in it was a separator to the router too). In a path whose escapes are
// valid (the router answers 400 to others) every "%" starts an escape, so
// a plain search finds only real ones.
func escapedSlash(r *http.Request) bool {
	raw := r.URL.RawPath
	return raw != "" && (strings.Contains(raw, "%2F") || strings.Contains(raw, "%2f"))
}

// smuggledName reports whether name, a route variable's decoded value, holds
// a separator the router did not route on: a backslash, however it was
// spelled, or a slash when the request's path spelled one as %2F.
func smuggledName(r *http.Request, name string) bool {
	if strings.IndexByte(name, '\\') >= 0 {
		return true
	}
	return strings.IndexByte(name, '/') >= 0 && escapedSlash(r)
}

// smuggledPath reports whether path, given to File or Attachment, may have
// been built from a route variable holding a smuggled separator (see
// smuggledName). Such a variable is refused outright when one of its parts
// (the text between its separators) is empty, "." or "..": no client means
// "a%2F..%2Fb", and spelled plainly the router redirects those away. Any
// other such variable is refused when path contains two of its neighbouring
// parts joined by a separator, ignoring ASCII case ("admin/key.pem" in
// "/srv/files/admin/key.pem.bak"): that holds however the handler got from
// the name to the path (filepath.Join, a prefix, an extension,
// strings.ToLower), while a path that does not carry the smuggled
// separator (a fixed file, a name looked up elsewhere) is still served.
// Requests without such a variable, nearly all of them, cost one scan of
// each variable for a separator.
func (c *Context) smuggledPath(path string) bool {
	for _, v := range c.params {
		if smuggledName(c.Request, v) && carriesParts(path, v) {
			return true
		}
	}
	return false
}

// carriesParts reports whether v has an empty or dot part, or path holds
// two neighbouring parts of v joined by a separator (see smuggledPath).
func carriesParts(path, v string) bool {
	prev := ""
	for more := true; more; {
		part := v
		if i := strings.IndexAny(v, `/\`); i >= 0 {
			part, v = v[:i], v[i+1:]
		} else {
			more = false
		}
		if part == "" || part == "." || part == ".." {
			return true
		}
		if prev != "" && containsJoined(path, prev, part) {
			return true
		}
		prev = part
	}
	return false
}

// containsJoined reports whether s contains a, a slash or a backslash, and
// b, ignoring case.
func containsJoined(s, a, b string) bool {
	n := len(a) + 1 + len(b)
	for i := 0; i+n <= len(s); i++ {
		if sep := s[i+len(a)]; (sep == '/' || sep == '\\') && hasPrefixFold(s[i:], a) && hasPrefixFold(s[i+len(a)+1:], b) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s begins with prefix, ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
