# Scheduling at the limits, in a throwaway cluster of its own (port PGPORT+22) where pg_cron's
# database has a long name (over 40 bytes, so "pgdb_tools_maintenance_<database>" does not fit
# pg_cron 1.4's 63-byte job names) and one background worker slot is left free beside pg_cron's
# launcher (max_worker_processes = 2):
# - in pg_cron's database, schedule_maintenance() and unschedule_maintenance() find the job of a
#   long database name (its name fitted with a hash), and two databases whose names share their
#   first 56 bytes get a job each;
# - while the one free slot is taken (a worker waiting for a lock on cron.job), another call
#   fails at once with 53400; the waiting worker gives up after 30 seconds (57014, a HINT saying
#   so) and no job is made.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
port2=$((PGPORT + 22))
dir2=/tmp/pgdb_sched_limits_$PGPORT
cron_db=pgdb_cron_database_with_a_long_name_of_over_forty_bytes
long_a=tenant_database_with_a_long_name_shared_by_two_of_them_a
long_b=tenant_database_with_a_long_name_shared_by_two_of_them_b
q2() { psql -X -At -v ON_ERROR_STOP=1 -h "$dir2" -p "$port2" -U postgres "$@"; }
cleanup() {
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
shared_preload_libraries = 'pg_cron'
cron.database_name = '$cron_db'
cron.host = '$dir2'
fsync = off
max_worker_processes = 2
max_logical_replication_workers = 0
max_parallel_workers = 0
max_parallel_workers_per_gather = 0
CONF
as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -l "$dir2/server.log" -w -t 60 start >/dev/null
for db in "$cron_db" "$long_a" "$long_b"; do
  q2 -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
  q2 -q -d "$db" -c "CREATE EXTENSION pgdb_tools"
done
q2 -q -d "$cron_db" -c "CREATE EXTENSION pg_cron"

# 1. pg_cron's own database, a long name: the job is found again.
job=$(q2 -d "$cron_db" -c "SELECT pgdb_tools.schedule_maintenance('@hourly')")
q2 -d "$cron_db" -c "SELECT jobid || ' ' || jobname || ' (' || octet_length(jobname::text) || ' bytes)' FROM cron.job"
[ "$(q2 -d "$cron_db" -c "SELECT jobid FROM cron.job WHERE command = 'CALL pgdb_tools.run_maintenance_proc()'")" = "$job" ] ||
  fail "schedule_maintenance did not return the job's id"
[ "$(q2 -d "$cron_db" -c "SELECT pgdb_tools.schedule_maintenance('@daily')")" = "$job" ] || fail "scheduling again made another job"
[ "$(q2 -d "$cron_db" -c "SELECT pgdb_tools.unschedule_maintenance()")" = t ] ||
  fail "unschedule_maintenance did not find the job of database $cron_db"
[ "$(q2 -d "$cron_db" -c "SELECT count(*) FROM cron.job")" = 0 ] || fail "the job is still there"
[ "$(q2 -d "$cron_db" -c "SELECT pgdb_tools.unschedule_maintenance()")" = f ] || fail "a second unschedule did not return false"

# Two databases whose names differ only in their last byte: two jobs, each running in its own.
a=$(q2 -d "$long_a" -c "SELECT pgdb_tools.schedule_maintenance('@hourly')" 2>/dev/null)
b=$(q2 -d "$long_b" -c "SELECT pgdb_tools.schedule_maintenance('@hourly')" 2>/dev/null)
q2 -d "$cron_db" -c "SELECT jobid || ' ' || jobname || ' in ' || database FROM cron.job ORDER BY jobid"
[ "$a" != "$b" ] || fail "the two databases got one job ($a)"
[ "$(q2 -d "$cron_db" -c "SELECT string_agg(database, ' ' ORDER BY jobid) FROM cron.job WHERE jobid IN ($a, $b)")" = "$long_a $long_b" ] ||
  fail "the jobs do not run in their own databases"
[ "$(q2 -d "$long_a" -c "SELECT pgdb_tools.unschedule_maintenance()" 2>/dev/null)" = t ] || fail "unschedule in $long_a did not find its job"
[ "$(q2 -d "$cron_db" -c "SELECT string_agg(jobid::text, ' ') FROM cron.job")" = "$b" ] || fail "unschedule in $long_a removed another job"

# 2. The only free worker slot taken by a worker waiting for a lock on cron.job: another call
#    fails at once (53400); the waiting one gives up after 30 s (57014) and makes nothing.
q2 -d "$cron_db" -c "BEGIN" -c "LOCK TABLE cron.job IN EXCLUSIVE MODE" -c "SELECT pg_sleep(45)" -c "COMMIT" >/dev/null 2>&1 &
locker=$!
sleep 1
start=$(date +%s)
q2 -d "$long_a" -v VERBOSITY=verbose -c "SELECT pgdb_tools.schedule_maintenance('@hourly')" >"$dir2/wait.out" 2>&1 &
waiter=$!
waited=0
until [ "$(q2 -d "$cron_db" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pgdb_tools scheduling' AND wait_event_type = 'Lock'")" = 1 ]; do
  [ "$waited" -lt 100 ] || fail "no scheduling worker waits for the lock"
  sleep 0.1
  waited=$((waited + 1))
done
err=$(q2 -d "$long_b" -v VERBOSITY=verbose -c "SELECT pgdb_tools.unschedule_maintenance()" 2>&1) && fail "a call found a worker slot"
echo "$err"
grep -q "^ERROR:  53400: no background worker slot is free to reach pg_cron's database \"$cron_db\"" <<<"$err" ||
  fail "unexpected error without a free slot: $err"
wait "$waiter" && fail "the call waiting for the lock succeeded"
took=$(($(date +%s) - start))
cat "$dir2/wait.out"
echo "the waiting call failed after ${took}s"
grep -q "^ERROR:  57014: could not make pg_cron job .*: canceling statement due to statement timeout" "$dir2/wait.out" ||
  fail "the waiting call did not time out"
grep -q "^HINT:  The statement waited 30 seconds in database $cron_db (a lock on cron.job held by another session?); retry the transaction." "$dir2/wait.out" ||
  fail "no HINT about the wait"
[ "$took" -ge 29 ] && [ "$took" -le 44 ] || fail "the timeout came after ${took}s, not 30"
kill "$locker" 2>/dev/null || true
wait "$locker" 2>/dev/null || true
[ "$(q2 -d "$cron_db" -c "SELECT count(*) FROM cron.job WHERE database = '$long_a'")" = 0 ] || fail "the timed out call made a job"
echo "ok"
