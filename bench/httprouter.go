package bench

import (
	"net/http"

	"github.com/julienschmidt/httprouter"
)

func init() {
	register(Framework{
		Name: "httprouter",
		Router: func(routes []Route, rec *Recorder) http.Handler {
			m := httprouter.New()
			for i, r := range routes {
				m.Handle(r.Method, r.Path, httprouterHandler(i, r.Names, rec))
			}
			return m
		},
		Hello: func() http.Handler {
			m := httprouter.New()
			m.HandlerFunc("GET", "/", helloHTTP)
			return m
		},
		JSON: func() http.Handler {
			m := httprouter.New()
			m.HandlerFunc("GET", "/json", jsonHTTP)
			return m
		},
		Middleware5: func() http.Handler {
			m := httprouter.New()
			var h http.Handler = http.HandlerFunc(helloHTTP)
			for range 5 {
				next := h
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
			}
			m.Handler("GET", "/", h)
			return m
		},
	})
}

func httprouterHandler(i int, names []string, rec *Recorder) httprouter.Handle {
	if rec == nil {
		return func(http.ResponseWriter, *http.Request, httprouter.Params) {}
	}
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		rec.Record(i, names, ps.ByName)
	}
}
