package flagon

import (
	"path"
	"strings"
)

// isCanonical reports whether p (an escaped or decoded request path) has no
// empty, "." or ".." segment, except for one trailing slash.
func isCanonical(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	// Most paths have no dot at all: then only "//" can make them unclean.
	if strings.IndexByte(p, '.') < 0 {
		return !strings.Contains(p, "//")
	}
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		// p[i] is a slash: look at the segment after it.
		rest := p[i+1:]
		switch {
		case rest == "":
			// trailing slash
		case rest[0] == '/':
			return false
		case rest[0] == '.':
			if len(rest) == 1 || rest[1] == '/' {
				return false
			}
			if rest[1] == '.' && (len(rest) == 2 || rest[2] == '/') {
				return false
			}
		}
	}
	return true
}

// cleanPath returns the canonical form of p: empty, "." and ".." segments
// resolved as path.Clean does, a trailing slash kept; as in URL resolution,
// a final "." or ".." segment leaves a trailing slash ("/a/b/.." is "/a/").
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	c := path.Clean(p)
	dir := strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
	if dir && c != "/" {
		c += "/"
	}
	return c
}

// safeLocation makes a path safe to send as a relative Location: a path
// starting with "//" or "/\" would be read by browsers as another host, so
// the second character is percent-encoded. Backslashes anywhere are encoded
// too, since some clients treat them as slashes.
func safeLocation(p string) string {
	if strings.IndexByte(p, '\\') >= 0 {
		p = strings.ReplaceAll(p, "\\", "%5C")
	}
	if len(p) >= 2 && p[0] == '/' && p[1] == '/' {
		p = "/%2F" + p[2:]
	}
	return p
}
