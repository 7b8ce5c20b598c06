#!/usr/bin/env bash
# Counts the instructions each framework executes per op on the router
# workloads, under valgrind (callgrind): a deterministic measure, unlike
# ns/op on a shared and noisy machine. Needs valgrind (and curl for the
# server runs); prints "<workload> <framework> <instructions per op>" lines.
#   bash bench/instructions.sh > results/instructions.txt
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "instructions: valgrind is not installed" >&2; exit 1; }
mkdir -p results
go test -c -o results/bench.test .
frameworks=${FRAMEWORKS:-"flagon gin echo chi httprouter gorillamux servemux"}
for work in Static Param1 Param5 Param20 GitHubAll ParseAll GPlusAll HelloText; do
	n=20000
	case $work in GitHubAll) n=200 ;; ParseAll | GPlusAll) n=2000 ;; esac
	for fw in $frameworks; do
		out=results/callgrind.$work.$fw.out
		# Go's asynchronous preemption signals upset callgrind; one P keeps
		# the run to the benchmark's goroutine.
		GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --callgrind-out-file="$out" \
			results/bench.test -test.run '^$' -test.bench "^Benchmark$work\$/$fw\$" -test.benchtime "${n}x" >/dev/null 2>&1
		# The benchmark loop's inclusive count over its iterations (n plus
		# the one b.Loop runs first).
		ir=$(callgrind_annotate --inclusive=yes "$out" 2>/dev/null | awk '/bench\.benchRequests/ && !done { gsub(",", "", $1); print $1; done = 1 }')
		echo "$work $fw $((ir / (n + 1)))"
	done
done

# E2EServer: what one hello-world request costs the server process over a
# real keep-alive connection (net/http's parsing and writing included): the
# difference between serving 5000 and 1000 requests, over 4000. Garbage
# collection makes it move by about 1%.
go build -o results/serve ./cmd/serve
served() { # framework, requests -> the server process's instruction total
	local port=$((18400 + RANDOM % 1000)) pid out=results/callgrind.serve.$1.$2.out
	GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --callgrind-out-file="$out" \
		results/serve -fw "$1" -addr "127.0.0.1:$port" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
	curl -s -o /dev/null "http://127.0.0.1:$port/?[1-$2]" # one connection, kept alive
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}
for fw in nethttp $frameworks; do
	a=$(served "$fw" 1000)
	b=$(served "$fw" 5000)
	echo "E2EServer $fw $(((b - a) / 4000))"
done
