#!/usr/bin/env bash
# Runs the whole benchmark suite side by side, summarises it with benchstat
# and regenerates docs/benchmarks.md. Loopback only, bounded in time.
#   COUNT=6 BENCHTIME=1s E2E_COUNT=3 E2E_DURATION=2s WRK_ROUNDS=8 WRK_DURATION=1s bash bench/run.sh
# REUSE_BENCH=1 keeps results/bench.txt from the last run and reruns only the
# end-to-end loads and allocation counts, the instruction counts and the report.
set -euo pipefail
cd "$(dirname "$0")"
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-500ms}
E2E_COUNT=${E2E_COUNT:-3}
export E2E_DURATION=${E2E_DURATION:-2s}
WRK_ROUNDS=${WRK_ROUNDS:-8}
WRK_DURATION=${WRK_DURATION:-1s}
mkdir -p results
command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@latest
export PATH="$PATH:$(go env GOPATH)/bin"

echo "== correctness first"
go test -count=1 -run 'TestDispatch|TestFullStack|TestScale|TestBindAnswers|TestMiddlewareAdapters' ./...

if [ "${REUSE_BENCH:-}" = 1 ] && [ -s results/bench.txt ]; then
	echo "== reusing results/bench.txt"
else
	echo "== router, full-stack and scale benchmarks (-count $COUNT)"
	go test -run '^$' -bench '^Benchmark(GitHubAll|ParseAll|GPlusAll|Static|Param1|Param5|Param20|HelloText|HelloJSON|Middleware5|Bind|Middleware|Scale)$' \
		-benchmem -count "$COUNT" -benchtime "$BENCHTIME" -timeout 60m . | tee results/bench.txt
fi

echo "== end to end over loopback (-count $E2E_COUNT, $E2E_DURATION each)"
go test -run '^$' -bench '^BenchmarkE2EHello$' -benchtime 1x -count "$E2E_COUNT" -timeout 30m . | tee results/e2e.txt

echo "== allocations per request over a real keep-alive connection (-count $COUNT, 20000 requests each)"
go test -run '^$' -bench '^BenchmarkE2EAllocs$' -benchtime 20000x -count "$COUNT" -timeout 30m . | tee results/allocs.txt

if command -v wrk >/dev/null; then
	echo "== wrk against each framework ($WRK_ROUNDS rounds of $WRK_DURATION, in turns)"
	go build -o results/serve ./cmd/serve
	fws=(nethttp flagon gin echo chi httprouter gorillamux servemux)
	pids=()
	for i in "${!fws[@]}"; do
		results/serve -fw "${fws[$i]}" -addr "127.0.0.1:$((18080 + i))" & pids+=($!)
	done
	trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
	sleep 1
	for i in "${!fws[@]}"; do # warm up
		wrk -t2 -c16 -d1s "http://127.0.0.1:$((18080 + i))/" >/dev/null
	done
	: > results/wrk.txt
	for round in $(seq "$WRK_ROUNDS"); do
		for j in "${!fws[@]}"; do
			i=$(((j + round) % ${#fws[@]})) # a rotating order: drift falls on all
			rps=$(wrk -t2 -c16 -d"$WRK_DURATION" "http://127.0.0.1:$((18080 + i))/" | awk '/^Requests\/sec:/ { print $2 }')
			# In go test -bench format, so the report reads it like the rest.
			awk -v fw="${fws[$i]}" -v rps="$rps" 'BEGIN { printf "BenchmarkE2EHelloWrk/%s-2 1 %.0f ns/op %.0f req/s\n", fw, 1e9 / rps, rps }' | tee -a results/wrk.txt
		done
	done
	kill "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	trap - EXIT
else
	: > results/wrk.txt
	echo "== wrk not installed: no wrk runs"
fi

instr=()
if command -v valgrind >/dev/null; then
	echo "== instructions per op (valgrind)"
	bash instructions.sh | tee results/instructions.txt
	instr=(-instr results/instructions.txt)
else
	echo "== valgrind not installed: no instruction counts"
fi

echo "== benchstat"
benchstat -col /framework results/bench.txt > results/benchstat.txt 2>/dev/null || benchstat results/bench.txt > results/benchstat.txt
cat results/benchstat.txt | head -50

machine="$(go version | cut -d' ' -f3-), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
cat results/bench.txt results/e2e.txt results/allocs.txt results/wrk.txt > results/all.txt
# The hand-written sections after the "kept" marker survive regeneration.
kept="$(sed -n '/^<!-- kept:/,$p' ../docs/benchmarks.md)"
go run ./cmd/report -in results/all.txt -machine "$machine" "${instr[@]}" > ../docs/benchmarks.md
if [ -n "$kept" ]; then printf '\n%s\n' "$kept" >> ../docs/benchmarks.md; fi
echo "== wrote docs/benchmarks.md"
