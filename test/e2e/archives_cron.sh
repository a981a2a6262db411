# schedule_archive() for real: pg_cron (preloaded by the test cluster, working in this database)
# runs _take_scheduled_archive(), an archive <prefix>_<YYYYMMDD_HHMMSS>.pgdbsnap appears in the
# archive directory and verifies (content hashes included); the next runs prune the prefix to
# keep_last, removing only archives this database wrote under that prefix (a damaged file of the
# prefix, another prefix's file and a file of another database stay); unschedule_archive()
# removes the job and keeps the files. Scheduling needs pg_write_server_files; a prefix another
# role schedules here is refused. pg_cron 1.5 and later take '2 seconds'; 1.4 (Debian's for 15)
# starts jobs on minute boundaries, so this waits up to two minutes there.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }
other=${PGDATABASE}_archives_cron_other
dir=$(q -c "SHOW data_directory")/pgdb_snapshots
# rm_files GLOB: removes files of the archive directory as the server's user (it owns them).
rm_files() { q -c "COPY (SELECT 1) TO PROGRAM 'rm -f $dir/$1'" >/dev/null; }
cleanup() {
  psql -X -q -c "SELECT pgdb_tools.unschedule_archive('e2ea')" \
    -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE username = 'arch_cron_other'" \
    -c "DROP TABLE IF EXISTS archive_cron_src" >/dev/null 2>&1 || true
  rm_files 'e2ea_*' >/dev/null 2>&1 || true
  rm_files 'e2eb_*' >/dev/null 2>&1 || true
  psql -X -q -c "DROP EXTENSION IF EXISTS pgdb_tools CASCADE" -c "DROP EXTENSION IF EXISTS pg_cron" >/dev/null 2>&1 || true
  dropdb --if-exists "$other" >/dev/null 2>&1 || true
  psql -X -q -c "DROP OWNED BY arch_cron_other" -c "DROP ROLE arch_cron_other" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION pgdb_tools;
CREATE TABLE archive_cron_src (id int PRIMARY KEY, label text);
INSERT INTO archive_cron_src SELECT g, 'row ' || g FROM generate_series(1, 10) g;
SQL
q -c "SELECT count(*) FROM pgdb_tools.archives()" >/dev/null  # creates the directory when missing

# Planted under the prefix: an older archive of this database (pruned in time), a damaged file
# and one written by another database (both never pruned); another prefix's archive.
q -c "SELECT pgdb_tools.archive_create('e2ea_20000101_000000.pgdbsnap', ARRAY['archive_cron_src']::regclass[])" >/dev/null
q -c "COPY (SELECT 'not an archive') TO '$dir/e2ea_19990101_000000.pgdbsnap'"
createdb "$other"
psql -X -q -v ON_ERROR_STOP=1 -d "$other" <<'SQL'
CREATE EXTENSION pgdb_tools;
CREATE TABLE t (id int);
SELECT pgdb_tools.archive_create('e2ea_19980101_000000.pgdbsnap', ARRAY['t']::regclass[]);
SQL
q -c "SELECT pgdb_tools.archive_create('e2eb_20000101_000000.pgdbsnap', ARRAY['archive_cron_src']::regclass[])" >/dev/null

cron_version=$(q -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")
schedule='* * * * *'
if [ "$(q -c "SELECT string_to_array(split_part('$cron_version', '-', 1), '.')::int[] >= '{1,5}'")" = t ]; then
  schedule='2 seconds'
fi
job=$(q -c "SELECT pgdb_tools.schedule_archive('e2ea', '$schedule', ARRAY['archive_cron_src']::regclass[], keep_last => 5)")
echo "pg_cron $cron_version: scheduled job $job every '$schedule'"
q -c "SELECT jobname || ' | ' || schedule || ' | ' || command FROM cron.job WHERE jobid = $job"
[ "$(q -c "SELECT jobname FROM cron.job WHERE jobid = $job")" = "pgdb_tools_archive_e2ea" ] ||
  fail "job $job is not named pgdb_tools_archive_e2ea"
[ "$(q -c "SELECT pgdb_tools.schedule_archive('e2ea', '$schedule', ARRAY['archive_cron_src']::regclass[], keep_last => 5)")" = "$job" ] ||
  fail "scheduling again did not return the same job"

# scheduled archives of this run: named after a time after 2020
recent() { q -c "SELECT count(*) FROM pgdb_tools.archives() WHERE path ~ '^e2ea_20[2-9][0-9]{5}_[0-9]{6}\.pgdbsnap$'"; }
waited=0
status=""
while [ "$waited" -lt 130 ]; do
  status=$(q -c "SELECT status FROM cron.job_run_details WHERE jobid = $job ORDER BY runid LIMIT 1")
  [ "$status" = "failed" ] && break
  [ "$(recent)" -ge 1 ] && [ "$status" = "succeeded" ] && break
  sleep 1
  waited=$((waited + 1))
done
q -c "SELECT status || ' | ' || command || ' | ' || coalesce(return_message, '')
        FROM cron.job_run_details WHERE jobid = $job ORDER BY runid LIMIT 1"
[ "$status" = "succeeded" ] || fail "the scheduled run did not succeed after ${waited}s"
first=$(q -c "SELECT min(path) FROM pgdb_tools.archives() WHERE path ~ '^e2ea_20[2-9]'")
echo "after ${waited}s: $first"
# The name is the UTC time it was written; it verifies, content hash included, and imports.
[ "$(q -q -c "SET TimeZone = 'UTC'" -c "SELECT abs(extract(epoch FROM to_timestamp(substr(path, 6, 15), 'YYYYMMDD_HH24MISS') - created_at)) < 5
                 FROM pgdb_tools.archives() WHERE path = '$first'")" = t ] || fail "$first is not named after its time (UTC)"
verified=$(q -c "SELECT string_agg(source || ' ' || rows || ' ' || ok || ' ' || detail, ',') FROM pgdb_tools.archive_verify('$first')")
echo "archive_verify: $verified"
[ "$verified" = "public.archive_cron_src 10 true checksums, row counts and content hash match" ] || fail "unexpected verify"
q -c "SELECT pgdb_tools.snapshot_import('$first', 'e2e_back')" >/dev/null
[ "$(q -c "SELECT note FROM pgdb_tools.snapshots WHERE name = 'e2e_back'")" = "scheduled by pgdb_tools.schedule_archive" ] ||
  fail "the imported archive has not the schedule's note"

# Runs by hand a second apart (each another name): keep_last 2 leaves the two newest of this
# database's e2ea archives, and the files that are not its own.
q -c "SELECT pgdb_tools.unschedule_archive('e2ea')" >/dev/null
q -c "SELECT pgdb_tools._archive_schedule_save('e2ea', ARRAY['archive_cron_src']::regclass[], NULL, 2)" >/dev/null
for i in 1 2; do
  sleep 1.1
  q -c "SELECT pgdb_tools._take_scheduled_archive('e2ea')" >/dev/null
done
left=$(q -c "SELECT string_agg(regexp_replace(path, '20[2-9][0-9]{5}_[0-9]{6}', 'NOW'), ' ' ORDER BY path)
               FROM pgdb_tools.archives() WHERE path LIKE 'e2e%'")
echo "left: $left"
[ "$left" = "e2ea_19980101_000000.pgdbsnap e2ea_19990101_000000.pgdbsnap e2ea_NOW.pgdbsnap e2ea_NOW.pgdbsnap e2eb_20000101_000000.pgdbsnap" ] ||
  fail "pruning left: $left"
[ "$(q -c "SELECT count(*) FROM pgdb_tools.archives() WHERE path = '$first'")" = 0 ] || fail "the oldest scheduled archive was kept"

q -c "SELECT pgdb_tools.schedule_archive('e2ea', '0 3 * * *', ARRAY['archive_cron_src']::regclass[], keep_last => 2)" >/dev/null
[ "$(q -c "SELECT pgdb_tools.unschedule_archive('e2ea')")" = t ] || fail "unschedule_archive did not return true"
[ "$(q -c "SELECT count(*) FROM cron.job WHERE jobname = 'pgdb_tools_archive_e2ea'")" = 0 ] || fail "the job is still there"
[ "$(q -c "SELECT pgdb_tools.unschedule_archive('e2ea')")" = f ] || fail "a second unschedule_archive did not return false"
[ "$(q -c "SELECT count(*) FROM pgdb_tools.archive_schedules")" = 0 ] || fail "the schedule's row is still there"
[ "$(q -c "SELECT count(*) FROM pgdb_tools.archives() WHERE path LIKE 'e2ea_%'")" = 4 ] || fail "unscheduling removed files"

# Privileges: scheduling needs pg_write_server_files; one role per prefix in a database.
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE ROLE arch_cron_other LOGIN;
GRANT USAGE ON SCHEMA cron TO arch_cron_other;
GRANT SELECT ON archive_cron_src TO arch_cron_other;
SQL
err=$(q -U arch_cron_other -c "SELECT pgdb_tools.schedule_archive('e2eo', '0 3 * * *', ARRAY['archive_cron_src']::regclass[])" 2>&1) &&
  fail "scheduled without pg_write_server_files"
echo "$err" | head -1
grep -q "^ERROR:  permission denied to schedule archive files" <<<"$err" || fail "unexpected error: $err"
q -c "GRANT pg_write_server_files TO arch_cron_other"
q -c "SELECT pgdb_tools.schedule_archive('e2ea', '0 3 * * *', ARRAY['archive_cron_src']::regclass[])" >/dev/null
err=$(q -U arch_cron_other -c "SELECT pgdb_tools.schedule_archive('e2ea', '0 3 * * *', ARRAY['archive_cron_src']::regclass[])" 2>&1) &&
  fail "another role scheduled the same prefix"
echo "$err" | head -1
grep -q "^ERROR:  archive prefix \"e2ea\" is scheduled by role .* in this database" <<<"$err" ||
  fail "unexpected error: $err"
[ "$(q -U arch_cron_other -c "SELECT pgdb_tools.schedule_archive('e2eo', '0 3 * * *', ARRAY['archive_cron_src']::regclass[]) > 0")" = t ] ||
  fail "the other role cannot schedule its own prefix"
[ "$(q -U arch_cron_other -c "SELECT string_agg(name_prefix, ',') FROM pgdb_tools._own_archive_schedules")" = e2eo ] ||
  fail "a role sees schedules not its own"
[ "$(q -U arch_cron_other -c "SELECT pgdb_tools.unschedule_archive('e2eo')")" = t ] || fail "the other role could not unschedule"
echo "privileges: ok"
