# partition_existing_proc and evacuate_default_proc while pgbench writes into the table (issue 14,
# items 2 and 4): zero failed client transactions, no row lost or doubled (count and sum checked
# against what pgbench committed), and the conversion's ATTACH skips its scan (PostgreSQL says
# "partition constraint ... is implied by existing constraints" at DEBUG1). About 20 seconds.
set -eu
db=pgdb_partitions_load
tmp=$(mktemp -d)
cleanup() {
  wait 2>/dev/null || true
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
export PGDATABASE=$db
run() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

run <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools;
CREATE TABLE load (id bigserial, at timestamptz NOT NULL DEFAULT now(), v integer NOT NULL,
                   PRIMARY KEY (id, at));
CREATE INDEX load_at ON load (at);
INSERT INTO load (at, v) SELECT now() - g * interval '1 second', 1 FROM generate_series(1, 200000) g;
SQL

# Each client transaction inserts one row with v = 1 (now() lands in the old table's range until
# the conversion, in the new partitions after it).
printf 'INSERT INTO load (v) VALUES (1);\n' >"$tmp/insert.sql"

# load_while SECONDS SQL: pgbench inserts for SECONDS while psql runs SQL (stderr kept, with
# $STEP_OPTIONS as PGOPTIONS); checks
# that no client transaction failed and returns the number pgbench committed in $committed.
load_while() {
  local seconds=$1 sql=$2
  pgbench -n -c 2 -j 2 -T "$seconds" -f "$tmp/insert.sql" "$db" >"$tmp/pgbench.out" 2>&1 &
  local bench=$!
  sleep 1
  PGOPTIONS="${STEP_OPTIONS:-}" run -c "$sql" >"$tmp/step.out" 2>"$tmp/step.err" || { cat "$tmp/step.err"; kill $bench; fail "the step failed"; }
  wait $bench || { cat "$tmp/pgbench.out"; fail "pgbench failed"; }
  committed=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$tmp/pgbench.out")
  [ -n "$committed" ] || { cat "$tmp/pgbench.out"; fail "no pgbench summary"; }
  local failed
  failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$tmp/pgbench.out")
  [ "${failed:-0}" = 0 ] || { cat "$tmp/pgbench.out"; fail "$failed client transactions failed"; }
  [ "$committed" -gt 0 ] || fail "pgbench committed nothing"
}

expected=200000
echo "-- partition_existing_proc under an insert load"
STEP_OPTIONS='-c client_min_messages=debug1' \
  load_while 6 "CALL pgdb_tools.partition_existing_proc('load', 'at', '1 day', premake => 2)"
expected=$((expected + committed))
grep -q 'partition constraint for table "load_p[0-9]*" is implied by existing constraints' "$tmp/step.err" \
  || { cat "$tmp/step.err"; fail "ATTACH scanned the old table"; }
echo "   ATTACH skipped its scan (the validated range check proved the partition constraint)"
[ "$(run -c "SELECT relkind FROM pg_class WHERE oid = 'load'::regclass")" = p ] || fail "load is not partitioned"
got=$(run -c "SELECT count(*) || ' ' || sum(v) FROM load")
[ "$got" = "$expected $expected" ] || fail "rows: $got, expected $expected $expected"
echo "   $committed client transactions committed meanwhile, none failed; $expected rows, none lost or doubled"

echo "-- evacuate_default_proc under an insert load"
# rows for days ahead of the premade partitions land in the default
run -c "INSERT INTO load (at, v) SELECT now() + interval '10 days' + g * interval '1 minute', 1 FROM generate_series(1, 20000) g"
expected=$((expected + 20000))
load_while 6 "CALL pgdb_tools.evacuate_default_proc('load', 5000)"
expected=$((expected + committed))
got=$(run -c "SELECT count(*) || ' ' || sum(v) FROM load")
[ "$got" = "$expected $expected" ] || fail "rows: $got, expected $expected $expected"
left=$(run -c "SELECT count(*) FROM load_default")
[ "$left" = 0 ] || fail "$left rows left in the default partition"
grep -q 'batch 2 moved' "$tmp/step.err" || { cat "$tmp/step.err"; fail "no progress NOTICEs"; }
echo "   $committed client transactions committed meanwhile, none failed; the default is empty; $expected rows"

echo "-- maintenance under the same load"
load_while 4 "CALL pgdb_tools.run_maintenance_proc()"
expected=$((expected + committed))
got=$(run -c "SELECT count(*) || ' ' || sum(v) FROM load")
[ "$got" = "$expected $expected" ] || fail "rows: $got, expected $expected $expected"
echo "   ok: $expected rows"
