package bench

import (
	"bufio"
	"bytes"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/gin-gonic/gin"
)

// Welcome is what the typed workload answers: a part of the Signup.
type Welcome struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Tags  []string
}

func welcome(c *flagon.Context, in *Signup) (*Welcome, error) {
	return &Welcome{Name: in.Name, Email: in.Email, Tags: in.Tags}, nil
}

// typedHandlers bind the Signup body and answer a Welcome as JSON: with
// flagon.Typed, with Bind then c.JSON by hand, and with Gin's
// ShouldBindJSON then c.JSON, and with a Huma operation (huma_test.go).
var typedHandlers = []struct {
	name string
	h    func() http.Handler
}{
	{"flagon-typed", func() http.Handler {
		app := flagon.New()
		app.Post("/bind", flagon.Typed(welcome))
		return app
	}},
	{"flagon-bind-json", func() http.Handler {
		app := flagon.New()
		app.Post("/bind", func(c *flagon.Context) error {
			var in Signup
			if err := c.Bind(&in); err != nil {
				return err
			}
			out, err := welcome(c, &in)
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, out)
		})
		return app
	}},
	{"gin", func() http.Handler {
		e := gin.New()
		e.POST("/bind", func(c *gin.Context) {
			var in Signup
			if err := c.ShouldBindJSON(&in); err != nil {
				c.AbortWithStatus(400)
				return
			}
			c.JSON(http.StatusOK, &Welcome{Name: in.Name, Email: in.Email, Tags: in.Tags})
		})
		return e
	}},
	{"huma", humaServeMux},
}

// TestTypedAnswers checks that the typed workload's handlers answer the
// same before they are timed: the same JSON, and no Link header (Huma's
// default configuration adds one, and a $schema property, which
// humaConfig turns off). Gin ends its JSON without the newline the
// others' encoders add, and Huma's Content-Type has no charset parameter
// (which JSON does not use); neither can be configured, so the body is
// compared without its final newline and the Content-Type by media type.
func TestTypedAnswers(t *testing.T) {
	want := `{"name":"Ada Lovelace","email":"ada@example.com","Tags":["math","engines"]}`
	for _, th := range typedHandlers {
		req, reset := bindRequest(signupBody)
		reset()
		w := httptest.NewRecorder()
		th.h().ServeHTTP(w, req)
		if got := strings.TrimSuffix(w.Body.String(), "\n"); w.Code != 200 || got != want {
			t.Errorf("%s: %d %s, want 200 %s", th.name, w.Code, got, want)
		}
		if mt, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type")); mt != "application/json" {
			t.Errorf("%s: Content-Type %q", th.name, w.Header().Get("Content-Type"))
		}
		if l := w.Header().Values("Link"); l != nil {
			t.Errorf("%s: Link %q", th.name, l)
		}
	}
}

// TestTypedValidates checks that every typed handler applies Signup's rules
// alike: each refuses a body breaking one rule with a 4xx, and each accepts
// what the rules let through (empty optional fields, no tags, unknown
// keys).
func TestTypedValidates(t *testing.T) {
	edit := func(old, new string) []byte {
		if !bytes.Contains(signupBody, []byte(old)) {
			t.Fatalf("signupBody has no %s", old)
		}
		return bytes.Replace(signupBody, []byte(old), []byte(new), 1)
	}
	cases := []struct {
		name string
		body []byte
		ok   bool
	}{
		{"a bad email", edit(`"ada@example.com"`, `"ada-at-example.com"`), false},
		{"no email", edit(`"email":"ada@example.com",`, ``), false},
		{"no name", edit(`"name":"Ada Lovelace",`, ``), false},
		{"a 1-letter name", edit(`"Ada Lovelace"`, `"A"`), false},
		{"a 65-letter name", edit(`"Ada Lovelace"`, `"`+strings.Repeat("a", 65)+`"`), false},
		{"age 17", edit(`"age":36`, `"age":17`), false},
		{"age 131", edit(`"age":36`, `"age":131`), false},
		{"no age", edit(`"age":36,`, ``), false},
		{"a 3-letter country", edit(`"GB"`, `"GBR"`), false},
		{"an empty city", edit(`"London"`, `""`), false},
		{"a zip with a letter", edit(`"12345"`, `"12a45"`), false},
		{"a short phone", edit(`"+442071234567"`, `"12345"`), false},
		{"a website with no scheme", edit(`"https://example.com/ada"`, `"example.com/ada"`), false},
		{"six tags", edit(`["math","engines"]`, `["a","b","c","d","e","f"]`), false},
		{"an empty tag", edit(`["math","engines"]`, `["math",""]`), false},
		{"a string for age", edit(`"age":36`, `"age":"36"`), false},
		{"malformed JSON", signupBody[:len(signupBody)-1], false},
		{"an empty phone and website", edit(`"phone":"+442071234567","website":"https://example.com/ada"`, `"phone":"","website":""`), true},
		{"no tags", edit(`,"tags":["math","engines"]`, ``), true},
		{"five tags", edit(`["math","engines"]`, `["a","b","c","d","e"]`), true},
		{"an unknown key", edit(`"newsletter":true`, `"newsletter":true,"referrer":"x"`), true},
	}
	for _, th := range typedHandlers {
		h := th.h()
		for _, tc := range cases {
			req, reset := bindRequest(tc.body)
			reset()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if tc.ok && w.Code != 200 {
				t.Errorf("%s, %s: %d %s, want 200", th.name, tc.name, w.Code, w.Body)
			}
			if !tc.ok && (w.Code < 400 || w.Code > 499) {
				t.Errorf("%s, %s: %d, want a 4xx", th.name, tc.name, w.Code)
			}
		}
	}
}

// BenchmarkTyped binds and validates the 10-field Signup body and answers
// JSON: Typed against Bind + c.JSON by hand and Gin.
func BenchmarkTyped(b *testing.B) {
	for _, th := range typedHandlers {
		h := th.h()
		b.Run(th.name, func(b *testing.B) {
			req, reset := bindRequest(signupBody)
			w := NewDiscardWriter()
			b.ReportAllocs()
			for b.Loop() {
				reset()
				h.ServeHTTP(w, req)
			}
		})
	}
}

// githubRules is the GitHub API route set as Flagon rules.
func githubRules(b *testing.B) [][2]string {
	f, err := os.Open("../testdata/githubapi.rules")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if m, r, ok := strings.Cut(strings.TrimSpace(s.Text()), " "); ok {
			out = append(out, [2]string{m, r})
		}
	}
	return out
}

func githubApp(rules [][2]string) *flagon.App {
	app := flagon.New()
	for _, r := range rules {
		app.Route(r[1], func(c *flagon.Context) error { return nil }, r[0])
	}
	return app
}

// BenchmarkOpenAPIGitHub measures building the OpenAPI document of the
// GitHub API route set (203 routes); each iteration builds a new app,
// which "register" measures alone.
func BenchmarkOpenAPIGitHub(b *testing.B) {
	rules := githubRules(b)
	b.Run("register", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			githubApp(rules)
		}
	})
	b.Run("register+document", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := githubApp(rules).OpenAPI(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
