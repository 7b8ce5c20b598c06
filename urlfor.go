package flagon

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// URLFor builds the path of endpoint from key, value pairs: pairs named
// after the rule's variables fill them (through the converter's Build, then
// percent-encoding; a path variable keeps its slashes), the others become
// the query string in the order given, and "_anchor" adds a fragment.
// When an endpoint has several rules, the one with the most variables that
// the pairs fill is used. It returns an error for an unknown endpoint, an
// odd number of arguments, a missing variable, or a value its converter
// does not accept.
func (a *App) URLFor(endpoint string, args ...any) (string, error) {
	if strings.HasPrefix(endpoint, ".") {
		return "", fmt.Errorf("flagon: cannot build a URL for %q: a relative endpoint needs a request (use Context.URLFor)", endpoint)
	}
	return a.buildURL(nil, endpoint, args)
}

// URLFor builds a path for endpoint like App.URLFor, for use in handlers.
// An endpoint starting with "." is relative to the blueprint of the
// request's route (".logout" in blueprint auth is "auth.logout"; in an app
// route, "logout"), as in Flask. The URLDefaults functions of the app and
// of the endpoint's blueprints fill the rule's variables the pairs leave
// out. Behind a trusted proxy that sends X-Forwarded-Prefix, the path
// starts with that prefix.
func (c *Context) URLFor(endpoint string, args ...any) (string, error) {
	if strings.HasPrefix(endpoint, ".") {
		endpoint = c.blueprintPrefix() + endpoint[1:]
	}
	p, err := c.app.buildURL(c, endpoint, args)
	if err != nil {
		return "", err
	}
	return c.scriptRoot() + p, nil
}

// ExternalURLFor builds an absolute URL for endpoint. Its scheme and host
// are the request's (from a trusted proxy's forwarding headers when there
// are any) when that host is a valid host[:port] and, with
// Config.TrustedHosts set, a trusted one; else Config.PreferredURLScheme
// and Config.ServerName. It never builds a URL from a host it did not
// check: it returns an error when neither host can be used, or for the
// errors of URLFor.
func (c *Context) ExternalURLFor(endpoint string, args ...any) (string, error) {
	p, err := c.URLFor(endpoint, args...)
	if err != nil {
		return "", err
	}
	scheme, host := c.Scheme(), c.Host()
	if !c.app.urlHost(host) {
		scheme, host = c.app.Config.PreferredURLScheme, c.app.Config.ServerName
		if host == "" {
			return "", errors.New("flagon: ExternalURLFor: the request's host is missing, malformed or not in Config.TrustedHosts, and Config.ServerName is not set")
		}
		if !validHost(host) {
			return "", fmt.Errorf("flagon: ExternalURLFor: Config.ServerName %q is not a valid host[:port]", host)
		}
	}
	if scheme == "" {
		scheme = "http"
	}
	return scheme + "://" + host + p, nil
}

type urlArg struct {
	key   string
	value any
	used  bool
}

// blueprintPrefix is the endpoint prefix of the request's route ("auth."
// in blueprint auth, "" for an app route or no route).
func (c *Context) blueprintPrefix() string {
	if c.route == nil {
		return ""
	}
	return c.route.prefix
}

// buildURL builds endpoint from args; c, when not nil, is the request
// whose URLDefaults apply.
func (a *App) buildURL(c *Context, endpoint string, args []any) (string, error) {
	routes := a.endpoints[endpoint]
	if len(routes) == 0 && endpoint == staticEndpoint && !a.serving.Load() {
		a.ensureStatic()
		routes = a.endpoints[endpoint]
	}
	if len(routes) == 0 {
		return "", fmt.Errorf("flagon: cannot build a URL for endpoint %q: no route has that endpoint", endpoint)
	}
	if len(args)%2 != 0 {
		return "", fmt.Errorf("flagon: cannot build a URL for %q: arguments must be key, value pairs (got %d values)", endpoint, len(args))
	}
	pairs := make([]urlArg, 0, len(args)/2)
	anchor := ""
	for i := 0; i < len(args); i += 2 {
		k, ok := args[i].(string)
		if !ok {
			return "", fmt.Errorf("flagon: cannot build a URL for %q: argument %d is a %T, not a string key", endpoint, i, args[i])
		}
		if k == "_anchor" {
			s, err := textOf(args[i+1])
			if err != nil {
				return "", fmt.Errorf("flagon: cannot build a URL for %q: _anchor: %v", endpoint, err)
			}
			anchor = s
			continue
		}
		pairs = append(pairs, urlArg{key: k, value: args[i+1]})
	}
	// Most variables first, as Werkzeug does, registration order otherwise.
	order := make([]*Route, len(routes))
	copy(order, routes)
	sort.SliceStable(order, func(i, j int) bool { return len(order[i].parsed.names) > len(order[j].parsed.names) })
	var firstErr error
	for _, r := range order {
		u, err := buildRule(r, withDefaults(c, r, endpoint, pairs), anchor)
		if err == nil {
			return u, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return "", fmt.Errorf("flagon: cannot build a URL for %q: %w", endpoint, firstErr)
}

// withDefaults adds to pairs the values the URLDefaults functions of r's
// scopes (the app's first, then its blueprints' outer to inner) give for
// the rule's variables that pairs leave out.
func withDefaults(c *Context, r *Route, endpoint string, pairs []urlArg) []urlArg {
	if c == nil {
		return pairs
	}
	var values map[string]any
	for i := len(r.scopes) - 1; i >= 0; i-- {
		for _, fn := range r.scopes[i].urlDefaults {
			if values == nil {
				values = map[string]any{}
			}
			fn(c, endpoint, values)
		}
	}
	if values == nil {
		return pairs
	}
	out := pairs[:len(pairs):len(pairs)]
next:
	for _, name := range r.parsed.names {
		for _, p := range pairs {
			if p.key == name {
				continue next
			}
		}
		if v, ok := values[name]; ok {
			out = append(out, urlArg{key: name, value: v})
		}
	}
	return out
}

// buildRule fills one route's rule from pairs.
func buildRule(r *Route, pairs []urlArg, anchor string) (string, error) {
	for i := range pairs {
		pairs[i].used = false
	}
	var b strings.Builder
	for _, s := range r.parsed.segs {
		b.WriteByte('/')
		if s.spec.kind == kindStatic {
			b.WriteString(escapeSegment(s.static))
			continue
		}
		idx := -1
		for i := range pairs {
			if pairs[i].key == s.name {
				idx = i
				break
			}
		}
		if idx < 0 {
			return "", fmt.Errorf("rule %s needs a value for %q", r.rule, s.name)
		}
		pairs[idx].used = true
		text, err := s.spec.conv.Build(pairs[idx].value)
		if err != nil {
			return "", fmt.Errorf("rule %s: value for %q: %v", r.rule, s.name, err)
		}
		if !s.spec.conv.Match(text) {
			return "", fmt.Errorf("rule %s: value %q for %q does not match <%s>", r.rule, text, s.name, s.spec.key)
		}
		if s.spec.kind == kindPath {
			parts := strings.Split(text, "/")
			for i, p := range parts {
				parts[i] = escapeSegment(p)
			}
			b.WriteString(strings.Join(parts, "/"))
		} else {
			b.WriteString(escapeSegment(text))
		}
	}
	q := url.Values{}
	var keys []string
	for _, p := range pairs {
		if p.used {
			continue
		}
		if _, seen := q[p.key]; !seen {
			keys = append(keys, p.key)
		}
		switch v := p.value.(type) {
		case []string:
			q[p.key] = append(q[p.key], v...)
		default:
			s, err := textOf(v)
			if err != nil {
				return "", fmt.Errorf("query value for %q: %v", p.key, err)
			}
			q[p.key] = append(q[p.key], s)
		}
	}
	for i, k := range keys {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		for j, v := range q[k] {
			if j > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	if anchor != "" {
		b.WriteByte('#')
		b.WriteString(url.PathEscape(anchor))
	}
	return b.String(), nil
}

// escapeSegment percent-encodes one path segment ("/" included).
func escapeSegment(s string) string { return url.PathEscape(s) }
