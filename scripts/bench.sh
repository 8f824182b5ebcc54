#!/usr/bin/env bash
# `make bench`: the Go benchmarks, the planner command on national data, feed
# serving against nginx, the JSON API on PostgreSQL at 50 connections and bulk
# import against psql \copy, the coordinator's pages at 10 connections; then
# one summary table.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT

{
go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-5x}" ./planner ./calendars | grep -E '^(Benchmark|cpu)'
go test -run '^$' -bench 'ServeFeed' -benchmem -benchtime "${BENCHTIME_FEED:-1s}" ./api | grep -E '^Benchmark'

tmp=$(mktemp -d)
go build -o "$tmp/coplan" ./cmd/coplan
go run ./planner/plantest/genplan > "$tmp/national.json"
echo
echo "coplan plan on the national input ($(du -h "$tmp/national.json" | cut -f1) of JSON):"
for i in 1 2 3; do
  /usr/bin/time -f "  plan command run $i: %e s wall, %M KiB peak RSS" "$tmp/coplan" plan --in "$tmp/national.json" --out "$tmp/plan.json"
done
rm -rf "$tmp"
echo
bash bench/feeds.sh
echo
REPLICAS=1 bash bench/api.sh
echo
bash bench/import.sh
echo
bash bench/pages.sh
} 2>&1 | tee "$out"

echo
echo "== Summary (targets in brackets) =="
awk '
/^BenchmarkPlanNational/      { printf "planner, national data             %8.0f ms/op  (< 1000 ms; <= 10x decode)\n", $3/1e6 }
/^BenchmarkDecodeNational/    { printf "json decode of the same input      %8.0f ms/op\n", $3/1e6 }
/^BenchmarkReplanOneOrg/      { printf "re-plan one organisation            %8.1f ms/op  (< 20 ms)\n", $3/1e6 }
/^BenchmarkReplanAfterOneMove/ { printf "re-plan after one move (late join)  %8.1f ms/op  (< 20 ms)\n", $3/1e6 }
/^BenchmarkLateJoinProposals/ { printf "late-join proposals, one baby       %8.1f ms/op\n", $3/1e6 }
/^BenchmarkForecastNational/  { printf "capacity forecast, national         %8.0f ms/op  (< 500 ms)\n", $3/1e6 }
/^BenchmarkWhatIfOneOrg/      { printf "what-if, one organisation           %8.1f ms/op  (< 50 ms)\n", $3/1e6 }
/^BenchmarkRenderNationalFeeds/ { printf "render every national feed          %8.0f ms/op  (< 5000 ms)\n", $3/1e6 }
/^BenchmarkServeFeed/        { printf "feed handler in process (%s)  %8.0f ns/op %s allocs/op\n", $1, $3, $7 }
/plan command run 1/          { print "plan command:" $0 }
/coplan\/nginx ratio/          { print "feeds: " $0 }
/^sessions \(nurse/           { print "api " $0 "  (>= 5000 req/s, p99 < 20 ms)" }
/^baby reads/                 { print "api " $0 "  (>= 1000 req/s)" }
/^baby writes/                { print "api " $0 "  (>= 1000 req/s)" }
/^import of/                  { print $0 }
/^page /                      { print $0 "  (p99 < 50 ms)" }
' "$out"
