// Command serve serves the hello-world handler of one framework of the
// bench module on a loopback address, for load tools such as wrk:
//
//	go run ./cmd/serve -fw flagon -addr 127.0.0.1:8080
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"time"

	"github.com/flagon-go/flagon/bench"
)

func main() {
	name := flag.String("fw", "flagon", "framework (nethttp for a bare http.HandlerFunc)")
	addr := flag.String("addr", "127.0.0.1:8080", "loopback address to listen on")
	flag.Parse()
	var h http.Handler
	if *name == "nethttp" {
		h = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "Hello, World!")
		})
	}
	for _, fw := range bench.Frameworks {
		if fw.Name == *name {
			h = fw.Hello()
		}
	}
	if h == nil {
		log.Fatalf("unknown framework %q", *name)
	}
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
