#!/usr/bin/env bash
# Load test of the JSON API: three coplan replicas on one PostgreSQL behind
# nginx (least connections) on loopback, wrk at CONNECTIONS connections for
# DURATION each: session reads with a nurse token (no audit row), audited baby
# reads, and baby writes; afterwards the written rows and their audit rows are
# counted in the database. Rate limits are switched off for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
REPLICAS=${REPLICAS:-3} # 1: wrk talks to one replica directly, without nginx
CONNECTIONS=${CONNECTIONS:-50}
PGURL=${COPLAN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
command -v wrk >/dev/null && { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nginx-light >/dev/null; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d); chmod 755 "$tmp"
schema="bench_$(date +%s)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
  psql "$PGURL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
psql "$PGURL" -qc "CREATE SCHEMA $schema" >/dev/null
export PGOPTIONS="-c search_path=$schema"
case "$PGURL" in *\?*) DB="$PGURL&search_path=$schema";; *) DB="$PGURL?search_path=$schema";; esac

go build -o "$tmp/coplan" ./cmd/coplan
export COPLAN_DATABASE_URL=$DB COPLAN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
  COPLAN_RATE_TOKEN=0 COPLAN_RATE_IP=0 COPLAN_LOG_LEVEL=error COPLAN_NOW=2027-01-04T09:00:00+01:00
COPLAN_ADDR=127.0.0.1:18301 "$tmp/coplan" serve --demo >"$tmp/demo.out" 2>"$tmp/r1.log" & pids+=($!)
for _ in $(seq 1 200); do curl -fs http://127.0.0.1:18301/healthz >/dev/null && break; sleep 0.1; done
ADMIN=$(sed -n 's/^admin token: //p' "$tmp/demo.out")
for i in $(seq 2 "$REPLICAS"); do COPLAN_ADDR=127.0.0.1:1830$i "$tmp/coplan" serve 2>"$tmp/r$i.log" & pids+=($!); done
for i in $(seq 2 "$REPLICAS"); do for _ in $(seq 1 200); do curl -fs http://127.0.0.1:1830$i/healthz >/dev/null && break; sleep 0.1; done; done
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream coplan { least_conn; server 127.0.0.1:18301; server 127.0.0.1:18302; server 127.0.0.1:18303; keepalive 64; }
  server { listen 127.0.0.1:18300; location / { proxy_pass http://coplan; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
CONF
if [ "$REPLICAS" = 1 ]; then
  BASE=http://127.0.0.1:18301
else
  servers=""; for i in $(seq 1 "$REPLICAS"); do servers="$servers server 127.0.0.1:1830$i;"; done
  sed -i "s/server 127.0.0.1:18301; server 127.0.0.1:18302; server 127.0.0.1:18303;/$servers/" "$tmp/nginx.conf"
  "$NGINX" -c "$tmp/nginx.conf"
  BASE=http://127.0.0.1:18300
fi

api() { curl -fs -H "Authorization: Bearer $ADMIN" "$@"; }
ORG=$(api "$BASE/api/v1/organisations" | python3 -c 'import json,sys; print([o["id"] for o in json.load(sys.stdin)["items"] if o["name"]=="GGD Groningen"][0])')
LOC=$(api "$BASE/api/v1/locations?organisation_id=$ORG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
FAC=$(api "$BASE/api/v1/sessions?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["facilitator_ids"][0])')
NURSE=$("$tmp/coplan" token create --role nurse --facilitator "$FAC" 2>/dev/null | head -1)
COORD=$("$tmp/coplan" token create --role coordinator --organisation "$ORG" 2>/dev/null | head -1)
curl -fs -H "Authorization: Bearer $COORD" "$BASE/api/v1/babies?limit=500" | python3 -c 'import json,sys; [print(b["id"]) for b in json.load(sys.stdin)["items"]]' >"$tmp/ids.txt"

run() { # name script env...
  local name=$1 script=$2; shift 2
  env "$@" wrk -t"${THREADS:-2}" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$BASE" >"$tmp/$name.txt" 2>&1
  local rps p50 p99 errs sock
  rps=$(awk '/Requests\/sec/{print $2}' "$tmp/$name.txt")
  p50=$(awk '$1=="50%"{print $2}' "$tmp/$name.txt")
  p99=$(awk '$1=="99%"{print $2}' "$tmp/$name.txt")
  errs=$(awk '/Non-2xx or 3xx/{print $5}' "$tmp/$name.txt")
  sock=$(awk '/Socket errors/{print $0}' "$tmp/$name.txt")
  printf '%-34s %10s req/s   p50 %8s   p99 %8s   errors %s %s\n' "$name" "$rps" "$p50" "$p99" "${errs:-0}" "$sock"
}
if [ "$REPLICAS" = 1 ]; then echo "JSON API on PostgreSQL: 1 replica, $CONNECTIONS connections, $DURATION each"
else echo "JSON API on PostgreSQL: $REPLICAS replicas behind nginx, $CONNECTIONS connections, $DURATION each"; fi
run "sessions (nurse, no audit)" bench/lua/get.lua TOKEN="$NURSE" PATH_TO_GET="/api/v1/sessions?limit=20"
before=$(psql "$PGURL" -tAc "SELECT count(*) FROM audit_log WHERE action='read'")
run "baby reads (audited)" bench/lua/baby_read.lua TOKEN="$COORD" IDS_FILE="$tmp/ids.txt"
after=$(psql "$PGURL" -tAc "SELECT count(*) FROM audit_log WHERE action='read'")
reads=$(awk '/requests in/{print $1}' "$tmp/baby reads (audited).txt")
echo "  baby reads answered: $reads; read audit rows written: $((after - before))"
run "baby writes" bench/lua/baby_write.lua TOKEN="$COORD" LOCATION_ID="$LOC" REF_PREFIX="L"
created=$(awk '/^CREATED/{print $2}' "$tmp/baby writes.txt")
rows=$(psql "$PGURL" -tAc "SELECT count(*) FROM babies WHERE ref LIKE 'L%'")
audits=$(psql "$PGURL" -tAc "SELECT count(*) FROM audit_log WHERE action='create' AND record_id IN (SELECT id FROM babies WHERE ref LIKE 'L%')")
echo "  writes answered 201: $created; rows in the database: $rows; their audit rows: $audits (wrk stops counting with up to $CONNECTIONS requests in flight)"
if [ "$rows" != "$audits" ] || [ "$rows" -lt "$created" ] || [ $((rows - created)) -gt "$CONNECTIONS" ]; then
  echo "  MISMATCH: lost or duplicated writes"; exit 1
fi
grep -h '"level":"ERROR"' "$tmp"/r*.log | head -5 || true
