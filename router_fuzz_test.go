package flagon_test

import (
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
)

// The differential fuzz test checks the radix tree against a deliberately
// simple reference: every rule is split into segments, each segment gets
// the rank of its kind (static, any, int, float, uuid, string, path), the
// rules are scanned in order of those ranks, and the first rule whose every
// segment accepts the path wins. The tree must pick the same rule and the
// same values for every path, and never panic.

var fuzzRules = []string{
	"/",
	"/users/",
	"/users/new",
	"/users/<int:id>",
	"/users/<name>",
	"/users/<int:id>/posts/<slug>",
	"/a/<x>/c",
	"/a/b/<y>",
	"/a/b/<path:rest>",
	"/f/<float:v>",
	"/f/<float:v>/<int:w>",
	"/u/<uuid:id>",
	"/l/<any(en,fr):lang>/about",
	"/l/<lang>/<page>",
	"/files/<path:p>",
	"/<first>/<second>/<third>/",
	"/deep/<int:a>/<int:b>/x",
	"/deep/<a>/<b>/y",
	"/deep/<a>/<path:rest>",
}

type refSeg struct {
	rank   int
	static string
	words  []string
}

type refRule struct {
	index int
	segs  []refSeg
}

func parseRef(i int, rule string) refRule {
	r := refRule{index: i}
	for _, part := range strings.Split(rule[1:], "/") {
		if !strings.HasPrefix(part, "<") {
			r.segs = append(r.segs, refSeg{rank: 0, static: part})
			continue
		}
		body := part[1 : len(part)-1]
		conv := "string"
		if c := strings.IndexByte(body, ':'); c >= 0 {
			conv = body[:c]
		}
		switch {
		case strings.HasPrefix(conv, "any("):
			r.segs = append(r.segs, refSeg{rank: 1, words: strings.Split(conv[4:len(conv)-1], ",")})
		case conv == "int":
			r.segs = append(r.segs, refSeg{rank: 2})
		case conv == "float":
			r.segs = append(r.segs, refSeg{rank: 3})
		case conv == "uuid":
			r.segs = append(r.segs, refSeg{rank: 4})
		case conv == "string":
			r.segs = append(r.segs, refSeg{rank: 6})
		case conv == "path":
			r.segs = append(r.segs, refSeg{rank: 7})
		}
	}
	return r
}

func refLess(a, b refRule) bool {
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if a.segs[i].rank != b.segs[i].rank {
			return a.segs[i].rank < b.segs[i].rank
		}
	}
	return a.index < b.index
}

func refAccepts(s refSeg, v string) bool {
	switch s.rank {
	case 0:
		return v == s.static
	case 1:
		for _, w := range s.words {
			if w == v {
				return true
			}
		}
		return false
	case 2:
		if v == "" {
			return false
		}
		for _, c := range v {
			if c < '0' || c > '9' {
				return false
			}
		}
		n, err := strconv.ParseUint(v, 10, 64)
		return err == nil && n <= math.MaxInt64
	case 3:
		l, r, ok := strings.Cut(v, ".")
		if !ok || l == "" || r == "" || strings.Trim(l+r, "0123456789") != "" {
			return false
		}
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case 4:
		if len(v) != 36 {
			return false
		}
		for i, c := range v {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if c != '-' {
					return false
				}
			} else if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
		return true
	case 6:
		return v != ""
	}
	return false
}

// refMatch returns the winning rule's index and values, or -1.
func refMatch(rules []refRule, path string) (int, []string) {
	parts := strings.Split(path[1:], "/")
	for _, r := range rules {
		var vals []string
		ok := true
		for i, s := range r.segs {
			if s.rank == 7 {
				rest := strings.Join(parts[i:], "/")
				if i >= len(parts) || rest == "" || rest[0] == '/' {
					ok = false
				} else {
					vals = append(vals, rest)
				}
				break
			}
			if i >= len(parts) || !refAccepts(s, parts[i]) {
				ok = false
				break
			}
			if s.rank != 0 {
				vals = append(vals, parts[i])
			}
			if i == len(r.segs)-1 && len(parts) != len(r.segs) {
				ok = false
			}
		}
		if ok {
			return r.index, vals
		}
	}
	return -1, nil
}

func refCanonical(path string) bool {
	parts := strings.Split(path[1:], "/")
	for i, p := range parts {
		if p == "." || p == ".." || p == "" && i != len(parts)-1 {
			return false
		}
	}
	return true
}

func fuzzApp() (*flagon.App, []refRule) {
	app := flagon.New()
	var rules []refRule
	for i, rule := range fuzzRules {
		idx := i
		app.Get(rule, func(c *flagon.Context) error {
			var vals []string
			for _, m := range ruleVar.FindAllStringSubmatch(strings.NewReplacer("<int:", "<", "<float:", "<", "<uuid:", "<", "<path:", "<", "<any(en,fr):", "<").Replace(c.Rule()), -1) {
				vals = append(vals, c.Param(m[1]))
			}
			return c.Text(200, strconv.Itoa(idx)+"|"+strings.Join(vals, "\x00"))
		})
		rules = append(rules, parseRef(i, rule))
	}
	// insertion sort keeps it obviously right
	for i := 1; i < len(rules); i++ {
		for j := i; j > 0 && refLess(rules[j], rules[j-1]); j-- {
			rules[j], rules[j-1] = rules[j-1], rules[j]
		}
	}
	return app, rules
}

func FuzzRouter(f *testing.F) {
	for _, seed := range []string{
		"/", "/users", "/users/", "/users/new", "/users/42", "/users/ada", "/users/42/posts/hi",
		"/a/b/c", "/a/z/c", "/a/b/c/d", "/f/1.5", "/f/1.5/2", "/f/1/2", "/u/123e4567-e89b-12d3-a456-426614174000",
		"/l/en/about", "/l/de/about", "/l/en/x", "/files/a/b/", "/x/y/z/", "/x/y/z", "/deep/1/2/x", "/deep/1/2/y",
		"/deep/a/b/c/d", "/users//x", "/a/./b", "/%", "/9223372036854775808",
	} {
		f.Add(seed)
	}
	app, rules := fuzzApp()
	f.Fuzz(func(t *testing.T, path string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL = &url.URL{Path: path}
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req) // must not panic

		if !refCanonical(path) {
			if rec.Code != http.StatusPermanentRedirect {
				t.Fatalf("%q: non-canonical path answered %d, want 308", path, rec.Code)
			}
			return
		}
		want, vals := refMatch(rules, path)
		if want < 0 {
			if alt, _ := refMatch(rules, path+"/"); alt >= 0 && !strings.HasSuffix(path, "/") {
				if rec.Code != http.StatusPermanentRedirect {
					t.Fatalf("%q: want a 308 to the slashed rule %s, got %d", path, fuzzRules[alt], rec.Code)
				}
				return
			}
			if rec.Code != http.StatusNotFound {
				t.Fatalf("%q: reference finds nothing, app answered %d %q", path, rec.Code, rec.Body.String())
			}
			return
		}
		got := rec.Body.String()
		exp := strconv.Itoa(want) + "|" + strings.Join(vals, "\x00")
		if rec.Code != 200 || got != exp {
			t.Fatalf("%q: reference picks %s %q, app answered %d %q", path, fuzzRules[want], vals, rec.Code, got)
		}
	})
}

func FuzzParseRule(f *testing.F) {
	for _, seed := range []string{"/", "/a/<b>", "/<int:x>/<path:p>", "/<any(a,b):c>", "/<", "/a//b", "/<x>/<x>", "/<float(1):x>", "/<::>"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rule string) {
		app := flagon.New()
		defer func() {
			if p := recover(); p != nil {
				msg, ok := p.(string)
				if !ok || !strings.HasPrefix(msg, "flagon: ") {
					t.Fatalf("rule %q: panic without a flagon: message: %v", rule, p)
				}
			}
		}()
		app.Get(rule, func(c *flagon.Context) error { return nil })
	})
}
