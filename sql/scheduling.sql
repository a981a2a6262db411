-- Scheduling in pg_cron's own database (this one: cron.database_name) without waiting for a run:
-- the views work without pg_cron, a role without USAGE on schema cron is told the exact GRANT,
-- jobs are the caller's own, and a run pg_cron recorded (failed or not) shows in partition_status
-- and snapshot_schedule_status, to the job's role and to superusers only. Scheduling from another
-- database and real runs are in test/e2e/scheduling_cron.sh.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP EXTENSION IF EXISTS pg_cron;
DROP ROLE IF EXISTS pgdb_tools_test_sched, pgdb_tools_test_other, pgdb_tools_test_nologin;
RESET client_min_messages;
\set SHOW_CONTEXT never
CREATE EXTENSION pgdb_tools;
SELECT current_setting('cron.database_name') = current_database() AS this_is_the_cron_database;
CREATE ROLE pgdb_tools_test_sched LOGIN;
CREATE ROLE pgdb_tools_test_other LOGIN;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_sched, pgdb_tools_test_other;
GRANT CREATE ON SCHEMA public TO pgdb_tools_test_sched;
SET ROLE pgdb_tools_test_sched;
CREATE TABLE sched_ev (id bigint NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('sched_ev', 'id', '100', premake => 1);
CREATE TABLE sched_src (id int PRIMARY KEY);
RESET ROLE;

-- without pg_cron installed the views still work, their job columns empty
SELECT parent, partitions, last_job_run, last_job_status, last_job_error FROM pgdb_tools.partition_status;
SELECT * FROM pgdb_tools._cron_last_runs();
SELECT pgdb_tools._snapshot_job_name('nightly');
SELECT count(*) FROM pgdb_tools.snapshot_schedule_status;

CREATE EXTENSION pg_cron;
-- a role without USAGE on schema cron: 42501 and the GRANT that fixes it; nothing changed
SET ROLE pgdb_tools_test_sched;
\set VERBOSITY sqlstate
SELECT pgdb_tools.schedule_maintenance();
\set VERBOSITY default
SELECT pgdb_tools.schedule_maintenance();
SELECT pgdb_tools.schedule_snapshot('nightly', '0 3 * * *', ARRAY['sched_src']::regclass[]);
SELECT count(*) AS schedules FROM pgdb_tools._own_snapshot_schedules;
SELECT parent, last_job_status FROM pgdb_tools.partition_status;
RESET ROLE;
GRANT USAGE ON SCHEMA cron TO pgdb_tools_test_sched, pgdb_tools_test_other;

-- with it: the jobs are the caller's, running here as the caller
SET ROLE pgdb_tools_test_sched;
SELECT pgdb_tools.schedule_maintenance('*/5 * * * *') > 0 AS maintenance_job;
SELECT pgdb_tools.schedule_snapshot('nightly', '0 3 * * *', ARRAY['sched_src']::regclass[]) > 0 AS snapshot_job;
RESET ROLE;
SELECT jobname, schedule, command, database = current_database() AS here, username FROM cron.job ORDER BY jobname;
-- another role's call neither sees nor touches them
SET ROLE pgdb_tools_test_other;
SELECT pgdb_tools.unschedule_maintenance() AS removed_other;
SELECT pgdb_tools.unschedule_snapshot('nightly') AS removed_other;
SELECT count(*) AS jobs_seen FROM cron.job;
RESET ROLE;
SELECT count(*) AS jobs FROM cron.job;

-- Requests made outside pg_cron's database wait for the commit, when a background worker makes
-- them in pg_cron's database as the role that asked (test/e2e/scheduling_cron.sh makes them from
-- another database); the internal functions called here send the worker to this database.
SET ROLE pgdb_tools_test_sched;
\set VERBOSITY sqlstate
SELECT pgdb_tools._cron_schedule_at_commit(NULL, '@daily', 'SELECT 1');
SELECT pgdb_tools._cron_schedule_at_commit('regress_long', '@daily', repeat('x', 1024 * 1024 + 1));
SELECT pgdb_tools._cron_unschedule_at_commit('');
\set VERBOSITY default
-- without EXECUTE on cron.schedule_in_database: the call fails, with the GRANTs
BEGIN;
SELECT pgdb_tools._cron_schedule_at_commit('regress_denied', '@daily', 'SELECT 1');
COMMIT;
RESET ROLE;
GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) TO pgdb_tools_test_sched;
SET ROLE pgdb_tools_test_sched;
-- each call returns the job's id (a reservation that never runs, until the commit); a
-- rolled-back transaction or savepoint takes its requests with it; PREPARE is refused
BEGIN;
SELECT pgdb_tools._cron_schedule_at_commit('regress_rolled_back', '@daily', 'SELECT 1');
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT pgdb_tools._cron_schedule_at_commit('regress_savepoint', '@daily', 'SELECT 1');
ROLLBACK TO SAVEPOINT s;
SELECT pgdb_tools._cron_schedule_at_commit('regress_kept', '@daily', 'SELECT 1');
COMMIT;
BEGIN;
SELECT pgdb_tools._cron_schedule_at_commit('regress_prepared', '@daily', 'SELECT 1');
PREPARE TRANSACTION 'pgdb_tools_regress_sched';
-- the last request per job decides (the id stays); pg_cron refuses a bad schedule at the call
BEGIN;
SELECT pgdb_tools._cron_schedule_at_commit('regress_last', '@daily', 'SELECT 1');
SELECT pgdb_tools._cron_unschedule_at_commit('regress_last');
SELECT pgdb_tools._cron_schedule_at_commit('regress_last', '@hourly', 'SELECT 2');
COMMIT;
\set VERBOSITY sqlstate
SELECT pgdb_tools._cron_schedule_at_commit('regress_bad', 'not a schedule', 'SELECT 1');
\set VERBOSITY default
RESET ROLE;
-- the jobs have the ids the calls returned; no reservation is left
SELECT jobid, jobname, schedule, command, database = current_database() AS here, username
  FROM cron.job WHERE jobname LIKE 'regress%' ORDER BY jobname;
SELECT count(*) AS prepared FROM pg_prepared_xacts WHERE gid = 'pgdb_tools_regress_sched';
-- another role removes nothing of it (it has no such job: false); its owner does, at commit (true)
SET ROLE pgdb_tools_test_other;
SELECT pgdb_tools._cron_unschedule_at_commit('regress_kept');
RESET ROLE;
SELECT count(*) AS still_there FROM cron.job WHERE jobname = 'regress_kept';
SET ROLE pgdb_tools_test_sched;
SELECT pgdb_tools._cron_unschedule_at_commit('regress_kept');
SELECT pgdb_tools._cron_unschedule_at_commit('regress_last');
RESET ROLE;
SELECT count(*) AS regress_jobs_left FROM cron.job WHERE jobname LIKE 'regress%';
-- a role that may not log in cannot have jobs (pg_cron connects as the job's role)
CREATE ROLE pgdb_tools_test_nologin NOLOGIN;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_nologin;
SET ROLE pgdb_tools_test_nologin;
SELECT pgdb_tools._cron_schedule_at_commit('regress_nologin', '@daily', 'SELECT 1');
RESET ROLE;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_nologin;
DROP ROLE pgdb_tools_test_nologin;

-- runs as pg_cron records them (written here by hand: test/e2e waits for real ones)
INSERT INTO cron.job_run_details (jobid, runid, job_pid, database, username, command, status, return_message, start_time, end_time)
SELECT jobid, nextval('cron.runid_seq'), 1, database, username, command, 'succeeded', 'CALL',
       '2026-01-01 10:00+00', '2026-01-01 10:00:01+00'
  FROM cron.job;
INSERT INTO cron.job_run_details (jobid, runid, job_pid, database, username, command, status, return_message, start_time, end_time)
SELECT jobid, nextval('cron.runid_seq'), 1, database, username, command, 'failed', 'connection failed',
       '2026-01-01 11:00+00', '2026-01-01 11:00:01+00'
  FROM cron.job;
SET TimeZone = 'UTC';
SET ROLE pgdb_tools_test_sched;
-- the last run is the failed one, with pg_cron's message
SELECT parent, last_job_run, last_job_status, last_job_error FROM pgdb_tools.partition_status;
SELECT name_prefix, owner_name, last_snapshot, last_job_run, last_job_status, last_job_error
  FROM pgdb_tools.snapshot_schedule_status;
RESET ROLE;
-- a superuser sees them too; another role with SELECT on the table sees the set, not the job's run
SELECT parent, last_job_status, last_job_error FROM pgdb_tools.partition_status;
SELECT name_prefix, last_job_status FROM pgdb_tools.snapshot_schedule_status;
GRANT SELECT ON sched_ev TO pgdb_tools_test_other;
SET ROLE pgdb_tools_test_other;
SELECT parent, last_job_run, last_job_status, last_job_error FROM pgdb_tools.partition_status;
SELECT count(*) AS schedules_seen FROM pgdb_tools.snapshot_schedule_status;
-- nor through a cheap function of its own in the query (the view is a security barrier): no
-- NOTICE naming another role's schedule
CREATE FUNCTION pg_temp.leak(p text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001
  AS $$BEGIN RAISE NOTICE 'leaked: %', p; RETURN true; END$$;
SELECT count(*) AS schedules_seen FROM pgdb_tools.snapshot_schedule_status WHERE pg_temp.leak(name_prefix);
DROP FUNCTION pg_temp.leak(text);
RESET ROLE;
-- a later success replaces the failure
INSERT INTO cron.job_run_details (jobid, runid, job_pid, database, username, command, status, return_message, start_time, end_time)
SELECT jobid, nextval('cron.runid_seq'), 1, database, username, command, 'succeeded', 'CALL',
       '2026-01-01 12:00+00', '2026-01-01 12:00:01+00'
  FROM cron.job;
SELECT parent, last_job_run, last_job_status, last_job_error FROM pgdb_tools.partition_status;
RESET TimeZone;

SET ROLE pgdb_tools_test_sched;
SELECT pgdb_tools.unschedule_maintenance() AS removed, pgdb_tools.unschedule_snapshot('nightly') AS removed;
SELECT count(*) AS jobs_left FROM cron.job;
RESET ROLE;
DROP TABLE sched_ev, sched_src;
DELETE FROM cron.job_run_details;
DROP EXTENSION pg_cron;
REVOKE CREATE ON SCHEMA public FROM pgdb_tools_test_sched;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_sched, pgdb_tools_test_other;
DROP EXTENSION pgdb_tools;
DROP ROLE pgdb_tools_test_sched, pgdb_tools_test_other;
