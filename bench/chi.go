package bench

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"
)

func init() {
	register(Framework{
		Name: "chi",
		Router: func(routes []Route, rec *Recorder) http.Handler {
			m := chi.NewRouter()
			for i, r := range routes {
				m.MethodFunc(r.Method, r.As("{%s}"), stdHandler(i, r.Names, rec, chi.URLParam))
			}
			return m
		},
		Hello: func() http.Handler {
			m := chi.NewRouter()
			m.Get("/", helloHTTP)
			return m
		},
		JSON: func() http.Handler {
			m := chi.NewRouter()
			m.Get("/json", jsonHTTP)
			return m
		},
		Middleware5: func() http.Handler {
			m := chi.NewRouter()
			for range 5 {
				m.Use(func(next http.Handler) http.Handler { return next })
			}
			m.Get("/", helloHTTP)
			return m
		},
	})
}

// stdHandler is the route handler of the net/http-style routers; param
// reads a variable of the request.
func stdHandler(i int, names []string, rec *Recorder, param func(*http.Request, string) string) http.HandlerFunc {
	if rec == nil {
		return func(http.ResponseWriter, *http.Request) {}
	}
	return func(w http.ResponseWriter, r *http.Request) {
		rec.Record(i, names, func(n string) string { return param(r, n) })
	}
}

func helloHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(200)
	_, _ = io.WriteString(w, helloBody)
}

func jsonHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(200)
	_ = json.NewEncoder(w).Encode(message)
}
