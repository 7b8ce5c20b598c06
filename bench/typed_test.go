package bench

import (
	"bufio"
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
// ShouldBindJSON then c.JSON.
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
}

// TestTypedAnswers checks that the typed workload's handlers answer the
// same before they are timed.
func TestTypedAnswers(t *testing.T) {
	want := `{"name":"Ada Lovelace","email":"ada@example.com","Tags":["math","engines"]}`
	for _, th := range typedHandlers {
		req, reset := bindRequest(signupBody)
		reset()
		w := httptest.NewRecorder()
		th.h().ServeHTTP(w, req)
		if got := strings.TrimSpace(w.Body.String()); w.Code != 200 || got != want {
			t.Errorf("%s: %d %s, want 200 %s", th.name, w.Code, got, want)
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
