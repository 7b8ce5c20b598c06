package flagon

import (
	"errors"
	"fmt"
	"strings"
)

// segment is one "/"-separated part of a rule: literal text, or a variable
// that fills the whole segment.
type segment struct {
	static string // the literal text when spec.kind == kindStatic
	spec   converterSpec
	name   string // the variable's name
}

// shapeKey identifies the segment in the tree: two rules with the same keys
// in the same order have the same shape, whatever their variables are named.
func (s segment) shapeKey() string {
	if s.spec.kind == kindStatic {
		return s.static
	}
	return "<" + s.spec.key + ">"
}

// parsedRule is a rule split into segments.
type parsedRule struct {
	text  string
	segs  []segment
	names []string // variable names in order
	rest  bool     // has a <path:...> variable, which may swallow "//"
}

// shape is the rule with variable names removed, as conflicts are judged.
func (p *parsedRule) shape() string {
	var b strings.Builder
	for _, s := range p.segs {
		b.WriteByte('/')
		b.WriteString(s.shapeKey())
	}
	return b.String()
}

// parseRule splits a Flask rule such as "/users/<int:id>/posts/<slug>" into
// segments, resolving each converter through custom for non-built-in names.
func parseRule(rule string, custom map[string]Converter) (*parsedRule, error) {
	if rule == "" || rule[0] != '/' {
		return nil, errors.New("a rule must start with \"/\"")
	}
	p := &parsedRule{text: rule}
	parts := strings.Split(rule[1:], "/")
	for i, part := range parts {
		last := i == len(parts)-1
		if part == "" {
			if !last {
				return nil, errors.New("a rule must not contain an empty segment (\"//\")")
			}
			p.segs = append(p.segs, segment{}) // trailing slash
			continue
		}
		if !strings.ContainsAny(part, "<>") {
			if part == "." || part == ".." {
				return nil, fmt.Errorf("segment %q can never be requested (the path is cleaned first)", part)
			}
			p.segs = append(p.segs, segment{static: part})
			continue
		}
		seg, err := parseVariable(part, custom)
		if err != nil {
			return nil, err
		}
		if seg.spec.kind == kindPath {
			// A path variable with more of the rule after it tries one split
			// of the path after another; under another path variable it
			// would do so once per split of that one, a cost that grows
			// with the square of the path's length.
			if !last && p.rest {
				return nil, fmt.Errorf("<path:%s> has more of the rule after it, which a <path:...> variable may have only when no other <path:...> comes before it", seg.name)
			}
			p.rest = true
		}
		for _, n := range p.names {
			if n == seg.name {
				return nil, fmt.Errorf("variable %q appears twice", seg.name)
			}
		}
		p.names = append(p.names, seg.name)
		p.segs = append(p.segs, seg)
	}
	return p, nil
}

// parseVariable reads "<name>", "<conv:name>" or "<conv(args):name>".
func parseVariable(part string, custom map[string]Converter) (segment, error) {
	if len(part) < 3 || part[0] != '<' || part[len(part)-1] != '>' || strings.Count(part, "<") != 1 || strings.Count(part, ">") != 1 {
		return segment{}, fmt.Errorf("segment %q: a variable is written <name> or <converter:name> and fills a whole segment", part)
	}
	body := part[1 : len(part)-1]
	convName, name := "string", body
	var args []string
	hasArgs := false
	if colon := strings.LastIndexByte(body, ':'); colon >= 0 {
		convName, name = body[:colon], body[colon+1:]
		if open := strings.IndexByte(convName, '('); open >= 0 {
			if !strings.HasSuffix(convName, ")") {
				return segment{}, fmt.Errorf("segment %q: converter arguments must be closed with \")\"", part)
			}
			hasArgs = true
			args = splitArgs(convName[open+1 : len(convName)-1])
			convName = convName[:open]
		}
		if !isIdentifier(convName) {
			return segment{}, fmt.Errorf("segment %q: %q is not a converter name", part, convName)
		}
	}
	if !isIdentifier(name) {
		return segment{}, fmt.Errorf("segment %q: %q is not a valid variable name (letters, digits and _, not starting with a digit)", part, name)
	}
	spec, err := resolveConverter(convName, args, hasArgs, custom)
	if err != nil {
		return segment{}, fmt.Errorf("segment %q: %w", part, err)
	}
	return segment{spec: spec, name: name}, nil
}

// splitArgs splits "en, fr, 'de'" into words, dropping spaces and quotes.
func splitArgs(s string) []string {
	if strings.TrimSpace(s) == "" {
		return []string{}
	}
	raw := strings.Split(s, ",")
	out := make([]string, len(raw))
	for i, w := range raw {
		w = strings.TrimSpace(w)
		if len(w) >= 2 && (w[0] == '"' || w[0] == '\'') && w[len(w)-1] == w[0] {
			w = w[1 : len(w)-1]
		}
		out[i] = w
	}
	return out
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}
