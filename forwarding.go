package flagon

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// proxyTrust is Config.TrustedProxies, parsed when the app is frozen.
type proxyTrust struct {
	prefixes []netip.Prefix
	unix     bool // "unix" trusts peers on a unix socket
}

// parseTrust parses TrustedProxies entries (IPs, CIDRs, or "unix");
// entries that are neither are returned as bad and not trusted.
func parseTrust(entries []string) (t proxyTrust, bad []string) {
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "unix" {
			t.unix = true
			continue
		}
		if p, err := netip.ParsePrefix(e); err == nil {
			// Peers are compared unmapped, so "::ffff:10.0.0.0/104" must
			// become "10.0.0.0/8" to match anything.
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			t.prefixes = append(t.prefixes, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(e); err == nil {
			a = a.Unmap()
			t.prefixes = append(t.prefixes, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		bad = append(bad, e)
	}
	return t, bad
}

func (t *proxyTrust) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peer is the direct peer of the request: its IP when it has one, and
// whether it is a trusted proxy.
func (a *App) peer(r *http.Request) (addr netip.Addr, trusted bool) {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		addr = ap.Addr().Unmap()
	} else if ip, err := netip.ParseAddr(r.RemoteAddr); err == nil {
		addr = ip.Unmap()
	} else {
		// A unix socket peer has no IP ("@" or ""); any other RemoteAddr
		// that is not an IP (a CGI gateway's empty REMOTE_ADDR, a handler
		// wrapper's rewrite) is not a unix peer and trusts nothing.
		return netip.Addr{}, a.trust.unix && onUnixSocket(r)
	}
	return addr, a.trust.contains(addr)
}

// onUnixSocket reports whether r arrived on a unix socket listener.
func onUnixSocket(r *http.Request) bool {
	la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	return ok && la != nil && strings.HasPrefix(la.Network(), "unix")
}

// clientIPHeader is Config.ClientIPHeader spelled as this file compares it:
// header names are case-insensitive ("X-Real-Ip" is Go's canonical form),
// and "" is the default, X-Forwarded-For. Any other value names no header
// Flagon reads, and then none is believed rather than one being guessed.
func (a *App) clientIPHeader() string {
	switch h := a.Config.ClientIPHeader; {
	case h == "" || strings.EqualFold(h, "X-Forwarded-For"):
		return "X-Forwarded-For"
	case strings.EqualFold(h, "X-Real-IP"):
		return "X-Real-IP"
	case strings.EqualFold(h, "Forwarded"):
		return "Forwarded"
	}
	return ""
}

// ClientIP returns the address of the client. With no trusted proxies, or
// when the direct peer is not one of Config.TrustedProxies, it is the peer's
// address. From a trusted peer it is read from Config.ClientIPHeader:
// X-Real-IP's value, or for X-Forwarded-For and Forwarded the right-most
// address that is not a trusted proxy. A malformed header is ignored.
func (c *Context) ClientIP() string {
	r := c.Request
	a := c.app
	peer, trusted := a.peer(r)
	fallback := peerText(r.RemoteAddr, peer)
	if !trusted {
		return fallback
	}
	switch a.clientIPHeader() {
	case "X-Real-IP":
		// A proxy that adds the header without removing the client's puts
		// its own line last.
		vals := r.Header.Values("X-Real-IP")
		if len(vals) == 0 {
			return fallback
		}
		if ip, ok := parseIPValue(vals[len(vals)-1]); ok {
			return ip.String()
		}
		return fallback
	case "Forwarded":
		return a.rightmostUntrusted(forwardedFor(r.Header.Values("Forwarded")), fallback)
	case "X-Forwarded-For":
		return a.rightmostUntrusted(listValues(r.Header.Values("X-Forwarded-For")), fallback)
	}
	return fallback
}

func peerText(remote string, peer netip.Addr) string {
	if peer.IsValid() {
		return peer.String()
	}
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

// rightmostUntrusted walks the hops right to left, skipping trusted
// proxies; the first untrusted address is the client. A malformed hop
// stops the walk: what lies left of it cannot be believed.
func (a *App) rightmostUntrusted(hops []string, fallback string) string {
	client := fallback
	for i := len(hops) - 1; i >= 0; i-- {
		ip, ok := parseIPValue(hops[i])
		if !ok {
			return client
		}
		client = ip.String()
		if !a.trust.contains(ip) {
			return client
		}
	}
	return client
}

// parseIPValue reads an address as proxies write it: "1.2.3.4",
// "1.2.3.4:80", "2001:db8::1", "[2001:db8::1]:80", quoted or not.
func parseIPValue(s string) (netip.Addr, bool) {
	s = strings.Trim(strings.TrimSpace(s), `"`)
	if s == "" {
		return netip.Addr{}, false
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	if ip, err := netip.ParseAddr(s); err == nil && ip.Zone() == "" {
		return ip.Unmap(), true
	}
	return netip.Addr{}, false
}

// listValues splits comma-separated header values, over every header line,
// in order.
func listValues(lines []string) []string {
	var out []string
	for _, l := range lines {
		for _, v := range strings.Split(l, ",") {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// forwardedElements parses RFC 7239 Forwarded header lines into their
// elements (one per hop), each a map of lower-cased parameter names.
func forwardedElements(lines []string) []map[string]string {
	var out []map[string]string
	for _, l := range lines {
		for _, elem := range splitQuoted(l, ',') {
			m := map[string]string{}
			for _, pair := range splitQuoted(elem, ';') {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if !ok {
					continue
				}
				v = strings.TrimSpace(v)
				if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
					v = strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`)
				}
				m[strings.ToLower(strings.TrimSpace(k))] = v
			}
			out = append(out, m)
		}
	}
	return out
}

// forwardedFor is the for= value of every Forwarded element, in order; an
// element without one counts as a malformed hop.
func forwardedFor(lines []string) []string {
	elems := forwardedElements(lines)
	out := make([]string, len(elems))
	for i, e := range elems {
		out[i] = e["for"]
	}
	return out
}

// splitQuoted splits s at sep outside double quotes.
func splitQuoted(s string, sep byte) []string {
	var out []string
	for {
		before, after, found := cutQuoted(s, sep)
		out = append(out, before)
		if !found {
			return out
		}
		s = after
	}
}

// forwardedValue is the last value a trusted proxy set for a forwarding
// parameter: X-Forwarded-<Name>'s right-most entry, or with ClientIPHeader
// "Forwarded" the parameter (proto, host) of the last Forwarded element.
//
// INTENTIONAL (do not "fix"): with ClientIPHeader "X-Real-IP" only
// X-Forwarded-Proto is believed, never X-Forwarded-Host or
// X-Forwarded-Prefix. That setting describes nginx as Flask apps are usually deployed behind it,
// which sets X-Real-IP and Host and passes every other header through as
// the client sent it: believing a forged X-Forwarded-Host there would let
// any client choose the host of the app's external URLs (password-reset
// link poisoning). X-Forwarded-Host and -Prefix are believed when
// ClientIPHeader is "X-Forwarded-For", i.e. when the deployment declares a
// proxy that speaks the X-Forwarded-* family. See docs/deployment.md.
func (c *Context) forwardedValue(xHeader, param string) string {
	if len(c.app.trust.prefixes) == 0 && !c.app.trust.unix {
		return "" // nothing is trusted: no need to parse the peer
	}
	if _, trusted := c.app.peer(c.Request); !trusted {
		return ""
	}
	switch c.app.clientIPHeader() {
	case "":
		return ""
	case "Forwarded":
		if param == "" {
			break // X-Forwarded-Prefix has no Forwarded parameter
		}
		return lastForwardedParam(c.Request.Header.Values("Forwarded"), param)
	case "X-Real-IP":
		if xHeader != "X-Forwarded-Proto" {
			return ""
		}
	}
	return lastListValue(c.Request.Header.Values(xHeader))
}

// lastListValue is the right-most entry of comma-separated header lines,
// listValues(lines)[len-1], without building the list: Host and Scheme
// read it on every request from a trusted proxy, and with
// Config.TrustedHosts set every request reads Host.
func lastListValue(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	l := lines[len(lines)-1]
	return strings.TrimSpace(l[strings.LastIndexByte(l, ',')+1:])
}

// lastForwardedParam is the parameter param of the last Forwarded element,
// forwardedElements(lines)[len-1][param], without the maps.
func lastForwardedParam(lines []string, param string) string {
	if len(lines) == 0 {
		return ""
	}
	var elem string
	for rest, more := lines[len(lines)-1], true; more; {
		elem, rest, more = cutQuoted(rest, ',')
	}
	val := ""
	for pairs, more := elem, true; more; {
		var pair string
		pair, pairs, more = cutQuoted(pairs, ';')
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), param) {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`)
		}
		val = v // a repeated parameter: the last, as in forwardedElements
	}
	return val
}

// cutQuoted cuts s at the first sep outside double quotes, as splitQuoted
// splits it.
func cutQuoted(s string, sep byte) (before, after string, found bool) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case '\\':
			if quoted {
				i++
			}
		case sep:
			if !quoted {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

// Scheme returns "https" or "http": the request's own, or from a trusted
// proxy its X-Forwarded-Proto (the proto of Forwarded when that is the
// configured header). Other values are ignored.
func (c *Context) Scheme() string {
	switch v := strings.ToLower(c.forwardedValue("X-Forwarded-Proto", "proto")); v {
	case "http", "https":
		return v
	}
	if c.Request.TLS != nil {
		return "https"
	}
	return "http"
}

// Host returns the host the client asked for: the Host header, or from a
// trusted proxy its X-Forwarded-Host (the host of Forwarded when that is
// the configured header). A forwarded value that is not a valid
// host[:port] is ignored. With Config.TrustedHosts set, a request whose
// Host is not trusted is refused before any handler runs.
func (c *Context) Host() string {
	if v := c.forwardedValue("X-Forwarded-Host", "host"); validHost(v) {
		return v
	}
	return c.Request.Host
}

// scriptRoot is the X-Forwarded-Prefix of a trusted proxy ("/app"), which
// goes in front of every URL the app builds; "" when none or malformed.
func (c *Context) scriptRoot() string {
	v := strings.TrimRight(c.forwardedValue("X-Forwarded-Prefix", ""), "/")
	if v == "" || v[0] != '/' || strings.HasPrefix(v, "//") || strings.ContainsAny(v, "\\?#\"<> \t") || !isCanonical(v) {
		return ""
	}
	return v
}

// clientIPHeaders are the headers proxies carry the client address in.
var clientIPHeaders = []string{"X-Forwarded-For", "X-Real-IP", "Forwarded"}

// warnForeignHeaders is Run(true)'s check of the deployment: a trusted
// proxy sent a client-address header other than Config.ClientIPHeader,
// which usually means ClientIPHeader does not match the proxy's settings.
// Each header is reported once.
func (a *App) warnForeignHeaders(r *http.Request) {
	if _, trusted := a.peer(r); !trusted {
		return
	}
	configured := a.clientIPHeader()
	for _, h := range clientIPHeaders {
		if h == configured || r.Header.Get(h) == "" {
			continue
		}
		if _, seen := a.warned.LoadOrStore(h, true); seen {
			continue
		}
		a.logger().Warn("flagon: a trusted proxy sent a client-address header that is not Config.ClientIPHeader; it is ignored. If your proxy sets this header itself, set ClientIPHeader to it (see docs/deployment.md)",
			"header", h, "client_ip_header", configured, "peer", r.RemoteAddr)
	}
}
