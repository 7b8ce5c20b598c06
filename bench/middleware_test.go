package bench

import "testing"

// Every adapter does what its case measures.
func TestMiddlewareAdaptersApply(t *testing.T) {
	for _, mc := range MiddlewareCases {
		for _, fw := range MiddlewareFrameworks {
			build, ok := mc.Apps[fw]
			if !ok {
				continue
			}
			t.Run(mc.Name+" in "+fw+" does its work", func(t *testing.T) {
				w := NewDiscardWriter()
				w.Status = 200
				build(mc.Body).ServeHTTP(w, mc.Request())
				if msg := mc.Check(w.Header(), w.Status); msg != "" {
					t.Fatal(msg)
				}
			})
		}
	}
}

// BenchmarkMiddleware measures each middleware on the hello-world route
// of each framework; compare with the None case for the middleware's own
// cost. The header map is cleared before each request, as a server gives
// every request a new one.
func BenchmarkMiddleware(b *testing.B) {
	for _, mc := range MiddlewareCases {
		for _, fw := range MiddlewareFrameworks {
			build, ok := mc.Apps[fw]
			if !ok {
				continue
			}
			h := build(mc.Body)
			req := mc.Request()
			b.Run(mc.Name+"/"+fw, func(b *testing.B) {
				w := NewDiscardWriter()
				hdr := w.Header()
				b.ReportAllocs()
				for b.Loop() {
					clear(hdr)
					h.ServeHTTP(w, req)
				}
			})
		}
	}
}
