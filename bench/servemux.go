package bench

import (
	"net/http"
)

func init() {
	register(Framework{
		Name: "servemux",
		Router: func(routes []Route, rec *Recorder) http.Handler {
			m := http.NewServeMux()
			for i, r := range routes {
				m.HandleFunc(r.Method+" "+r.As("{%s}"), stdHandler(i, r.Names, rec, (*http.Request).PathValue))
			}
			return m
		},
		Hello: func() http.Handler {
			m := http.NewServeMux()
			m.HandleFunc("GET /{$}", helloHTTP)
			return m
		},
		JSON: func() http.Handler {
			m := http.NewServeMux()
			m.HandleFunc("GET /json", jsonHTTP)
			return m
		},
		Middleware5: func() http.Handler {
			m := http.NewServeMux()
			var h http.Handler = http.HandlerFunc(helloHTTP)
			for range 5 {
				next := h
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
			}
			m.Handle("GET /{$}", h)
			return m
		},
	})
}
