package flagon

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// The router is a segment tree: one tree per method, one node per segment
// position of the registered rules. Each node holds its static children
// (by text) and its variable children (in precedence order); a lookup
// walks the request path one segment at a time, tries static text first
// and backtracks into the next variable child when a later segment fails.
// A node is visited at most once per lookup, so a lookup costs at most the
// size of the tree and usually its depth; the recursion is bounded by the
// longest rule, never by the request. The exception is a <path:...>
// variable with more of the rule after it: it tries its splits of the path
// one after another (matchPath), each a walk of the tree below it, which
// keeps a lookup linear in the path's length.

// node is one segment position in a method's tree.
type node struct {
	seg    string // static text, or the shape key of a variable
	spec   converterSpec
	static statics // static children
	single *node   // after compact: the only way on is one variable (not a path)
	empty  *node   // the trailing-slash child (an empty last segment)
	params []*node // variable children, in precedence order
	route  *Route  // the route whose rule ends here
}

// compact prepares the tree for lookups once registration is over: a chain
// of static segments with nothing else on the way ("/static/route/here")
// becomes one text compared at once. Only the in-place fast path of match
// uses the merged texts; segment-wise lookups keep using static.find.
func (n *node) compact() {
	if len(n.static.nodes) == 0 && n.empty == nil && len(n.params) == 1 && n.params[0].spec.kind != kindPath {
		n.single = n.params[0]
	}
	n.static.compact()
	for _, ch := range n.static.nodes {
		ch.compact()
	}
	for _, p := range n.params {
		p.compact()
	}
	if n.empty != nil {
		n.empty.compact()
	}
}

// compact prepares every tree for lookups; see node.compact.
func (rt *router) compact() {
	for _, t := range rt.trees {
		if t != nil {
			t.compact()
		}
	}
	for _, t := range rt.others {
		t.compact()
	}
	if rt.all != nil {
		rt.all.compact()
	}
}

// child returns the child for s, creating it when missing.
func (n *node) child(s segment) *node {
	if s.spec.kind == kindStatic {
		if s.static == "" {
			if n.empty == nil {
				n.empty = &node{}
			}
			return n.empty
		}
		if c := n.static.find(s.static); c != nil {
			return c
		}
		c := &node{seg: s.static}
		n.static.add(c)
		return c
	}
	key := s.shapeKey()
	for _, p := range n.params {
		if p.seg == key {
			return p
		}
	}
	c := &node{seg: key, spec: s.spec}
	n.params = append(n.params, c)
	sort.SliceStable(n.params, func(i, j int) bool { return n.params[i].spec.kind < n.params[j].spec.kind })
	return c
}

// match finds the route for path[start:], where start follows a "/".
// Decoded variable values are appended to vals; on failure vals may hold
// leftovers past the caller's mark, which the caller truncates. raw says
// path is still percent-encoded.
//
// This is the fast walk for decoded paths: where a node has one way on (a
// lone variable, or a static text with no variable beside it) the walk
// goes on in the loop, and static children are compared in place a word
// at a time. Everything else (escaped paths, variables beside statics,
// converters that may backtrack, the trailing-slash child) is left to
// matchSegment, which keeps this loop small enough to stay in registers.
func (n *node) match(path string, start int, raw bool, vals *[]string) *Route {
	if raw {
		return n.matchSegment(path, start, raw, vals)
	}
walk:
	for {
		if p := n.single; p != nil {
			// Segments are short: a loop beats IndexByte. Counting from 0
			// over rest lets the compiler drop the bounds checks.
			rest, i := path[start:], 0
			for i < len(rest) && rest[i] != '/' {
				i++
			}
			seg, end := rest[:i], start+i
			if seg == "" || seg[0] == '.' && (len(seg) == 1 || seg == "..") || p.spec.kind != kindString && !p.accepts(seg) {
				return nil
			}
			*vals = append(*vals, seg)
			if end == len(path) {
				return p.route
			}
			n, start = p, end+1
			continue
		}
		if !n.static.inPlace() || start == len(path) {
			return n.matchSegment(path, start, raw, vals)
		}
		if len(n.static.kids) == 1 && len(n.params) == 0 {
			// The only way on is one static text ("api/v1"): compare it
			// here, without the call scan would cost.
			k := &n.static.kids[0]
			end := start + len(k.text)
			var r8 uint64 // the next 8 bytes, as statics.scan reads them
			switch rest := len(path) - start; {
			case rest >= 8:
				r8 = word8(path, start)
			case len(path) >= 8:
				r8 = word8(path, len(path)-8) >> ((64 - 8*rest) & 63)
			default:
				r8 = headShort(path[start:])
			}
			if end > len(path) || !k.heads(r8) || len(k.text) > 8 && !sameAfter8(path[start:], k.text) {
				return nil
			}
			if end == len(path) {
				return k.next.route
			}
			if path[end] != '/' {
				return nil
			}
			n, start = k.next, end+1
			continue
		}
		// Static children are compared in place, without finding the
		// segment's end first. At most one can match.
		if ch, l := n.static.scan(path, start); ch != nil {
			if start+l == len(path) {
				if ch.route != nil {
					return ch.route
				}
			} else if len(n.params) == 0 {
				n, start = ch, start+l+1
				continue walk
			} else {
				mark := len(*vals)
				if r := ch.match(path, start+l+1, raw, vals); r != nil {
					return r
				}
				*vals = (*vals)[:mark]
			}
		}
		if len(n.params) == 0 {
			return nil // no static child matched, and nothing else could
		}
		return n.matchSegment(path, start, raw, vals)
	}
}

// matchSegment is match for what the fast walk leaves: it finds the
// segment's end, decodes it when path is raw, tries the static child by
// text (unless match already compared the static children in place), then
// the variable children in precedence order, backtracking when a later
// segment fails.
func (n *node) matchSegment(path string, start int, raw bool, vals *[]string) *Route {
	rest := path[start:]
	if rest == "" {
		if n.empty != nil {
			return n.empty.route
		}
		return nil
	}
	if rest[0] == '/' {
		return nil // an empty segment: canonical paths have none
	}
	end := start
	for end < len(path) && path[end] != '/' {
		end++
	}
	seg := path[start:end]
	last := end == len(path)
	text := seg
	if raw && strings.IndexByte(seg, '%') >= 0 {
		if dotSegment(seg) {
			return nil // an escaped "." or "..": a dot segment, never a value
		}
		text = unescapeSegment(seg)
	}
	if raw || !n.static.inPlace() {
		if c := n.static.find(text); c != nil {
			if last {
				if c.route != nil {
					return c.route
				}
			} else {
				mark := len(*vals)
				if r := c.match(path, end+1, raw, vals); r != nil {
					return r
				}
				*vals = (*vals)[:mark]
			}
		}
	}
	for _, p := range n.params {
		if p.spec.kind == kindPath {
			if r := p.matchPath(path, start, raw, vals); r != nil {
				return r
			}
			continue
		}
		if text[0] == '.' && (len(text) == 1 || text == "..") {
			break // a dot segment: the path is not canonical and gets redirected
		}
		if !p.accepts(text) {
			continue
		}
		if last {
			if p.route != nil {
				*vals = append(*vals, text)
				return p.route
			}
			continue
		}
		mark := len(*vals)
		*vals = append(*vals, text)
		if r := p.match(path, end+1, raw, vals); r != nil {
			return r
		}
		*vals = (*vals)[:mark]
	}
	return nil
}

// matchPath matches the path variable n at path[start:], where start
// follows a "/" and path[start] is not one. As Werkzeug's non-greedy
// "[^/].*?" does, the variable takes the fewest segments with which the
// rest of the path matches a rule below n (tried with the usual
// precedence), and the whole rest when n's own rule ends with it.
//
// The rule parser allows a path variable followed by more of the rule only
// where no other path variable comes before it, so such an n is entered
// at most once per lookup and the splits cost a walk below n each: the
// lookup stays linear in the length of the path.
func (n *node) matchPath(path string, start int, raw bool, vals *[]string) *Route {
	rest := path[start:]
	if raw && len(rest) >= 3 && rest[0] == '%' && rest[1] == '2' && rest[2]|0x20 == 'f' {
		return nil // the value would start with "/"
	}
	escaped := raw && strings.IndexByte(rest, '%') >= 0
	if n.hasChildren() {
		mark, seg := len(*vals), start
		for end := start; end < len(path); end++ {
			if path[end] != '/' {
				continue
			}
			if escaped && dotSegment(path[seg:end]) {
				return nil // every longer value holds that dot segment too
			}
			seg = end + 1
			*vals = append(*vals, path[start:end])
			if r := n.match(path, end+1, raw, vals); r != nil {
				if escaped {
					(*vals)[mark] = unescapeSegment((*vals)[mark])
				}
				return r
			}
			*vals = (*vals)[:mark]
		}
	}
	if n.route == nil {
		return nil
	}
	if escaped {
		if hasDotSegment(rest) {
			return nil
		}
		rest = unescapeSegment(rest)
	}
	*vals = append(*vals, rest)
	return n.route
}

// hasChildren reports whether a rule goes on below n.
func (n *node) hasChildren() bool {
	return len(n.static.nodes) > 0 || len(n.params) > 0 || n.empty != nil
}

// accepts runs the node's converter; built-ins are called directly so the
// common cases make no interface call.
func (n *node) accepts(s string) bool {
	switch n.spec.kind {
	case kindString:
		return s != ""
	case kindInt:
		return intConverter{}.Match(s)
	case kindUUID:
		return uuidConverter{}.Match(s)
	}
	return n.spec.conv.Match(s)
}

// unescapeSegment decodes a segment whose escapes were validated before the
// lookup (validEscapes), so decoding cannot fail.
func unescapeSegment(s string) string {
	out, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return out
}

// dotSegment reports whether the escaped segment s is "." or ".." once
// decoded ("%2E", ".%2e"). Browsers resolve such segments as dot segments,
// so the router never hands one to a route as a value: the canonical check
// catches the literal forms before the lookup, the lookup the escaped ones.
func dotSegment(s string) bool {
	if len(s) == 0 || len(s) > 6 {
		return false
	}
	dots := 0
	for i := 0; i < len(s); dots++ {
		switch {
		case s[i] == '.':
			i++
		case s[i] == '%' && i+2 < len(s) && s[i+1] == '2' && s[i+2]|0x20 == 'e':
			i += 3
		default:
			return false
		}
	}
	return dots <= 2
}

// hasDotSegment reports whether any segment of the escaped path p is a dot
// segment (see dotSegment).
func hasDotSegment(p string) bool {
	for p != "" {
		seg := p
		if i := strings.IndexByte(p, '/'); i >= 0 {
			seg, p = p[:i], p[i+1:]
		} else {
			p = ""
		}
		if dotSegment(seg) {
			return true
		}
	}
	return false
}

// validEscapes reports whether every "%" in s starts a valid escape.
func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// methods the router keeps in an array; others go to a map.
var treeMethods = [...]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

func methodIndex(m string) int {
	switch m {
	case "GET":
		return 0
	case "HEAD":
		return 1
	case "POST":
		return 2
	case "PUT":
		return 3
	case "PATCH":
		return 4
	case "DELETE":
		return 5
	case "OPTIONS":
		return 6
	case "CONNECT":
		return 7
	case "TRACE":
		return 8
	}
	return -1
}

// anyMethod registers a route for every method (used by Mount).
const anyMethod = "*"

// router holds one tree per method plus the any-method tree.
type router struct {
	trees  [len(treeMethods)]*node
	others map[string]*node
	all    *node // routes registered for every method
	shapes map[string]*Route
}

func (rt *router) tree(method string, create bool) *node {
	if method == anyMethod {
		if rt.all == nil && create {
			rt.all = &node{}
		}
		return rt.all
	}
	if i := methodIndex(method); i >= 0 {
		if rt.trees[i] == nil && create {
			rt.trees[i] = &node{}
		}
		return rt.trees[i]
	}
	n := rt.others[method]
	if n == nil && create {
		if rt.others == nil {
			rt.others = map[string]*node{}
		}
		n = &node{}
		rt.others[method] = n
	}
	return n
}

// add inserts r under method, panicking when the shape is already taken.
func (rt *router) add(method string, r *Route) {
	key := method + " " + r.parsed.shape()
	if prev, ok := rt.shapes[key]; ok {
		panic(fmt.Sprintf("flagon: %s %s conflicts with %s %s registered at %s (same method and the same rule shape); registered at %s: remove one or change its rule",
			method, r.rule, method, prev.rule, prev.site, r.site))
	}
	if rt.shapes == nil {
		rt.shapes = map[string]*Route{}
	}
	rt.shapes[key] = r
	n := rt.tree(method, true)
	for _, s := range r.parsed.segs {
		n = n.child(s)
	}
	n.route = r
}

// lookup finds the route for method and path: the method's own tree, then
// GET's for HEAD, then the any-method tree. On a miss vals is left as it
// was.
func (rt *router) lookup(method, path string, raw bool, vals *[]string) *Route {
	if len(path) == 0 {
		return nil
	}
	var n *node
	if i := methodIndex(method); i >= 0 {
		n = rt.trees[i]
	} else {
		n = rt.others[method]
	}
	mark := len(*vals)
	if n != nil {
		if r := n.match(path, 1, raw, vals); r != nil {
			return r
		}
		*vals = (*vals)[:mark]
	}
	if method == "HEAD" || rt.all != nil {
		return rt.lookupOther(method, path, raw, vals)
	}
	return nil
}

// lookupOther is lookup past the method's own tree: GET's tree for HEAD,
// then the any-method tree.
func (rt *router) lookupOther(method, path string, raw bool, vals *[]string) *Route {
	mark := len(*vals)
	if method == "HEAD" && rt.trees[0] != nil {
		if r := rt.trees[0].match(path, 1, raw, vals); r != nil {
			return r
		}
		*vals = (*vals)[:mark]
	}
	if rt.all != nil {
		if r := rt.all.match(path, 1, raw, vals); r != nil {
			return r
		}
		*vals = (*vals)[:mark]
	}
	return nil
}

// slashRedirect reports whether a request for path, which no route of
// method matched, redirects to path+"/". As in Werkzeug, it does when
// method has a route there, even though other methods have routes at path
// itself (GET /bar with GET /bar/ and POST /bar); OPTIONS then keeps its
// automatic answer for path. When no method has a route at path (allow is
// nil), a route of any method at path+"/" redirects, so the client learns
// the slashed URL before its 405.
func (rt *router) slashRedirect(method, path string, raw bool, allow []string) bool {
	if strings.HasSuffix(path, "/") {
		return false
	}
	if allow == nil {
		return rt.allowed(path+"/", raw) != nil
	}
	var scratch []string
	return method != "OPTIONS" && rt.lookup(method, path+"/", raw, &scratch) != nil
}

// allowed lists the methods path answers to, for Allow headers, in a fixed
// order. It is only called on the slow path (405 and OPTIONS).
func (rt *router) allowed(path string, raw bool) []string {
	var scratch []string
	var on [len(treeMethods)]bool
	found := false
	if rt.all != nil && rt.all.match(path, 1, raw, &scratch) != nil {
		return treeMethods[:]
	}
	for i := range treeMethods {
		scratch = scratch[:0]
		if rt.trees[i] != nil && rt.trees[i].match(path, 1, raw, &scratch) != nil {
			on[i], found = true, true
		}
	}
	var others []string
	for m, n := range rt.others {
		scratch = scratch[:0]
		if n.match(path, 1, raw, &scratch) != nil {
			others = append(others, m)
		}
	}
	if !found && len(others) == 0 {
		return nil
	}
	on[methodIndex("HEAD")] = on[methodIndex("HEAD")] || on[methodIndex("GET")]
	on[methodIndex("OPTIONS")] = true
	out := make([]string, 0, len(treeMethods)+len(others))
	for i, m := range treeMethods {
		if on[i] {
			out = append(out, m)
		}
	}
	sort.Strings(others)
	return append(out, others...)
}
