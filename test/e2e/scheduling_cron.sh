# Scheduling from a database that is not pg_cron's (cron.database_name, here $PGDATABASE), for
# real: schedule_maintenance() and schedule_snapshot() there return the job's id at once (a
# background worker connected to pg_cron's database as the caller looks the job up, or reserves
# one that never runs) and the job is made with that id when the transaction commits. Run by a
# non-superuser, the call fails (42501, the GRANTs in the HINT) until a superuser makes the
# GRANTs; a role without CONNECT there is refused. ROLLBACK and ROLLBACK TO SAVEPOINT make no job
# and change none (a reservation left behind is reused, or removed by the role's next call);
# PREPARE TRANSACTION is refused; a role setting that would switch the worker to another role, a
# worker that cannot connect, and a call cancelled while the worker waits for a lock fail and
# make nothing. Scheduling again returns the same id; unscheduling returns whether there was a
# job. The jobs then run in the other database as that role (partitions appear, a snapshot is
# taken there). Another role cannot remove them. In pg_cron's own database, jobs that fail show
# in partition_status and snapshot_schedule_status. No role ever gets a job as another role.
# pg_cron (1.4) starts jobs on minute boundaries, so this waits up to a minute for the runs.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
cron_db=$PGDATABASE
other=${PGDATABASE}_sched_other
app=sched_e2e_app
broken=sched_e2e_broken
intruder=sched_e2e_intruder
switcher=sched_e2e_switcher
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }
work=$(mktemp -d)
cleanup() {
  psql -X -q -d postgres -c "ALTER DATABASE \"$cron_db\" ALLOW_CONNECTIONS true" >/dev/null 2>&1 || true
  psql -X -q -d "$cron_db" >/dev/null 2>&1 <<SQL || true
SELECT cron.unschedule(jobid) FROM cron.job WHERE username IN ('$app', '$broken', '$intruder', '$switcher');
DELETE FROM cron.job_run_details WHERE username IN ('$app', '$broken', '$intruder', '$switcher');
GRANT CONNECT ON DATABASE "$cron_db" TO PUBLIC;
DROP TABLE IF EXISTS sched_fail_ev, sched_fail_src;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP EXTENSION IF EXISTS pg_cron;
SQL
  dropdb --if-exists "$other" >/dev/null 2>&1 || true
  for r in "$app" "$broken" "$intruder" "$switcher"; do
    psql -X -q -d "$cron_db" -c "DROP OWNED BY $r" >/dev/null 2>&1 || true
    psql -X -q -d "$cron_db" -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
  done
}
trap 'cleanup; rm -rf "$work"' EXIT
cleanup

psql -X -q -v ON_ERROR_STOP=1 -d "$cron_db" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION pgdb_tools;
CREATE ROLE $app LOGIN;
CREATE ROLE $broken LOGIN;
CREATE ROLE $intruder LOGIN;
-- a role whose sessions become $app (a member of it, with ALTER ROLE ... SET role)
CREATE ROLE $switcher LOGIN IN ROLE $app;
ALTER ROLE $switcher SET role = '$app';
GRANT USAGE ON SCHEMA pgdb_tools TO $app, $broken;
GRANT USAGE ON SCHEMA cron TO $broken, $intruder;
GRANT CREATE ON SCHEMA public TO $broken;
CREATE TABLE sched_fail_ev (id bigint NOT NULL) PARTITION BY RANGE (id);
ALTER TABLE sched_fail_ev OWNER TO $broken;
CREATE TABLE sched_fail_src (id int PRIMARY KEY);
ALTER TABLE sched_fail_src OWNER TO $app;
SQL
createdb "$other"
psql -X -q -v ON_ERROR_STOP=1 -d "$other" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools;
GRANT USAGE ON SCHEMA pgdb_tools TO $app, $intruder, $switcher;
GRANT CREATE ON SCHEMA public TO $app;
CREATE TABLE sched_ev (id bigint NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE sched_src (id int PRIMARY KEY);
INSERT INTO sched_src SELECT generate_series(1, 5);
ALTER TABLE sched_ev OWNER TO $app;
ALTER TABLE sched_src OWNER TO $app;
SET ROLE $app;
SELECT pgdb_tools.create_partitioned('sched_ev', 'id', '100', premake => 1);
SELECT pgdb_tools.update_partitioned('sched_ev', premake => 4);
SQL

jobs_of() { q -d "$cron_db" -c "SELECT count(*) FROM cron.job WHERE username = '$1'"; }
# jobs that can run: not a reservation (schedule 0 0 31 2 *, a command that does nothing)
live_jobs_of() {
  q -d "$cron_db" -c "SELECT count(*) FROM cron.job WHERE username = '$1'
                        AND NOT starts_with(command, 'SELECT ''pgdb_tools: job reserved by transaction ')"
}
reservation_of() {
  q -d "$cron_db" -c "SELECT jobid FROM cron.job WHERE username = '$1' AND jobname = '$2' AND schedule = '0 0 31 2 *'
                        AND starts_with(command, 'SELECT ''pgdb_tools: job reserved by transaction ')"
}
maint_name=pgdb_tools_maintenance_$other
snap_name=pgdb_tools_snapshot_e2e@$other

# 1. Without the GRANTs in pg_cron's database: the call fails with pg_cron's 42501 and the GRANTs
#    in the HINT; no job.
out=$(psql -X -At -v VERBOSITY=verbose -d "$other" -U "$app" 2>&1 <<SQL || true
BEGIN;
SELECT pgdb_tools.schedule_maintenance('* * * * *');
COMMIT;
SQL
)
echo "$out"
grep -qx "ERROR:  42501: could not make pg_cron job \"$maint_name\" in database \"$cron_db\" as role \"$app\": permission denied for schema cron" <<<"$out" ||
  fail "the call did not fail with 42501"
grants="GRANT USAGE ON SCHEMA cron TO $app; GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) TO $app;"
grep -qx "HINT:  A superuser runs in database $cron_db: $grants" <<<"$out" || fail "the HINT does not give the GRANTs"
[ "$(jobs_of "$app")" = 0 ] || fail "a job was made"

# Without CONNECT on pg_cron's database: refused at the call, with the GRANT.
psql -X -q -d "$cron_db" -c "REVOKE CONNECT ON DATABASE \"$cron_db\" FROM PUBLIC"
err=$(q -d "$other" -U "$app" -c "SELECT pgdb_tools.schedule_maintenance('* * * * *')" 2>&1) && fail "scheduled without CONNECT"
echo "without CONNECT: $err"
grep -q "^ERROR:  permission denied for database \"$cron_db\"" <<<"$err" || fail "unexpected error: $err"
grep -q "^HINT:  A superuser runs: GRANT CONNECT ON DATABASE $cron_db TO $app;" <<<"$err" || fail "no GRANT CONNECT hint: $err"
psql -X -q -d "$cron_db" -c "GRANT CONNECT ON DATABASE \"$cron_db\" TO PUBLIC"

# 2. The GRANTs, then: a rolled-back call returns the id of a reservation (a job that never runs)
#    and leaves nothing else; the next call reuses it, a ROLLBACK TO SAVEPOINT too; PREPARE is
#    refused.
psql -X -q -v ON_ERROR_STOP=1 -d "$cron_db" -c "$grants"
out=$(psql -X -At -v ON_ERROR_STOP=1 -d "$other" -U "$app" 2>&1 <<SQL
BEGIN;
SELECT pgdb_tools.schedule_maintenance('* * * * *');
ROLLBACK;
SQL
)
echo "$out"
reserved=$(grep -x '[0-9]*' <<<"$out")
grep -qx "NOTICE:  pg_cron job \"$maint_name\" (job $reserved) will be made in database \"$cron_db\" when this transaction commits" <<<"$out" ||
  fail "no NOTICE naming $cron_db and the job's id"
grep -qx "DETAIL:  It will run in database \"$other\" as role \"$app\"." <<<"$out" || fail "no DETAIL naming $other and $app"
[ "$(reservation_of "$app" "$maint_name")" = "$reserved" ] || fail "job $reserved is not a reservation of $maint_name"
[ "$(live_jobs_of "$app")" = 0 ] || fail "a rolled back transaction made a job"
again=$(q -q -d "$other" -U "$app" 2>/dev/null <<SQL
BEGIN;
SAVEPOINT s;
SELECT pgdb_tools.schedule_maintenance('* * * * *');
ROLLBACK TO SAVEPOINT s;
COMMIT;
SQL
)
[ "$again" = "$reserved" ] || fail "the next call did not reuse reservation $reserved: $again"
[ "$(live_jobs_of "$app")$(jobs_of "$app")" = 01 ] || fail "a rolled back savepoint made a job, or a second reservation"
err=$(q -d "$other" -U "$app" -c "BEGIN" -c "SELECT pgdb_tools.schedule_maintenance('* * * * *')" \
        -c "PREPARE TRANSACTION 'sched_e2e'" 2>&1) && fail "PREPARE TRANSACTION was accepted"
grep -q "^ERROR:  cannot PREPARE a transaction that schedules or unschedules pg_cron jobs" <<<"$err" || fail "unexpected error: $err"
[ "$(live_jobs_of "$app")" = 0 ] || fail "a refused PREPARE made a job"
[ "$(q -d "$cron_db" -c "SELECT count(*) FROM pg_prepared_xacts WHERE gid = 'sched_e2e'")" = 0 ] || fail "a transaction was prepared"

# The worker acts as the role that asked or not at all: a role setting that would make it (and
# pg_cron's runs) another role is refused.
err=$(q -d "$other" -U "$switcher" -c "SET ROLE NONE" -c "SELECT pgdb_tools.schedule_maintenance('* * * * *')" 2>&1) &&
  fail "$switcher scheduled as $app"
echo "$err"
grep -q "^ERROR:  could not make pg_cron job \"$maint_name\" in database \"$cron_db\" as role \"$switcher\": connected as the role that asked, the background worker is role \"$app\"" <<<"$err" ||
  fail "unexpected error: $err"
[ "$(live_jobs_of "$app")$(jobs_of "$switcher")" = 00 ] || fail "$switcher made a job"
# A worker that cannot connect: the call fails and says so.
psql -X -q -d "$other" -c "ALTER DATABASE \"$cron_db\" ALLOW_CONNECTIONS false"
err=$(q -d "$other" -U "$app" -c "SELECT pgdb_tools.schedule_maintenance('* * * * *')" 2>&1) && fail "scheduled with connections refused"
psql -X -q -d "$other" -c "ALTER DATABASE \"$cron_db\" ALLOW_CONNECTIONS true"
echo "$err"
grep -q "^ERROR:  could not make pg_cron job .*: the background worker did not connect" <<<"$err" || fail "unexpected error: $err"

# A call waiting on a lock in pg_cron's database can be cancelled: the worker is stopped with
# it, and nothing is made once the lock is gone.
psql -X -q -d "$cron_db" -c "BEGIN" -c "LOCK TABLE cron.job IN EXCLUSIVE MODE" -c "SELECT pg_sleep(6)" -c "COMMIT" >/dev/null &
locker=$!
sleep 1
q -d "$other" -U "$app" -c "SET application_name = 'sched_e2e_wait'" -c "SELECT pgdb_tools.schedule_maintenance('* * * * *')" \
  >"$work/wait.out" 2>&1 &
waiter=$!
waited=0
until [ "$(q -d "$cron_db" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pgdb_tools scheduling' AND wait_event_type = 'Lock'")" = 1 ]; do
  [ "$waited" -lt 50 ] || fail "no scheduling worker waits for the lock"
  sleep 0.1
  waited=$((waited + 1))
done
q -d "$cron_db" -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'sched_e2e_wait'" >/dev/null
wait "$waiter" && fail "the cancelled call succeeded"
cat "$work/wait.out"
grep -q "^ERROR:  canceling statement due to user request" "$work/wait.out" || fail "unexpected outcome of the cancel"
wait "$locker"
[ "$(q -d "$cron_db" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pgdb_tools scheduling'")" = 0 ] ||
  fail "a scheduling worker is still running"
[ "$(live_jobs_of "$app")" = 0 ] || fail "the cancelled call made a job"

# A COMMIT makes both jobs, with the ids the calls returned (the maintenance job takes over the
# reservation), in the other database, as the role.
out=$(q -d "$other" -U "$app" 2>&1 <<SQL
BEGIN;
SELECT 'maint ' || pgdb_tools.schedule_maintenance('* * * * *');
SELECT 'snap ' || pgdb_tools.schedule_snapshot('e2e', '* * * * *', ARRAY['sched_src']::regclass[], keep_last => 2);
COMMIT;
SQL
)
echo "$out"
grep -q "ERROR" <<<"$out" && fail "scheduling failed: $out"
q -d "$cron_db" -c "SELECT jobid || ' ' || jobname || ' | ' || schedule || ' | ' || command || ' | in ' || database || ' as ' || username
                      FROM cron.job WHERE username = '$app' ORDER BY jobid"
maint_job=$(q -d "$cron_db" -c "SELECT jobid FROM cron.job WHERE jobname = '$maint_name' AND database = '$other' AND username = '$app'
                                   AND command = 'CALL pgdb_tools.run_maintenance_proc()' AND schedule = '* * * * *' AND active")
snap_job=$(q -d "$cron_db" -c "SELECT jobid FROM cron.job WHERE jobname = '$snap_name' AND database = '$other' AND username = '$app'
                                  AND command = 'SELECT pgdb_tools._take_scheduled_snapshot(''e2e'')' AND active")
[ -n "$maint_job" ] && [ -n "$snap_job" ] || fail "the jobs were not made in $cron_db for $other as $app"
[ "$(sed -n 's/^maint //p' <<<"$out")" = "$maint_job" ] || fail "schedule_maintenance did not return job $maint_job"
[ "$(sed -n 's/^snap //p' <<<"$out")" = "$snap_job" ] || fail "schedule_snapshot did not return job $snap_job"
[ "$maint_job" = "$reserved" ] || fail "the maintenance job $maint_job did not take over reservation $reserved"
[ "$(jobs_of "$app")" = 2 ] || fail "more jobs than two"
[ "$(q -d "$other" -U "$app" -c "SELECT name_prefix || ' ' || keep_last FROM pgdb_tools._own_snapshot_schedules")" = "e2e 2" ] ||
  fail "the schedule was not kept in $other"

# Scheduling again returns the same id; rolled back, it leaves the job as it was. Unscheduling,
# rolled back, says the job is there and leaves it. In one transaction, a schedule then an
# unschedule of a new job: true, and nothing is left.
out=$(q -q -d "$other" -U "$app" 2>/dev/null <<SQL
BEGIN;
SELECT pgdb_tools.schedule_maintenance('*/5 * * * *');
SELECT pgdb_tools.unschedule_snapshot('e2e');
ROLLBACK;
BEGIN;
SELECT pgdb_tools.schedule_snapshot('e2e_tmp', '* * * * *', ARRAY['sched_src']::regclass[]) > 0;
SELECT pgdb_tools.unschedule_snapshot('e2e_tmp');
SELECT pgdb_tools.unschedule_snapshot('e2e_never');
COMMIT;
SQL
)
[ "$(tr '\n' ' ' <<<"$out")" = "$maint_job t t t f " ] || fail "unexpected results: $out"
[ "$(q -d "$cron_db" -c "SELECT schedule FROM cron.job WHERE jobid = $maint_job")" = '* * * * *' ] ||
  fail "a rolled back schedule_maintenance changed job $maint_job"
[ "$(q -d "$cron_db" -c "SELECT count(*) FROM cron.job WHERE jobid IN ($maint_job, $snap_job)")" = 2 ] ||
  fail "a rolled back unschedule removed a job"
[ "$(jobs_of "$app")" = 2 ] || fail "the committed schedule and unschedule of e2e_tmp left a job"
# A reservation left by a rolled-back call is removed by the role's next call for that database.
q -d "$other" -U "$app" -c "BEGIN" -c "SELECT pgdb_tools.schedule_snapshot('e2e_stale', '* * * * *', ARRAY['sched_src']::regclass[])" \
  -c "ROLLBACK" >/dev/null 2>&1
[ -n "$(reservation_of "$app" "pgdb_tools_snapshot_e2e_stale@$other")" ] || fail "no reservation was left by the rolled back call"
[ "$(q -d "$other" -U "$app" -c "SELECT pgdb_tools.unschedule_snapshot('e2e_stale')" 2>/dev/null)" = f ] ||
  fail "a reservation counted as a job"
[ "$(jobs_of "$app")" = 2 ] || fail "the stale reservation was not removed"
[ "$(q -d "$other" -U "$app" -c "SELECT pgdb_tools.schedule_maintenance('* * * * *')" 2>/dev/null)" = "$maint_job" ] ||
  fail "scheduling again did not return job $maint_job"

# Another role cannot remove them, through the public function or the internal one (both say
# it has none); nor can it name another role for pg_cron.
out=$(q -d "$other" -U "$intruder" -c "SELECT pgdb_tools.unschedule_maintenance()" \
        -c "SELECT pgdb_tools._cron_unschedule_at_commit('$maint_name')" 2>&1)
echo "$out"
[ "$(grep -cx f <<<"$out")" = 2 ] || fail "the unschedule calls of $intruder did not return false"
grep -q "^NOTICE:  role \"$intruder\" had no pg_cron job \"$maint_name\" for database \"$other\" to remove" <<<"$out" ||
  fail "no NOTICE that $intruder had no job"
[ "$(q -d "$cron_db" -c "SELECT count(*) FROM cron.job WHERE jobid IN ($maint_job, $snap_job)")" = 2 ] || fail "$intruder removed $app's job"
err=$(q -d "$cron_db" -U "$app" -c "SELECT cron.schedule_in_database('x', '* * * * *', 'SELECT 1', '$other', 'postgres')" 2>&1) &&
  fail "$app created a job as postgres"

# 3. In pg_cron's database: jobs that will fail. $broken's maintenance loses USAGE on pgdb_tools
#    (a DBA revokes it from PUBLIC and grants it to $app only); $app's snapshot schedule loses its
#    table.
fail_maint=$(q -d "$cron_db" -U "$broken" -c "SELECT pgdb_tools.create_partitioned('sched_fail_ev', 'id', '100', premake => 1)" \
                -c "SELECT pgdb_tools.schedule_maintenance('* * * * *')" | tail -n1)
fail_snap=$(q -d "$cron_db" -U "$app" -c "SELECT pgdb_tools.schedule_snapshot('e2efail', '* * * * *', ARRAY['sched_fail_src']::regclass[])")
psql -X -q -v ON_ERROR_STOP=1 -d "$cron_db" -c "REVOKE USAGE ON SCHEMA pgdb_tools FROM PUBLIC, $broken" \
  -c "GRANT USAGE ON SCHEMA pgdb_tools TO $app" -c "DROP TABLE sched_fail_src"
echo "jobs: maintenance of $other $maint_job, snapshots of $other $snap_job, failing here: $fail_maint, $fail_snap"

before=$(q -d "$other" -c "SELECT count(*) FROM pgdb_tools.partitions('sched_ev')")
waited=0
while [ "$waited" -lt 150 ]; do
  done_runs=$(q -d "$cron_db" -c "SELECT count(DISTINCT jobid) FROM cron.job_run_details
                                   WHERE jobid IN ($maint_job, $snap_job, $fail_maint, $fail_snap)
                                     AND status IN ('succeeded', 'failed')")
  [ "$done_runs" = 4 ] && break
  sleep 2
  waited=$((waited + 2))
done
q -d "$cron_db" -c "SELECT DISTINCT ON (jobid) jobid || ' ' || database || ' ' || username || ' ' || status || ' ' || coalesce(return_message, '')
                      FROM cron.job_run_details WHERE jobid IN ($maint_job, $snap_job, $fail_maint, $fail_snap) ORDER BY jobid, runid"
[ "$done_runs" = 4 ] || fail "after ${waited}s only $done_runs of the 4 jobs have finished a run"
status_of() { q -d "$cron_db" -c "SELECT status FROM cron.job_run_details WHERE jobid = $1 ORDER BY runid LIMIT 1"; }
[ "$(status_of "$maint_job")" = succeeded ] || fail "the maintenance job of $other did not succeed"
[ "$(status_of "$snap_job")" = succeeded ] || fail "the snapshot job of $other did not succeed"

# 4. The jobs ran in the other database as the caller.
after=$(q -d "$other" -c "SELECT count(*) FROM pgdb_tools.partitions('sched_ev')")
echo "$other: partitions of sched_ev before $before, after $after"
[ "$after" -eq $((before + 3)) ] || fail "the maintenance job did not create the premade partitions in $other"
snap=$(q -d "$other" -U "$app" -c "SELECT name || ' by ' || created_by || ', ' || total_rows || ' rows' FROM pgdb_tools.snapshots WHERE name LIKE 'e2e\_%'")
echo "$other: $snap"
[[ "$snap" =~ ^e2e_[0-9]{8}_[0-9]{6}\ by\ $app,\ 5\ rows$ ]] || fail "no snapshot taken in $other by $app: $snap"
[ "$(q -d "$other" -U "$app" -c "SELECT last_snapshot LIKE 'e2e\_%' FROM pgdb_tools.snapshot_schedule_status")" = t ] ||
  fail "snapshot_schedule_status in $other does not show the snapshot"

# 5. The failures show in pg_cron's database, to the job's role and to a superuser.
[ "$(status_of "$fail_maint")" = failed ] || fail "the broken maintenance job did not fail"
[ "$(status_of "$fail_snap")" = failed ] || fail "the broken snapshot job did not fail"
row=$(q -d "$cron_db" -c "SELECT last_job_status || ' | ' || last_job_error FROM pgdb_tools.partition_status WHERE parent = 'sched_fail_ev'::regclass")
echo "partition_status (superuser): $row"
[[ "$row" == "failed | ERROR:  permission denied for schema pgdb_tools"* ]] || fail "partition_status does not show the failure: $row"
psql -X -q -d "$cron_db" -c "GRANT USAGE ON SCHEMA pgdb_tools TO PUBLIC" -c "GRANT SELECT ON sched_fail_ev TO $app"
[ "$(q -d "$cron_db" -U "$broken" -c "SELECT last_job_status FROM pgdb_tools.partition_status")" = failed ] ||
  fail "partition_status does not show $broken its job's failure"
[ "$(q -d "$cron_db" -U "$app" -c "SELECT parent || ' ' || coalesce(last_job_status, 'none') FROM pgdb_tools.partition_status")" = "sched_fail_ev none" ] ||
  fail "another role (SELECT on the table) does not see the set, or sees the job's run"
row=$(q -d "$cron_db" -U "$app" -c "SELECT name_prefix || ' | ' || last_job_status || ' | ' || last_job_error FROM pgdb_tools.snapshot_schedule_status")
echo "snapshot_schedule_status ($app): $row"
[[ "$row" == "e2efail | failed | ERROR:  a table of snapshot schedule \"e2efail\" no longer exists"* ]] ||
  fail "snapshot_schedule_status does not show the failure: $row"

# 6. Unscheduling from the other database: true, and the jobs are gone at commit; again: false.
out=$(q -d "$other" -U "$app" 2>&1 <<SQL
BEGIN;
SELECT pgdb_tools.unschedule_maintenance();
SELECT pgdb_tools.unschedule_snapshot('e2e');
COMMIT;
SQL
)
echo "$out"
grep -q "ERROR" <<<"$out" && fail "unscheduling failed: $out"
[ "$(grep -cx t <<<"$out")" = 2 ] || fail "the calls did not return true"
[ "$(q -d "$cron_db" -c "SELECT count(*) FROM cron.job WHERE jobid IN ($maint_job, $snap_job)")" = 0 ] || fail "the jobs are still there"
[ "$(q -d "$other" -U "$app" -c "SELECT pgdb_tools.unschedule_maintenance()" 2>/dev/null)" = f ] ||
  fail "a second unschedule_maintenance did not return false"
echo "ok"
