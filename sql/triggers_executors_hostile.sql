-- The native executors attached by hand with wrong arguments, and after every kind of ALTER TABLE
-- on the columns they use: each statement either works or fails with a clear error, never a
-- crash, and nothing is ever written into a column of the wrong type. (Before these checks,
-- search_vector crashed the server after a source column changed type.) A crash ends this psql
-- session: every later statement would fail with "server closed the connection", and the suite
-- ends by showing it is still connected.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS hostile CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA hostile;
SET search_path = hostile, public;

-- One statement's outcome, "ok" or "SQLSTATE: message", so that many cases fit on a page.
CREATE FUNCTION attempt(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE statement;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- The outcomes of statements run one after the other, then rolled back.
CREATE FUNCTION rolled_back(VARIADIC statements text[]) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  outcomes text[] := '{}';
  statement text;
BEGIN
  BEGIN
    FOREACH statement IN ARRAY statements LOOP
      outcomes := outcomes || attempt(statement);
    END LOOP;
    RAISE EXCEPTION USING ERRCODE = 'P0004';
  EXCEPTION WHEN assert_failure THEN
    NULL;
  END;
  RETURN outcomes;
END $$;

-- == The crashes of issue 9 ==
CREATE TABLE docs (id int PRIMARY KEY, title text, body text, sv tsvector);
SELECT pgdb_tools.search_vector('docs', 'sv', '{"title": "A", "body": "B"}');
INSERT INTO docs VALUES (1, 'hello world', 'some body', NULL);
ALTER TABLE docs ALTER COLUMN title TYPE integer USING 0;
\set VERBOSITY default
INSERT INTO docs VALUES (2, 3, 'body', NULL);
UPDATE docs SET body = 'changed' WHERE id = 1;
-- the tsvector column retyped: nothing is written into it
ALTER TABLE docs ALTER COLUMN title TYPE text, ALTER COLUMN sv TYPE text;
INSERT INTO docs VALUES (2, 'title', 'body', 'untouched');
ALTER TABLE docs ALTER COLUMN sv TYPE bigint USING 7;
INSERT INTO docs VALUES (3, 'title', 'body', 8);
SELECT * FROM docs ORDER BY id;
-- back to the right types, it works again
ALTER TABLE docs ALTER COLUMN sv TYPE tsvector USING NULL;
INSERT INTO docs VALUES (2, 'second title', 'body', NULL);
SELECT id, sv FROM docs ORDER BY id;
DROP TABLE docs;

CREATE TABLE numbered (id int, sv tsvector);
CREATE TRIGGER by_hand BEFORE INSERT ON numbered FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_search_vector('sv', 'pg_catalog.simple', 'id', 'A');
INSERT INTO numbered VALUES (1, NULL);
DROP TRIGGER by_hand ON numbered;
CREATE TRIGGER by_hand BEFORE INSERT ON numbered FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_search_vector('id', 'pg_catalog.simple', 'id', 'A');
INSERT INTO numbered VALUES (1, NULL);
SELECT count(*) AS rows_written FROM numbered;
DROP TABLE numbered;

-- == Attached the wrong way: timing, level, events (39P01) ==
CREATE TABLE t (id int, s text, n int, ts timestamptz, b boolean, sv tsvector, state text);
INSERT INTO t VALUES (1, 'a', 1, NULL, true, NULL, 'draft');
CREATE VIEW tv AS SELECT * FROM t;
CREATE TABLE wrong_way (executor text, declared text, args text, level text DEFAULT 'ROW');
INSERT INTO wrong_way VALUES
  ('_trigger_protect', 'AFTER UPDATE', ''),
  ('_trigger_updated_at', 'AFTER UPDATE', '''ts'''),
  ('_trigger_updated_at', 'BEFORE UPDATE OR DELETE', '''ts'''),
  ('_trigger_read_only', 'BEFORE INSERT OR UPDATE', '''only'', ''s'''),
  ('_trigger_row_version', 'BEFORE DELETE', '''n'', ''check_stale'''),
  ('_trigger_fsm', 'AFTER UPDATE', '''state'', ''{"draft": []}'''),
  ('_trigger_search_vector', 'BEFORE DELETE', '''sv'', ''simple'', ''s'', ''A'''),
  ('_trigger_soft_delete', 'BEFORE UPDATE OR DELETE', '''b'', ''false'', '''''),
  ('_trigger_managed', 'AFTER UPDATE', '''pgdb_tools._trigger_updated_at()'', ''ts''');
INSERT INTO wrong_way VALUES
  ('_trigger_updated_at', 'BEFORE UPDATE', '''ts''', 'STATEMENT'),
  ('_trigger_row_version', 'BEFORE UPDATE', '''n'', ''no_check''', 'STATEMENT'),
  ('_trigger_protect', 'BEFORE UPDATE', '''statement-level protect''', 'STATEMENT');
-- each created, fired by an UPDATE and a DELETE, and rolled back
SELECT executor, declared, level, r[1] AS created, r[2] AS on_update, r[3] AS on_delete
  FROM (SELECT w.*, rolled_back(
          format('CREATE TRIGGER wrong %s ON t FOR EACH %s EXECUTE FUNCTION pgdb_tools.%I(%s)',
                 declared, level, executor, args),
          'UPDATE t SET s = s', 'DELETE FROM t') AS r
        FROM wrong_way w) w
  ORDER BY executor, declared, level;
-- INSTEAD OF, on a view
SELECT rolled_back(
  'CREATE TRIGGER wrong INSTEAD OF UPDATE ON tv FOR EACH ROW EXECUTE FUNCTION pgdb_tools._trigger_updated_at(''ts'')',
  'UPDATE tv SET s = s');
SELECT count(*) AS rows_left FROM t;
-- the message says how it is declared and how it must be
CREATE TRIGGER wrong AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION pgdb_tools._trigger_read_only('only', 's');
UPDATE t SET s = 'b';
DROP TRIGGER wrong ON t;

-- == Attached with wrong arguments (22023, 42703, 42804, 42704, 42883) ==
CREATE TABLE bad_args (executor text, event text, args text);
INSERT INTO bad_args VALUES
  ('_trigger_protect', 'UPDATE', '''one'', ''two'''),
  ('_trigger_updated_at', 'UPDATE', ''),
  ('_trigger_updated_at', 'UPDATE', '''ts'', ''extra'''),
  ('_trigger_updated_at', 'UPDATE', '''no_such'''),
  ('_trigger_updated_at', 'UPDATE', '''ctid'''),
  ('_trigger_updated_at', 'UPDATE', '''xmin'''),
  ('_trigger_updated_at', 'UPDATE', '''TS'''),
  ('_trigger_updated_at', 'UPDATE', '''s'''),
  ('_trigger_updated_at', 'UPDATE', ''''''),
  ('_trigger_read_only', 'UPDATE', ''),
  ('_trigger_read_only', 'UPDATE', '''sometimes'', ''s'''),
  ('_trigger_read_only', 'UPDATE', '''only'''),
  ('_trigger_read_only', 'UPDATE', '''only'', ''no_such'''),
  ('_trigger_read_only', 'UPDATE', '''except'', ''tableoid'''),
  ('_trigger_row_version', 'UPDATE', '''n'''),
  ('_trigger_row_version', 'UPDATE', '''n'', ''maybe'''),
  ('_trigger_row_version', 'UPDATE', '''s'', ''check_stale'''),
  ('_trigger_row_version', 'UPDATE', '''b'', ''no_check'''),
  ('_trigger_fsm', 'UPDATE', '''state'''),
  ('_trigger_fsm', 'UPDATE', '''state'', ''not json'''),
  ('_trigger_fsm', 'UPDATE', '''state'', ''[]'''),
  ('_trigger_fsm', 'UPDATE', '''state'', ''{}'''),
  ('_trigger_fsm', 'UPDATE', '''state'', ''{"draft": "published"}'''),
  ('_trigger_fsm', 'UPDATE', '''state'', ''{"draft": [1]}'''),
  ('_trigger_fsm', 'UPDATE', '''no_such'', ''{"draft": []}'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''simple'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''simple'', ''s'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''simple'', ''s'', ''A'', ''state'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''simple'', ''s'', ''E'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''simple'', ''s'', ''AB'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''simple'', ''s'', ''a'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''simple'', ''s'', '''''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''no_such_config'', ''s'', ''A'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''-'', ''s'', ''A'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''4000000000'', ''s'', ''A'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', '''', ''s'', ''A'''),
  ('_trigger_search_vector', 'UPDATE', '''s'', ''simple'', ''state'', ''A'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''simple'', ''n'', ''A'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''simple'', ''sv'', ''A'''),
  ('_trigger_search_vector', 'UPDATE', '''sv'', ''simple'', ''no_such'', ''A'''),
  ('_trigger_soft_delete', 'DELETE', '''b'', ''false'''),
  ('_trigger_soft_delete', 'DELETE', '''b'', ''drop'', '''''),
  ('_trigger_soft_delete', 'DELETE', '''n'', ''false'', '''''),
  ('_trigger_soft_delete', 'DELETE', '''s'', ''now'', '''''),
  ('_trigger_soft_delete', 'DELETE', '''no_such'', ''value'', ''x'''),
  ('_trigger_soft_delete', 'DELETE', '''n'', ''value'', ''not a number'''),
  ('_trigger_managed', 'UPDATE', ''),
  ('_trigger_managed', 'UPDATE', '''hostile.no_such()'''),
  ('_trigger_managed', 'UPDATE', '''pg_catalog.now()'''),
  ('_trigger_managed', 'UPDATE', '''0'''),
  ('_trigger_managed', 'UPDATE', '''not a signature(('''),
  ('_trigger_managed', 'UPDATE', '''pgdb_tools._trigger_managed()'''),
  ('_trigger_managed', 'UPDATE', '''pgdb_tools._trigger_managed()'', ''pgdb_tools._trigger_managed()''');
SELECT executor, args, r[1] AS created, r[2] AS fired
  FROM (SELECT b.*, rolled_back(
          format('CREATE TRIGGER wrong BEFORE %s ON t FOR EACH ROW EXECUTE FUNCTION pgdb_tools.%I(%s)',
                 event, executor, args),
          CASE event WHEN 'DELETE' THEN 'DELETE FROM t' ELSE 'UPDATE t SET s = s' END) AS r
        FROM bad_args b) b
  ORDER BY executor, args;
SELECT * FROM t;
-- a few in full, with DETAIL and HINT
CREATE TRIGGER wrong BEFORE UPDATE ON t FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_search_vector('sv', 'simple', 's', 'E');
UPDATE t SET s = 'b';
DROP TRIGGER wrong ON t;
CREATE TRIGGER wrong BEFORE UPDATE ON t FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_row_version('s', 'check_stale');
UPDATE t SET s = 'b';
DROP TRIGGER wrong ON t;
CREATE TRIGGER wrong BEFORE UPDATE ON t FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_updated_at('ts', 'extra');
UPDATE t SET s = 'b';
DROP TRIGGER wrong ON t;
-- the dispatcher under another name is still the dispatcher (it would call itself forever: a
-- crash, once)
CREATE FUNCTION hostile.alias_managed() RETURNS trigger LANGUAGE C
  AS '$libdir/pgdb_tools', 'pgdb_tools_trigger_managed';
CREATE TRIGGER wrong BEFORE UPDATE ON t FOR EACH ROW
  EXECUTE FUNCTION hostile.alias_managed('hostile.alias_managed()');
UPDATE t SET s = 'b';
DROP FUNCTION hostile.alias_managed() CASCADE;
DROP TABLE bad_args, wrong_way;
DROP VIEW tv;

-- names written by hand resolve in the trusted path, not the firing session's: a text search
-- configuration or trigger function planted in hostile (first in search_path) is not what runs
CREATE TEXT SEARCH CONFIGURATION hostile.simple (COPY = pg_catalog.english);
CREATE FUNCTION hostile.now() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'planted function ran'; END $$;
CREATE TRIGGER by_hand BEFORE UPDATE ON t FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_search_vector('sv', 'simple', 's', 'A');
UPDATE t SET s = 'Running Dogs';
SELECT sv FROM t;
DROP TRIGGER by_hand ON t;
CREATE TRIGGER by_hand BEFORE UPDATE ON t FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_managed('now()');
UPDATE t SET s = 'x';
DROP TRIGGER by_hand ON t;
DROP FUNCTION hostile.now();
-- a text search configuration dropped while a trigger's configuration is cached
CREATE TRIGGER by_hand BEFORE UPDATE ON t FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_search_vector('sv', 'hostile.simple', 's', 'A');
UPDATE t SET s = 'Running Dogs';
SELECT sv FROM t;
DROP TEXT SEARCH CONFIGURATION hostile.simple;
UPDATE t SET s = 'Running Cats';
SELECT sv FROM t;
DROP TRIGGER by_hand ON t;
DROP TABLE t;

-- == Every kind, then every kind of ALTER TABLE on its columns ==
-- Each trigger fires once first, so that its configuration is cached when the table changes.
CREATE TABLE k (id int PRIMARY KEY, title text, body varchar(20), sv tsvector,
                changed timestamptz, version int NOT NULL DEFAULT 1, state text,
                active boolean NOT NULL DEFAULT true, code text, n int NOT NULL DEFAULT 0);
INSERT INTO k (id, title, body, state, code) VALUES (1, 'first', 'body', 'draft', 'K1');
SELECT pgdb_tools.search_vector('k', 'sv', '{"title": "A", "body": "B"}');
SELECT pgdb_tools.updated_at('k', 'changed');
SELECT pgdb_tools.row_version('k', 'version', check_stale => false);
SELECT pgdb_tools.fsm('k', 'state', '{"draft": ["published"], "published": ["draft"]}');
SELECT pgdb_tools.read_only('k', '{code}');
SELECT pgdb_tools.soft_delete('k', 'active');
UPDATE k SET state = 'published', title = 'First';
SELECT id, title, sv, changed IS NOT NULL AS stamped, version, state, active FROM k;

-- One ALTER TABLE, then an UPDATE, an INSERT and a DELETE that leave the altered column alone
-- (so that what fails is the trigger, not the statement), rolled back. Renames are followed and
-- drops of a column a spec names refused (triggers_follow); a column dropped and added again in
-- one statement, or retyped, reaches the executors.
CREATE TABLE alters (alter_sql text);
INSERT INTO alters VALUES
  ('RENAME COLUMN title TO headline'),
  ('RENAME COLUMN sv TO search'),
  ('RENAME COLUMN changed TO touched'),
  ('RENAME COLUMN version TO revision'),
  ('RENAME COLUMN state TO phase'),
  ('RENAME COLUMN active TO live'),
  ('RENAME COLUMN code TO label'),
  ('DROP COLUMN title'),
  ('DROP COLUMN sv'),
  ('DROP COLUMN changed'),
  ('DROP COLUMN version'),
  ('DROP COLUMN state'),
  ('DROP COLUMN active'),
  ('DROP COLUMN code'),
  ('ALTER COLUMN title TYPE integer USING 0'),
  ('ALTER COLUMN title TYPE bigint USING 0'),
  ('ALTER COLUMN title TYPE jsonb USING to_jsonb(title)'),
  ('ALTER COLUMN title TYPE varchar(50)'),
  ('ALTER COLUMN title TYPE char(30)'),
  ('ALTER COLUMN body TYPE bytea USING convert_to(body, $$UTF8$$)'),
  ('ALTER COLUMN body TYPE text'),
  ('ALTER COLUMN sv TYPE text'),
  ('ALTER COLUMN sv TYPE bigint USING 0'),
  ('ALTER COLUMN sv TYPE tsquery USING NULL'),
  ('ALTER COLUMN changed TYPE text'),
  ('ALTER COLUMN changed TYPE bigint USING 0'),
  ('ALTER COLUMN changed TYPE timestamp(0)'),
  ('ALTER COLUMN changed TYPE date'),
  ('ALTER COLUMN version TYPE bigint'),
  ('ALTER COLUMN version TYPE smallint'),
  ('ALTER COLUMN version TYPE numeric'),
  ('ALTER COLUMN version TYPE text'),
  ('ALTER COLUMN version TYPE double precision'),
  ('ALTER COLUMN state TYPE integer USING 0'),
  ('ALTER COLUMN state TYPE varchar(10)'),
  ('ALTER COLUMN state TYPE char(12)'),
  ('ALTER COLUMN active DROP DEFAULT, ALTER COLUMN active TYPE integer USING 1'),
  ('ALTER COLUMN active TYPE text'),
  ('ALTER COLUMN code TYPE integer USING 0'),
  ('ALTER COLUMN code TYPE bytea USING convert_to(code, $$UTF8$$)'),
  ('ALTER COLUMN title SET NOT NULL'),
  ('ALTER COLUMN sv SET NOT NULL, ALTER COLUMN sv SET DEFAULT $$x$$'),
  ('ALTER COLUMN changed SET DEFAULT now(), ALTER COLUMN changed SET NOT NULL'),
  ('ALTER COLUMN version DROP NOT NULL, ALTER COLUMN version DROP DEFAULT'),
  ('ALTER COLUMN active DROP DEFAULT'),
  ('ALTER COLUMN version DROP DEFAULT, ALTER COLUMN version ADD GENERATED ALWAYS AS IDENTITY'),
  ('DROP COLUMN sv, ADD COLUMN sv tsvector GENERATED ALWAYS AS (to_tsvector($$simple$$, coalesce(title, $$$$))) STORED'),
  ('DROP COLUMN changed, ADD COLUMN changed timestamptz GENERATED ALWAYS AS (NULL) STORED'),
  ('DROP COLUMN version, ADD COLUMN version int GENERATED ALWAYS AS (7) STORED'),
  ('DROP COLUMN code, ADD COLUMN code text GENERATED ALWAYS AS (upper(title)) STORED'),
  ('DROP COLUMN title, ADD COLUMN title text'),
  ('DROP COLUMN sv, ADD COLUMN sv tsvector'),
  ('DROP COLUMN changed, ADD COLUMN changed timestamptz'),
  ('DROP COLUMN version, ADD COLUMN version int'),
  ('DROP COLUMN state, ADD COLUMN state text'),
  ('DROP COLUMN active, ADD COLUMN active boolean'),
  ('DROP COLUMN code, ADD COLUMN code text'),
  ('DROP COLUMN title, ADD COLUMN title integer'),
  ('DROP COLUMN sv, ADD COLUMN sv text'),
  ('ADD COLUMN extra text'),
  ('DROP COLUMN id');
SELECT alter_sql, r[1] AS altered, r[2] AS on_update, r[3] AS on_insert, r[4] AS on_delete
  FROM (SELECT alter_sql, rolled_back(
          'ALTER TABLE k ' || alter_sql,
          'UPDATE k SET n = n + 1',
          'INSERT INTO k (id) VALUES (2)',
          'DELETE FROM k WHERE id = 1') AS r
        FROM alters) a;
-- after all of that, rolled back each time, the row and every trigger are as they were
SELECT id, title, sv, version, state, active, code FROM k;
UPDATE k SET state = 'draft';
DELETE FROM k;
SELECT id, title, version, state, active FROM k;

-- committed changes, seen by the next statement of the same session (the cache is warm)
ALTER TABLE k ALTER COLUMN version TYPE bigint;
UPDATE k SET state = 'published';
SELECT version, pg_typeof(version) FROM k;
ALTER TABLE k ALTER COLUMN version TYPE numeric;
UPDATE k SET state = 'draft';
ALTER TABLE k ALTER COLUMN version TYPE int;
UPDATE k SET state = 'published';
ALTER TABLE k ALTER COLUMN changed TYPE timestamp(0);
UPDATE k SET state = 'draft';
SELECT version, changed = now()::timestamp(0) AS stamped_to_the_second FROM k;
ALTER TABLE k ALTER COLUMN changed TYPE text;
UPDATE k SET state = 'published';
ALTER TABLE k ALTER COLUMN changed TYPE timestamptz USING NULL;
ALTER TABLE k RENAME COLUMN title TO headline;
UPDATE k SET state = 'published';
ALTER TABLE k RENAME COLUMN headline TO title;
UPDATE k SET state = 'published';
SELECT title, sv, version, state FROM k;
SELECT trigger_name, status FROM pgdb_tools.triggers WHERE table_name = 'k' ORDER BY 1;
DROP TABLE k, alters;

-- == A partitioned table: the clones on the partitions follow the parent's ALTER TABLE ==
CREATE TABLE parted (id int, title text, sv tsvector) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
SELECT pgdb_tools.search_vector('parted', 'sv', '{"title": "A"}');
INSERT INTO parted VALUES (1, 'one', NULL);
ALTER TABLE parted ALTER COLUMN title TYPE integer USING 0;
INSERT INTO parted VALUES (2, 2, NULL);
ALTER TABLE parted ALTER COLUMN title TYPE text;
INSERT INTO parted VALUES (2, 'two', NULL);
SELECT id, sv FROM parted ORDER BY id;
DROP TABLE parted;

SELECT 'still connected' AS server;
RESET search_path;
DROP SCHEMA hostile CASCADE;
DROP EXTENSION pgdb_tools;
