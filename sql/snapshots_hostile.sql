-- Hostile input to the snapshot functions: objects planted in public on a superuser's
-- search_path, an owner's code run by a superuser's restore, the extension's own schemas, names
-- that belong to other roles, types pinned by others' snapshots, and NULL, empty and extreme
-- arguments. Every call works or fails with a clear SQLSTATE (never XX000).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP EXTENSION IF EXISTS pg_cron CASCADE;
DROP SCHEMA IF EXISTS hostile CASCADE;
DROP TABLE IF EXISTS public.planted_log CASCADE;
DROP FUNCTION IF EXISTS public.planted_oid_regclass(oid, regclass), public.planted_int4(integer, integer),
  public.format(text, text), public.planted_name(name, name) CASCADE;
DROP ROLE IF EXISTS hostile_app, hostile_reader, hostile_bob;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA hostile;

-- 1. Planted operators and functions in public (item 3). Each logs that it ran.
CREATE TABLE public.planted_log (what text);
GRANT INSERT ON public.planted_log TO PUBLIC;
CREATE FUNCTION public.planted_oid_regclass(a oid, b regclass) RETURNS boolean
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.planted_log VALUES ('oid = regclass');
  RETURN a OPERATOR(pg_catalog.=) b::oid;
END $$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.planted_oid_regclass);
CREATE FUNCTION public.planted_int4(a integer, b integer) RETURNS boolean
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.planted_log VALUES ('integer = integer');
  RETURN a OPERATOR(pg_catalog.=) b;
END $$;
CREATE OPERATOR public.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.planted_int4);
CREATE FUNCTION public.format(f text, a text) RETURNS text
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.planted_log VALUES ('format');
  RETURN pg_catalog.format(f, a);
END $$;

CREATE TABLE hostile.items (id serial PRIMARY KEY, v text);
INSERT INTO hostile.items (v) VALUES ('a'), ('b'), ('c');
CREATE EXTENSION pg_cron;

-- The superuser's path puts public first: every call below would run a planted object if an
-- internal query resolved an operator or function through it.
SET search_path = public, pg_catalog;
SELECT pgdb_tools.snapshot_create('planted', ARRAY['hostile.items']::regclass[]) > 0 AS created;
UPDATE hostile.items SET v = 'changed' WHERE id OPERATOR(pg_catalog.=) 2;
-- the key join of the diff (integer key)
SELECT change, row_key FROM pgdb_tools.snapshot_diff('planted', 'hostile.items');
-- the sequence reset of the restore (oid = regclass)
SELECT source, rows FROM pgdb_tools.snapshot_restore('planted');
SELECT source, ok FROM pgdb_tools.snapshot_verify('planted');
SELECT source, rows FROM pgdb_tools.snapshot_tables('planted');
-- the job's command text (format)
SELECT pgdb_tools.schedule_snapshot('planted_job', '0 3 * * *', ARRAY['hostile.items']::regclass[]) > 0 AS scheduled;
SELECT pgdb_tools.unschedule_snapshot('planted_job');
SELECT pgdb_tools.snapshot_prune(keep_last => 5);
SELECT pgdb_tools.snapshot_drop('planted');
RESET search_path;
-- none of the planted code ran
SELECT count(*) AS planted_calls FROM public.planted_log;
SELECT nextval('hostile.items_id_seq') AS next_id;
-- bad schedule arguments are refused before pg_cron sees them (no XX000 from pg_cron)
\set VERBOSITY sqlstate
SELECT pgdb_tools.schedule_snapshot(NULL, '@daily', ARRAY['hostile.items']::regclass[]);
SELECT pgdb_tools.schedule_snapshot('j', NULL, ARRAY['hostile.items']::regclass[]);
SELECT pgdb_tools.schedule_snapshot('j', '', ARRAY['hostile.items']::regclass[]);
SELECT pgdb_tools.schedule_snapshot('j', '@daily', '{}', '{}');
SELECT pgdb_tools.schedule_snapshot('j', '@daily', ARRAY[0]::regclass[]);
SELECT pgdb_tools.schedule_snapshot('j', '@daily', ARRAY[NULL]::regclass[]);
SELECT pgdb_tools.schedule_snapshot('j', '@daily', ARRAY[4000000000]::oid[]::regclass[]);
SELECT pgdb_tools.schedule_snapshot('j', '@daily', ARRAY['hostile.items']::regclass[], keep_last => NULL);
SELECT pgdb_tools.schedule_snapshot('j', 'not a schedule', ARRAY['hostile.items']::regclass[]);
SELECT pgdb_tools.schedule_snapshot(repeat('j', 41), '@daily', ARRAY['hostile.items']::regclass[]);
SELECT pgdb_tools.unschedule_snapshot(NULL);
SELECT pgdb_tools.unschedule_snapshot('never_scheduled');
-- a schedule's lists are snapshot material as snapshot_create checks it, when it is made
SELECT pgdb_tools.schedule_snapshot('j', '@daily', schemas => '{pgdb_tools}');
SELECT pgdb_tools.schedule_snapshot('j', '@daily', schemas => '{information_schema}');
SELECT pgdb_tools.schedule_snapshot('j', '@daily', ARRAY['pg_catalog.pg_class']::regclass[]);
SELECT pgdb_tools.schedule_snapshot('j', '@daily', ARRAY['pgdb_tools.managed_triggers']::regclass[]);
SELECT pgdb_tools.schedule_snapshot('j', '@daily', schemas => '{no_such_schema}');
\set VERBOSITY default
SELECT count(*) AS jobs FROM cron.job;
DROP EXTENSION pg_cron;
DROP OPERATOR public.= (oid, regclass);
DROP OPERATOR public.= (integer, integer);
DROP FUNCTION public.planted_oid_regclass(oid, regclass), public.planted_int4(integer, integer),
  public.format(text, text);

-- 2. An in-place restore by a superuser runs the table owner's code as the owner, in a
-- restricted context (item 4). The CHECK function tries to make its owner a superuser and logs
-- who ran it; so do a trigger (fired with fire_triggers) and a column default. It also sets the
-- session's search_path and work_mem: neither change may outlive the restore.
CREATE ROLE hostile_app;
CREATE ROLE hostile_reader;
CREATE ROLE hostile_bob;
GRANT USAGE ON SCHEMA pgdb_tools TO hostile_app, hostile_reader, hostile_bob;
GRANT USAGE, CREATE ON SCHEMA hostile TO hostile_app;
GRANT USAGE ON SCHEMA hostile TO hostile_reader, hostile_bob;
TRUNCATE public.planted_log;
SET ROLE hostile_app;
CREATE FUNCTION hostile.escalate(v integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.planted_log VALUES ('check as ' || current_user);
  PERFORM pg_catalog.set_config('search_path', 'hostile, public', false);
  PERFORM pg_catalog.set_config('work_mem', '77kB', false);
  IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
    ALTER ROLE hostile_app SUPERUSER;
  END IF;
  RETURN true;
END $$;
CREATE FUNCTION hostile.who() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.planted_log VALUES ('default as ' || current_user);
  RETURN current_user;
END $$;
CREATE FUNCTION hostile.audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.planted_log VALUES ('trigger as ' || current_user);
  RETURN NEW;
END $$;
CREATE TABLE hostile.app_data (id integer PRIMARY KEY CHECK (hostile.escalate(id)), note text);
CREATE TRIGGER app_audit BEFORE INSERT ON hostile.app_data FOR EACH ROW EXECUTE FUNCTION hostile.audit();
INSERT INTO hostile.app_data VALUES (1, 'one'), (2, 'two');
SELECT pgdb_tools.snapshot_create('app_before', ARRAY['hostile.app_data']::regclass[]) > 0 AS created;
-- the default is added after the snapshot: a column the snapshot does not have is filled by it
ALTER TABLE hostile.app_data ADD COLUMN added_by text DEFAULT hostile.who();
RESET ROLE;
-- (the INSERT above ran the CHECK in this session too)
RESET search_path;
RESET work_mem;
TRUNCATE public.planted_log;
SELECT current_setting('search_path') AS path_before, current_setting('work_mem') AS work_mem_before;
SELECT source, rows FROM pgdb_tools.snapshot_restore('app_before', fire_triggers => true);
SELECT current_setting('search_path') AS path_after, current_setting('work_mem') AS work_mem_after;
SELECT what, count(*) FROM public.planted_log GROUP BY what ORDER BY what;
SELECT rolsuper FROM pg_roles WHERE rolname = 'hostile_app';
SELECT id, note, added_by FROM hostile.app_data ORDER BY id;
-- a table with row-level security forced on its owner is refused up front (55000, see
-- snapshots_identity for the message), not loaded short
ALTER TABLE hostile.app_data ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
\set VERBOSITY sqlstate
SELECT source, rows FROM pgdb_tools.snapshot_restore('app_before');
\set VERBOSITY default
ALTER TABLE hostile.app_data NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
-- nor is an owner without USAGE on schema pgdb_tools, through which the copy is read (every role
-- has it unless a DBA revokes it from PUBLIC)
REVOKE USAGE ON SCHEMA pgdb_tools FROM PUBLIC, hostile_app;
SELECT source, rows FROM pgdb_tools.snapshot_restore('app_before');
GRANT USAGE ON SCHEMA pgdb_tools TO PUBLIC, hostile_app;

-- 3. The extension's own schemas and tables are never snapshot or restore material (item 10).
\set VERBOSITY sqlstate
SELECT pgdb_tools.snapshot_create('ext', schemas => '{pgdb_tools}');
SELECT pgdb_tools.snapshot_create('ext', schemas => '{pgdb_tools_snapshots}');
SELECT pgdb_tools.snapshot_create('ext', ARRAY['pgdb_tools.snapshot_catalog']::regclass[]);
SELECT pgdb_tools.snapshot_create('ext', ARRAY['pgdb_tools.snapshot_schedules']::regclass[]);
SELECT * FROM pgdb_tools.snapshot_restore('app_before', target_schema => 'pgdb_tools');
SELECT * FROM pgdb_tools.snapshot_restore('app_before', target_schema => 'pgdb_tools_snapshots');
-- nor are the system catalogs
SELECT pgdb_tools.snapshot_create('sys', schemas => '{pg_catalog}');
SELECT pgdb_tools.snapshot_create('sys', schemas => '{pg_toast}');
SELECT pgdb_tools.snapshot_create('sys', schemas => '{information_schema}');
SELECT pgdb_tools.snapshot_create('sys', ARRAY['pg_catalog.pg_class']::regclass[]);
SELECT pgdb_tools.snapshot_create('sys', ARRAY['information_schema.sql_features']::regclass[]);
SELECT * FROM pgdb_tools.snapshot_restore('app_before', target_schema => 'pg_catalog');
SELECT * FROM pgdb_tools.snapshot_restore('app_before', target_schema => 'information_schema');
\set VERBOSITY default
SELECT pgdb_tools.snapshot_create('ext', schemas => '{pgdb_tools}');
SELECT * FROM pgdb_tools.snapshot_restore('app_before', target_schema => 'pgdb_tools');
SELECT pgdb_tools.snapshot_create('sys', ARRAY['pg_catalog.pg_class']::regclass[]);
SELECT pgdb_tools.snapshot_create('sys', schemas => '{information_schema}');
SELECT count(*) AS snapshots FROM pgdb_tools.snapshots;
-- a schema named many times is one schema (10000 names: one lookup)
SELECT pgdb_tools.snapshot_create('many', schemas => array_fill('hostile'::name, ARRAY[10000])) > 0 AS taken;
SELECT tables FROM pgdb_tools.snapshots WHERE name = 'many';
SELECT pgdb_tools.snapshot_drop('many');

-- 4. Snapshot names are per role (item 19): another role can take a name of yours (in its own
-- namespace) without learning that yours exists, and never touches yours.
SET ROLE hostile_app;
SELECT pgdb_tools.snapshot_create('daily_20300101_000000', ARRAY['hostile.app_data']::regclass[]) > 0 AS created;
RESET ROLE;
CREATE TABLE hostile.bob_data (id integer PRIMARY KEY);
ALTER TABLE hostile.bob_data OWNER TO hostile_bob;
SET ROLE hostile_bob;
-- not 42710: the name is free in bob's namespace
SELECT pgdb_tools.snapshot_create('daily_20300101_000000', ARRAY['hostile.bob_data']::regclass[]) > 0 AS created;
SELECT pgdb_tools.snapshot_create('daily_20300101_000000', ARRAY['hostile.bob_data']::regclass[]);
SELECT name, created_by FROM pgdb_tools.snapshots ORDER BY created_by;
-- his prune of the prefix drops his own only
SELECT pgdb_tools.snapshot_prune(keep_last => 0, name_prefix => 'daily');
RESET ROLE;
SELECT name, created_by FROM pgdb_tools.snapshots ORDER BY name, created_by;
SET ROLE hostile_bob;
SELECT pgdb_tools.snapshot_create('daily_20300101_000000', ARRAY['hostile.bob_data']::regclass[]) > 0 AS created;
RESET ROLE;
-- the superuser sees both: the name is ambiguous for it, and says whose they are
SELECT * FROM pgdb_tools.snapshot_tables('daily_20300101_000000');
SELECT pgdb_tools.snapshot_drop('daily_20300101_000000');
-- each owner's calls mean their own
SET ROLE hostile_app;
SELECT source, rows FROM pgdb_tools.snapshot_tables('daily_20300101_000000');
SELECT pgdb_tools.snapshot_drop('daily_20300101_000000');
RESET ROLE;
SET ROLE hostile_bob;
SELECT source, rows FROM pgdb_tools.snapshot_tables('daily_20300101_000000');
-- a snapshot bob cannot see gives the same answer as no snapshot at all
SELECT * FROM pgdb_tools.snapshot_tables('app_before');
SELECT pgdb_tools.snapshot_drop('app_before');
SELECT pgdb_tools.snapshot_drop('no_such_snapshot');
SELECT pgdb_tools.snapshot_drop('daily_20300101_000000');
RESET ROLE;
-- a schedule owns the names it will take (schedule_snapshot saves it through this helper):
-- no other role can plant a snapshot its owner would later restore by that name
SET ROLE hostile_app;
SELECT pgdb_tools._snapshot_schedule_save('nightly', ARRAY['hostile.app_data']::regclass[], NULL, 3);
RESET ROLE;
SET ROLE hostile_bob;
SELECT pgdb_tools.snapshot_create('nightly_20301203_030000', ARRAY['hostile.bob_data']::regclass[]);
SELECT pgdb_tools.snapshot_create('nightly_copy', ARRAY['hostile.bob_data']::regclass[]) > 0 AS created;
SELECT pgdb_tools.snapshot_drop('nightly_copy');
RESET ROLE;
SELECT pgdb_tools.snapshot_create('nightly_20301203_030000', ARRAY['hostile.bob_data']::regclass[]);
-- a role scheduling the same prefix takes such names in its own namespace, and they never
-- stand in for the first role's: to hostile_app the name means its own snapshot or none
GRANT SELECT ON hostile.app_data TO hostile_bob;
SET ROLE hostile_bob;
SELECT pgdb_tools._snapshot_schedule_save('nightly', ARRAY['hostile.app_data']::regclass[], NULL, 3);
SELECT pgdb_tools.snapshot_create('nightly_20301203_030000', ARRAY['hostile.app_data']::regclass[]) > 0 AS created;
RESET ROLE;
SET ROLE hostile_app;
SELECT * FROM pgdb_tools.snapshot_restore('nightly_20301203_030000');
SELECT pgdb_tools.snapshot_create('nightly_20301203_030000', ARRAY['hostile.app_data']::regclass[]) > 0 AS created;
SELECT source, rows FROM pgdb_tools.snapshot_tables('nightly_20301203_030000');
SELECT pgdb_tools.snapshot_drop('nightly_20301203_030000');
SELECT pgdb_tools._snapshot_schedule_save('nightly', NULL, NULL, NULL);
RESET ROLE;
SET ROLE hostile_bob;
SELECT pgdb_tools.snapshot_drop('nightly_20301203_030000');
SELECT pgdb_tools._snapshot_schedule_save('nightly', NULL, NULL, NULL);
RESET ROLE;
REVOKE SELECT ON hostile.app_data FROM hostile_bob;

-- 5. A reader's snapshot of an owner's table pins the owner's type; the owner is told which
-- snapshot and may drop it (item 20).
SET ROLE hostile_app;
CREATE TYPE hostile.mood AS ENUM ('calm', 'angry');
CREATE TABLE hostile.moods (id integer PRIMARY KEY, mood hostile.mood, moods hostile.mood[]);
INSERT INTO hostile.moods VALUES (1, 'calm', '{calm,angry}');
GRANT SELECT ON hostile.moods TO hostile_reader;
RESET ROLE;
SET ROLE hostile_reader;
SELECT pgdb_tools.snapshot_create('reader''s moods', ARRAY['hostile.moods']::regclass[]) > 0 AS created;
RESET ROLE;
SET ROLE hostile_app;
ALTER TABLE hostile.moods DROP COLUMN mood, DROP COLUMN moods;
DROP TYPE hostile.mood;
DROP TYPE hostile.mood CASCADE;
DROP SCHEMA hostile CASCADE;
-- the snapshot no longer matches the table's columns, so the owner cannot read it, but may drop it
SELECT * FROM pgdb_tools.snapshot_tables('reader''s moods');
SELECT pgdb_tools.snapshot_drop('reader''s moods');
DROP TYPE hostile.mood;
RESET ROLE;
-- a superuser may drop anyone's snapshot
SET ROLE hostile_reader;
SELECT pgdb_tools.snapshot_create('reader_2', ARRAY['hostile.moods']::regclass[]) > 0 AS created;
RESET ROLE;
SELECT pgdb_tools.snapshot_drop('reader_2');
-- a role that neither took it nor owns its tables may not, though it can read it
SET ROLE hostile_reader;
SELECT pgdb_tools.snapshot_create('reader_3', ARRAY['hostile.moods']::regclass[]) > 0 AS created;
RESET ROLE;
GRANT SELECT ON hostile.moods TO hostile_bob;
SET ROLE hostile_bob;
SELECT pgdb_tools.snapshot_drop('reader_3');
RESET ROLE;
-- a snapshot that bundles the owner's table with another's is the owner's to drop too
CREATE TABLE hostile.reader_own (id integer);
ALTER TABLE hostile.reader_own OWNER TO hostile_reader;
SET ROLE hostile_reader;
SELECT pgdb_tools.snapshot_create('bundled', ARRAY['hostile.moods', 'hostile.reader_own']::regclass[]) > 0 AS created;
RESET ROLE;
SET ROLE hostile_app;
SELECT pgdb_tools.snapshot_drop('bundled');
RESET ROLE;
DROP TABLE hostile.reader_own;
-- the guard's own queries run under the trusted path too
CREATE FUNCTION public.planted_name(a name, b name) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.planted_log VALUES ('name = name');
  RETURN a OPERATOR(pg_catalog.=) b;
END $$;
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = name, FUNCTION = public.planted_name);
TRUNCATE public.planted_log;
CREATE TYPE hostile.planted_t AS ENUM ('a');
SET search_path = public, pg_catalog;
DROP TYPE hostile.planted_t;
RESET search_path;
SELECT count(*) AS planted_calls FROM public.planted_log;
DROP OPERATOR public.= (name, name);
DROP FUNCTION public.planted_name(name, name);
-- a drop that reaches a copy another way is refused all the same (the whole statement rolls
-- back): through a domain over the type, through an attribute of a composite type, by DROP OWNED
SET ROLE hostile_app;
CREATE TYPE hostile.level AS ENUM ('low', 'high');
CREATE DOMAIN hostile.level_d AS hostile.level;
CREATE TYPE hostile.reading AS (at integer, level hostile.level);
CREATE TABLE hostile.readings (id integer PRIMARY KEY, l hostile.level_d, r hostile.reading);
INSERT INTO hostile.readings VALUES (1, 'low', ROW(1, 'high'));
SELECT pgdb_tools.snapshot_create('levels', ARRAY['hostile.readings']::regclass[]) > 0 AS created;
ALTER TABLE hostile.readings DROP COLUMN l, DROP COLUMN r;
DROP DOMAIN hostile.level_d CASCADE;
ALTER TYPE hostile.reading DROP ATTRIBUTE level CASCADE;
DROP TYPE hostile.level CASCADE;
RESET ROLE;
DROP OWNED BY hostile_app CASCADE;
SELECT source, rows, ok FROM pgdb_tools.snapshot_verify('levels');
-- another role's DROP TYPE is PostgreSQL's to refuse: nothing is said about snapshots
SET ROLE hostile_bob;
DROP TYPE hostile.level;
RESET ROLE;
SELECT pgdb_tools.snapshot_drop('levels');
SET ROLE hostile_app;
DROP TYPE hostile.level CASCADE;
RESET ROLE;
-- unrelated DROP TYPE and DROP DOMAIN statements pass the guard
CREATE DOMAIN hostile.positive AS integer CHECK (VALUE > 0);
DROP DOMAIN hostile.positive;
DROP TYPE IF EXISTS hostile.no_such_type, no_such_schema.no_such_type;

-- 6. NULL, empty, odd and extreme arguments (item 14): each works or fails with a fitting
-- SQLSTATE.
\set VERBOSITY sqlstate
SELECT pgdb_tools.snapshot_create(NULL, ARRAY['hostile.moods']::regclass[]);
SELECT pgdb_tools.snapshot_create('n', NULL, NULL);
SELECT pgdb_tools.snapshot_create('n', '{}', '{}');
SELECT pgdb_tools.snapshot_create('n', ARRAY[0]::regclass[]);
SELECT pgdb_tools.snapshot_create('n', ARRAY[4000000000]::oid[]::regclass[]);
SELECT pgdb_tools.snapshot_create('n', '{{hostile.moods}}'::regclass[]);
SELECT pgdb_tools.snapshot_create('n', schemas => ARRAY[NULL]::name[]);
SELECT pgdb_tools.snapshot_create('n', schemas => ARRAY['']::name[]);
SELECT pgdb_tools.snapshot_create('n', ARRAY['hostile.moods']::regclass[], tags => NULL) > 0 AS created;
SELECT pgdb_tools.snapshot_create(repeat('é', 201), ARRAY['hostile.moods']::regclass[]);
SELECT pgdb_tools.snapshot_tables(NULL);
SELECT pgdb_tools.snapshot_verify(NULL);
SELECT pgdb_tools.snapshot_drop(NULL);
SELECT * FROM pgdb_tools.snapshot_restore(NULL);
SELECT * FROM pgdb_tools.snapshot_restore('n', ARRAY[NULL]::regclass[]);
SELECT * FROM pgdb_tools.snapshot_restore('n', ARRAY[0]::regclass[]);
SELECT * FROM pgdb_tools.snapshot_restore('n', target_schema => '');
SELECT * FROM pgdb_tools.snapshot_diff('n', 0);
SELECT * FROM pgdb_tools.snapshot_diff('n', 4000000000::oid::regclass);
SELECT * FROM pgdb_tools.snapshot_diff(NULL, 'hostile.moods');
SELECT pgdb_tools.snapshot_prune(NULL, NULL);
SELECT pgdb_tools.snapshot_prune(keep_last => 2147483647);
SELECT pgdb_tools.snapshot_prune(older_than => interval '178000000 years');
SELECT pgdb_tools.snapshot_prune(keep_last => 1000, keep_tags => NULL, name_prefix => '');
\set VERBOSITY default
-- the same with the message
SELECT pgdb_tools.snapshot_create('n', ARRAY[0]::regclass[]);
SELECT * FROM pgdb_tools.snapshot_diff('n', 0);
-- names with quotes, spaces, unicode and more than 63 bytes are names like any other
SELECT pgdb_tools.snapshot_create(name, ARRAY['hostile.moods']::regclass[]) > 0 AS created
  FROM unnest(ARRAY['it''s "quoted"', ' spaced name ', 'ünïcødé ☃', repeat('long', 30),
                    'x''); DROP TABLE hostile.moods; --']) AS n(name);
SELECT length(name), octet_length(name), tables FROM pgdb_tools.snapshots WHERE name <> 'n' ORDER BY name;
SELECT count(*) FROM pgdb_tools.snapshot_verify(repeat('long', 30)) WHERE ok;
-- NULL fire_triggers is false; a target schema with quotes and unicode is a schema like any other
SELECT source, target, rows FROM pgdb_tools.snapshot_restore('n', NULL, NULL, NULL);
SELECT source, target, rows FROM pgdb_tools.snapshot_restore('n', NULL, 'ünï "copy"', NULL);
SELECT count(*) FROM "ünï ""copy""".moods;
DROP SCHEMA "ünï ""copy""" CASCADE;
SELECT pgdb_tools.snapshot_drop(name) FROM pgdb_tools.snapshots ORDER BY name;
SELECT count(*) AS left_over FROM pgdb_tools.snapshots;
SELECT count(*) AS moods_rows FROM hostile.moods;

-- Relations another role makes in the copies' schema (the database owner may create there, for its
-- pg_restore; hostile_bob stands in for it): never taken for a copy or a copy's view.
GRANT CREATE ON SCHEMA pgdb_tools_snapshots TO hostile_bob;
SELECT pgdb_tools.snapshot_create('planted_names', ARRAY['hostile.moods']::regclass[]) AS planted_id \gset
SELECT storage_name || '_read' AS planted_view FROM pgdb_tools.snapshot_items
 WHERE snapshot_id = :planted_id \gset
SELECT 's' || (last_value + 1) || '_1' AS squatted_copy, 's' || (last_value + 2) || '_1_read' AS squatted_view,
       's' || (last_value + 3) || '_1' AS squatted_type, 's' || (last_value + 4) || '_1_read' AS squatted_view_type
  FROM pgdb_tools.snapshot_ids \gset
-- the copy's view is gone (say a superuser dropped it by hand); bob puts a view of his there, and
-- tables and views under the names the next snapshots' copies would get
DROP VIEW pgdb_tools_snapshots.:"planted_view";
SET ROLE hostile_bob;
CREATE VIEW pgdb_tools_snapshots.:"planted_view" AS SELECT 1 / 0 AS planted;
CREATE TABLE pgdb_tools_snapshots.:"squatted_copy" (id integer);
CREATE VIEW pgdb_tools_snapshots.:"squatted_view" AS SELECT 1 / 0 AS planted;
-- types under those names too (a copy's row type and its view's take them): no pg_class row
CREATE DOMAIN pgdb_tools_snapshots.:"squatted_type" AS integer;
CREATE TYPE pgdb_tools_snapshots.:"squatted_view_type" AS ENUM ('planted');
RESET ROLE;
\set VERBOSITY sqlstate
-- a missing copy (55000), never bob's view read (22012)
SELECT * FROM pgdb_tools.snapshot_diff('planted_names', 'hostile.moods');
SELECT * FROM pgdb_tools.snapshot_restore('planted_names', target_schema => 'planted_copy');
\set VERBOSITY default
-- the next snapshot passes the names bob holds by, and is whole
SELECT pgdb_tools.snapshot_create('after_planting', ARRAY['hostile.moods']::regclass[]) > :planted_id + 4 AS passed_over;
SELECT source, ok FROM pgdb_tools.snapshot_verify('after_planting');
SELECT count(*) AS restored FROM pgdb_tools.snapshot_restore('after_planting', target_schema => 'planted_copy');
-- dropping the snapshots leaves bob's relations to bob
SELECT pgdb_tools.snapshot_drop('planted_names'), pgdb_tools.snapshot_drop('after_planting');
SELECT relname = :'planted_view' AS planted_view, relkind FROM pg_class
 WHERE relnamespace = 'pgdb_tools_snapshots'::regnamespace AND relowner = 'hostile_bob'::regrole
 ORDER BY relname = :'planted_view', relkind;
DROP VIEW pgdb_tools_snapshots.:"planted_view", pgdb_tools_snapshots.:"squatted_view";
DROP TABLE pgdb_tools_snapshots.:"squatted_copy";
DROP DOMAIN pgdb_tools_snapshots.:"squatted_type";
DROP TYPE pgdb_tools_snapshots.:"squatted_view_type";
DROP SCHEMA planted_copy CASCADE;
REVOKE CREATE ON SCHEMA pgdb_tools_snapshots FROM hostile_bob;

-- A copy's row type (usable by any role) in a column of bob's table: bob's snapshot of it would
-- pin the other snapshot's copy, whose snapshot_drop the type guard would then refuse.
SELECT pgdb_tools.snapshot_create('pinned', ARRAY['hostile.moods']::regclass[]) AS pinned_id \gset
SELECT storage_name AS pinned_copy FROM pgdb_tools.snapshot_items WHERE snapshot_id = :pinned_id \gset
CREATE TABLE hostile.pins (id integer, direct pgdb_tools_snapshots.:"pinned_copy");
CREATE TYPE hostile.wrapped AS (inner_row pgdb_tools_snapshots.:"pinned_copy");
CREATE TABLE hostile.pins_wrapped (id integer, wrapped hostile.wrapped[]);
ALTER TABLE hostile.pins OWNER TO hostile_bob;
ALTER TABLE hostile.pins_wrapped OWNER TO hostile_bob;
SET ROLE hostile_bob;
\set VERBOSITY sqlstate
SELECT pgdb_tools.snapshot_create('pin', ARRAY['hostile.pins']::regclass[]);
SELECT pgdb_tools.snapshot_create('pin', ARRAY['hostile.pins_wrapped']::regclass[]);
\set VERBOSITY default
RESET ROLE;
SELECT pgdb_tools.snapshot_drop('pinned');
DROP TABLE hostile.pins, hostile.pins_wrapped;
DROP TYPE hostile.wrapped;

SET client_min_messages = warning;
REVOKE ALL ON SCHEMA pgdb_tools FROM hostile_app, hostile_reader, hostile_bob;
DROP EXTENSION pgdb_tools CASCADE;
DROP SCHEMA hostile CASCADE;
DROP TABLE public.planted_log;
DROP ROLE hostile_app, hostile_reader, hostile_bob;
