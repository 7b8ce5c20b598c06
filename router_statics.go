package flagon

import (
	"sort"
	"strings"
)

// fewStatics is the number of static children past which a node indexes
// them by first byte in a jump table.
const fewStatics = 8

// manyStatics is the number of static children past which a node finds
// them by map instead.
const manyStatics = 255

// A jump table entry packs the start and the length of a first byte's run
// of children into 8 bits each, which holds only while a jump table never
// indexes more than 255 children. This line stops compiling when
// manyStatics grows past that.
const _ = uint8(manyStatics)

// statics is a node's static children and what finds them. While routes
// are added, index holds each child's first byte; past fewStatics children
// a jump table says where each first byte's run starts, and past
// manyStatics a map replaces both. compact then prepares kids, which scan
// compares in place against the request path.
type statics struct {
	nodes []*node          // in the order added; sorted by first byte once jump is built
	index string           // the first byte of each of nodes, until big is built
	jump  *[256]uint16     // past fewStatics: start<<8 | length of each first byte's run
	kids  []kid            // after compact, unless big: nodes as scan compares them
	big   map[string]*node // past manyStatics: nodes by text
}

// kid is a static child as scan compares it: its text, merged with the
// static segments that follow it alone ("static/route/here"), the text's
// first 8 bytes as a little-endian word with the mask of the bytes it
// fills, and the node the text leads to. Kids sit in one slice, so a
// comparison costs one bounds check and one or two cache lines.
type kid struct {
	head, mask uint64
	text       string
	next       *node
}

// find returns the child whose text is seg, or nil. seg is not empty.
func (s *statics) find(seg string) *node {
	if s.big != nil {
		return s.big[seg]
	}
	c := seg[0]
	for i := 0; i < len(s.index); i++ {
		j := strings.IndexByte(s.index[i:], c)
		if j < 0 {
			return nil
		}
		i += j
		if s.nodes[i].seg == seg {
			return s.nodes[i]
		}
	}
	return nil
}

// add adds c, whose text no other child has, and keeps the indexes up to
// date.
func (s *statics) add(c *node) {
	s.nodes = append(s.nodes, c)
	switch {
	case s.big != nil:
		s.big[c.seg] = c
	case len(s.nodes) > manyStatics:
		s.big = make(map[string]*node, 2*len(s.nodes))
		for _, st := range s.nodes {
			s.big[st.seg] = st
		}
		s.index, s.jump = "", nil
	default:
		s.index += c.seg[:1]
		if len(s.nodes) > fewStatics {
			s.buildJump()
		}
	}
}

// buildJump sorts the children by first byte and records where each first
// byte's run starts, so a lookup compares only candidates.
func (s *statics) buildJump() {
	sort.SliceStable(s.nodes, func(i, j int) bool { return s.nodes[i].seg[0] < s.nodes[j].seg[0] })
	idx := make([]byte, len(s.nodes))
	s.jump = new([256]uint16)
	for i, c := range s.nodes {
		idx[i] = c.seg[0]
		e := &s.jump[c.seg[0]]
		if *e&0xff == 0 {
			*e = uint16(i) << 8
		}
		*e++
	}
	s.index = string(idx)
}

// compact prepares kids, one per child in the order of nodes (so jump's
// runs index kids too), unless the children are in the map: a map lookup
// needs the segment's end first, which only matchSegment finds.
func (s *statics) compact() {
	if s.big != nil {
		return
	}
	s.kids = make([]kid, len(s.nodes))
	for i, ch := range s.nodes {
		text := ch.seg
		for ch.passesThrough() {
			ch = ch.static.nodes[0]
			text += "/" + ch.seg
		}
		k := kid{head: head8(text), mask: ^uint64(0), text: text, next: ch}
		if len(text) < 8 {
			k.mask = 1<<(8*len(text)) - 1
		}
		s.kids[i] = k
	}
}

// passesThrough reports whether the only way past n is its one static
// child, so that a kid's text can run on into the child's.
func (n *node) passesThrough() bool {
	return len(n.static.nodes) == 1 && n.static.big == nil && len(n.params) == 0 && n.empty == nil && n.route == nil
}

// scan finds the kid whose text path[start:] starts with, followed by the
// end of the path or a "/", and returns the node it leads to and the
// text's length; nil when there is none. It needs start < len(path). Texts
// start with distinct segments, so at most one kid fits.
func (s *statics) scan(path string, start int) (*node, int) {
	rest := path[start:]
	kids := s.kids
	if s.jump != nil {
		e := s.jump[rest[0]]
		kids = kids[e>>8 : e>>8+e&0xff]
	}
	// The next 8 bytes, zero past the end of the path. match's lone-text
	// case reads them the same way; a function for it would be too big
	// to inline.
	var r8 uint64
	switch n := len(rest); {
	case n >= 8:
		r8 = word8(path, start)
	case len(path) >= 8:
		// rest ends the path: its bytes are the top of the path's last
		// word, shifted down.
		r8 = word8(path, len(path)-8) >> ((64 - 8*n) & 63)
	default:
		r8 = headShort(rest)
	}
	for i := range kids {
		k := &kids[i]
		if !k.heads(r8) {
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

// heads reports whether r8, the next 8 bytes of a path (zero past its end),
// starts with the first 8 bytes of k's text. A text of up to 8 bytes is
// then matched but for the byte after it; a longer one compares the rest
// with sameAfter8.
func (k *kid) heads(r8 uint64) bool { return r8&k.mask == k.head }

// inPlace reports whether scan can compare the children in place: after
// compact, while they are not in the map.
func (s *statics) inPlace() bool { return s.kids != nil }
