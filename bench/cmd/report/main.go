// Command report turns `go test -bench` output of the bench module into
// docs/benchmarks.md: one table per workload with the median ns/op, B/op
// and allocs/op of each framework and Flagon's ratio to each of them, and
// one table for all the middleware workloads.
//
//	go run ./cmd/report -in results/bench.txt -machine "..." > ../docs/benchmarks.md
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// sample is one metric series of one framework on one workload.
type sample map[string][]float64 // unit -> values

var line = regexp.MustCompile(`^Benchmark(\S+?)/(\S+?)(-\d+)?\s+\d+\s+(.*)$`)

func main() {
	in := flag.String("in", "", "raw go test -bench output")
	machine := flag.String("machine", "", "description of the machine")
	instr := flag.String("instr", "", "output of instructions.sh (optional)")
	flag.Parse()
	f, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	data, order := parse(f)
	write(os.Stdout, data, order, *machine)
	if *instr != "" {
		in, err := os.Open(*instr)
		if err != nil {
			log.Fatal(err)
		}
		defer in.Close()
		writeInstructions(os.Stdout, in)
	}
}

// instructionFrameworks are the columns of the instructions table.
var instructionFrameworks = []string{"flagon", "gin", "echo", "chi", "httprouter", "gorillamux", "servemux", "nethttp"}

// writeInstructions writes the "<workload> <framework> <count>" lines of
// instructions.sh as one table with Flagon's ratios to Gin and httprouter.
func writeInstructions(w io.Writer, r io.Reader) {
	counts := map[string]map[string]float64{}
	var order []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			continue
		}
		if counts[f[0]] == nil {
			counts[f[0]] = map[string]float64{}
			order = append(order, f[0])
		}
		counts[f[0]][f[1]] = v
	}
	if len(order) == 0 {
		return
	}
	fmt.Fprintln(w, "## Instructions per op")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Instructions executed per op, counted by valgrind (callgrind) with")
	fmt.Fprintln(w, "`bench/instructions.sh`: unlike ns/op, the count does not move with the load of")
	fmt.Fprintln(w, "a shared machine, so small differences are real. It is not time (a cache miss")
	fmt.Fprintln(w, "costs more than an add), but on these in-cache workloads it tracks ns/op closely.")
	fmt.Fprintln(w, "`E2EServer` is what one hello-world request over a real keep-alive connection")
	fmt.Fprintln(w, "costs the server process, net/http's own parsing and writing included (`nethttp`")
	fmt.Fprintln(w, "is a bare `http.HandlerFunc`); garbage collection moves it by about 1%.")
	fmt.Fprintln(w)
	writeHeader(w, "workload", append(slices.Clone(instructionFrameworks), "Flagon ÷ gin", "Flagon ÷ httprouter", "Flagon ÷ nethttp"))
	for _, work := range order {
		c := counts[work]
		fmt.Fprintf(w, "| %s |", work)
		for _, fw := range instructionFrameworks {
			if v, ok := c[fw]; ok {
				fmt.Fprintf(w, " %.0f |", v)
			} else {
				fmt.Fprint(w, " – |")
			}
		}
		fmt.Fprintf(w, " %s | %s | %s |\n", ratio(c["flagon"], c["gin"]), ratio(c["flagon"], c["httprouter"]), ratio(c["flagon"], c["nethttp"]))
	}
	fmt.Fprintln(w)
}

func parse(r io.Reader) (map[string]map[string]sample, []string) {
	data := map[string]map[string]sample{}
	var order []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := line.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		work, fw := m[1], m[2]
		// Scale benchmarks are named Scale/<kind-n>/<framework>.
		if i := strings.LastIndexByte(fw, '/'); i >= 0 {
			work, fw = work+"/"+fw[:i], fw[i+1:]
		}
		if data[work] == nil {
			data[work] = map[string]sample{}
			order = append(order, work)
		}
		if data[work][fw] == nil {
			data[work][fw] = sample{}
		}
		fields := strings.Fields(m[4])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err == nil {
				data[work][fw][fields[i+1]] = append(data[work][fw][fields[i+1]], v)
			}
		}
	}
	return data, order
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func write(w io.Writer, data map[string]map[string]sample, order []string, machine string) {
	fmt.Fprintln(w, "# Benchmarks")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Flagon side by side with Gin, Echo, chi, httprouter, gorilla/mux and the standard")
	fmt.Fprintln(w, "`net/http` ServeMux (Go 1.22 patterns), measured in one run of `bench/run.sh`.")
	fmt.Fprintln(w, "Each figure is the median of the runs (`-count`); the ratios are Flagon's figure")
	fmt.Fprintln(w, "divided by the other's, so below 1 means Flagon is faster.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "**Caveat:** absolute numbers depend on the machine, and this one is shared and")
	fmt.Fprintln(w, "noisy; compare ratios within one run, not numbers across runs.")
	fmt.Fprintln(w)
	if machine != "" {
		fmt.Fprintf(w, "Machine: %s\n\n", machine)
	}
	fmt.Fprintln(w, "Rerun (from the repository root; needs benchstat, installed if missing):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "```sh")
	fmt.Fprintln(w, "bash bench/run.sh            # full run, regenerates this page")
	fmt.Fprintln(w, "bash bench/instructions.sh   # instruction counts only (needs valgrind; run.sh includes them when it is installed)")
	fmt.Fprintln(w, "cd bench && go test -run '^$' -bench '^BenchmarkE2EAllocs$' -benchtime 20000x -count 6 .   # allocations per request only")
	fmt.Fprintln(w, "cd bench && go test -run TestDispatch ./...   # correctness only")
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Router workloads (`GitHubAll`, `ParseAll`, `GPlusAll`: every route of the set once per op;")
	fmt.Fprintln(w, "`Static`, `Param1/5/20`) and full-stack ones (`HelloText`, `HelloJSON`, `Middleware5`) call")
	fmt.Fprintln(w, "`ServeHTTP` with a discarding in-memory writer, no network. `Scale` looks up the last of")
	fmt.Fprintln(w, "10, 1 000 or 100 000 routes. `E2EHello` serves hello world on a real `net/http.Server` at")
	fmt.Fprintln(w, "127.0.0.1 under a fixed-duration load of 16 keep-alive connections (req/s; `nethttp` is a")
	fmt.Fprintln(w, "bare `http.HandlerFunc`); `E2EAllocs` counts what each request on one such connection allocates.")
	fmt.Fprintln(w, "`TestDispatch` checks every framework answers every route right")
	fmt.Fprintln(w, "before any of this is timed. `Bind` posts a 10-field JSON body that is bound and validated")
	fmt.Fprintln(w, "with the same validator/v10 rules: `c.Bind` for Flagon, `ShouldBindJSON` for Gin")
	fmt.Fprintln(w, "(`TestBindAnswers` checks both bind the same values first). `Middleware` puts one middleware of the catalog in front of")
	fmt.Fprintln(w, "hello world, next to Gin's, Echo's and chi's equivalents.")
	fmt.Fprintln(w)
	middlewareDone := false
	for _, work := range order {
		if strings.HasPrefix(work, "Middleware/") {
			if !middlewareDone {
				writeMiddleware(w, data, order)
				middlewareDone = true
			}
			continue
		}
		fws := data[work]
		names := make([]string, 0, len(fws))
		for n := range fws {
			names = append(names, n)
		}
		sort.Strings(names)
		fl := fws["flagon"]
		if len(fl["allocs/req"]) > 0 {
			writeAllocs(w, fws, names)
			continue
		}
		e2e := fws["flagon"] != nil && len(fl["req/s"]) > 0
		fmt.Fprintf(w, "## %s\n\n", work)
		if e2e {
			fmt.Fprintln(w, "| framework | req/s | Flagon ÷ this (req/s) |")
			fmt.Fprintln(w, "|---|---:|---:|")
			for _, n := range names {
				rps := median(fws[n]["req/s"])
				fmt.Fprintf(w, "| %s | %.0f | %s |\n", n, rps, ratio(median(fl["req/s"]), rps))
			}
			fmt.Fprintln(w)
			continue
		}
		fmt.Fprintln(w, "| framework | ns/op | B/op | allocs/op | Flagon ÷ this (ns/op) |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
		for _, n := range names {
			s := fws[n]
			fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %s |\n", n, median(s["ns/op"]), median(s["B/op"]), median(s["allocs/op"]),
				ratio(median(fl["ns/op"]), median(s["ns/op"])))
		}
		fmt.Fprintln(w)
	}
}

// writeAllocs writes the E2EAllocs workload: each framework's median heap
// allocations and bytes per request over a real keep-alive connection, and
// what it adds to the bare net/http handler (nethttp).
func writeAllocs(w io.Writer, fws map[string]sample, names []string) {
	fmt.Fprintln(w, "## Allocations per request over a real connection")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "`E2EAllocs`: heap allocations and bytes per hello-world request served by a real")
	fmt.Fprintln(w, "`net/http.Server` at 127.0.0.1 over one keep-alive connection (`runtime.MemStats`")
	fmt.Fprintln(w, "deltas of `Mallocs` and `TotalAlloc` over 20 000 requests), net/http's own allocations")
	fmt.Fprintln(w, "included. The client writes pre-built request bytes and reads each response into a fixed")
	fmt.Fprintln(w, "buffer; it allocates nothing (`TestTheRawClientAllocatesNothing`), so the figures are the")
	fmt.Fprintln(w, "server's. `nethttp` is a bare `http.HandlerFunc` that sets `Content-Type` with")
	fmt.Fprintln(w, "`Header().Set`, as the frameworks' handlers send one; `nethttp-notype` sets none and")
	fmt.Fprintln(w, "lets net/http sniff it, which spares the header map net/http clones once a handler has")
	fmt.Fprintln(w, "touched it. Flagon sets its `Content-Type` with a shared `[]string` where `Header().Set`")
	fmt.Fprintln(w, "makes a new one (16 B). The last two columns are what each adds to `nethttp`; the")
	fmt.Fprintln(w, "counts move by about 0.03 with the garbage collector.")
	fmt.Fprintln(w)
	writeHeader(w, "framework", []string{"allocs/req", "B/req", "allocs/req over nethttp", "B/req over nethttp"})
	base := fws["nethttp"]
	for _, n := range names {
		s := fws[n]
		a, b := median(s["allocs/req"]), median(s["B/req"])
		fmt.Fprintf(w, "| %s | %.1f | %.0f |", n, a, b)
		if base == nil {
			fmt.Fprintln(w, " – | – |")
			continue
		}
		fmt.Fprintf(w, " %+.1f | %+.0f |\n", a-median(base["allocs/req"]), b-median(base["B/req"]))
	}
	fmt.Fprintln(w)
}

// middlewareFrameworks are the columns of the middleware table.
var middlewareFrameworks = []string{"flagon", "gin", "echo", "chi"}

// writeMiddleware writes the Middleware/<name>/<framework> workloads as one
// table: each framework's median ns/op and allocs/op on the hello-world
// route with the middleware, Flagon's ratio to each, and what the
// middleware adds to Flagon's route (ns/op over the None row).
func writeMiddleware(w io.Writer, data map[string]map[string]sample, order []string) {
	fmt.Fprintln(w, "## Middleware")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Each middleware in front of the hello-world route, in each framework that has an")
	fmt.Fprintln(w, "equivalent (`bench/middleware.go` lists them; `TestMiddlewareAdaptersApply` checks each")
	fmt.Fprintln(w, "one does its work). Cells are ns/op (allocs/op); `None` is the route alone; – means")
	fmt.Fprintln(w, "the framework has no such middleware. `Compress` sends 4 KB of text, which all")
	fmt.Fprintln(w, "compress; on `CompressHello` Flagon's MinLength sends the 13 bytes as they are.")
	fmt.Fprintln(w)
	cols := append(slices.Clone(middlewareFrameworks), "Flagon adds (ns/op)")
	for _, fw := range middlewareFrameworks[1:] {
		cols = append(cols, "Flagon ÷ "+fw)
	}
	writeHeader(w, "middleware", cols)
	none := median(data["Middleware/None"]["flagon"]["ns/op"])
	for _, work := range order {
		name, ok := strings.CutPrefix(work, "Middleware/")
		if !ok {
			continue
		}
		fws := data[work]
		fmt.Fprintf(w, "| %s |", name)
		for _, fw := range middlewareFrameworks {
			s, ok := fws[fw]
			if !ok {
				fmt.Fprint(w, " – |")
				continue
			}
			fmt.Fprintf(w, " %.0f (%.0f) |", median(s["ns/op"]), median(s["allocs/op"]))
		}
		fl := median(fws["flagon"]["ns/op"])
		if name == "None" || fl == 0 {
			fmt.Fprint(w, " – |")
		} else {
			fmt.Fprintf(w, " %+.0f |", fl-none)
		}
		for _, fw := range middlewareFrameworks[1:] {
			fmt.Fprintf(w, " %s |", ratio(fl, median(fws[fw]["ns/op"])))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// writeHeader writes the header of a Markdown table: first, then cols, all
// but the first column right-aligned.
func writeHeader(w io.Writer, first string, cols []string) {
	fmt.Fprintf(w, "| %s |", first)
	for _, c := range cols {
		fmt.Fprintf(w, " %s |", c)
	}
	fmt.Fprint(w, "\n|---|")
	for range cols {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}
