#!/usr/bin/env bash
# Counts the instructions each typed-handler peer of BenchmarkTyped executes
# per op under valgrind (callgrind): the deterministic figure next to ns/op
# on a noisy machine. Per handler it is the difference between the whole
# program's counts at N2 and N1 iterations, over N2-N1, so setup (building
# the handlers, compiling Huma's schema regexps) cancels out and the
# garbage collector's share of each op stays in. Prints
# "Typed <handler> <instructions per op>" lines.
#   bash bench/typed_instructions.sh
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "typed_instructions: valgrind is not installed" >&2; exit 1; }
mkdir -p results
go test -c -o results/bench.test .
n1=${N1:-1000}
n2=${N2:-5000}
total() { # handler, iterations -> the program's instruction total
	local out=results/callgrind.Typed.$1.$2.out
	# Go's asynchronous preemption signals upset callgrind; one P keeps
	# the run to the benchmark's goroutine.
	GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --callgrind-out-file="$out" \
		results/bench.test -test.run '^$' -test.bench "^BenchmarkTyped\$/^$1\$" -test.benchtime "$2x" >/dev/null 2>&1
	callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}
for h in ${HANDLERS:-flagon-typed flagon-bind-json gin huma}; do
	a=$(total "$h" "$n1")
	b=$(total "$h" "$n2")
	echo "Typed $h $(((b - a) / (n2 - n1)))"
done
