# Concurrent calls on one partition set (issue 9, items 15-17), with two sessions: a second
# create_partitioned waits and gives the same answer instead of a raw 23505; a second maintenance
# pass skips a set that another session is maintaining (55P03) instead of failing every set, and
# run_maintenance_proc retries it; max_retries => NULL means the default (3), not forever.
# Takes about 25 seconds.
set -eu
db=pgdb_partitions_races
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
run <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools;
CREATE TABLE r1 (id bigint NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE r2 (id bigint NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('r2', 'id', '100', premake => 1, start_at => '0');
SELECT pgdb_tools.update_partitioned('r2', premake => 3);
SQL

echo "== 15: two create_partitioned of one table at once"
run -c "BEGIN" -c "SELECT pgdb_tools.create_partitioned('r1', 'id', '100', premake => 2, start_at => '0')" \
  -c "SELECT pg_sleep(3)" -c "COMMIT" >"$tmp/first" 2>&1 &
first=$!
sleep 1
second=$(run -c "SELECT pgdb_tools.create_partitioned('r1', 'id', '100', premake => 2, start_at => '0')" 2>&1)
wait $first
echo "first: $(tr '\n' ' ' <"$tmp/first")"
echo "second: $second"
grep -q '^4$' "$tmp/first"
[ "$(tail -1 <<<"$second")" = "0" ]
[ "$(run -c "SELECT count(*) FROM pgdb_tools.partition_sets WHERE parent_name = 'r1'")" = "1" ]

echo "== 16: a second pass skips the set another session is maintaining; the procedure retries it"
run -c "BEGIN" -c "SELECT count(*) FROM pgdb_tools.run_maintenance('r2')" -c "SELECT pg_sleep(3)" \
  -c "COMMIT" >"$tmp/pass" 2>&1 &
pass=$!
sleep 1
skipped=$(run -c "SELECT action || ' ' || detail FROM pgdb_tools.run_maintenance('r2')" 2>&1)
echo "second pass: $skipped"
grep -q '^error 55P03: public.r2 is being maintained by another session; skipped' <<<"$skipped"
proc=$(run -c "CALL pgdb_tools.run_maintenance_proc(max_retries => 5)" 2>&1)
wait $pass
echo "first pass: $(tr '\n' ' ' <"$tmp/pass")"
echo "procedure: $proc"
grep -q 'retrying' <<<"$proc"
! grep -q 'WARNING' <<<"$proc"
[ "$(run -c "SELECT count(*) FROM pgdb_tools.partitions('r2')")" = "5" ]
[ "$(run -c "SELECT count(*) FROM pgdb_tools.partition_runs WHERE parent_name = 'r2' AND error IS NOT NULL")" = "0" ]

echo "== 17: max_retries => NULL gives up after the default 3 retries"
run -c "BEGIN" -c "SELECT count(*) FROM pgdb_tools.run_maintenance('r2')" -c "SELECT pg_sleep(14)" \
  -c "COMMIT" >/dev/null 2>&1 &
holder=$!
sleep 1
started=$(date +%s)
# The call fails once every set had its turn (pg_cron then records a failed run).
gave_up=$(timeout 12 psql -X -q -At -c "CALL pgdb_tools.run_maintenance_proc(max_retries => NULL)" 2>&1) &&
  { echo "FAIL: run_maintenance_proc succeeded although a set failed"; exit 1; }
took=$(($(date +%s) - started))
wait $holder
echo "procedure (${took}s): $gave_up"
grep -q 'WARNING:  maintenance of public.r2 failed: 55P03' <<<"$gave_up"
grep -q 'ERROR:  maintenance of 1 partition set(s) failed' <<<"$gave_up"
grep -q 'DETAIL:  First failure: public.r2: 55P03' <<<"$gave_up"
[ "$(grep -c 'retrying' <<<"$gave_up")" = "3" ]
echo ok
