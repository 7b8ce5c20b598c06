package otelflagon

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// The methods the semantic conventions know; any other is "_OTHER" (its
// own name goes in http.request.method_original) and names spans "HTTP".
var methods = [...]string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace, "QUERY",
}

const otherMethod = len(methods) // the index of "_OTHER"

// methodAttrs are the http.request.method attributes, by method index.
var methodAttrs = func() (kvs [otherMethod + 1]attribute.KeyValue) {
	for i, m := range methods {
		kvs[i] = semconv.HTTPRequestMethodKey.String(m)
	}
	kvs[otherMethod] = semconv.HTTPRequestMethodOther
	return kvs
}()

// methodIndex is the index of m in methods, or otherMethod.
func methodIndex(m string) int {
	for i, k := range methods {
		if k == m {
			return i
		}
	}
	return otherMethod
}

// spanMethod is the method part of a span name.
func spanMethod(i int) string {
	if i == otherMethod {
		return "HTTP"
	}
	return methods[i]
}

// mountVar is the name of the variable that Mount's catch-all rule ends
// in: the mounted handler owns everything below its prefix, shown as "*".
const mountVar = "__mount"

// routeTemplate is a Flagon rule in the template form of OpenAPI and of
// http.route: "/users/<int:id>" is "/users/{id}", "/files/<path:p>" is
// "/files/{p}", and Mount's "/api/<path:__mount>" is "/api/*". A variable
// fills a whole segment, and its name follows the last ":".
func routeTemplate(rule string) string {
	if strings.IndexByte(rule, '<') < 0 {
		return rule
	}
	segs := strings.Split(rule, "/")
	for i, s := range segs {
		if len(s) < 2 || s[0] != '<' || s[len(s)-1] != '>' {
			continue
		}
		name := s[1 : len(s)-1]
		if j := strings.LastIndexByte(name, ':'); j >= 0 {
			name = name[j+1:]
		}
		if name == mountVar {
			segs[i] = "*"
			continue
		}
		segs[i] = "{" + name + "}"
	}
	return strings.Join(segs, "/")
}

// route is what the middleware precomputes for one rule: its template,
// span names and start attributes per method, and the attribute sets its
// metrics are recorded with. A rule of "" is the router's own answers
// (404, 405, redirects, OPTIONS), named by method alone.
type route struct {
	rule, endpoint string
	template       string
	names          [otherMethod + 1]string
	attrs          []attribute.KeyValue // http.route and flagon.endpoint, when known

	mu   sync.Mutex
	sets atomic.Pointer[map[setKey]recordOpts] // copied on write
}

// endpointKey is the attribute with the route's Flagon endpoint.
const endpointKey = attribute.Key("flagon.endpoint")

func newRoute(rule, endpoint string) *route {
	r := &route{rule: rule, endpoint: endpoint}
	if rule != "" {
		r.template = routeTemplate(rule)
		r.attrs = append(r.attrs, semconv.HTTPRoute(r.template))
	}
	if endpoint != "" {
		r.attrs = append(r.attrs, endpointKey.String(endpoint))
	}
	for i := range r.names {
		r.names[i] = spanMethod(i)
		if r.template != "" {
			r.names[i] += " " + r.template
		}
	}
	m := map[setKey]recordOpts{}
	r.sets.Store(&m)
	return r
}

// routeCache holds the route of one chain: a chain serves one rule (or the
// router's own answers), so after the first request the lookup is a
// comparison.
type routeCache struct{ last atomic.Pointer[route] }

func (rc *routeCache) get(rule, endpoint string) *route {
	if r := rc.last.Load(); r != nil && r.rule == rule && r.endpoint == endpoint {
		return r
	}
	r := newRoute(rule, endpoint)
	rc.last.Store(r)
	return r
}

// setKey identifies the attribute set of a request's metrics within its
// route.
type setKey struct {
	method int
	status int
	https  bool
	proto  string
}

// recordOpts are the prepared options that record a measurement with one
// attribute set: built once per set, so recording allocates nothing.
type recordOpts struct {
	record []metric.RecordOption
}

// recordOptions returns the options for a request's metric attributes:
// http.request.method, url.scheme, http.response.status_code,
// network.protocol.name and version, http.route when matched, and
// error.type (the status code) for a 5xx.
func (r *route) recordOptions(k setKey) []metric.RecordOption {
	if o, ok := (*r.sets.Load())[k]; ok {
		return o.record
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *r.sets.Load()
	if o, ok := old[k]; ok {
		return o.record
	}
	scheme := "http"
	if k.https {
		scheme = "https"
	}
	kvs := []attribute.KeyValue{
		methodAttrs[k.method],
		semconv.URLScheme(scheme),
		semconv.HTTPResponseStatusCode(k.status),
		semconv.NetworkProtocolName("http"),
	}
	if k.proto != "" {
		kvs = append(kvs, semconv.NetworkProtocolVersion(k.proto))
	}
	if r.template != "" {
		kvs = append(kvs, semconv.HTTPRoute(r.template))
	}
	if k.status >= 500 {
		kvs = append(kvs, semconv.ErrorTypeKey.String(statusText(k.status)))
	}
	o := recordOpts{record: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kvs...))}}
	// The sets are bounded by methods x statuses x schemes x protocols;
	// past a sane number the map stops growing and the set is built per
	// request instead.
	if len(old) < maxSets {
		m := make(map[setKey]recordOpts, len(old)+1)
		for key, v := range old {
			m[key] = v
		}
		m[k] = o
		r.sets.Store(&m)
	}
	return o.record
}

const maxSets = 256

// statusText is the decimal form of an HTTP status code (100-999).
func statusText(code int) string {
	if code < 100 || code > 999 {
		return "_OTHER"
	}
	return string([]byte{byte('0' + code/100), byte('0' + code/10%10), byte('0' + code%10)})
}

// protoVersion is network.protocol.version for the request's protocol.
func protoVersion(r *http.Request) string {
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 1:
		return "1.1"
	case r.ProtoMajor == 2:
		return "2"
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		return "1.0"
	case r.ProtoMajor == 3:
		return "3"
	}
	return ""
}
