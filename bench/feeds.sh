#!/usr/bin/env bash
# Load test of feed serving: one stored feed of 200 sessions fetched from a
# running coplan with wrk at 50 connections, and in the same run the same bytes
# as a static file from nginx on loopback. Installs wrk and nginx (Debian) when
# missing. Prints requests per second and p99 latency, 200 and 304, and the
# ratio to nginx. Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d)
cleanup() { [ -n "${cpid:-}" ] && kill "$cpid" 2>/dev/null; [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
go build -o "$tmp/coplan" ./cmd/coplan
feed=$(go run ./bench/feedfixture -database "$tmp/coplan.db" -secret "$secret" -sessions 200)
COPLAN_SECRET=$secret COPLAN_DATABASE_URL=$tmp/coplan.db COPLAN_ADDR=127.0.0.1:18181 COPLAN_LOG_LEVEL=error COPLAN_RATE_IP=0 COPLAN_RATE_TOKEN=0 \
  "$tmp/coplan" serve 2>"$tmp/coplan.log" &
cpid=$!
for _ in $(seq 1 100); do curl -fs http://127.0.0.1:18181/healthz >/dev/null && break; sleep 0.1; done

chmod 755 "$tmp"
mkdir -p "$tmp/www"
curl -fs "http://127.0.0.1:18181$feed" -o "$tmp/www/feed.ics"
curl -fs -H "Accept-Encoding: gzip" "http://127.0.0.1:18181$feed" -o "$tmp/www/feed.ics.gz"
chmod 644 "$tmp/www/feed.ics" "$tmp/www/feed.ics.gz"
etag=$(curl -fsI "http://127.0.0.1:18181$feed" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
gzetag=$(curl -fsI -H "Accept-Encoding: gzip" "http://127.0.0.1:18181$feed" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
cat > "$tmp/nginx.conf" <<CONF
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  etag on;
  types { text/calendar ics; }
  gzip_static on;
  gzip_vary on;
  server { listen 127.0.0.1:18182; root $tmp/www; }
}
CONF
"$NGINX" -c "$tmp/nginx.conf"
nginx_etag=$(curl -fsI "http://127.0.0.1:18182/feed.ics" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
nginx_gzetag=$(curl -fsI -H "Accept-Encoding: gzip" "http://127.0.0.1:18182/feed.ics" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')

measure() { # name url [etag] [gzip]
  local hdr=()
  [ -n "${3:-}" ] && hdr+=(-H "If-None-Match: $3")
  [ -n "${4:-}" ] && hdr+=(-H "Accept-Encoding: gzip")
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "${hdr[@]}" "$2" >"$tmp/wrk.txt"
  local rps p99 errors
  rps=$(awk '/Requests\/sec/{print $2}' "$tmp/wrk.txt")
  p99=$(awk '$1=="99%"{print $2}' "$tmp/wrk.txt")
  errors=$(awk '/Non-2xx or 3xx/{print $5}' "$tmp/wrk.txt")
  printf '%-28s %12s req/s   p99 %8s   non-2xx/3xx %s\n' "$1" "$rps" "$p99" "${errors:-0}"
  if [ -n "$errors" ] && [ "$errors" != 0 ]; then echo "  ERROR answers: the measurement is void" >&2; exit 1; fi
  echo "$rps"  >"$tmp/$(echo "$1" | tr ' /' '__').rps"
}
echo "feed of 200 sessions: $(wc -c <"$tmp/www/feed.ics") bytes, $(wc -c <"$tmp/www/feed.ics.gz") gzipped; $CONNECTIONS connections, $DURATION each"
measure "nginx 200" "http://127.0.0.1:18182/feed.ics"
measure "coplan 200" "http://127.0.0.1:18181$feed"
measure "nginx 304" "http://127.0.0.1:18182/feed.ics" "$nginx_etag"
measure "coplan 304" "http://127.0.0.1:18181$feed" "$etag"
measure "nginx gzip 200" "http://127.0.0.1:18182/feed.ics" "" gzip
measure "coplan gzip 200" "http://127.0.0.1:18181$feed" "" gzip
measure "nginx gzip 304" "http://127.0.0.1:18182/feed.ics" "$nginx_gzetag" gzip
measure "coplan gzip 304" "http://127.0.0.1:18181$feed" "$gzetag" gzip
python3 - "$tmp" <<'PY'
import sys, pathlib
d = pathlib.Path(sys.argv[1])
r = lambda n: float((d / n).read_text())
q = lambda a: r(f"coplan_{a}.rps") / r(f"nginx_{a}.rps")
print(f"coplan/nginx ratio: 200 {q('200'):.2f}x, 304 {q('304'):.2f}x, gzip 200 {q('gzip_200'):.2f}x, gzip 304 {q('gzip_304'):.2f}x (target >= 1.0x)")
PY
