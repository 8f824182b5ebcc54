#!/usr/bin/env bash
# Load test of the coordinator's busiest pages for an organisation of
# national size (about 2,600 babies and 260 groups, as the planner groups the
# first organisation of the national input) on PostgreSQL, at 10
# connections: the planning page (alone and with one location's groups), a
# group page, the baby list and a search by ref. Each page is audited as a
# real one is (every baby shown is a logged read). wrk runs on the same
# machine. Prints requests per second and p50/p99 per page; the target is
# p99 under 50 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-10}
PGURL=${COPLAN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
tmp=$(mktemp -d)
schema="bench_pages_$(date +%s)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; psql "$PGURL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
psql "$PGURL" -qc "CREATE SCHEMA $schema" >/dev/null
case "$PGURL" in *\?*) DB="$PGURL&search_path=$schema";; *) DB="$PGURL?search_path=$schema";; esac
go build -o "$tmp/coplan" ./cmd/coplan
eval "$(go run ./bench/pagesfixture -database "$DB" | tail -1)"
# As autovacuum would have by the time a coordinator looks: the planner needs
# the tables' statistics (without them a NOT EXISTS took 300 ms, not 1.5).
psql "$PGURL" -qc "ANALYZE" >/dev/null
export COPLAN_DATABASE_URL=$DB COPLAN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
  COPLAN_RATE_TOKEN=0 COPLAN_RATE_IP=0 COPLAN_LOG_LEVEL=error COPLAN_NOW=2027-01-04T09:00:00+01:00 COPLAN_ADDR=127.0.0.1:18401
"$tmp/coplan" serve 2>"$tmp/serve.log" & pid=$!
for _ in $(seq 1 200); do curl -fs http://127.0.0.1:18401/healthz >/dev/null && break; sleep 0.1; done
COORD=$("$tmp/coplan" token create --role coordinator --organisation "$ORG" 2>/dev/null | head -1)
echo "pages for an organisation of $BABIES babies and $NGROUPS groups, PostgreSQL, $CONNECTIONS connections, $DURATION each"
run() { # name path
  TOKEN="$COORD" PATH_TO_GET="$2" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/lua/get.lua http://127.0.0.1:18401 >"$tmp/out.txt" 2>&1
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/{print $2}' "$tmp/out.txt")
  p50=$(awk '$1=="50%"{print $2}' "$tmp/out.txt")
  p99=$(awk '$1=="99%"{print $2}' "$tmp/out.txt")
  errs=$(awk '/Non-2xx or 3xx/{print $5}' "$tmp/out.txt")
  printf 'page %-24s %9s req/s   p50 %8s   p99 %8s   errors %s\n' "$1" "$rps" "$p50" "$p99" "${errs:-0}"
}
run "plan" "/plan"
run "plan, one location" "/plan?location=$LOC"
run "group" "/groups/$GROUP"
run "babies" "/babies"
run "babies search by ref" "/babies?q=$REF"
