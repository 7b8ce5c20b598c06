package flagon_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
)

// The differential fuzz test checks the app's router against a reference
// matcher that is deliberately simple: it splits the request target at
// its slashes, decodes each segment, and scans the routes of the method
// one by one in precedence order, taking the first whose every segment
// accepts. Precedence order, per segment, is the one docs/routing.md
// states: static text, any, int, float, uuid, custom converters, string,
// path; variables of the same kind at the same place keep the order in
// which that place was first registered. The app must pick the same route with the same values,
// or give the same 308, 404 or 405, for every target, and never panic.

// fuzzHex is the fuzz table's custom converter: 1 to 8 lower-case hex digits.
type fuzzHex struct{}

func (fuzzHex) Match(s string) bool {
	if s == "" || len(s) > 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

func (fuzzHex) Build(v any) (string, error) { return fmt.Sprint(v), nil }

// fuzzTable is the route table: precedence at every segment, backtracking
// across later segments, per-method trees, trailing slashes, a custom
// converter, and wide static fan-outs (the jump table and the map).
func fuzzTable() [][2]string {
	t := [][2]string{
		{"GET", "/"},
		{"GET", "/users/"},
		{"GET", "/users/new"},
		{"GET", "/users/<int:id>"},
		{"GET", "/users/<name>"},
		{"GET", "/users/<int:id>/posts/<slug>"},
		{"GET", "/users/<name>/posts/new"},
		{"GET", "/users/<int:id>/<path:rest>"},
		{"GET", "/a/<x>/c"},
		{"GET", "/a/b/<y>"},
		{"GET", "/a/b/<path:rest>"},
		{"GET", "/f/<float:v>"},
		{"GET", "/f/<float:v>/<int:w>"},
		{"GET", "/f/<int:w>/<float:v>"},
		{"GET", "/f/<int:w>/<s>/"},
		{"GET", "/u/<uuid:id>"},
		{"GET", "/u/<uuid:id>/<hex:h>"},
		{"GET", "/u/<hex:h>/x"},
		{"GET", "/u/<s>/x/"},
		{"GET", "/l/<any(en,fr):lang>/about"},
		{"GET", "/l/<any(de,en):lang>/<page>"},
		{"GET", "/l/<lang>/<page>"},
		{"GET", "/l/<any(en,fr):lang>/<int:n>"},
		{"GET", "/files/<path:p>"},
		{"GET", "/<first>/<second>/<third>/"},
		{"GET", "/deep/<int:a>/<int:b>/x"},
		{"GET", "/deep/<a>/<b>/y"},
		{"GET", "/deep/<a>/<path:rest>"},
		{"GET", "/deep/<int:a>/<path:rest>"},
		{"GET", "/café/<x>"},
		{"GET", "/a b/<x>"},
		{"GET", "/dot.ted/<x>"},
		{"GET", "/h/<x>"},
		{"HEAD", "/h/<int:x>"},
		{"OPTIONS", "/o/<x>"},
		{"PUT", "/users/<int:user_id>"},
		{"PUT", "/users/<name>/posts/<slug>"},
		{"PUT", "/p/<x>/"},
		{"POST", "/users/"},
		{"POST", "/p/only"},
		{"DELETE", "/files/<path:p>"},
		{"GET", "/m/<v>/x"},
		{"GET", "/j/<int:n>"},
		// Static texts of 15, 16 and 17 bytes, alone on their way (compared
		// a word at a time) and among others.
		{"OPTIONS", "/o/<x>/long-segment-text-here/end"},
		{"DELETE", "/static/route/here/and/more"},
		{"DELETE", "/static/route/hereafter/<x>"},
		{"GET", "/abcdefgh1234567/<x>"},
		{"GET", "/abcdefgh12345678/<x>"},
		{"GET", "/abcdefgh123456789"},
		// Path variables with more of the rule after them: static tails of
		// several lengths, variables and a trailing slash after them, beside
		// single-segment variables at the same place, and per method.
		{"GET", "/w/<path:page>"},
		{"GET", "/w/<path:page>/edit"},
		{"GET", "/w/<path:page>/a/b"},
		{"GET", "/w/<path:page>/b"},
		{"GET", "/w/<path:page>/<int:rev>"},
		{"GET", "/w/<path:page>/<any(raw,diff):view>/<x>"},
		{"GET", "/w/<path:page>/h/"},
		{"GET", "/w/<name>/edit"},
		{"POST", "/w/<path:page>/edit"},
		{"GET", "/docs/<path:p>/"},
		{"GET", "/repo/<path:name>/blob/<path:file>"},
		{"GET", "/repo/<path:name>/tree/<x>/"},
		{"GET", "/repo/<name>/blob/<x>"},
		{"GET", "/repo/<int:n>/<path:a>/<hex:h>"},
		{"PUT", "/repo/<path:name>"},
		// Strict slashes across methods: GET /bar redirects to /bar/.
		{"GET", "/bar/"},
		{"POST", "/bar"},
	}
	for i := range 300 {
		t = append(t, [2]string{"GET", fmt.Sprintf("/m/k%d", i)})
	}
	for _, w := range []string{"aa", "ab", "ac", "b", "ba", "bb", "c", "ca", "d", "e", "f", "g", "h", "i", "jj", "j", "k", "l", "m", "n"} {
		t = append(t, [2]string{"GET", "/j/" + w})
	}
	return t
}

var fuzzMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"}

// Converter kinds in precedence order.
const (
	refStatic = iota
	refAny
	refInt
	refFloat
	refUUID
	refCustom
	refString
	refPath
)

type refSeg struct {
	kind  int
	text  string   // static text; "" is the trailing slash
	words []string // any's words
	name  string
	first int // the first route of the method that has this segment's place
}

type refRoute struct {
	id     int
	method string
	rule   string
	segs   []refSeg
	names  []string
}

// parseRefRule reads one rule of the table (all of them are well formed).
func parseRefRule(id int, method, rule string) refRoute {
	r := refRoute{id: id, method: method, rule: rule}
	for _, part := range strings.Split(rule[1:], "/") {
		if !strings.HasPrefix(part, "<") {
			r.segs = append(r.segs, refSeg{kind: refStatic, text: part})
			continue
		}
		conv, name, ok := strings.Cut(part[1:len(part)-1], ":")
		if !ok {
			conv, name = "string", conv
		}
		s := refSeg{name: name}
		switch {
		case strings.HasPrefix(conv, "any("):
			s.kind, s.words = refAny, strings.Split(conv[4:len(conv)-1], ",")
		case conv == "int":
			s.kind = refInt
		case conv == "float":
			s.kind = refFloat
		case conv == "uuid":
			s.kind = refUUID
		case conv == "hex":
			s.kind = refCustom
		case conv == "string":
			s.kind = refString
		case conv == "path":
			s.kind = refPath
		}
		r.segs = append(r.segs, s)
		r.names = append(r.names, name)
	}
	return r
}

// shapeKey names a segment's place: two routes share a tree node exactly
// when their keys agree up to it.
func (s refSeg) shapeKey() string {
	if s.kind == refStatic {
		return "=" + s.text
	}
	return fmt.Sprint(s.kind, s.words)
}

// refRouter holds each method's routes.
type refRouter map[string][]refRoute

func newRefRouter(table [][2]string) refRouter {
	rr := refRouter{}
	firstOf := map[string]int{}
	for id, e := range table {
		r := parseRefRule(id, e[0], e[1])
		place := r.method
		for i := range r.segs {
			place += "/" + r.segs[i].shapeKey()
			if _, ok := firstOf[place]; !ok {
				firstOf[place] = id
			}
			r.segs[i].first = firstOf[place]
		}
		rr[r.method] = append(rr[r.method], r)
	}
	return rr
}

// accepts is what each converter matches (docs/routing.md lists them),
// written out plainly.
func (s refSeg) accepts(v string) bool {
	switch s.kind {
	case refStatic:
		return v == s.text
	case refAny:
		for _, w := range s.words {
			if v == w {
				return true
			}
		}
		return false
	case refInt:
		if v == "" || strings.Trim(v, "0123456789") != "" {
			return false
		}
		n, err := strconv.ParseUint(v, 10, 64)
		return err == nil && n <= math.MaxInt64
	case refFloat:
		whole, frac, ok := strings.Cut(v, ".")
		if !ok || whole == "" || frac == "" || strings.Trim(whole+frac, "0123456789") != "" {
			return false
		}
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case refUUID:
		if len(v) != 36 {
			return false
		}
		for i := 0; i < len(v); i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if v[i] != '-' {
					return false
				}
			} else if !strings.ContainsRune("0123456789abcdefABCDEF", rune(v[i])) {
				return false
			}
		}
		return true
	case refCustom:
		return fuzzHex{}.Match(v)
	case refString:
		return v != ""
	}
	return false
}

// match returns the route of method that precedence picks for the raw
// segments, and its decoded values. A route may accept the segments in
// several ways (a path variable takes any number of them); of every way of
// every route, match takes the one that ranks first, comparing the rules'
// segments in order: the kind, then the order in which the segment's place
// was first registered, then, for a path variable, fewer segments taken
// first (Werkzeug's non-greedy split).
func (rr refRouter) match(method string, raw []string) (*refRoute, []string) {
	var best *refRoute
	var bestKey []int
	var bestVals []string
	for i := range rr[method] {
		r := &rr[method][i]
		r.accepts(raw, nil, nil, func(key []int, vals []string) {
			if best == nil || lessKey(key, bestKey) {
				best, bestKey, bestVals = r, key, vals
			}
		})
	}
	return best, bestVals
}

// lessKey compares two rank keys, element by element.
func lessKey(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// accepts calls found with the rank key and the values of every way r
// accepts raw, given the key and values of the segments before raw.
func (r *refRoute) accepts(raw []string, key []int, vals []string, found func(key []int, vals []string)) {
	i := len(key) / 3 // the rule's segment to match next
	if i == len(r.segs) {
		if len(raw) == 0 {
			found(key, vals)
		}
		return
	}
	if len(raw) == 0 {
		return
	}
	s := r.segs[i]
	rank := func(taken int) []int {
		k := append([]int(nil), key...)
		first := s.first
		if s.kind == refStatic {
			first = 0 // at most one text fits a segment
		}
		return append(k, s.kind, first, taken)
	}
	with := func(v string) []string { return append(append([]string(nil), vals...), v) }
	if s.kind == refPath {
		for n := 1; n <= len(raw); n++ {
			v := decode(strings.Join(raw[:n], "/"))
			if v == "" || v[0] == '/' {
				continue
			}
			r.accepts(raw[n:], rank(n), with(v), found)
		}
		return
	}
	v := decode(raw[0])
	if s.kind != refStatic && v == "" {
		return // an empty segment is the trailing slash
	}
	if !s.accepts(v) {
		return
	}
	if s.kind == refStatic {
		r.accepts(raw[1:], rank(1), vals, found)
		return
	}
	r.accepts(raw[1:], rank(1), with(v), found)
}

// lookup is match for method as the app looks it up: HEAD falls back to
// GET's routes.
func (rr refRouter) lookup(method string, raw []string) (*refRoute, []string) {
	if r, vals := rr.match(method, raw); r != nil || method != "HEAD" {
		return r, vals
	}
	return rr.match("GET", raw)
}

// allowed lists the methods with a route for raw, as Allow does.
func (rr refRouter) allowed(raw []string) []string {
	on := map[string]bool{}
	for m := range rr {
		if r, _ := rr.match(m, raw); r != nil {
			on[m] = true
		}
	}
	if len(on) == 0 {
		return nil
	}
	on["HEAD"] = on["HEAD"] || on["GET"]
	on["OPTIONS"] = true
	var out []string
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"} {
		if on[m] {
			out = append(out, m)
		}
	}
	return out
}

func decode(s string) string {
	d, err := url.PathUnescape(s)
	if err != nil {
		panic(err) // targets are checked first
	}
	return d
}

// decodedSegments splits an escaped path and decodes each segment.
func decodedSegments(p string) []string {
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = decode(s)
	}
	return parts
}

// refClean resolves empty, "." and ".." segments as path.Clean does,
// keeping a trailing slash (also the one a final "." or ".." leaves).
func refClean(segs []string) []string {
	var out []string
	slash := false
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case "", ".":
			slash = last
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			slash = last
		default:
			out = append(out, s)
			slash = false
		}
	}
	if slash || len(out) == 0 {
		out = append(out, "")
	}
	return out
}

func canonical(segs []string) bool {
	for i, s := range segs {
		if s == "." || s == ".." || s == "" && i != len(segs)-1 {
			return false
		}
	}
	return true
}

func quoteAll(vals []string) string {
	var b strings.Builder
	for _, v := range vals {
		b.WriteString(" " + strconv.Quote(v))
	}
	return b.String()
}

func fuzzApp() (*flagon.App, refRouter) {
	table := fuzzTable()
	app := flagon.New()
	app.Converter("hex", fuzzHex{})
	for id, e := range table {
		names := parseRefRule(id, e[0], e[1]).names
		app.Route(e[1], func(c *flagon.Context) error {
			vals := make([]string, len(names))
			for i, n := range names {
				vals[i] = c.Param(n)
			}
			// The header names the route for HEAD requests too, whose
			// body the app drops.
			c.SetHeader("X-Route", strconv.Itoa(id)+quoteAll(vals))
			return c.Text(200, strconv.Itoa(id)+quoteAll(vals))
		}, e[0])
	}
	return app, newRefRouter(table)
}

// checkTarget sends target with method and compares the app with the
// reference; it returns "" when they agree.
func checkTarget(app *flagon.App, rr refRouter, method, target string) string {
	req := httptest.NewRequest(method, "/", nil)
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return ""
	}
	req.URL = u
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	loc := rec.Header().Get("Location")
	got := fmt.Sprintf("%d %q allow=%q location=%q", rec.Code, rec.Header().Get("X-Route"), rec.Header().Get("Allow"), loc)
	if method == "HEAD" && rec.Body.Len() > 0 {
		return "HEAD answered with a body: " + got
	}
	if rec.Code == http.StatusPermanentRedirect && (strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) || !strings.HasPrefix(loc, "/")) {
		return "unsafe Location: " + got
	}

	raw := strings.Split(target[1:], "/")
	segs := decodedSegments(target)
	if !canonical(segs) {
		if rec.Code != http.StatusPermanentRedirect {
			return "non-canonical path not redirected: " + got
		}
		if want := refClean(segs); fmt.Sprintf("%q", decodedSegments(loc)) != fmt.Sprintf("%q", want) {
			return fmt.Sprintf("redirect to %q, want the segments %q", loc, want)
		}
		return ""
	}

	if r, vals := rr.lookup(method, raw); r != nil {
		if want := strconv.Itoa(r.id) + quoteAll(vals); rec.Code != 200 || rec.Header().Get("X-Route") != want {
			return fmt.Sprintf("reference picks %s %s with %q, app answered %s", r.method, r.rule, vals, got)
		}
		return ""
	}
	allow := rr.allowed(raw)
	slashed := append(raw[:len(raw):len(raw)], "")
	if !strings.HasSuffix(target, "/") && method != "OPTIONS" && allow != nil {
		// Werkzeug's strict slashes: the method's own route at the slashed
		// path redirects, whatever other methods have here.
		if r, _ := rr.lookup(method, slashed); r != nil {
			if rec.Code != http.StatusPermanentRedirect || fmt.Sprintf("%q", decodedSegments(loc)) != fmt.Sprintf("%q", append(segs, "")) {
				return fmt.Sprintf("%s %s is at the slashed path: want a 308 to it, app answered %s", r.method, r.rule, got)
			}
			return ""
		}
	}
	if allow != nil {
		code := http.StatusMethodNotAllowed
		if method == "OPTIONS" {
			code = http.StatusNoContent
		}
		if want := strings.Join(allow, ", "); rec.Code != code || rec.Header().Get("Allow") != want {
			return fmt.Sprintf("want %d with Allow %q, app answered %s", code, want, got)
		}
		return ""
	}
	if !strings.HasSuffix(target, "/") && rr.allowed(slashed) != nil {
		if rec.Code != http.StatusPermanentRedirect || fmt.Sprintf("%q", decodedSegments(loc)) != fmt.Sprintf("%q", append(segs, "")) {
			return "want a 308 to the slashed path, app answered " + got
		}
		return ""
	}
	if rec.Code != http.StatusNotFound {
		return "want 404, app answered " + got
	}
	return ""
}

// validTarget reports whether a server could receive target as the path
// of a request line, and whether its escapes are well formed.
func validTarget(target string) (requestLine, escapes bool) {
	for i := 0; i < len(target); i++ {
		if c := target[i]; c <= ' ' || c == 0x7f || c == '?' || c == '#' {
			return false, false
		}
	}
	for i := 0; i < len(target); i++ {
		if target[i] == '%' {
			if i+2 >= len(target) || !isHexDigit(target[i+1]) || !isHexDigit(target[i+2]) {
				return true, false
			}
			i += 2
		}
	}
	return true, true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

var fuzzSeeds = []string{
	"/", "/users", "/users/", "/users/new", "/users/42", "/users/ada", "/users/42/posts/hi", "/users/ada/posts/new",
	"/users/42/posts/new", "/users/42/a/b/", "/users/9223372036854775808/posts/x", "/users/0009/posts/x",
	"/a/b/c", "/a/z/c", "/a/b/c/d", "/a/b/", "/f/1.5", "/f/1.5/2", "/f/1/2.5", "/f/1/x/", "/f/1/x", "/f/1/2",
	"/u/123e4567-e89b-12d3-a456-426614174000", "/u/123e4567-e89b-12d3-a456-426614174000/ff", "/u/ff/x", "/u/zz/x",
	"/u/ff/x/", "/l/en/about", "/l/de/about", "/l/en/x", "/l/en/7", "/l/fr/7", "/l/de/7", "/files/a/b/", "/files/",
	"/x/y/z/", "/x/y/z", "/deep/1/2/x", "/deep/1/2/y", "/deep/1/2/z", "/deep/a/b/c/d", "/caf%C3%A9/x", "/café/x",
	"/a%20b/x", "/dot.ted/x", "/h/1", "/h/x", "/o/x", "/p/x", "/p/x/", "/p/only", "/m/k137", "/m/k137/x", "/m/k/x",
	"/j/ab", "/j/jj", "/j/7", "/j/zz", "/users//x", "/a/./b", "/a/../b", "/a/b/..", "/%2E%2E/x", "/users/%2e",
	"/files/a/%2E%2E/b", "/users/a%2Fb", "/files/a%2Fb/c", "/files/%2Fa", "//evil.com/", "/%09/./x", "/%", "/%zz",
	"/users/%6Eew", "/o/x/long-segment-text-here/end", "/o/x/long-segment-text-here/enD", "/o/x/long-segment-text-herE/end",
	"/o/x/long-segment-text-here", "/static/route/here/and/more", "/static/route/here/and/mor", "/static/route/hereafter/x",
	"/static/route/hereafte/x", "/abcdefgh1234567/x", "/abcdefgh12345678/x", "/abcdefgh123456789", "/abcdefgh123456780",
	"/abcdefgh1234567", "/abcdefgh12345678", "/s", "/st", "/stat",
	"/w/a", "/w/a/edit", "/w/a/b/edit", "/w/a/edit/edit", "/w/a/b", "/w/x/a/b", "/w/x/y/b", "/w/a/7", "/w/a/b/7", "/w/a/raw/x",
	"/w/a/raw/x/y", "/w/a/h/", "/w/a/h", "/w/a/h/h/", "/w/a%2Fb/edit", "/w/%2Fa/edit", "/w/a/edit/", "/docs/a", "/docs/a/",
	"/docs/a/b/", "/docs/a/b", "/repo/a/blob/b", "/repo/a/blob/b/c", "/repo/a/b/blob/c/blob/d", "/repo/blob/blob/blob",
	"/repo/a/tree/x/", "/repo/a/tree/x", "/repo/a/b/tree/x/", "/repo/1/a/b/ff", "/repo/1/ff", "/repo/a/b", "/bar", "/bar/",
	"/w/a/./edit", "/w/a//edit", "/w/a/%2E%2E/edit",
}

func FuzzRouter(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	app, rr := fuzzApp()
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		line, escapes := validTarget(target)
		if !line {
			return
		}
		if !escapes {
			// net/http answers 400 before the app sees such a path; a
			// hand-made request must get a 400 from the app, not a panic.
			req := httptest.NewRequest("GET", "/", nil)
			req.URL.Path, req.URL.RawPath = target, target
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, req)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%q: malformed escape answered %d, want 400", target, rec.Code)
			}
			return
		}
		for _, m := range fuzzMethods {
			if problem := checkTarget(app, rr, m, target); problem != "" {
				t.Fatalf("%s %q: %s", m, target, problem)
			}
		}
	})
}

func TestFuzzRouterSeedsAgree(t *testing.T) {
	app, rr := fuzzApp()
	matched := 0
	for _, s := range fuzzSeeds {
		line, escapes := validTarget(s)
		if !line || !escapes {
			continue
		}
		for _, m := range fuzzMethods {
			if problem := checkTarget(app, rr, m, s); problem != "" {
				t.Errorf("%s %q: %s", m, s, problem)
			}
		}
		if r, _ := rr.match("GET", strings.Split(s[1:], "/")); r != nil {
			matched++
		}
	}
	if matched < len(fuzzSeeds)/2 {
		t.Errorf("only %d seeds reach a route: the reference or the table is off", matched)
	}
}

// fuzzRuleValue is a value each converter accepts, for FuzzParseRule.
func fuzzRuleValue(part string) string {
	body := part[1 : len(part)-1]
	conv := "string"
	if i := strings.LastIndexByte(body, ':'); i >= 0 {
		conv = body[:i]
	}
	switch {
	case strings.HasPrefix(conv, "any("):
		w := strings.TrimSpace(strings.Split(conv[4:len(conv)-1], ",")[0])
		if len(w) >= 2 && (w[0] == '"' || w[0] == '\'') && w[len(w)-1] == w[0] {
			w = w[1 : len(w)-1]
		}
		return w
	case conv == "int":
		return "1"
	case conv == "float":
		return "1.5"
	case conv == "uuid":
		return "123e4567-e89b-12d3-a456-426614174000"
	case conv == "path":
		return "p/q"
	case conv == "hex":
		return "ab"
	}
	return "v"
}

func FuzzParseRule(f *testing.F) {
	for _, seed := range []string{
		"/", "/a/<b>", "/<int:x>/<path:p>", "/<any(a,b):c>", "/<any('a b', \"c\"):w>", "/<", "/a//b", "/<x>/<x>",
		"/<float(1):x>", "/<::>", "/a<b>", "/<hex:h>/", "/<nope:x>", "/%/<x>", "/a?b/<x>", "/./x", "/<any(.):x>",
		"/<uuid:u>/<default:d>/", "/<path:p>/x", "users/<id>", "/<path:a>/<path:b>", "/<path:a>/b/<path:c>/d", "/d/<path:p>/",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rule string) {
		app := flagon.New()
		app.Converter("hex", fuzzHex{})
		var vars []string
		msg := panicMessage(func() {
			app.Get(rule, func(c *flagon.Context) error {
				vals := make([]string, len(vars))
				for i, v := range vars {
					vals[i] = c.Param(v)
				}
				return c.Text(200, "ok"+quoteAll(vals))
			}).Name("r")
		})
		if msg != "" {
			if !strings.HasPrefix(msg, "flagon: ") {
				t.Fatalf("rule %q: panic without a flagon: message: %s", rule, msg)
			}
			return
		}
		// The rule registered: building it and requesting what was built
		// must reach it with the values given.
		var args []any
		var want []string
		parts := strings.Split(rule[1:], "/")
		for i, part := range parts {
			if strings.HasPrefix(part, "<") {
				body := part[1 : len(part)-1]
				name := body[strings.LastIndexByte(body, ':')+1:]
				v := fuzzRuleValue(part)
				if v == "p/q" && i < len(parts)-1 {
					// A path variable with more rule after it takes the
					// fewest segments it can: one round-trips.
					v = "p"
				}
				vars = append(vars, name)
				args = append(args, name, v)
				want = append(want, v)
			}
		}
		u, err := app.URLFor("r", args...)
		if err != nil {
			t.Fatalf("rule %q registered but does not build from %q: %v", rule, args, err)
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL, err = url.ParseRequestURI(u)
		if err != nil {
			t.Fatalf("rule %q built %q, which is not a request path: %v", rule, u, err)
		}
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.String() != "ok"+quoteAll(want) {
			t.Fatalf("rule %q built %q, which answered %d %q, want the route with %q", rule, u, rec.Code, rec.Body.String(), want)
		}
	})
}
