#!/usr/bin/env bash
# `make bench`: the Go benchmarks, then the whole `coplan plan` command on the
# national input, timed with its peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."

go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-5x}" ./... | grep -E '^(Benchmark|ok|pkg:|goos|cpu)' 

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/coplan" ./cmd/coplan
go run ./planner/plantest/genplan > "$tmp/national.json"
echo
echo "coplan plan on the national input ($(du -h "$tmp/national.json" | cut -f1) of JSON: 70,000 babies, 300 locations, 25 organisations, 1,500 facilitators):"
for i in 1 2 3; do
  /usr/bin/time -f "  run $i: %e s wall, %M KiB peak RSS" "$tmp/coplan" plan --in "$tmp/national.json" --out "$tmp/plan.json"
done
python3 - "$tmp/plan.json" <<'PY' 2>/dev/null || true
import json, sys, collections
p = json.load(open(sys.argv[1]))
print("  stats:", p["stats"])
print("  unplaced:", dict(collections.Counter(u["reason"] for u in p["unplaced"])))
print("  unplanned sessions:", dict(collections.Counter(u["reason"] for u in p["unplanned_sessions"])))
PY

echo
echo "feed serving against nginx (bench/feeds.sh):"
bash bench/feeds.sh
