# Scheduling from a database that is not pg_cron's (cron.database_name, here $PGDATABASE), for
# real: schedule_maintenance() and schedule_snapshot() there make no job and print, in a WARNING,
# the exact statements to run in pg_cron's database; run by a non-superuser they fail until the
# GRANTs the WARNING names are made; then the jobs run in the other database as that role
# (partitions appear, a snapshot is taken there). In pg_cron's own database, jobs that fail show
# in partition_status and snapshot_schedule_status. No role ever gets a job as another role.
# pg_cron starts jobs on minute boundaries, so this waits up to about two minutes.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
cron_db=$PGDATABASE
other=${PGDATABASE}_sched_other
app=sched_e2e_app
broken=sched_e2e_broken
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
  psql -X -q -d "$cron_db" >/dev/null 2>&1 <<SQL || true
SELECT cron.unschedule(jobid) FROM cron.job WHERE username IN ('$app', '$broken');
DELETE FROM cron.job_run_details WHERE username IN ('$app', '$broken');
DROP TABLE IF EXISTS sched_fail_ev, sched_fail_src;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP EXTENSION IF EXISTS pg_cron;
SQL
  dropdb --if-exists "$other" >/dev/null 2>&1 || true
  for r in "$app" "$broken"; do
    psql -X -q -d "$cron_db" -c "DROP OWNED BY $r" >/dev/null 2>&1 || true
    psql -X -q -d "$cron_db" -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
cleanup

psql -X -q -v ON_ERROR_STOP=1 -d "$cron_db" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION pgdb_tools;
CREATE ROLE $app LOGIN;
CREATE ROLE $broken LOGIN;
GRANT USAGE ON SCHEMA pgdb_tools TO $app, $broken;
GRANT USAGE ON SCHEMA cron TO $broken;
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
GRANT USAGE ON SCHEMA pgdb_tools TO $app;
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

# 1. In the other database: no job, NULL, and a WARNING with the statements.
out=$(q -d "$other" -U "$app" -c "SELECT coalesce(pgdb_tools.schedule_maintenance('* * * * *')::text, 'NULL')" 2>&1)
echo "$out"
grep -q "^WARNING:  no pg_cron job was scheduled: pg_cron works in database \"$cron_db\", not in \"$other\"" <<<"$out" ||
  fail "schedule_maintenance in $other gave no WARNING naming $cron_db"
[ "$(tail -n1 <<<"$out")" = NULL ] || fail "schedule_maintenance in $other did not return NULL"
maint_su=$(grep "^SELECT cron.schedule_in_database(.*, '$app');\$" <<<"$out") || fail "no superuser statement"
maint_app=$(grep "^SELECT cron.schedule_in_database(.*, '$other');\$" <<<"$out") || fail "no statement for $app"
[ "$maint_app" = "SELECT cron.schedule_in_database('pgdb_tools_maintenance_$other', '* * * * *', 'CALL pgdb_tools.run_maintenance_proc()', '$other');" ] ||
  fail "unexpected statement: $maint_app"
grants=$(grep -o "GRANT USAGE ON SCHEMA cron TO $app; GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) TO $app;" <<<"$out") ||
  fail "the WARNING does not name the GRANTs"
[ "$(q -d "$cron_db" -c "SELECT count(*) FROM cron.job WHERE username = '$app'")" = 0 ] || fail "a job was made"

out=$(q -d "$other" -U "$app" -c "SELECT coalesce(pgdb_tools.schedule_snapshot('e2e', '* * * * *', ARRAY['sched_src']::regclass[], keep_last => 2)::text, 'NULL')" 2>&1)
snap_app=$(grep "^SELECT cron.schedule_in_database(.*, '$other');\$" <<<"$out") || { echo "$out"; fail "no snapshot statement for $app"; }
echo "$snap_app"
[ "$snap_app" = "SELECT cron.schedule_in_database('pgdb_tools_snapshot_e2e@$other', '* * * * *', 'SELECT pgdb_tools._take_scheduled_snapshot(''e2e'')', '$other');" ] ||
  fail "unexpected snapshot statement: $snap_app"
[ "$(q -d "$other" -U "$app" -c "SELECT name_prefix || ' ' || keep_last FROM pgdb_tools.snapshot_schedules")" = "e2e 2" ] ||
  fail "the schedule was not kept in $other"

# 2. In pg_cron's database, the role cannot run it before the GRANTs; nor name another role.
err=$(q -d "$cron_db" -U "$app" -c "$maint_app" 2>&1) && fail "$app scheduled without the GRANTs"
echo "without the GRANTs: $err"
grep -q "permission denied for schema cron" <<<"$err" || fail "unexpected error: $err"
psql -X -q -v ON_ERROR_STOP=1 -d "$cron_db" -c "$grants"
err=$(q -d "$cron_db" -U "$app" -c "$maint_su" 2>&1) && fail "$app created a job naming a role"
echo "naming a role: $err"
grep -q "must be superuser to create a job for another role" <<<"$err" || fail "unexpected error: $err"
err=$(q -d "$cron_db" -U "$app" -c "SELECT cron.schedule_in_database('x', '* * * * *', 'SELECT 1', '$other', 'postgres')" 2>&1) &&
  fail "$app created a job as postgres"
maint_job=$(q -d "$cron_db" -U "$app" -c "$maint_app")
snap_job=$(q -d "$cron_db" -U "$app" -c "$snap_app")
q -d "$cron_db" -c "SELECT jobid || ' ' || jobname || ' in ' || database || ' as ' || username FROM cron.job WHERE jobid IN ($maint_job, $snap_job) ORDER BY jobid"
[ "$(q -d "$cron_db" -c "SELECT string_agg(database || ':' || username, ',') FROM cron.job WHERE jobid IN ($maint_job, $snap_job)")" = \
  "$other:$app,$other:$app" ] || fail "the jobs do not run in $other as $app"

# 3. In pg_cron's database: jobs that will fail. $broken's maintenance loses USAGE on pgdb_tools;
#    $app's snapshot schedule loses its table.
fail_maint=$(q -d "$cron_db" -U "$broken" -c "SELECT pgdb_tools.create_partitioned('sched_fail_ev', 'id', '100', premake => 1)" \
                -c "SELECT pgdb_tools.schedule_maintenance('* * * * *')" | tail -n1)
fail_snap=$(q -d "$cron_db" -U "$app" -c "SELECT pgdb_tools.schedule_snapshot('e2efail', '* * * * *', ARRAY['sched_fail_src']::regclass[])")
psql -X -q -v ON_ERROR_STOP=1 -d "$cron_db" -c "REVOKE USAGE ON SCHEMA pgdb_tools FROM $broken" -c "DROP TABLE sched_fail_src"
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
psql -X -q -d "$cron_db" -c "GRANT USAGE ON SCHEMA pgdb_tools TO $broken" -c "GRANT SELECT ON sched_fail_ev TO $app"
[ "$(q -d "$cron_db" -U "$broken" -c "SELECT last_job_status FROM pgdb_tools.partition_status")" = failed ] ||
  fail "partition_status does not show $broken its job's failure"
[ "$(q -d "$cron_db" -U "$app" -c "SELECT parent || ' ' || coalesce(last_job_status, 'none') FROM pgdb_tools.partition_status")" = "sched_fail_ev none" ] ||
  fail "another role (SELECT on the table) does not see the set, or sees the job's run"
row=$(q -d "$cron_db" -U "$app" -c "SELECT name_prefix || ' | ' || last_job_status || ' | ' || last_job_error FROM pgdb_tools.snapshot_schedule_status")
echo "snapshot_schedule_status ($app): $row"
[[ "$row" == "e2efail | failed | ERROR:  a table of snapshot schedule \"e2efail\" no longer exists"* ]] ||
  fail "snapshot_schedule_status does not show the failure: $row"

# 6. Unscheduling from the other database: a WARNING with the statement, which removes the job.
out=$(q -d "$other" -U "$app" -c "SELECT pgdb_tools.unschedule_maintenance()" 2>&1)
[ "$(tail -n1 <<<"$out")" = f ] || fail "unschedule_maintenance in $other did not return false"
stmt=$(grep "^SELECT cron.unschedule(jobid) FROM cron.job" <<<"$out") || { echo "$out"; fail "no unschedule statement"; }
echo "$stmt"
[ "$(q -d "$cron_db" -U "$app" -c "$stmt")" = t ] || fail "the printed statement did not remove the job"
[ "$(q -d "$cron_db" -c "SELECT count(*) FROM cron.job WHERE jobid = $maint_job")" = 0 ] || fail "the job is still there"
echo "ok"
