# schedule_snapshot() for real: pg_cron (preloaded by the test cluster, working in this database)
# runs _take_scheduled_snapshot() and a snapshot named <prefix>_<YYYYMMDD_HHMMSS> appears; one
# more taken by hand prunes the prefix to keep_last; unschedule_snapshot() removes the job.
# pg_cron starts jobs on minute boundaries, so this waits up to two minutes.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION pgdb_tools;
DROP TABLE IF EXISTS snapshot_cron_src;
CREATE TABLE snapshot_cron_src (id int PRIMARY KEY, label text);
INSERT INTO snapshot_cron_src SELECT g, 'row ' || g FROM generate_series(1, 10) g;
SQL
cleanup() {
  psql -X -q -c "SELECT pgdb_tools.unschedule_snapshot('e2e')" -c "DROP TABLE IF EXISTS snapshot_cron_src" \
    -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE username IN ('snap_cron_owner', 'snap_cron_renamed')" \
    -c "DROP EXTENSION IF EXISTS pgdb_tools CASCADE" -c "DROP EXTENSION IF EXISTS pg_cron" >/dev/null 2>&1 || true
  for r in snap_cron_owner snap_cron_renamed; do
    psql -X -q -c "DROP OWNED BY $r" -c "DROP ROLE $r" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
for r in snap_cron_owner snap_cron_renamed; do
  psql -X -q -c "DROP OWNED BY $r" -c "DROP ROLE $r" >/dev/null 2>&1 || true
done

job=$(q -c "SELECT pgdb_tools.schedule_snapshot('e2e', '* * * * *', ARRAY['snapshot_cron_src']::regclass[], keep_last => 1)")
echo "scheduled job $job"
q -c "SELECT jobname || ' | ' || schedule || ' | ' || command FROM cron.job WHERE jobid = $job"
[ "$(q -c "SELECT jobname FROM cron.job WHERE jobid = $job")" = "pgdb_tools_snapshot_e2e" ] ||
  fail "job $job is not named pgdb_tools_snapshot_e2e"

waited=0
status=""
count=0
while [ "$waited" -lt 130 ]; do
  count=$(q -c "SELECT count(*) FROM pgdb_tools.snapshots WHERE name LIKE 'e2e\_%'")
  status=$(q -c "SELECT status FROM cron.job_run_details WHERE jobid = $job ORDER BY runid LIMIT 1")
  [ "$status" = "failed" ] && break
  [ "$count" -ge 1 ] && [ "$status" = "succeeded" ] && break
  sleep 1
  waited=$((waited + 1))
done
echo "after ${waited}s: $count snapshot(s) named e2e_*, first run: ${status:-none}"
q -c "SELECT status || ' | ' || command || ' | ' || coalesce(return_message, '')
        FROM cron.job_run_details WHERE jobid = $job ORDER BY runid LIMIT 1"
[ "$status" = "succeeded" ] || fail "the scheduled run did not succeed"
[ "$count" -eq 1 ] || fail "expected one e2e_* snapshot after the first run, found $count"

cron_name=$(q -c "SELECT name FROM pgdb_tools.snapshots WHERE name LIKE 'e2e\_%'")
q -c "SELECT name || ' | ' || tables || ' table(s) | ' || total_rows || ' rows | ' || coalesce(note, '')
        FROM pgdb_tools.snapshots WHERE name = '$cron_name'"
[[ "$cron_name" =~ ^e2e_[0-9]{8}_[0-9]{6}$ ]] || fail "snapshot name $cron_name is not e2e_YYYYMMDD_HHMMSS"
# The name is the UTC time the snapshot was taken.
[ "$(q -q -c "SET TimeZone = 'UTC'" -c "SELECT abs(extract(epoch FROM to_timestamp(substr(name, 5), 'YYYYMMDD_HH24MISS') - created_at)) < 5
                 FROM pgdb_tools.snapshots WHERE name = '$cron_name'")" = "t" ] ||
  fail "snapshot name $cron_name does not match its created_at (UTC)"
[ "$(q -c "SELECT string_agg(source || ' ' || rows || ' ' || ok, ',') FROM pgdb_tools.snapshot_verify('$cron_name')")" = \
  "public.snapshot_cron_src 10 true" ] || fail "snapshot_verify('$cron_name') did not report 10 rows ok"

# One more run of the job's body, by hand, a second later (another name): keep_last 1 leaves
# only the new one.
sleep 1
q -c "SELECT pgdb_tools._take_scheduled_snapshot('e2e')" >/dev/null
remaining=$(q -c "SELECT string_agg(name, ' ' ORDER BY name) FROM pgdb_tools.snapshots WHERE name LIKE 'e2e\_%'")
echo "cron snapshot: $cron_name; after a second run by hand (keep_last 1): $remaining"
[ "$(wc -w <<<"$remaining")" -eq 1 ] || fail "pruning to keep_last 1 left: $remaining"
[ "$remaining" != "$cron_name" ] || fail "the older snapshot was kept, not the newer one"
[[ "$remaining" =~ ^e2e_[0-9]{8}_[0-9]{6}$ ]] || fail "snapshot name $remaining is not e2e_YYYYMMDD_HHMMSS"

[ "$(q -c "SELECT pgdb_tools.unschedule_snapshot('e2e')")" = "t" ] || fail "unschedule_snapshot did not return true"
[ "$(q -c "SELECT count(*) FROM cron.job WHERE jobname = 'pgdb_tools_snapshot_e2e'")" = 0 ] ||
  fail "the cron job is still there after unschedule_snapshot"
[ "$(q -c "SELECT pgdb_tools.unschedule_snapshot('e2e')")" = "f" ] || fail "a second unschedule_snapshot did not return false"
[ "$(q -c "SELECT count(*) FROM pgdb_tools.snapshots WHERE name = '$remaining'")" = 1 ] ||
  fail "unschedule_snapshot dropped the schedule's snapshots"
echo "unscheduled: job gone, second unschedule false, snapshot $remaining kept"

# Schedules are recorded by the owner's OID: a renamed role keeps its schedule (sees it, runs it,
# sees its status under the new name, schedules it again as the same schedule).
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE ROLE snap_cron_owner LOGIN;
GRANT USAGE ON SCHEMA cron TO snap_cron_owner;
CREATE TABLE snapshot_cron_src2 (id int PRIMARY KEY);
INSERT INTO snapshot_cron_src2 VALUES (1), (2);
ALTER TABLE snapshot_cron_src2 OWNER TO snap_cron_owner;
SQL
q -U snap_cron_owner -c "SELECT pgdb_tools.schedule_snapshot('e2e_ren', '0 3 * * *', ARRAY['snapshot_cron_src2']::regclass[]) > 0" >/dev/null
q -c "ALTER ROLE snap_cron_owner RENAME TO snap_cron_renamed"
[ "$(q -U snap_cron_renamed -c "SELECT string_agg(name_prefix, ' ') FROM pgdb_tools._own_snapshot_schedules")" = e2e_ren ] ||
  fail "the renamed role lost its schedule"
[ "$(q -U snap_cron_renamed -c "SELECT pgdb_tools._take_scheduled_snapshot('e2e_ren') > 0")" = t ] ||
  fail "the renamed role cannot run its schedule"
[ "$(q -U snap_cron_renamed -c "SELECT owner_name || ' ' || (last_snapshot LIKE 'e2e\\_ren\\_%') FROM pgdb_tools.snapshot_schedule_status")" = "snap_cron_renamed true" ] ||
  fail "snapshot_schedule_status does not show the schedule under the new name"
q -U snap_cron_renamed -c "SELECT pgdb_tools.schedule_snapshot('e2e_ren', '0 4 * * *', ARRAY['snapshot_cron_src2']::regclass[], keep_last => 3) > 0" >/dev/null
[ "$(q -c "SELECT string_agg(owner_name || ' ' || keep_last, ',') FROM pgdb_tools.snapshot_schedules WHERE name_prefix = 'e2e_ren'")" = "snap_cron_renamed 3" ] ||
  fail "scheduling again as the renamed role did not update its one schedule"
q -c "DROP TABLE snapshot_cron_src2"
echo "renamed role: schedule kept"
