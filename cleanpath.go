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

// safeLocation makes a path safe to send as a relative Location. A path
// starting with "//" or "/\" would be read by browsers as another host, so
// the second character is percent-encoded. Every byte that may not appear
// raw in a URL path is percent-encoded too ("%" is left as it is): a
// decoded path can hold a tab or a newline, which browsers drop before
// resolving a Location ("/\t/evil.com" is read as "//evil.com"), and "\",
// "?", "#", spaces and UTF-8 change or break the URL.
func safeLocation(p string) string {
	for i := 0; i < len(p); i++ {
		if !locationByte(p[i]) {
			p = escapeLocation(p)
			break
		}
	}
	if len(p) >= 2 && p[0] == '/' && p[1] == '/' {
		p = "/%2F" + p[2:]
	}
	return p
}

// locationByte reports whether c may appear unescaped in a Location path:
// RFC 3986's pchar and "/", plus "%", which starts an escape.
func locationByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/%", c) >= 0
}

func escapeLocation(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(p) + 16)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if locationByte(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}
