#!/usr/bin/env bash
# Bulk import of 100,000 babies into PostgreSQL: `coplan import --update`
# (validation in update mode, COPY of the rows as they are checked and of one
# audit row each, one transaction) against psql's \copy of the same rows into
# the same table, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
PGURL=${COPLAN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
tmp=$(mktemp -d)
schema="bench_import_$(date +%s)"
cleanup() { psql "$PGURL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
psql "$PGURL" -qc "CREATE SCHEMA $schema" >/dev/null
export PGOPTIONS="-c search_path=$schema"
case "$PGURL" in *\?*) DB="$PGURL&search_path=$schema";; *) DB="$PGURL?search_path=$schema";; esac
go build -o "$tmp/coplan" ./cmd/coplan
export COPLAN_DATABASE_URL=$DB COPLAN_NOW=2027-01-04T09:00:00+01:00 COPLAN_LOG_LEVEL=error
# Migrate and make an organisation with a location.
"$tmp/coplan" token create --role admin >/dev/null
psql "$PGURL" -qc "INSERT INTO organisations (id, kind, name, created_at, updated_at) VALUES ('org_b', 'ggd', 'GGD Bench', now(), now());
  INSERT INTO locations (id, organisation_id, kind, name, created_at, updated_at) VALUES ('loc_b', 'org_b', 'azc', 'azc Bench', now(), now());"
python3 - "$tmp" "$ROWS" <<'PY'
import sys, datetime
tmp, n = sys.argv[1], int(sys.argv[2])
start = datetime.date(2026, 1, 10)
with open(f"{tmp}/babies.csv", "w") as a, open(f"{tmp}/copy.csv", "w") as b:
    a.write("ref;birth_date;location;language\n")
    for i in range(n):
        d = start + datetime.timedelta(days=i % 350)
        a.write(f"B-{i:06d};{d};loc_b;ti\n")
        b.write(f"copy_{i:06d},org_b,loc_b,C-{i:06d},{d},,ti,enrolled,2027-01-04 09:00:00+01,2027-01-04 09:00:00+01\n")
PY
t0=$(date +%s.%N)
"$tmp/coplan" import --update "$tmp/babies.csv" 2>/dev/null
t1=$(date +%s.%N)
psql "$PGURL" -qc "\\copy babies (id, organisation_id, location_id, ref, birth_date, expected_date, language, status, created_at, updated_at) FROM '$tmp/copy.csv' WITH (FORMAT csv)"
t2=$(date +%s.%N)
python3 - "$t0" "$t1" "$t2" "$ROWS" <<'PY'
import sys
t0, t1, t2, n = map(float, sys.argv[1:])
imp, cp = t1 - t0, t2 - t1
print(f"import of {int(n):,} rows: coplan import {imp:.2f} s (validation, rows and audit rows), psql \\copy {cp:.2f} s (rows only); ratio {imp/cp:.2f}x (target <= 1.5x)")
PY
echo "rows: $(psql "$PGURL" -tAc "SELECT count(*) FROM babies"); import audit rows: $(psql "$PGURL" -tAc "SELECT count(*) FROM audit_log WHERE detail='import'")"
