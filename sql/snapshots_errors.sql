-- Bad input to the snapshot functions: clear errors with SQLSTATE and HINT, nothing changed.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP TABLE IF EXISTS plain, no_key CASCADE;
DROP VIEW IF EXISTS plain_view;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
-- Each failing call is followed by its SQLSTATE.
CREATE TABLE plain (id integer PRIMARY KEY, v text);
CREATE TABLE no_key (v text);
CREATE VIEW plain_view AS SELECT * FROM plain;
INSERT INTO plain VALUES (1, 'a');
INSERT INTO no_key VALUES ('x');
SELECT pgdb_tools.snapshot_create('s', ARRAY['plain', 'no_key']::regclass[]) > 0 AS created;

-- snapshot_create
SELECT pgdb_tools.snapshot_create('s', ARRAY['plain']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create(NULL, ARRAY['plain']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create('', ARRAY['plain']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create(repeat('x', 201), ARRAY['plain']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create(E'line\nbreak', ARRAY['plain']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create('t');
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create('t', '{}'::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create('t', ARRAY['plain', NULL]::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create('t', ARRAY['missing_table']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create('t', ARRAY['plain_view']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create('t', schemas => ARRAY['no_such_schema']::name[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create('t', schemas => ARRAY['pgdb_tools_snapshots']::name[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_create('t', ARRAY['pgdb_tools_snapshots.s1_1']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
CREATE SCHEMA empty_schema;
SELECT pgdb_tools.snapshot_create('t', schemas => ARRAY['empty_schema']::name[]);
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA empty_schema;
SELECT pgdb_tools.snapshot_create('t', ARRAY['plain']::regclass[], tags => ARRAY[NULL]::text[]);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS snapshots FROM pgdb_tools.snapshots;

-- unknown snapshots
SELECT * FROM pgdb_tools.snapshot_tables('nope');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgdb_tools.snapshot_restore('nope');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgdb_tools.snapshot_diff('nope', 'plain');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgdb_tools.snapshot_verify('nope');
\echo :LAST_ERROR_SQLSTATE

-- restore
SELECT * FROM pgdb_tools.snapshot_restore('s', '{}'::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgdb_tools.snapshot_restore('s', ARRAY['plain_view']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE other (id integer);
SELECT * FROM pgdb_tools.snapshot_restore('s', ARRAY['other']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgdb_tools.snapshot_restore('s', target_schema => 'pgdb_tools');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE no_key RENAME TO no_key_renamed;
SELECT * FROM pgdb_tools.snapshot_restore('s');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE no_key_renamed RENAME TO no_key;
-- a failure half way leaves every table as it was
INSERT INTO plain VALUES (2, 'b');
ALTER TABLE no_key ADD CONSTRAINT never_x CHECK (v <> 'x') NOT VALID;
SELECT * FROM pgdb_tools.snapshot_restore('s');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM plain ORDER BY id;
ALTER TABLE no_key DROP CONSTRAINT never_x;

-- diff
SELECT * FROM pgdb_tools.snapshot_diff('s', 'no_key');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgdb_tools.snapshot_diff('s', 'other');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgdb_tools.snapshot_diff('s', 'plain_view');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgdb_tools.snapshot_diff('s', NULL);
\echo :LAST_ERROR_SQLSTATE

-- prune and schedule arguments
SELECT pgdb_tools.snapshot_prune();
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_prune(keep_last => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.snapshot_prune(older_than => interval '-1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.schedule_snapshot('nightly', '@daily', ARRAY['plain']::regclass[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgdb_tools.unschedule_snapshot('nightly');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS snapshots FROM pgdb_tools.snapshots;

SET client_min_messages = warning;
DROP EXTENSION pgdb_tools CASCADE;
DROP TABLE plain, no_key, other CASCADE;
