package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func benchRequests(b *testing.B, h http.Handler, reqs []*http.Request) {
	w := NewDiscardWriter()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range reqs {
			h.ServeHTTP(w, r)
		}
	}
}

func benchSet(b *testing.B, file string) {
	routes := mustLoad(b, file)
	reqs := make([]*http.Request, len(routes))
	for i, r := range routes {
		reqs[i] = r.Request()
	}
	for _, fw := range Frameworks {
		h := fw.Router(routes, nil)
		b.Run(fw.Name, func(b *testing.B) { benchRequests(b, h, reqs) })
	}
}

func BenchmarkGitHubAll(b *testing.B) { benchSet(b, "../testdata/githubapi.txt") }
func BenchmarkParseAll(b *testing.B)  { benchSet(b, "../testdata/parseapi.txt") }
func BenchmarkGPlusAll(b *testing.B)  { benchSet(b, "../testdata/gplusapi.txt") }

// benchParams routes one request with n variables.
func benchParams(b *testing.B, n int) {
	var p strings.Builder
	var names []string
	if n == 0 {
		p.WriteString("/static/route/here")
	}
	for i := range n {
		fmt.Fprintf(&p, "/s%d/:v%d", i, i)
		names = append(names, fmt.Sprintf("v%d", i))
	}
	routes := []Route{{Method: "GET", Path: p.String(), Names: names}}
	req := routes[0].Request()
	for _, fw := range Frameworks {
		h := fw.Router(routes, nil)
		b.Run(fw.Name, func(b *testing.B) { benchRequests(b, h, []*http.Request{req}) })
	}
}

func BenchmarkStatic(b *testing.B)  { benchParams(b, 0) }
func BenchmarkParam1(b *testing.B)  { benchParams(b, 1) }
func BenchmarkParam5(b *testing.B)  { benchParams(b, 5) }
func BenchmarkParam20(b *testing.B) { benchParams(b, 20) }

func benchFullStack(b *testing.B, path string, make func(Framework) http.Handler) {
	req, _ := http.NewRequest("GET", path, nil)
	for _, fw := range Frameworks {
		h := make(fw)
		b.Run(fw.Name, func(b *testing.B) { benchRequests(b, h, []*http.Request{req}) })
	}
}

func BenchmarkHelloText(b *testing.B) {
	benchFullStack(b, "/", func(f Framework) http.Handler { return f.Hello() })
}

func BenchmarkHelloJSON(b *testing.B) {
	benchFullStack(b, "/json", func(f Framework) http.Handler { return f.JSON() })
}

func BenchmarkMiddleware5(b *testing.B) {
	benchFullStack(b, "/", func(f Framework) http.Handler { return f.Middleware5() })
}

// bindRequest is the POST /bind request of the Bind workload; reset gives
// it its body again, without allocating, before each use.
func bindRequest(body []byte) (req *http.Request, reset func()) {
	req, _ = http.NewRequest("POST", "/bind", nil)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = int64(len(body))
	rd := bytes.NewReader(body)
	rc := io.NopCloser(rd)
	return req, func() {
		rd.Reset(body)
		req.Body = rc
	}
}

// BenchmarkBind binds and validates a 10-field JSON body: c.Bind for
// Flagon, ShouldBindJSON for Gin, with the same rules.
func BenchmarkBind(b *testing.B) {
	for _, fw := range Frameworks {
		if fw.Bind == nil {
			continue
		}
		h := fw.Bind(nil)
		b.Run(fw.Name, func(b *testing.B) {
			req, reset := bindRequest(signupBody)
			w := NewDiscardWriter()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				reset()
				h.ServeHTTP(w, req)
			}
		})
	}
}

// scalable are the routers measured with 100 000 routes (gorilla/mux scans
// its routes one by one, and echo is measured on the route sets).
var scalable = map[string]bool{"flagon": true, "gin": true, "httprouter": true, "chi": true, "servemux": true}

func BenchmarkScale(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		for _, params := range []bool{false, true} {
			kind := "static"
			if params {
				kind = "params"
			}
			routes, req := scaleRoutes(n, params)
			for _, fw := range Frameworks {
				if !scalable[fw.Name] {
					continue
				}
				h := fw.Router(routes, nil)
				b.Run(fmt.Sprintf("%s-%d/%s", kind, n, fw.Name), func(b *testing.B) {
					benchRequests(b, h, []*http.Request{req})
				})
			}
		}
	}
}
