-- Hostile input to the partition functions (issue 9): each case once spun, lost data, adopted
-- the wrong table, ran planted code or failed without a fitting SQLSTATE.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP EXTENSION IF EXISTS pg_cron;
DROP SCHEMA IF EXISTS hostile CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_owner;
DROP ROLE IF EXISTS pgdb_tools_test_inserter;
DROP ROLE IF EXISTS pgdb_tools_test_stranger;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA hostile;
SET search_path = hostile, public;
-- a spin would end here instead of hanging the suite (it once ignored even this)
SET statement_timeout = '20s';

-- 1. Widths and bounds at the types' limits: errors up front, or partitions; never a spin.
CREATE TABLE i4 (id int NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE i8 (id bigint NOT NULL) PARTITION BY RANGE (id);
\set VERBOSITY sqlstate
SELECT pgdb_tools.create_partitioned('i4', 'id', '3000000000');
SELECT pgdb_tools.create_partitioned('i4', 'id', '9223372036854775808');
SELECT pgdb_tools.create_partitioned('i4', 'id', '100', start_at => '3000000000');
SELECT pgdb_tools.create_partitioned('i4', 'id', '100', retention => '3000000000');
SELECT pgdb_tools.create_partitioned('i8', 'id', '9223372036854775807');
SELECT pgdb_tools.create_partitioned('i8', 'id', '100', start_at => '99999999999999999999');
\set VERBOSITY default
SELECT pgdb_tools.create_partitioned('i4', 'id', '3000000000');
SELECT pgdb_tools.create_partitioned('i8', 'id', '100', start_at => '-9223372036854775809');
-- the widest int4 width: every period still moves forward
SELECT pgdb_tools.create_partitioned('i4', 'id', '2147483647', start_at => '-2147483648', premake => 3);
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('i4');
-- a bigint set starting at the type's minimum
SELECT pgdb_tools.create_partitioned('i8', 'id', '10', start_at => '-9223372036854775808', premake => 2,
                                     default_partition => false);
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('i8');
SELECT pgdb_tools.forget_partitioned('i8'::regclass);
DROP TABLE i8;
CREATE TABLE i8 (id bigint NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('i8', 'id', '10', start_at => '9223372036854775807', premake => 2,
                                     default_partition => false);
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('i8');
-- a retention of the whole bigint range keeps every id: nothing is retired, nothing overflows
SELECT pgdb_tools.forget_partitioned('i8'::regclass);
DROP TABLE i8;
CREATE TABLE i8 (id bigint NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('i8', 'id', '10', start_at => '0', premake => 2,
                                     retention => '9223372036854775807');
INSERT INTO i8 VALUES (1), (15);
SELECT action, partition_name FROM pgdb_tools.run_maintenance('i8');
SELECT count(*) AS partitions FROM pgdb_tools.partitions('i8');
-- a walk over millions of covered periods is refused, not spun through
CREATE TABLE walk (at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE walk_all PARTITION OF walk FOR VALUES FROM (MINVALUE) TO (MAXVALUE);
SELECT pgdb_tools.create_partitioned('walk', 'at', '1 minute', start_at => '1800-01-01');

-- 13. Oversized intervals and infinite starts: clear errors naming the argument.
CREATE TABLE t (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('t', 'at', '106751992 days');
SELECT pgdb_tools.create_partitioned('t', 'at', '178000000 years');
SELECT pgdb_tools.create_partitioned('t', 'at', '1 day', start_at => '-infinity');
SELECT pgdb_tools.create_partitioned('t', 'at', '1 day', start_at => 'infinity');
SELECT count(*) AS registered, (SELECT count(*) FROM pg_inherits WHERE inhparent = 't'::regclass) AS partitions
  FROM pgdb_tools.partition_sets WHERE parent_name = 't';
-- an interval that fits makes range partitions, the last one ending at MAXVALUE
SELECT pgdb_tools.create_partitioned('t', 'at', '2147483647 hours', premake => 3);
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('t');
SELECT newest_upper_bound FROM pgdb_tools.partition_status WHERE parent = 't'::regclass;
SELECT pgdb_tools.forget_partitioned('t'::regclass);
DROP TABLE t;

-- 6. A retention past the range of timestamps is an error (PostgreSQL refuses now() minus it
-- too), at registration, on update, and in a pass over a set that holds one anyway.
CREATE TABLE days (at date NOT NULL) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('days', 'at', '1 day', retention => '1000000 years');
SELECT pgdb_tools.create_partitioned('days', 'at', '1 day', retention => '2147483647 days');
\set VERBOSITY sqlstate
SELECT pgdb_tools.create_partitioned('days', 'at', '1 day', retention => '1000000 years');
\set VERBOSITY default
SELECT pgdb_tools.create_partitioned('days', 'at', '1 day', premake => 1, retention => '30 days') AS created;
SELECT pgdb_tools.update_partitioned('days', retention => '1000000 years');
-- a registry row written by hand (or by 0.1.0) with such a retention: an error row, nothing dropped
UPDATE pgdb_tools.partition_sets SET retention = '1000000 years' WHERE parent_name = 'days';
SELECT action, detail FROM pgdb_tools.run_maintenance('days');
SELECT count(*) AS partitions_kept FROM pgdb_tools.partitions('days');

-- 7. An integer set is not steered by one stray id: a value more than one runway past the newest
-- partition is an outlier (no partition for it, retention does not count from it).
CREATE ROLE pgdb_tools_test_inserter;
CREATE TABLE ids (id bigint NOT NULL, note text) PARTITION BY RANGE (id);
GRANT USAGE ON SCHEMA hostile TO pgdb_tools_test_inserter;
GRANT INSERT ON ids TO pgdb_tools_test_inserter;
SELECT pgdb_tools.create_partitioned('ids', 'id', '100', premake => 2, start_at => '0', retention => '250') AS created;
INSERT INTO ids SELECT g, 'real' FROM generate_series(0, 390, 10) g;
SELECT action, partition_name FROM pgdb_tools.run_maintenance('ids');
SET ROLE pgdb_tools_test_inserter;
INSERT INTO ids VALUES (9000000000000000000, 'stray');
RESET ROLE;
SELECT action, partition_name FROM pgdb_tools.run_maintenance('ids');
SELECT tableoid::regclass AS stray_in FROM ids WHERE note = 'stray';
SELECT count(*) AS real_rows_kept FROM ids WHERE note = 'real';
SELECT partitions, newest_upper_bound, runway, default_rows FROM pgdb_tools.partition_status
 WHERE parent = 'ids'::regclass;
-- a pass that would retire more than retention_limit (50% by default, 30% here) of the partitions
-- is refused and reported, also in dry runs; force (or a higher limit) lets it through
SELECT pgdb_tools.update_partitioned('ids', retention => '1', retention_limit => 30) AS changed;
SELECT action, detail FROM pgdb_tools.run_maintenance('ids', dry_run => true);
SELECT action, detail FROM pgdb_tools.run_maintenance('ids');
SELECT count(*) AS partitions_kept FROM pgdb_tools.partitions('ids');
SELECT last_error FROM pgdb_tools.partition_status WHERE parent = 'ids'::regclass;
SELECT action, partition_name FROM pgdb_tools.run_maintenance('ids', force => true) ORDER BY partition_name;
SELECT pgdb_tools.update_partitioned('ids', retention_limit => 101);
SELECT pgdb_tools.update_partitioned('ids', retention_limit => 100) AS changed;
SELECT pgdb_tools.update_partitioned('ids', retention_mode => 'archive', archive_schema => 'pg_toast');
SELECT retention_limit FROM pgdb_tools.partition_sets WHERE parent_name = 'ids';
SELECT pgdb_tools.create_partitioned('ids', 'id', '100', premake => 2, start_at => '0', retention => '1',
                                     retention_limit => 10);

-- 8. A dropped parent's set is forgotten with it: the next table of that name is not adopted.
CREATE ROLE pgdb_tools_test_owner;
GRANT USAGE, CREATE ON SCHEMA hostile TO pgdb_tools_test_owner;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_owner;
SET ROLE pgdb_tools_test_owner;
CREATE TABLE hostile.archived (id int NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('hostile.archived', 'id', '100', premake => 1, start_at => '0',
                                     retention => '100') AS created;
DROP TABLE hostile.archived;
SELECT count(*) AS still_registered FROM pgdb_tools.partition_sets WHERE parent_name = 'archived';
CREATE TABLE hostile.archived (id int NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE hostile.archived_old PARTITION OF hostile.archived FOR VALUES FROM (0) TO (100);
INSERT INTO hostile.archived SELECT generate_series(0, 99);
INSERT INTO hostile.archived_old SELECT 1 WHERE false;
CREATE TABLE hostile.archived_new PARTITION OF hostile.archived FOR VALUES FROM (100000) TO (100100);
INSERT INTO hostile.archived VALUES (100050);
RESET ROLE;
SELECT count(*) FILTER (WHERE parent = 'hostile.archived'::regclass) AS actions_on_the_new_table
  FROM pgdb_tools.run_maintenance();
SELECT count(*) AS rows_kept FROM hostile.archived;
-- unrelated drops are untouched by the event trigger, whoever runs them
SET ROLE pgdb_tools_test_owner;
CREATE TABLE hostile.plain (x int);
CREATE VIEW hostile.plain_view AS SELECT x FROM hostile.plain;
CREATE FUNCTION hostile.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
DROP VIEW hostile.plain_view;
DROP TABLE hostile.plain;
DROP FUNCTION hostile.f();
RESET ROLE;
CREATE SCHEMA doomed;
CREATE TABLE doomed.events (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('doomed.events', 'at', '1 day', premake => 0) > 0 AS created;
DROP SCHEMA doomed CASCADE;
SELECT count(*) AS doomed_sets FROM pgdb_tools.partition_sets WHERE parent_schema = 'doomed';
-- a renamed or moved parent takes its set along; the next table of the old name is not adopted
SET ROLE pgdb_tools_test_owner;
CREATE TABLE hostile.moving (id int NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('hostile.moving', 'id', '100', premake => 1, start_at => '0',
                                     retention => '100') AS created;
ALTER TABLE hostile.moving RENAME TO moved;
SELECT parent_schema, parent_name FROM pgdb_tools.partition_sets WHERE parent_name LIKE 'mov%';
CREATE TABLE hostile.moving (id int NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE hostile.moving_old PARTITION OF hostile.moving FOR VALUES FROM (0) TO (100);
INSERT INTO hostile.moving SELECT generate_series(0, 99);
RESET ROLE;
SELECT count(*) FILTER (WHERE parent = 'hostile.moving'::regclass) AS actions_on_the_new_table
  FROM pgdb_tools.run_maintenance();
SELECT count(*) AS rows_kept FROM hostile.moving;
-- a rename that fails leaves the registry as it was; so does one by a role that does not own it
SET ROLE pgdb_tools_test_owner;
ALTER TABLE hostile.moved RENAME TO moving;
RESET ROLE;
CREATE ROLE pgdb_tools_test_other;
SET ROLE pgdb_tools_test_other;
ALTER TABLE hostile.moved RENAME TO stolen;
RESET ROLE;
DROP ROLE pgdb_tools_test_other;
-- moved to another schema, and that schema renamed
CREATE SCHEMA elsewhere AUTHORIZATION pgdb_tools_test_owner;
SET ROLE pgdb_tools_test_owner;
ALTER TABLE hostile.moved SET SCHEMA elsewhere;
RESET ROLE;
ALTER SCHEMA elsewhere RENAME TO faraway;
SELECT parent_schema, parent_name FROM pgdb_tools.partition_sets WHERE parent_name LIKE 'mov%';
-- (SET SCHEMA moves the parent only: its partitions stay behind, and maintenance says so)
SELECT action, detail FROM pgdb_tools.run_maintenance('faraway.moved');
DROP SCHEMA faraway CASCADE;
DROP TABLE hostile.moving;
-- a typed parent goes with its type (DROP TYPE ... CASCADE), and its set with it
CREATE TYPE hostile.event_row AS (id int);
CREATE TABLE hostile.typed OF hostile.event_row (id NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('hostile.typed', 'id', '100', premake => 0) > 0 AS created;
DROP TYPE hostile.event_row CASCADE;
SELECT count(*) AS typed_sets FROM pgdb_tools.partition_sets WHERE parent_name = 'typed';
-- forget_partitioned names a table as text too, also one that is gone (a set recorded before the
-- event trigger existed, written here by hand)
INSERT INTO pgdb_tools.partition_sets (parent_schema, parent_name, control, partition_interval, premake,
                                       start_at, retention_mode, default_partition, time_zone, owner_name)
VALUES ('hostile', 'gone', 'id', '100', 1, '0', 'drop', true, 'UTC', 'pgdb_tools_test_owner'),
       ('hostile', 'gone_too', 'id', '100', 1, '0', 'drop', true, 'UTC', 'pgdb_tools_test_owner');
CREATE ROLE pgdb_tools_test_stranger;
GRANT USAGE ON SCHEMA pgdb_tools, hostile TO pgdb_tools_test_stranger;
SET ROLE pgdb_tools_test_stranger;
SELECT pgdb_tools.forget_partitioned('hostile.gone');
RESET ROLE;
SET ROLE pgdb_tools_test_owner;
SELECT pgdb_tools.forget_partitioned('hostile.gone');
SELECT pgdb_tools.forget_partitioned('gone_too');
SELECT pgdb_tools.forget_partitioned('gone_too') AS again;
RESET ROLE;
SELECT count(*) AS stale_sets FROM pgdb_tools.partition_sets WHERE parent_name IN ('gone', 'gone_too');
-- the text form treats a live table as the regclass form does
SELECT pgdb_tools.forget_partitioned('days') AS forgot_days, pgdb_tools.forget_partitioned('"days"') AS again;
SELECT pgdb_tools.forget_partitioned('no_such_schema.x.y');

-- 14. NULL and empty arguments: the default, or a clear error; never "OID 0" or XX000.
CREATE TABLE n (at timestamptz NOT NULL) PARTITION BY RANGE (at);
\set VERBOSITY sqlstate
SELECT pgdb_tools.create_partitioned(NULL, 'at', '1 day');
SELECT pgdb_tools.create_partitioned('n', NULL, '1 day');
SELECT pgdb_tools.create_partitioned('n', 'at', NULL);
SELECT pgdb_tools.create_partitioned('n', '', '1 day');
SELECT pgdb_tools.create_partitioned('n', 'at', '');
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', start_at => '');
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', retention => '');
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', retention_mode => '');
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', retention => '1 day', retention_mode => 'archive', archive_schema => '');
-- archived partitions never go among the catalogs or the extension's own objects
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', retention => '1 day', retention_mode => 'archive', archive_schema => 'pg_catalog');
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', retention => '1 day', retention_mode => 'archive', archive_schema => 'information_schema');
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', retention => '1 day', retention_mode => 'archive', archive_schema => 'pgdb_tools');
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', retention => '1 day', retention_mode => 'archive', archive_schema => 'pgdb_tools_snapshots');
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', time_zone => '');
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', premake => 2147483647);
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', premake => -2147483648);
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', retention_limit => -1);
SELECT pgdb_tools.update_partitioned(NULL);
SELECT pgdb_tools.update_partitioned(NULL, premake => 1);
SELECT pgdb_tools.update_partitioned('-', premake => 1);
SELECT pgdb_tools.create_partitioned('-', 'at', '1 day');
SELECT pgdb_tools.forget_partitioned(NULL);
SELECT pgdb_tools.forget_partitioned(NULL::regclass);
SELECT pgdb_tools.forget_partitioned('');
SELECT pgdb_tools.schedule_maintenance(NULL);
SELECT pgdb_tools.schedule_maintenance(' ');
CALL pgdb_tools.run_maintenance_proc(max_retries => -1);
CALL pgdb_tools.run_maintenance_proc(max_retries => 101);
CALL pgdb_tools.run_maintenance_proc(lock_timeout => 'soon');
\set VERBOSITY default
-- NULL in an optional argument means its default
SELECT pgdb_tools.create_partitioned('n', 'at', '1 day', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) AS created;
SELECT premake, retention, retention_mode, default_partition, time_zone, retention_limit
  FROM pgdb_tools.partition_sets WHERE parent_name = 'n';
SELECT pgdb_tools.update_partitioned('n', NULL, NULL, NULL, NULL, NULL) AS changed;
SELECT count(*) >= 0 AS ran FROM pgdb_tools.run_maintenance(NULL, NULL, NULL);
SELECT count(*) AS no_partitions FROM pgdb_tools.partitions(NULL);
SET client_min_messages = warning;
CALL pgdb_tools.run_maintenance_proc(NULL, NULL);
RESET client_min_messages;

-- 3. Planted objects in public on a superuser's search_path never run: not in partitions(),
-- the procedure, the scheduling functions, nor the C functions' queries.
CREATE TABLE public.hijack_log (what text);
CREATE FUNCTION public.planted_oid_eq(oid, regclass) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog AS
  $$ BEGIN INSERT INTO public.hijack_log VALUES ('oid = regclass'); RETURN oideq($1, $2::oid); END $$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.planted_oid_eq);
CREATE FUNCTION public.planted_oid_eq_oid(oid, oid) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog AS
  $$ BEGIN INSERT INTO public.hijack_log VALUES ('oid = oid'); RETURN oideq($1, $2); END $$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = public.planted_oid_eq_oid);
CREATE FUNCTION public.planted_text_eq(text, text) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog AS
  $$ BEGIN INSERT INTO public.hijack_log VALUES ('text = text'); RETURN texteq($1, $2); END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.planted_text_eq);
CREATE FUNCTION public.planted_name_eq(name, text) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog AS
  $$ BEGIN INSERT INTO public.hijack_log VALUES ('name = text'); RETURN nameeqtext($1, $2); END $$;
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = text, FUNCTION = public.planted_name_eq);
CREATE FUNCTION public.planted_cat(text, name) RETURNS text
  LANGUAGE plpgsql SET search_path = pg_catalog AS
  $$ BEGIN INSERT INTO public.hijack_log VALUES ('text || name'); RETURN textcat($1, $2::text); END $$;
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = name, FUNCTION = public.planted_cat);
CREATE FUNCTION public.planted_lt(integer, integer) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog AS
  $$ BEGIN INSERT INTO public.hijack_log VALUES ('integer < integer'); RETURN int4lt($1, $2); END $$;
CREATE OPERATOR public.< (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.planted_lt);
CREATE FUNCTION public.planted_plus(integer, integer) RETURNS integer
  LANGUAGE plpgsql SET search_path = pg_catalog AS
  $$ BEGIN INSERT INTO public.hijack_log VALUES ('integer + integer'); RETURN int4pl($1, $2); END $$;
CREATE OPERATOR public.+ (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.planted_plus);
CREATE FUNCTION public.set_config(text, text, boolean) RETURNS text
  LANGUAGE plpgsql SET search_path = pg_catalog AS
  $$ BEGIN INSERT INTO public.hijack_log VALUES ('set_config'); RETURN pg_catalog.set_config($1, $2, $3); END $$;
CREATE EXTENSION pg_cron;
CREATE TABLE hostile.victim (id int NOT NULL) PARTITION BY RANGE (id);
SET search_path = public, pg_catalog;
SET client_min_messages = warning;
SELECT pgdb_tools.create_partitioned('hostile.victim', 'id', '100', premake => 1, start_at => '0') AS created;
SELECT count(*) AS partitions FROM pgdb_tools.partitions('hostile.victim');
SELECT count(*) >= 0 AS ran FROM pgdb_tools.run_maintenance();
SELECT pgdb_tools.update_partitioned('hostile.victim', premake => 2) AS changed;
CALL pgdb_tools.run_maintenance_proc();
SELECT count(*) AS sets FROM pgdb_tools.partition_status;
SELECT pgdb_tools.schedule_maintenance('@hourly') > 0 AS scheduled;
SELECT pgdb_tools.unschedule_maintenance() AS unscheduled;
SELECT pgdb_tools.forget_partitioned('hostile.victim'::regclass) AS forgot;
RESET client_min_messages;
SELECT pg_catalog.current_setting('search_path') AS path_after_the_procedure;
RESET search_path;
SELECT what, count(*) FROM public.hijack_log GROUP BY what;
DROP EXTENSION pg_cron;
DROP OPERATOR public.= (oid, regclass);
DROP OPERATOR public.= (name, text);
DROP OPERATOR public.= (oid, oid);
DROP OPERATOR public.= (text, text);
DROP OPERATOR public.|| (text, name);
DROP OPERATOR public.< (integer, integer);
DROP OPERATOR public.+ (integer, integer);
DROP FUNCTION public.planted_oid_eq(oid, regclass), public.planted_name_eq(name, text),
  public.planted_oid_eq_oid(oid, oid), public.planted_text_eq(text, text),
  public.planted_cat(text, name), public.planted_lt(integer, integer),
  public.planted_plus(integer, integer), public.set_config(text, text, boolean);
DROP TABLE public.hijack_log;

RESET statement_timeout;
SET client_min_messages = warning;
DROP SCHEMA hostile CASCADE;
REVOKE ALL ON SCHEMA pgdb_tools FROM pgdb_tools_test_owner, pgdb_tools_test_stranger;
DROP EXTENSION pgdb_tools;
DROP ROLE pgdb_tools_test_owner;
DROP ROLE pgdb_tools_test_inserter;
DROP ROLE pgdb_tools_test_stranger;
