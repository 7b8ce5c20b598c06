package flagon_test

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// routeSetRule is one line of a route set: a method and a Flask rule.
type routeSetRule struct {
	method, rule string
	vars         []string // variable names, in order
}

var ruleVariable = regexp.MustCompile(`<(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>`)

// readRouteSet reads "METHOD /rule" lines. The .rules files are the Flask
// spelling of the .txt sets (":name" variables) that Go router benchmarks
// use.
func readRouteSet(t testing.TB, file string) []routeSetRule {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var out []routeSetRule
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		method, rule, ok := strings.Cut(line, " ")
		require.True(t, ok, "%s: %q is not METHOD /rule", file, line)
		r := routeSetRule{method: method, rule: rule}
		for _, m := range ruleVariable.FindAllStringSubmatch(rule, -1) {
			r.vars = append(r.vars, m[1])
		}
		out = append(out, r)
	}
	require.NoError(t, sc.Err())
	return out
}

// routeSetPath fills a rule's variables with value(name) escaped.
func routeSetPath(rule string, value func(name string) string) string {
	return ruleVariable.ReplaceAllStringFunc(rule, func(v string) string {
		return url.PathEscape(value(ruleVariable.FindStringSubmatch(v)[1]))
	})
}

var routeSets = []struct {
	name string
	file string
	n    int
}{
	{"GitHub API", "githubapi", 203},
	{"Parse API", "parseapi", 26},
	{"Google+ API", "gplusapi", 13},
}

func TestRouteSetFilesAreTheFlaskSpellingOfTheBenchmarkSets(t *testing.T) {
	colon := regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)
	for _, set := range routeSets {
		t.Run(set.name+" has its "+fmt.Sprint(set.n)+" routes in Flask syntax", func(t *testing.T) {
			rules := readRouteSet(t, "testdata/"+set.file+".rules")
			require.Len(t, rules, set.n)
			orig, err := os.ReadFile("testdata/" + set.file + ".txt")
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(orig)), "\n")
			require.Len(t, lines, set.n)
			for i, line := range lines {
				assert.Equal(t, colon.ReplaceAllString(strings.TrimSpace(line), "<$1>"), rules[i].method+" "+rules[i].rule)
			}
		})
	}
}

func TestRouteSetsReachEveryHandlerWithItsValues(t *testing.T) {
	for _, set := range routeSets {
		rules := readRouteSet(t, "testdata/"+set.file+".rules")
		require.Len(t, rules, set.n)
		app := flagon.New()
		for i, r := range rules {
			app.Route(r.rule, func(c *flagon.Context) error {
				var b strings.Builder
				fmt.Fprintf(&b, "%d %s %s", i, c.Request.Method, c.Rule())
				for _, v := range r.vars {
					fmt.Fprintf(&b, " %s=%s", v, c.Param(v))
				}
				return c.Text(200, b.String())
			}, r.method)
		}
		require.Len(t, app.Routes(), set.n)

		values := []struct {
			name  string
			value func(i int, name string) string
		}{
			{"plain values", func(i int, name string) string { return fmt.Sprintf("%s-%d", name, i) }},
			{"values that need escaping", func(i int, name string) string { return fmt.Sprintf("%s %d/é?", name, i) }},
		}
		for _, vs := range values {
			t.Run(set.name+": every route, requested with "+vs.name+", reaches its own handler with every value", func(t *testing.T) {
				for i, r := range rules {
					path := routeSetPath(r.rule, func(name string) string { return vs.value(i, name) })
					want := fmt.Sprintf("%d %s %s", i, r.method, r.rule)
					for _, v := range r.vars {
						want += " " + v + "=" + vs.value(i, v)
					}
					rec := serveTarget(t, app, r.method, path)
					if assert.Equal(t, 200, rec.Code, "%s %s", r.method, path) {
						assert.Equal(t, want, rec.Body.String(), "%s %s", r.method, path)
					}
				}
			})
		}
		t.Run(set.name+": every GET route answers HEAD and every route is in its path's Allow", func(t *testing.T) {
			for i, r := range rules {
				path := routeSetPath(r.rule, func(name string) string { return fmt.Sprintf("%s-%d", name, i) })
				if r.method == "GET" {
					assert.Equal(t, 200, serveTarget(t, app, "HEAD", path).Code, "HEAD %s", path)
				}
				rec := serveTarget(t, app, "OPTIONS", path)
				require.Equal(t, 204, rec.Code, "OPTIONS %s", path)
				assert.Contains(t, strings.Split(rec.Header().Get("Allow"), ", "), r.method, "OPTIONS %s", path)
			}
		})
	}
}
