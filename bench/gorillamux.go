package bench

import (
	"net/http"

	"github.com/gorilla/mux"
)

func init() {
	register(Framework{
		Name: "gorillamux",
		Router: func(routes []Route, rec *Recorder) http.Handler {
			m := mux.NewRouter()
			for i, r := range routes {
				m.HandleFunc(r.As("{%s}"), stdHandler(i, r.Names, rec, func(req *http.Request, n string) string {
					return mux.Vars(req)[n]
				})).Methods(r.Method)
			}
			return m
		},
		Hello: func() http.Handler {
			m := mux.NewRouter()
			m.HandleFunc("/", helloHTTP).Methods("GET")
			return m
		},
		JSON: func() http.Handler {
			m := mux.NewRouter()
			m.HandleFunc("/json", jsonHTTP).Methods("GET")
			return m
		},
		Middleware5: func() http.Handler {
			m := mux.NewRouter()
			for range 5 {
				m.Use(func(next http.Handler) http.Handler { return next })
			}
			m.HandleFunc("/", helloHTTP).Methods("GET")
			return m
		},
	})
}
