#!/usr/bin/env bash
# Runs the whole benchmark suite side by side, summarises it with benchstat
# and regenerates docs/benchmarks.md. Loopback only, bounded in time.
#   COUNT=6 BENCHTIME=1s E2E_COUNT=3 E2E_DURATION=2s bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")"
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-500ms}
E2E_COUNT=${E2E_COUNT:-3}
export E2E_DURATION=${E2E_DURATION:-2s}
mkdir -p results
command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@latest
export PATH="$PATH:$(go env GOPATH)/bin"

echo "== correctness first"
go test -count=1 -run 'TestDispatch|TestFullStack|TestScale|TestBindAnswers|TestMiddlewareAdapters' ./...

echo "== router, full-stack and scale benchmarks (-count $COUNT)"
go test -run '^$' -bench '^Benchmark(GitHubAll|ParseAll|GPlusAll|Static|Param1|Param5|Param20|HelloText|HelloJSON|Middleware5|Bind|Middleware|Scale)$' \
	-benchmem -count "$COUNT" -benchtime "$BENCHTIME" -timeout 60m . | tee results/bench.txt

echo "== end to end over loopback (-count $E2E_COUNT, $E2E_DURATION each)"
go test -run '^$' -bench '^BenchmarkE2EHello$' -count "$E2E_COUNT" -timeout 30m . | tee results/e2e.txt

if command -v wrk >/dev/null; then
	echo "== wrk against each framework"
	go build -o results/serve ./cmd/serve
	: > results/wrk.txt
	for fw in nethttp flagon gin echo chi httprouter gorillamux servemux; do
		results/serve -fw "$fw" -addr 127.0.0.1:18080 & pid=$!
		sleep 0.5
		echo "## $fw" >> results/wrk.txt
		wrk -t2 -c16 -d"${E2E_DURATION}" http://127.0.0.1:18080/ >> results/wrk.txt || true
		kill "$pid"; wait "$pid" 2>/dev/null || true
	done
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
cat results/bench.txt results/e2e.txt > results/all.txt
go run ./cmd/report -in results/all.txt -machine "$machine" "${instr[@]}" > ../docs/benchmarks.md
echo "== wrote docs/benchmarks.md"
