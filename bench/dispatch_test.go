package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

var routeSets = []struct {
	Name string
	File string
	N    int
}{
	{"GitHub", "../testdata/githubapi.txt", 203},
	{"Parse", "../testdata/parseapi.txt", 26},
	{"GPlus", "../testdata/gplusapi.txt", 13},
}

func mustLoad(tb testing.TB, file string) []Route {
	tb.Helper()
	routes, err := LoadRoutes(file)
	if err != nil {
		tb.Fatal(err)
	}
	return routes
}

// TestDispatch checks, before any timing matters, that every framework
// sends every route of every set to its own handler with the right values.
func TestDispatch(t *testing.T) {
	for _, set := range routeSets {
		routes := mustLoad(t, set.File)
		if len(routes) != set.N {
			t.Fatalf("%s: %d routes, want %d", set.Name, len(routes), set.N)
		}
		for _, fw := range Frameworks {
			t.Run(set.Name+"/"+fw.Name, func(t *testing.T) {
				rec := &Recorder{}
				h := fw.Router(routes, rec)
				w := NewDiscardWriter()
				for i, r := range routes {
					rec.Last = nil
					h.ServeHTTP(w, r.Request())
					if rec.Last == nil {
						t.Fatalf("%s %s reached no handler", r.Method, r.Path)
					}
					if rec.Last.Route != i {
						t.Fatalf("%s %s reached the handler of %s %s", r.Method, r.Path, routes[rec.Last.Route].Method, routes[rec.Last.Route].Path)
					}
					for _, n := range r.Names {
						if got := rec.Last.Params[n]; got != Value(n) {
							t.Fatalf("%s %s: %s = %q, want %q", r.Method, r.Path, n, got, Value(n))
						}
					}
				}
			})
		}
	}
}

// TestFullStackAnswers checks the full-stack handlers answer the same.
func TestFullStackAnswers(t *testing.T) {
	for _, fw := range Frameworks {
		t.Run(fw.Name, func(t *testing.T) {
			for name, h := range map[string]http.Handler{"hello": fw.Hello(), "middleware5": fw.Middleware5()} {
				w := NewDiscardWriter()
				w.Keep = true
				req, _ := http.NewRequest("GET", "/", nil)
				h.ServeHTTP(w, req)
				if string(w.Body) != helloBody || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
					t.Fatalf("%s: got %q (%s)", name, w.Body, w.Header().Get("Content-Type"))
				}
			}
			w := NewDiscardWriter()
			w.Keep = true
			req, _ := http.NewRequest("GET", "/json", nil)
			fw.JSON().ServeHTTP(w, req)
			var m Message
			if err := json.Unmarshal(w.Body, &m); err != nil || m != message {
				t.Fatalf("json: got %q: %v", w.Body, err)
			}
		})
	}
}

// TestBindAnswers checks, before the Bind workload is timed, that each
// framework binds the same values from the body and refuses a bad one.
func TestBindAnswers(t *testing.T) {
	for _, fw := range Frameworks {
		if fw.Bind == nil {
			continue
		}
		t.Run(fw.Name, func(t *testing.T) {
			var seen Signup
			h := fw.Bind(&seen)
			w := NewDiscardWriter()
			req, reset := bindRequest(signupBody)
			reset()
			h.ServeHTTP(w, req)
			if w.Status != 204 || !reflect.DeepEqual(seen, signup) {
				t.Fatalf("valid body: status %d, bound %+v", w.Status, seen)
			}
			bad := bytes.Replace(signupBody, []byte(`"GB"`), []byte(`"GBR"`), 1)
			req, reset = bindRequest(bad)
			reset()
			h.ServeHTTP(w, req)
			if w.Status < 400 || w.Status > 422 {
				t.Fatalf("invalid body: status %d", w.Status)
			}
		})
	}
}

// scaleRoutes makes n routes, static or with two variables.
func scaleRoutes(n int, params bool) ([]Route, *http.Request) {
	routes := make([]Route, n)
	for i := range n {
		if params {
			routes[i] = Route{Method: "GET", Path: fmt.Sprintf("/r%d/:id/items/:item", i), Names: []string{"id", "item"}}
		} else {
			routes[i] = Route{Method: "GET", Path: fmt.Sprintf("/r%d/items/list", i)}
		}
	}
	return routes, routes[n-1].Request()
}

func TestScaleRoutesDispatch(t *testing.T) {
	for _, fw := range Frameworks {
		if !scalable[fw.Name] {
			continue
		}
		for _, params := range []bool{false, true} {
			routes, req := scaleRoutes(1000, params)
			rec := &Recorder{}
			fw.Router(routes, rec).ServeHTTP(NewDiscardWriter(), req)
			if rec.Last == nil || rec.Last.Route != 999 {
				t.Fatalf("%s: the last of 1000 routes was not reached", fw.Name)
			}
		}
	}
}
