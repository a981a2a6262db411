# A cancel from another session (pg_cancel_backend, what Ctrl-C in psql sends) stops a long C++
# loop promptly, its objects are destroyed, and the cancelled session keeps working.
set -eu
log=$(mktemp)
createdb pgdb_e2e_cancel
trap 'dropdb --if-exists pgdb_e2e_cancel; rm -f "$log"' EXIT
# pgdb_tools_selftest: the test-only _selftest_spin and _selftest_live_objects (test/selftest)
psql -X -q -d pgdb_e2e_cancel -c "CREATE EXTENSION pgdb_tools" -c "CREATE EXTENSION pgdb_tools_selftest"

started=$(date +%s)
psql -X -d pgdb_e2e_cancel -v ON_ERROR_STOP=0 -At \
  -c "SET application_name = 'pgdb_e2e_cancel'" \
  -c "SELECT pgdb_tools._selftest_spin(120)" \
  -c "SELECT 'live objects: ' || pgdb_tools._selftest_live_objects()" >"$log" 2>&1 &
spinner=$!

pid=""
for _ in $(seq 100); do
  pid=$(psql -X -At -d pgdb_e2e_cancel -c "SELECT pid FROM pg_stat_activity
          WHERE application_name = 'pgdb_e2e_cancel' AND query LIKE '%_selftest_spin%' AND state = 'active'")
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "the spinning session never showed up"; kill $spinner; exit 1; }
psql -X -At -d pgdb_e2e_cancel -c "SELECT pg_cancel_backend($pid)"
wait $spinner || true
elapsed=$(( $(date +%s) - started ))
cat "$log"
grep -q "canceling statement due to user request" "$log"
grep -q "live objects: 0" "$log"
[ "$elapsed" -lt 60 ] || { echo "cancel took ${elapsed}s"; exit 1; }
echo "cancelled after ${elapsed}s"

# Steps that pgdb_tools isolates in subtransactions (a spec rendered for the triggers view, a cast
# checked for apply_triggers, one partition set's pass) hand back ordinary errors only: a cancel
# or statement_timeout that lands inside one ends the whole statement with 57014, never an error
# row, a 22023 or a 'broken' status.
db=pgdb_e2e_cancel
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

q <<'SQL'
SET client_min_messages = warning;
-- a domain whose CHECK takes its time: apply_triggers casts soft_delete's value into it, inside a
-- subtransaction of its own
CREATE FUNCTION slow_check(v text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN PERFORM pg_catalog.pg_sleep(5); RETURN true; END$$;
CREATE DOMAIN slow_status AS text CHECK (slow_check(VALUE));
CREATE TABLE slow_t (id int PRIMARY KEY, status slow_status);
-- many tables with managed triggers, for the triggers view (one spec rendered per row)
DO $$BEGIN
  FOR i IN 1..200 LOOP
    EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, updated_at timestamptz, status text)', i);
  END LOOP;
END$$;
CREATE TABLE specs AS
SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('kind', 'updated_at', 'tbl', 't' || i,
         'condition', 'OLD.status IS DISTINCT FROM NEW.status')) AS specs
  FROM generate_series(1, 200) i;
SELECT count(*) FROM specs, pgdb_tools.apply_triggers(specs.specs);
-- many partition sets, for run_maintenance
DO $$BEGIN
  FOR i IN 1..40 LOOP
    EXECUTE format('CREATE TABLE p%s (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at)', i);
    PERFORM pgdb_tools.create_partitioned(format('p%s', i)::regclass, 'at', '1 day', premake => 2);
  END LOOP;
END$$;
-- a big table, for snapshot_create
CREATE TABLE big AS SELECT g AS id, pg_catalog.md5(g::text) AS payload FROM generate_series(1, 2000000) g;
SQL
echo "set up after $(( $(date +%s) - started ))s"

# The statements: each loops long enough (several seconds) that the interruption lands while it
# works; a swallowed interruption would let it finish normally.
view_sql="DO \$\$BEGIN FOR i IN 1..200 LOOP
  PERFORM count(*) FROM pgdb_tools.triggers WHERE status <> 'installed'; END LOOP; END\$\$"
apply_sql="SELECT * FROM pgdb_tools.apply_triggers(
  '[{\"kind\": \"soft_delete\", \"tbl\": \"slow_t\", \"column_name\": \"status\", \"value\": \"deleted\"}]')"
apply_many_sql="DO \$\$BEGIN FOR i IN 1..100 LOOP
  PERFORM count(*) FROM specs, pgdb_tools.apply_triggers(specs.specs); END LOOP; END\$\$"
# (passes after the first in a session reuse the partitions they read: about 0.1 ms per set)
maintenance_sql="DO \$\$BEGIN FOR i IN 1..3000 LOOP
  PERFORM count(*) FROM pgdb_tools.run_maintenance(); END LOOP; END\$\$"
snapshot_sql="SELECT pgdb_tools.snapshot_create('big_copy', ARRAY['big']::regclass[])"

# outcome LABEL SQL [SETTING]: runs SQL (after SETTING) and prints LABEL with the SQLSTATE it ended
# with (00000: it finished).
outcome() {
  printf '%s ' "$1"
  psql -X -q -At -v ON_ERROR_STOP=0 -d $db 2>/dev/null <<SQL
SET application_name = 'pgdb_e2e_cancel_step';
${3:-}
$2;
\echo :SQLSTATE
SQL
}

# cancelled LABEL SQL [DELAY]: runs SQL and cancels it from another session once it has worked
# DELAY seconds (0.5 unless given).
cancelled() {
  outcome "$1" "$2" >"$log" &
  local runner=$! pid=""
  for _ in $(seq 100); do
    pid=$(psql -X -At -d $db -c "SELECT pid FROM pg_stat_activity
            WHERE application_name = 'pgdb_e2e_cancel_step' AND state = 'active'
              AND query NOT LIKE 'SET %'")
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "$pid" ] || { echo "$1 never showed up"; cat "$log"; return 0; }
  sleep "${3:-0.5}"
  psql -X -At -d $db -c "SELECT pg_cancel_backend($pid)" >/dev/null
  wait $runner || true
  cat "$log"
}

results=$(mktemp)
trap 'dropdb --if-exists pgdb_e2e_cancel; rm -f "$log" "$results"' EXIT
{
  outcome "triggers view, statement_timeout:" "$view_sql" "SET statement_timeout = '700ms';"
  cancelled "triggers view, pg_cancel_backend:" "$view_sql"
  outcome "apply_triggers (a slow cast), statement_timeout:" "$apply_sql" "SET statement_timeout = '200ms';"
  cancelled "apply_triggers (a slow cast), pg_cancel_backend:" "$apply_sql"
  outcome "apply_triggers (200 specs), statement_timeout:" "$apply_many_sql" "SET statement_timeout = '700ms';"
  cancelled "apply_triggers (200 specs), pg_cancel_backend:" "$apply_many_sql"
  outcome "run_maintenance (40 sets), statement_timeout:" "$maintenance_sql" "SET statement_timeout = '700ms';"
  cancelled "run_maintenance (40 sets), pg_cancel_backend:" "$maintenance_sql"
  outcome "snapshot_create (a big table), statement_timeout:" "$snapshot_sql" "SET statement_timeout = '300ms';"
  cancelled "snapshot_create (a big table), pg_cancel_backend:" "$snapshot_sql" 0.1
} >"$results"
cat "$results"
[ "$(grep -c ' 57014$' "$results")" -eq 10 ] || { echo "not every statement ended with 57014"; exit 1; }

# nothing of the interrupted statements stayed: no snapshot, no soft_delete trigger, every managed
# trigger installed as before
q -c "SELECT 'snapshots: ' || count(*) FROM pgdb_tools.snapshots" \
  -c "SELECT 'broken or missing triggers: ' || count(*) FROM pgdb_tools.triggers WHERE status <> 'installed'" \
  -c "SELECT 'soft_delete triggers: ' || count(*) FROM pgdb_tools.triggers WHERE kind = 'soft_delete'" | tee "$log"
grep -qx "snapshots: 0" "$log"
grep -qx "broken or missing triggers: 0" "$log"
grep -qx "soft_delete triggers: 0" "$log"
elapsed=$(( $(date +%s) - started ))
[ "$elapsed" -lt 60 ] || { echo "the cancel checks took ${elapsed}s"; exit 1; }
echo "all interrupted with 57014 after ${elapsed}s"
