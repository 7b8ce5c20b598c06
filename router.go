package flagon

import (
	"encoding/binary"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unsafe"
)

// The router is a tree of path segments, one tree per method. Each node
// holds its static children (by text) and its variable children (in
// precedence order); a lookup walks the request path one segment at a time,
// tries static text first and backtracks into the next variable child when
// a later segment fails. A node is visited at most once per lookup, so a
// lookup costs at most the size of the tree and usually its depth; the
// recursion is bounded by the longest rule, never by the request.

// node is one segment position in a method's tree.
type node struct {
	seg     string // static text, or the shape key of a variable
	spec    converterSpec
	statics []*node
	index   string           // first byte of each static child, for a quick scan
	jump    *[256]uint16     // with many children: start<<8 | count of each first byte
	kids    []kid            // after compact: the static children as match compares them
	single  *node            // after compact: the only way on is one variable (not a path)
	bigs    map[string]*node // static children by text once there are many
	empty   *node            // the trailing-slash child (an empty last segment)
	params  []*node          // variable children, in precedence order
	route   *Route           // the route whose rule ends here
}

// kid is a static child as match compares it in place: its text, merged
// with the static segments that follow it alone ("static/route/here"),
// the text's first 8 bytes as a little-endian word with the mask of the
// bytes it fills, and the node the text leads to. One slice of them keeps
// a comparison to one bounds check and one or two cache lines.
type kid struct {
	head, mask uint64
	text       string
	next       *node
}

// buildJump sorts the static children by first byte and indexes where each
// first byte's run starts, so a lookup compares only candidates.
func (n *node) buildJump() {
	sort.SliceStable(n.statics, func(i, j int) bool { return n.statics[i].seg[0] < n.statics[j].seg[0] })
	idx := make([]byte, len(n.statics))
	n.jump = new([256]uint16)
	for i, c := range n.statics {
		idx[i] = c.seg[0]
		e := &n.jump[c.seg[0]]
		if *e&0xff == 0 {
			*e = uint16(i) << 8
		}
		*e++
	}
	n.index = string(idx)
}

// compact prepares the tree for lookups once registration is over: a chain
// of static segments with nothing else on the way ("/static/route/here")
// becomes one text compared at once. Only the in-place fast path of match
// uses the merged texts; segment-wise lookups keep using statics.
func (n *node) compact() {
	if len(n.statics) == 0 && n.empty == nil && len(n.params) == 1 && n.params[0].spec.kind != kindPath {
		n.single = n.params[0]
	}
	if n.bigs == nil {
		n.kids = make([]kid, len(n.statics))
		for i, ch := range n.statics {
			text := ch.seg
			for len(ch.statics) == 1 && ch.bigs == nil && len(ch.params) == 0 && ch.empty == nil && ch.route == nil {
				ch = ch.statics[0]
				text += "/" + ch.seg
			}
			k := kid{head: head8(text), mask: ^uint64(0), text: text, next: ch}
			if len(text) < 8 {
				k.mask = 1<<(8*len(text)) - 1
			}
			n.kids[i] = k
		}
	}
	for _, ch := range n.statics {
		ch.compact()
	}
	for _, p := range n.params {
		p.compact()
	}
	if n.empty != nil {
		n.empty.compact()
	}
}

// head8 packs the first 8 bytes of s (fewer when s is shorter, the rest
// zero) into a little-endian word; the compiler makes the long case a
// single load.
func head8(s string) uint64 {
	if len(s) >= 8 {
		return load8(s)
	}
	if s == "" {
		return 0
	}
	return headShort(s)
}

// load8 is head8 for a string of 8 bytes or more, small enough to inline.
// Reading through a byte slice over the string's memory (read only, within
// its length) lets the compiler make it one load, which it does not do for
// byte-by-byte string indexing once inlined.
func load8(s string) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Pointer(unsafe.StringData(s)))[:])
}

// headShort is head8 for a string of 1 to 7 bytes. Overlapping loads OR
// the same bytes into the same places, so two loads cover any length.
func headShort(s string) uint64 {
	n := len(s)
	if n >= 4 {
		return load4(s) | load4(s[n-4:])<<((8*n-32)&63)
	}
	return uint64(s[0]) | uint64(s[n/2])<<((8*(n/2))&63) | uint64(s[n-1])<<((8*n-8)&63)
}

// load4 packs the first 4 bytes of s, which has at least 4, into a
// little-endian word, in one load.
func load4(s string) uint64 {
	return uint64(binary.LittleEndian.Uint32((*[4]byte)(unsafe.Pointer(unsafe.StringData(s)))[:]))
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

// manyStatics is the fan-out past which static children are found by map.
const manyStatics = 255

// staticChild finds the static child with text seg.
func (n *node) staticChild(seg string) *node {
	if n.bigs != nil {
		return n.bigs[seg]
	}
	c := seg[0]
	for i := 0; i < len(n.index); i++ {
		j := strings.IndexByte(n.index[i:], c)
		if j < 0 {
			return nil
		}
		i += j
		if n.statics[i].seg == seg {
			return n.statics[i]
		}
	}
	return nil
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
		if c := n.staticChild(s.static); c != nil {
			return c
		}
		c := &node{seg: s.static}
		n.statics = append(n.statics, c)
		if n.bigs != nil {
			n.bigs[s.static] = c
			return c
		}
		n.index += s.static[:1]
		switch {
		case len(n.statics) > manyStatics:
			n.bigs = make(map[string]*node, 2*len(n.statics))
			for _, st := range n.statics {
				n.bigs[st.seg] = st
			}
			n.index, n.jump = "", nil
		case len(n.statics) > 8:
			n.buildJump()
		}
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
		if n.kids == nil || start == len(path) {
			return n.matchSegment(path, start, raw, vals)
		}
		if len(n.kids) == 1 && len(n.params) == 0 {
			// The only way on is one static text ("api/v1"): compare it
			// here, a word at a time, without a call.
			k := &n.kids[0]
			end := start + len(k.text)
			var r8 uint64 // the next 8 bytes, as in scan
			switch rest := len(path) - start; {
			case rest >= 8:
				r8 = wordAt(unsafe.StringData(path), start)
			case len(path) >= 8:
				r8 = wordAt(unsafe.StringData(path), len(path)-8) >> ((64 - 8*rest) & 63)
			default:
				r8 = headShort(path[start:])
			}
			if end > len(path) || r8&k.mask != k.head ||
				len(k.text) > 8 && !sameAfter8(path[start:], k.text) {
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
		if ch, l := n.scan(path, start); ch != nil {
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

// scan finds the static child whose text path[start:] starts with, up to
// the end of the path or a "/", and returns it with the text's length; nil
// when there is none. Texts start with distinct segments, so at most one
// matches.
func (n *node) scan(path string, start int) (*node, int) {
	rest := path[start:]
	kids := n.kids
	if n.jump != nil {
		e := n.jump[rest[0]]
		kids = kids[e>>8 : e>>8+e&0xff]
	}
	// Up to 8 bytes of each candidate compare in one word; only longer
	// texts compare the rest, a word at a time too.
	var r8 uint64
	switch n := len(rest); {
	case n >= 8:
		r8 = wordAt(unsafe.StringData(path), start)
	case len(path) >= 8:
		// rest ends the path: its bytes are the top of the path's last
		// word, shifted down (the zeros above are masked or compared).
		r8 = wordAt(unsafe.StringData(path), len(path)-8) >> ((64 - 8*n) & 63)
	default:
		r8 = headShort(rest)
	}
	for i := range kids {
		k := &kids[i]
		if r8&k.mask != k.head {
			continue
		}
		l := len(k.text)
		if l > len(rest) || l > 8 && !sameAfter8(rest, k.text) || l < len(rest) && rest[l] != '/' {
			continue
		}
		return k.next, l
	}
	return nil, 0
}

// sameAfter8 reports whether rest[8:len(text)] equals text[8:], for a text
// longer than 8 bytes whose first 8 bytes rest already matches and a rest
// at least as long: 8 bytes at a time from the end, the first word
// overlapping what the head compared.
func sameAfter8(rest, text string) bool {
	p, q := unsafe.StringData(rest), unsafe.StringData(text)
	for i := len(text) - 8; ; i -= 8 {
		if wordAt(p, i) != wordAt(q, i) {
			return false
		}
		if i <= 8 {
			return true
		}
	}
}

// wordAt reads the 8 bytes at p+i as a little-endian word, in one load
// where the platform allows unaligned loads. The caller guarantees the 8
// bytes lie within the string p points into; checking that here again
// would double the cost of a comparison.
func wordAt(p *byte, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(unsafe.Pointer(p), i))[:])
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
	if raw || n.kids == nil {
		if c := n.staticChild(text); c != nil {
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
			if raw && strings.IndexByte(rest, '%') >= 0 {
				if hasDotSegment(rest) {
					continue
				}
				rest = unescapeSegment(rest)
			}
			if p.route != nil && p.spec.conv.Match(rest) {
				*vals = append(*vals, rest)
				return p.route
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
