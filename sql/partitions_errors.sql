-- Bad input to the partition functions: a clear error, and nothing changed.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP EXTENSION IF EXISTS pg_cron;
DROP ROLE IF EXISTS pgdb_tools_test_tenant;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE plain (id int, at timestamptz);
CREATE TABLE by_list (region text) PARTITION BY LIST (region);
CREATE TABLE by_hash (id int) PARTITION BY HASH (id);
CREATE TABLE two_keys (a int, b int) PARTITION BY RANGE (a, b);
CREATE TABLE by_text (code text) PARTITION BY RANGE (code);
CREATE TABLE by_day (on_day date NOT NULL) PARTITION BY RANGE (on_day);
CREATE TABLE ok (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);

\set VERBOSITY sqlstate
SELECT pgdb_tools.create_partitioned('plain', 'at', '1 day');
\set VERBOSITY default
SELECT pgdb_tools.create_partitioned('plain', 'at', '1 day');
SELECT pgdb_tools.create_partitioned('by_list', 'region', '1 day');
SELECT pgdb_tools.create_partitioned('by_hash', 'id', '10');
SELECT pgdb_tools.create_partitioned('two_keys', 'a', '10');
SELECT pgdb_tools.create_partitioned('by_text', 'code', '10');
SELECT pgdb_tools.create_partitioned('ok', 'id', '1 day');
SELECT pgdb_tools.create_partitioned('ok', 'at', 'soon');
SELECT pgdb_tools.create_partitioned('ok', 'at', '1 month 2 days');
SELECT pgdb_tools.create_partitioned('ok', 'at', '-1 day');
SELECT pgdb_tools.create_partitioned('by_day', 'on_day', '6 hours');
SELECT pgdb_tools.create_partitioned('ok', 'at', '1 day', premake => -1);
SELECT pgdb_tools.create_partitioned('ok', 'at', '1 day', retention => 'forever');
SELECT pgdb_tools.create_partitioned('ok', 'at', '1 day', retention => '30 days', retention_mode => 'shred');
SELECT pgdb_tools.create_partitioned('ok', 'at', '1 day', retention => '30 days', retention_mode => 'archive');
SELECT pgdb_tools.create_partitioned('ok', 'at', '1 day', retention => '30 days', retention_mode => 'archive', archive_schema => 'nowhere');
SELECT pgdb_tools.create_partitioned('ok', 'at', '1 day', time_zone => 'Mars/Olympus_Mons');
SELECT pgdb_tools.create_partitioned('ok', 'at', '1 day', start_at => 'last tuesday');
SELECT pgdb_tools.create_partitioned(NULL, 'at', '1 day');
SELECT pgdb_tools.create_partitioned('no_such_table', 'at', '1 day');
SELECT * FROM pgdb_tools.run_maintenance('ok');
SELECT pgdb_tools.update_partitioned('ok', premake => 2);

-- a role that does not own the table
CREATE ROLE pgdb_tools_test_tenant;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_tenant;
GRANT ALL ON ok TO pgdb_tools_test_tenant;
SET ROLE pgdb_tools_test_tenant;
SELECT pgdb_tools.create_partitioned('ok', 'at', '1 day');
SELECT * FROM pgdb_tools.run_maintenance('ok');
RESET ROLE;

-- nothing was created or recorded
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent IN ('ok'::regclass, 'by_day'::regclass, 'by_text'::regclass);
SELECT count(*) AS sets FROM pgdb_tools.partition_sets;

-- updating a set checks like creating one
SET client_min_messages = warning;
SELECT pgdb_tools.create_partitioned('ok', 'at', '1 day', premake => 1);
RESET client_min_messages;
SELECT pgdb_tools.update_partitioned('ok', premake => -5);
SELECT pgdb_tools.update_partitioned('ok', retention => 'whenever');
SELECT pgdb_tools.update_partitioned('ok', retention_mode => 'archive');
SELECT premake, retention, retention_mode FROM pgdb_tools.partition_sets;
-- the partitions carry the parent's grants
SELECT bool_and(has_table_privilege('pgdb_tools_test_tenant', partition, 'SELECT, INSERT')) AS grants_copied
  FROM pgdb_tools.partitions('ok');

-- scheduling needs pg_cron; with it, one job per database, created or updated
SELECT pgdb_tools.schedule_maintenance();
CREATE EXTENSION pg_cron;
SELECT pgdb_tools.schedule_maintenance() = pgdb_tools.schedule_maintenance('*/5 * * * *') AS same_job;
SELECT jobname, schedule, command, database = current_database() AS this_database FROM cron.job;
SELECT pgdb_tools.unschedule_maintenance();
SELECT pgdb_tools.unschedule_maintenance() AS again;
DROP EXTENSION pg_cron;

DROP TABLE plain, by_list, by_hash, two_keys, by_text, by_day, ok;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_tenant;
DROP ROLE pgdb_tools_test_tenant;
DROP EXTENSION pgdb_tools;
