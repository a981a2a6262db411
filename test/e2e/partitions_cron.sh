# schedule_maintenance() for real: pg_cron (preloaded by the test cluster, working in this
# database) runs run_maintenance_proc() and the premade partitions appear. pg_cron starts jobs on
# minute boundaries, so this waits up to two minutes.
set -eu
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION pgdb_tools;
DROP TABLE IF EXISTS cron_events;
CREATE TABLE cron_events (id bigint NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('cron_events', 'id', '100', premake => 1);
-- more runway wanted, left for the scheduled job to create
SELECT pgdb_tools.update_partitioned('cron_events', premake => 4);
SQL
cleanup() {
  psql -X -q -c "SELECT pgdb_tools.unschedule_maintenance()" -c "DROP TABLE IF EXISTS cron_events" \
    -c "DROP EXTENSION IF EXISTS pgdb_tools CASCADE" -c "DROP EXTENSION IF EXISTS pg_cron" >/dev/null 2>&1 || true
}
trap cleanup EXIT
before=$(psql -X -At -c "SELECT count(*) FROM pgdb_tools.partitions('cron_events')")
job=$(psql -X -At -c "SELECT pgdb_tools.schedule_maintenance('* * * * *')")
echo "scheduled job $job; partitions before: $before"
psql -X -At -c "SELECT jobname || ' ' || schedule || ' ' || command FROM cron.job WHERE jobid = $job"
for _ in $(seq 120); do
  after=$(psql -X -At -c "SELECT count(*) FROM pgdb_tools.partitions('cron_events')")
  [ "$after" -gt "$before" ] && break
  sleep 1
done
echo "partitions after: $after"
psql -X -At -c "SELECT status || ' ' || command FROM cron.job_run_details WHERE jobid = $job ORDER BY runid LIMIT 1"
[ "$after" -eq $((before + 3)) ]
[ "$(psql -X -At -c "SELECT status FROM cron.job_run_details WHERE jobid = $job ORDER BY runid LIMIT 1")" = "succeeded" ]
