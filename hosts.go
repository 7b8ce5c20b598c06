package flagon

import (
	"net/netip"
	"strings"
)

// hostTrust is Config.TrustedHosts, parsed when the app is frozen. When on
// is false (no TrustedHosts) every host is answered and nothing is parsed
// per request.
type hostTrust struct {
	on       bool
	patterns []hostPattern
}

// hostPattern is one TrustedHosts entry.
type hostPattern struct {
	name   string     // a host name or IPv4 address, lower case, no port
	addr   netip.Addr // an IPv6 entry ("[::1]"), compared as an address
	suffix bool       // ".example.com": example.com and its subdomains
}

// parseTrustedHosts parses Config.TrustedHosts as Werkzeug's
// host_is_trusted reads TRUSTED_HOSTS: "example.com" is that host,
// ".example.com" is example.com and every subdomain, a port is dropped.
// An entry that is not a host is logged and matches nothing; the check
// stays on, so a list of bad entries refuses every host rather than none.
func (a *App) parseTrustedHosts() hostTrust {
	t, bad := parseHosts(a.Config.TrustedHosts)
	for _, e := range bad {
		a.logger().Error("flagon: Config.TrustedHosts entry is not a host name or an IP address (write non-ASCII names in their xn-- form); it matches no host", "entry", e)
	}
	return t
}

func parseHosts(entries []string) (t hostTrust, bad []string) {
	t.on = len(entries) > 0
	for _, e := range entries {
		s := strings.ToLower(strings.TrimSpace(e))
		var p hostPattern
		if strings.HasPrefix(s, ".") {
			p.suffix, s = true, s[1:]
		}
		if a, err := netip.ParseAddr(s); err == nil && a.Is6() && a.Zone() == "" && !p.suffix {
			p.addr = a // an IPv6 address written without brackets
			t.patterns = append(t.patterns, p)
			continue
		}
		host, ok := splitHost(s)
		switch {
		case !ok, p.suffix && s[0] == '[':
			bad = append(bad, e)
			continue
		case s[0] == '[':
			p.addr, _ = netip.ParseAddr(host)
		default:
			p.name = host
		}
		t.patterns = append(t.patterns, p)
	}
	return t, bad
}

// allows reports whether h, a Host value with an optional port, is one of
// the trusted hosts. Names compare case-insensitively, IPv6 addresses as
// addresses; a malformed or empty h is never allowed.
func (t *hostTrust) allows(h string) bool {
	host, ok := splitHost(h)
	if !ok {
		return false
	}
	var ip netip.Addr
	if h[0] == '[' {
		ip, _ = netip.ParseAddr(host)
	}
	for i := range t.patterns {
		p := &t.patterns[i]
		switch {
		case p.addr.IsValid() || ip.IsValid():
			if p.addr == ip {
				return true
			}
		case equalLower(host, p.name):
			return true
		case p.suffix && len(host) > len(p.name) && host[len(host)-len(p.name)-1] == '.' &&
			equalLower(host[len(host)-len(p.name):], p.name):
			return true
		}
	}
	return false
}

// equalLower reports whether the ASCII s equals lower, which is in lower
// case, ignoring case: strings.EqualFold, without its Unicode folding,
// which splitHost has already ruled out.
func equalLower(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != lower[i] {
			return false
		}
	}
	return true
}

// rejectHost reports whether the request's host, as Context.Host reads it
// (a trusted proxy's X-Forwarded-Host or Forwarded host, else the Host
// header), is not one of Config.TrustedHosts; then it sets the outcome the
// special chain answers with 400, so app middleware and ErrorHandler(400)
// see the refusal as they see the router's 404s. ServeHTTP calls it before
// matching, and only when TrustedHosts is set.
func (a *App) rejectHost(c *Context) bool {
	if a.hosts.allows(c.Host()) {
		return false
	}
	c.state().outcome = outcomeBadHost
	return true
}

// urlHost reports whether h can be the host of a URL the app builds: a
// valid host[:port] and, when Config.TrustedHosts is set, a trusted one.
func (a *App) urlHost(h string) bool {
	if a.hosts.on {
		return a.hosts.allows(h)
	}
	return validHost(h)
}

// validHost accepts what splitHost accepts.
func validHost(h string) bool {
	_, ok := splitHost(h)
	return ok
}

// splitHost parses h as the authority of an http URL without userinfo:
// a host name (letters, digits, "-" and "_" in non-empty labels, with an
// optional final dot), an IPv4 address or a bracketed IPv6 address without
// a zone, then an optional port of 0 to 65535. It returns the host without
// the port and the brackets.
func splitHost(h string) (host string, ok bool) {
	if h == "" || len(h) > 255 {
		return "", false
	}
	rest := ""
	if h[0] == '[' {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return "", false
		}
		host, rest = h[1:end], h[end+1:]
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() || a.Zone() != "" {
			return "", false
		}
	} else {
		host = h
		if i := strings.IndexByte(h, ':'); i >= 0 {
			host, rest = h[:i], h[i:]
		}
		if !validHostName(host) {
			return "", false
		}
	}
	if rest != "" && !validPort(rest) {
		return "", false
	}
	return host, true
}

// validHostName accepts dot-separated non-empty labels of letters, digits,
// "-" and "_", with an optional final dot ("example.com.").
func validHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return false
	}
	label := 0
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case hostNameByte[ch]:
			label++
		case ch == '.' && label > 0:
			label = 0
		default:
			return false
		}
	}
	return label > 0
}

// hostNameByte is the bytes of a host name's labels.
var hostNameByte = func() (t [256]bool) {
	for ch := range t {
		t[ch] = 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '_'
	}
	return t
}()

// validPort accepts ":" followed by a port number from 0 to 65535.
func validPort(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' {
		return false
	}
	n := 0
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n <= 65535
}
