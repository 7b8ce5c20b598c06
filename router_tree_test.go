package flagon

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tree tests build a router from rules directly and compare every
// lookup with a plain reference: a rule matches a path when each of its
// segments equals the path's segment, or is a variable and the path's
// segment is not empty. Each table is built so that at most one rule
// matches any path, which the reference checks too.

// treeRouter registers each rule for GET and compacts the tree, as the
// app's first request does.
func treeRouter(t *testing.T, rules []string) (*router, map[string]*Route) {
	t.Helper()
	rt := &router{}
	byRule := map[string]*Route{}
	for _, rule := range rules {
		p, err := parseRule(rule, nil)
		require.NoError(t, err, rule)
		r := &Route{rule: rule, parsed: p, site: "tree_test"}
		rt.add("GET", r)
		byRule[rule] = r
	}
	rt.compact()
	return rt, byRule
}

// refMatch returns the rule that matches path and the variable values, or
// "" when none does.
func refMatch(t *testing.T, rules []string, path string) (string, []string) {
	t.Helper()
	got, vals := "", []string(nil)
	segs := strings.Split(path[1:], "/")
	for _, rule := range rules {
		parts := strings.Split(rule[1:], "/")
		if len(parts) != len(segs) {
			continue
		}
		var vs []string
		ok := true
		for i, part := range parts {
			if strings.HasPrefix(part, "<") {
				ok = ok && segs[i] != ""
				vs = append(vs, segs[i])
			} else {
				ok = ok && part == segs[i]
			}
		}
		if ok {
			require.Empty(t, got, "the table is ambiguous: %s and %s both match %s", got, rule, path)
			got, vals = rule, vs
		}
	}
	return got, vals
}

// nearMisses returns path and the paths one edit away from it: each byte
// after the leading "/" changed, the path one byte shorter, and the path
// continued by a byte, a slash, or a slash and a segment.
func nearMisses(path string) []string {
	out := []string{path, path + "x", path + "/", path + "/x"}
	if len(path) > 1 {
		out = append(out, path[:len(path)-1])
	}
	for i := 1; i < len(path); i++ {
		b := []byte(path)
		b[i]++
		out = append(out, string(b))
		if path[i] != '/' {
			b[i] = '/'
			out = append(out, string(b))
		}
	}
	return out
}

// checkTree looks up every probe through the fast walk and through the
// segment-wise walk (raw) and compares both with the reference.
func checkTree(t *testing.T, rules []string, probes []string) {
	t.Helper()
	rt, byRule := treeRouter(t, rules)
	hits := 0
	for _, p := range probes {
		for _, probe := range nearMisses(p) {
			want, wantVals := refMatch(t, rules, probe)
			if want != "" {
				hits++
			}
			for _, raw := range []bool{false, true} {
				var vals []string
				r := rt.lookup("GET", probe, raw, &vals)
				if want == "" {
					if !assert.Nil(t, r, "%s (raw %v) must miss", probe, raw) {
						t.Logf("it reached %s", r.rule)
					}
					continue
				}
				if assert.Same(t, byRule[want], r, "%s (raw %v) must reach %s", probe, raw, want) {
					assert.Equal(t, wantVals, vals, "%s (raw %v): the values", probe, raw)
				}
			}
		}
	}
	require.GreaterOrEqual(t, hits, len(probes), "every probe itself must hit: the table is off")
}

// treeText returns a static text of n bytes; texts of different lengths
// share their first bytes, so one is a prefix of the next.
func treeText(n int) string { return "abcdefghijklmnopqrstuvwxyz"[:n] }

var treeLengths = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17}

func TestTreeStaticTextsOfEachLength(t *testing.T) {
	for _, n := range treeLengths {
		text := treeText(n)
		t.Run(fmt.Sprintf("a text of %d bytes alone at the root", n), func(t *testing.T) {
			checkTree(t, []string{"/" + text}, []string{"/" + text})
		})
		if n == 0 {
			continue // an empty text is the trailing-slash child, tried below
		}
		t.Run(fmt.Sprintf("a text of %d bytes after a long segment", n), func(t *testing.T) {
			// Fewer than 8 bytes may be left when the text starts, but the
			// path as a whole has more.
			checkTree(t, []string{"/a-long-first-segment/" + text, "/a-long-first-segment/<x>/y"},
				[]string{"/a-long-first-segment/" + text, "/a-long-first-segment/v/y"})
		})
		t.Run(fmt.Sprintf("a text of %d bytes followed by a variable", n), func(t *testing.T) {
			checkTree(t, []string{"/" + text + "/<x>"}, []string{"/" + text + "/v", "/" + text + "/value-longer-than-8"})
		})
		t.Run(fmt.Sprintf("a text of %d bytes with a trailing slash", n), func(t *testing.T) {
			checkTree(t, []string{"/" + text + "/", "/" + text + "/end"}, []string{"/" + text + "/", "/" + text + "/end"})
		})
	}
	t.Run("texts of every length side by side, each a prefix of the next", func(t *testing.T) {
		var rules, probes []string
		for _, n := range treeLengths[1:] {
			rules = append(rules, "/"+treeText(n), "/p/"+treeText(n)+"/<x>")
			probes = append(probes, "/"+treeText(n), "/p/"+treeText(n)+"/v")
		}
		checkTree(t, rules, probes)
	})
}

func TestTreeFanOutBoundaries(t *testing.T) {
	for _, c := range []struct {
		children    int
		jump, byMap bool
	}{
		{8, false, false},
		{9, true, false},
		{255, true, false},
		{256, false, true},
	} {
		t.Run(fmt.Sprintf("%d static children", c.children), func(t *testing.T) {
			// Names share first bytes in runs (the jump table's), and
			// lengths vary around 8; every third child leads on to a chain
			// that merges into its text.
			var rules, probes []string
			for i := range c.children {
				name := fmt.Sprintf("%c%d", 'a'+i%7, i*37)
				if i%3 == 0 {
					name += "-and-more"
				}
				rule := "/f/" + name
				probe := rule
				switch i % 3 {
				case 1:
					rule, probe = rule+"/then/on", probe+"/then/on"
				case 2:
					rule, probe = rule+"/<x>", probe+"/v"
				}
				rules = append(rules, rule)
				probes = append(probes, probe)
			}
			rt, _ := treeRouter(t, rules)
			f := rt.trees[0].static.find("f")
			require.NotNil(t, f)
			assert.Len(t, f.static.nodes, c.children)
			assert.Equal(t, c.jump, f.static.jump != nil, "a jump table")
			assert.Equal(t, c.byMap, f.static.big != nil, "the map")
			assert.Equal(t, !c.byMap, f.static.inPlace(), "compared in place")
			checkTree(t, rules, probes)
		})
	}
}

func TestTreeMergedStaticChains(t *testing.T) {
	for _, c := range []struct {
		name   string
		rules  []string
		probes []string
		merged string // the kid text the root's first child must have
	}{
		{
			name:   "a chain alone merges into one text",
			rules:  []string{"/a/bc/def/ghij/klmnopqrs"},
			probes: []string{"/a/bc/def/ghij/klmnopqrs"},
			merged: "a/bc/def/ghij/klmnopqrs",
		},
		{
			name:   "a route on the way stops the merge there",
			rules:  []string{"/static/route", "/static/route/here/and/more"},
			probes: []string{"/static/route", "/static/route/here/and/more"},
			merged: "static/route",
		},
		{
			name:   "a variable beside the chain stops the merge",
			rules:  []string{"/static/route/here", "/static/<x>/there"},
			probes: []string{"/static/route/here", "/static/v/there", "/static/route/there"},
			merged: "static",
		},
		{
			name:   "a trailing slash on the way stops the merge",
			rules:  []string{"/static/route/", "/static/route/here"},
			probes: []string{"/static/route/", "/static/route/here"},
			merged: "static/route",
		},
		{
			name:   "chains that part after a shared start",
			rules:  []string{"/static/route/here", "/static/route/hereafter/x", "/static/other"},
			probes: []string{"/static/route/here", "/static/route/hereafter/x", "/static/other"},
			merged: "static",
		},
		{
			name:   "a chain ending in a variable",
			rules:  []string{"/api/v1/users/<id>"},
			probes: []string{"/api/v1/users/7", "/api/v1/users/a-longer-id"},
			merged: "api/v1/users",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			rt, _ := treeRouter(t, c.rules)
			root := rt.trees[0]
			require.NotEmpty(t, root.static.kids)
			assert.Equal(t, c.merged, root.static.kids[0].text)
			checkTree(t, c.rules, c.probes)
		})
	}
}
