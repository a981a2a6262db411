# Crash safety of partition work (issue 14, item 5), in a throwaway cluster of its own (port
# PGPORT+23): the server is stopped with `pg_ctl stop -m immediate` in the middle of an evacuation
# and in the middle of maintenance over many sets; after the restart a re-run completes, and no row
# is lost or doubled (count and sum checked). The crash point is made certain by a trigger on a
# default partition that sleeps on one chosen row (dropped before the re-run). About 30 seconds.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
port2=$((PGPORT + 23))
dir2=/tmp/pgdb_partitions_crash_$PGPORT
q2() { psql -X -At -v ON_ERROR_STOP=1 -h "$dir2" -p "$port2" -U postgres -d crash "$@"; }
cleanup() {
  wait 2>/dev/null || true
  [ -f "$dir2/data/postmaster.pid" ] && as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$dir2"
}
trap cleanup EXIT
cleanup

mkdir -p "$dir2"
[ "$(id -u)" = 0 ] && chown postgres "$dir2"
chmod 700 "$dir2"
as_owner "$PGBIN/initdb" -D "$dir2/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
cat >>"$dir2/data/postgresql.conf" <<CONF
port = $port2
listen_addresses = ''
unix_socket_directories = '$dir2'
CONF
start() { as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -l "$dir2/server.log" -w -t 60 start >/dev/null; }
crash() { as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -m immediate -w stop >/dev/null; }
start
psql -X -q -h "$dir2" -p "$port2" -U postgres -d postgres -c "CREATE DATABASE crash"

# wait_for_sleeper: until a session sleeps in the trigger (at most 30 s).
wait_for_sleeper() {
  for _ in $(seq 60); do
    [ "$(q2 -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")" = 1 ] && return
    sleep 0.5
  done
  cat "$dir2"/*.out 2>/dev/null
  q2 -c "SELECT state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity"
  tail -20 "$dir2/server.log"
  fail "nothing reached the sleeping trigger"
}

q2 -q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools;
-- sleeps when the row with v = -1 leaves the default partition
CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.v = -1 THEN PERFORM pg_sleep(60); END IF;
  RETURN OLD;
END $$;
CREATE TABLE ev (id int NOT NULL, v int NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('ev', 'id', '1000', premake => 0, start_at => '0');
-- 40 periods of rows in the default; the stalling row is in the 21st
INSERT INTO ev SELECT g, 1 FROM generate_series(1000, 40999) g WHERE g <> 21500;
INSERT INTO ev VALUES (21500, -1);
CREATE TRIGGER stall BEFORE DELETE ON ev_default FOR EACH ROW EXECUTE FUNCTION stall();
SQL
before=$(q2 -c "SELECT count(*) || ' ' || sum(v) FROM ev")

echo "-- pg_ctl stop -m immediate in the middle of evacuate_default_proc"
q2 -c "CALL pgdb_tools.evacuate_default_proc('ev', 3000)" >"$dir2/evacuate.out" 2>&1 &
wait_for_sleeper
crash
wait || true
start
moved=$(q2 -c "SELECT count(*) FROM pgdb_tools.partitions('ev') WHERE NOT is_default")
[ "$moved" -gt 1 ] && [ "$moved" -lt 41 ] || fail "$moved partitions: the crash did not come mid-way"
after=$(q2 -c "SELECT count(*) || ' ' || sum(v) FROM ev")
[ "$after" = "$before" ] || fail "after the crash: $after rows/sum, before: $before"
echo "   crashed with $moved of 41 partitions made; rows and sum as before ($before)"
q2 -q -c "DROP TRIGGER stall ON ev_default"
q2 -c "CALL pgdb_tools.evacuate_default_proc('ev', 3000)" >/dev/null 2>&1
after=$(q2 -c "SELECT count(*) || ' ' || sum(v) FROM ev")
[ "$after" = "$before" ] || fail "after the re-run: $after, before: $before"
[ "$(q2 -c "SELECT count(*) FROM ev_default")" = 0 ] || fail "rows left in the default"
[ "$(q2 -c "SELECT count(*) FROM pgdb_tools.partitions('ev') WHERE NOT is_default")" = 41 ] || fail "not 41 partitions"
echo "   re-run: the default is empty, 41 partitions, rows and sum as before"

echo "-- pg_ctl stop -m immediate in the middle of maintenance over 30 sets"
q2 -q <<'SQL'
SET client_min_messages = warning;
DO $$
BEGIN
  FOR i IN 1..30 LOOP
    EXECUTE format('CREATE TABLE s%s (id int NOT NULL, v int NOT NULL) PARTITION BY RANGE (id)', lpad(i::text, 2, '0'));
    PERFORM pgdb_tools.create_partitioned(format('s%s', lpad(i::text, 2, '0')), 'id', '100', premake => 2, start_at => '0');
    -- rows past the premade partitions: maintenance, which moves with the set, brings them in
    EXECUTE format('INSERT INTO s%s SELECT g, 1 FROM generate_series(0, 350) g', lpad(i::text, 2, '0'));
  END LOOP;
END $$;
UPDATE s15 SET v = -1 WHERE id = 320;
CREATE TRIGGER stall BEFORE DELETE ON s15_default FOR EACH ROW EXECUTE FUNCTION stall();
SQL
sum_sets() { q2 -c "SELECT sum(n) || ' ' || sum(s) FROM (SELECT count(*) AS n, sum(v) AS s FROM s01 $(for i in $(seq -w 2 30); do printf 'UNION ALL SELECT count(*), sum(v) FROM s%s ' "$i"; done)) t"; }
before=$(sum_sets)
q2 -c "CALL pgdb_tools.run_maintenance_proc()" >/dev/null 2>&1 &
wait_for_sleeper
crash
wait || true
start
after=$(sum_sets)
[ "$after" = "$before" ] || fail "after the crash: $after, before: $before"
done_sets=$(q2 -c "SELECT count(*) FROM pgdb_tools.partition_sets s WHERE s.parent_name LIKE 's%' AND (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = (s.parent_name)::regclass) > 4")
[ "$done_sets" -ge 1 ] && [ "$done_sets" -lt 30 ] || fail "$done_sets sets maintained before the crash: not mid-way"
echo "   crashed with $done_sets of 30 sets maintained; rows and sum as before ($before)"
q2 -q -c "DROP TRIGGER stall ON s15_default"
q2 -c "CALL pgdb_tools.run_maintenance_proc()" >/dev/null 2>&1
after=$(sum_sets)
[ "$after" = "$before" ] || fail "after the re-run: $after, before: $before"
left=$(q2 -c "SELECT count(*) FROM pgdb_tools.partition_status WHERE default_rows > 0")
[ "$left" = 0 ] || fail "$left sets still hold rows in their default"
echo "   re-run: every set maintained, every default empty, rows and sum as before"
