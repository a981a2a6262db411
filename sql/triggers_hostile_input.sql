-- Every trigger-room SQL function with NULL in each argument, empty arrays and strings, names
-- with quotes, spaces, unicode and over 63 bytes, and injection fragments: each call works or
-- fails with a clear SQLSTATE, never XX000 and never a crash. (Before: names over 63 bytes, a
-- manage_trigger function OID naming nothing and regclass '-' gave XX000 or 42P01 "OID 0".)
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS fuzz CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA fuzz;
SET search_path = fuzz, public;

-- "ok: <result>" or "SQLSTATE: message", for one query returning one value.
CREATE FUNCTION outcome(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  result text;
BEGIN
  EXECUTE query INTO result;
  RETURN 'ok: ' || coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE t (id int, s text, u timestamptz, v int, sv tsvector, "Mixed ""Case"" col" text);
CREATE TABLE "Ünïcødé tåble" (id int, updated_at timestamptz);
CREATE FUNCTION fuzz.noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';

CREATE TABLE calls (n serial, query text);
INSERT INTO calls (query) VALUES
  -- protect
  ($$SELECT pgdb_tools.protect(NULL)$$),
  ($$SELECT pgdb_tools.protect('-')$$),
  ($$SELECT pgdb_tools.protect(0)$$),
  ($$SELECT pgdb_tools.protect('no_such_table')$$),
  ($$SELECT pgdb_tools.protect('pgdb_tools.snapshot_catalog')$$),
  ($$SELECT pgdb_tools.protect('pgdb_tools.managed_triggers', '{TRUNCATE}')$$),
  ($$SELECT pgdb_tools.protect('t', NULL)$$),
  ($$SELECT pgdb_tools.protect('t', '{}')$$),
  ($$SELECT pgdb_tools.protect('t', '{NULL}')$$),
  ($$SELECT pgdb_tools.protect('t', '{""}')$$),
  ($$SELECT pgdb_tools.protect('t', '{{UPDATE}}')$$),
  ($$SELECT pgdb_tools.protect('t', '{UPDATE}', '')$$),
  ($$SELECT pgdb_tools.protect('t', '{UPDATE}', NULL, '')$$),
  ($$SELECT pgdb_tools.protect('t', '{UPDATE}', NULL, NULL, '')$$),
  ($$SELECT pgdb_tools.protect('t', '{UPDATE}', NULL, NULL, repeat('x', 63))$$),
  ($$SELECT pgdb_tools.protect('t', '{UPDATE}', NULL, NULL, repeat('x', 64))$$),
  ($$SELECT pgdb_tools.protect('t', '{UPDATE}', NULL, NULL, repeat('é', 32))$$),
  ($$SELECT pgdb_tools.protect('t', '{UPDATE}', NULL, NULL, 'a "quoted" name, with spaces')$$),
  ($$SELECT pgdb_tools.protect('t', '{UPDATE}', NULL, NULL, 'x"; DROP TABLE fuzz.t; --')$$),
  ($$SELECT pgdb_tools.protect('t', '{UPDATE}', $m$it's '; DROP TABLE t; --$m$, NULL, 'msg')$$),
  ($$SELECT pgdb_tools.protect('"Ünïcødé tåble"', '{DELETE}')$$),
  -- updated_at
  ($$SELECT pgdb_tools.updated_at(NULL)$$),
  ($$SELECT pgdb_tools.updated_at('t', NULL)$$),
  ($$SELECT pgdb_tools.updated_at('t', '')$$),
  ($$SELECT pgdb_tools.updated_at('t', repeat('u', 64))$$),
  ($$SELECT pgdb_tools.updated_at('t', 'u', NULL)$$),
  ($$SELECT pgdb_tools.updated_at('t', 'u', NULL, NULL, NULL)$$),
  ($$SELECT pgdb_tools.updated_at('"Ünïcødé tåble"')$$),
  -- read_only
  ($$SELECT pgdb_tools.read_only(NULL)$$),
  ($$SELECT pgdb_tools.read_only('t', '{}')$$),
  ($$SELECT pgdb_tools.read_only('t', '{NULL}')$$),
  ($$SELECT pgdb_tools.read_only('t', '{""}')$$),
  ($$SELECT pgdb_tools.read_only('t', NULL, '{}')$$),
  ($$SELECT pgdb_tools.read_only('t', '{s}', '{s}')$$),
  ($$SELECT pgdb_tools.read_only('t', '{"Mixed \"Case\" col"}')$$),
  -- soft_delete
  ($$SELECT pgdb_tools.soft_delete('t', NULL)$$),
  ($$SELECT pgdb_tools.soft_delete('t', '')$$),
  ($$SELECT pgdb_tools.soft_delete('t', 's', NULL)$$),
  ($$SELECT pgdb_tools.soft_delete('t', 'v', 'not a number')$$),
  ($$SELECT pgdb_tools.soft_delete('t', 's', '')$$),
  -- fsm
  ($$SELECT pgdb_tools.fsm('t', 's', NULL)$$),
  ($$SELECT pgdb_tools.fsm('t', NULL, '{"a": ["b"]}')$$),
  ($$SELECT pgdb_tools.fsm('t', 's', '{}')$$),
  ($$SELECT pgdb_tools.fsm('t', 's', '[]')$$),
  ($$SELECT pgdb_tools.fsm('t', 's', 'null')$$),
  ($$SELECT pgdb_tools.fsm('t', 's', '"draft"')$$),
  ($$SELECT pgdb_tools.fsm('t', 's', '{"a": null}')$$),
  ($$SELECT pgdb_tools.fsm('t', 's', '{"a": [null]}')$$),
  ($$SELECT pgdb_tools.fsm('t', 's', '{"": [""]}')$$),
  -- row_version
  ($$SELECT pgdb_tools.row_version('t', NULL)$$),
  ($$SELECT pgdb_tools.row_version('t', 'v', NULL)$$),
  ($$SELECT pgdb_tools.row_version('t', 's')$$),
  -- search_vector
  ($$SELECT pgdb_tools.search_vector('t', NULL, '{"s": "A"}')$$),
  ($$SELECT pgdb_tools.search_vector('t', 'sv', NULL)$$),
  ($$SELECT pgdb_tools.search_vector('t', 'sv', '{}')$$),
  ($$SELECT pgdb_tools.search_vector('t', 'sv', '[]')$$),
  ($$SELECT pgdb_tools.search_vector('t', 'sv', '{"s": null}')$$),
  ($$SELECT pgdb_tools.search_vector('t', 'sv', '{"s": "Z"}')$$),
  ($$SELECT pgdb_tools.search_vector('t', 'sv', '{"": "A"}')$$),
  ($$SELECT pgdb_tools.search_vector('t', 'sv', '{"s": "A"}', NULL)$$),
  ($$SELECT pgdb_tools.search_vector('t', 'sv', '{"s": "A"}', 0)$$),
  ($$SELECT pgdb_tools.search_vector('t', 'sv', '{"s": "A"}', 'no_such_config')$$),
  -- manage_trigger
  ($$SELECT pgdb_tools.manage_trigger('pgdb_tools.snapshot_catalog', 'fuzz.noop()')$$),
  ($$SELECT pgdb_tools.manage_trigger('t', NULL)$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 0)$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 123456789)$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 'pgdb_tools._trigger_managed()')$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 'fuzz.noop()', NULL)$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 'fuzz.noop()', '')$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 'fuzz.noop()', 'SIDEWAYS')$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 'fuzz.noop()', 'BEFORE', '{}')$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 'fuzz.noop()', 'BEFORE', '{NULL}')$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 'fuzz.noop()', 'BEFORE', '{INSERT}', 'ROWS')$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 'fuzz.noop()', 'BEFORE', '{INSERT}', 'ROW', NULL)$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 'fuzz.noop()', 'BEFORE', '{INSERT}', 'ROW', '{NULL}')$$),
  ($$SELECT pgdb_tools.manage_trigger('t', 'fuzz.noop()', 'BEFORE', '{INSERT}', 'ROW', '{"", "it''s"}')$$),
  -- apply_triggers and trigger_ddl
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers(NULL)$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('{}')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('null')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[null]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "t"}]', NULL, NULL)$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": ""}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "-"}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "0"}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "123456789"}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "t; DROP TABLE t"}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers(jsonb_build_array(jsonb_build_object('kind', 'protect', 'tbl', 't', 'name', repeat('n', 64))))$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "manage_trigger", "tbl": "t", "function": "123456789"}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "manage_trigger", "tbl": "t", "function": "0"}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "manage_trigger", "tbl": "t", "function": ""}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "manage_trigger", "tbl": "t", "function": "-"}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "search_vector", "tbl": "t", "column_name": "sv", "columns": {"s": "A"}, "config": "0"}]')$$),
  ($$SELECT count(*) FROM pgdb_tools.apply_triggers('[{"kind": "search_vector", "tbl": "t", "column_name": "sv", "columns": {"s": "A"}, "config": "123456789"}]')$$),
  ($$SELECT pgdb_tools.trigger_ddl(NULL)$$),
  ($$SELECT pgdb_tools.trigger_ddl('[]')$$),
  ($$SELECT pgdb_tools.trigger_ddl('[{"kind": "protect", "tbl": "t", "name": ""}]')$$),
  -- drop_trigger, enable_trigger, prune_triggers
  ($$SELECT pgdb_tools.drop_trigger(NULL, NULL)$$),
  ($$SELECT pgdb_tools.drop_trigger(NULL, 'x')$$),
  ($$SELECT pgdb_tools.drop_trigger('-', 'x')$$),
  ($$SELECT pgdb_tools.drop_trigger(0, 'x')$$),
  ($$SELECT pgdb_tools.drop_trigger(123456789, 'x')$$),
  ($$SELECT pgdb_tools.drop_trigger('t', NULL)$$),
  ($$SELECT pgdb_tools.drop_trigger('t', '')$$),
  ($$SELECT pgdb_tools.drop_trigger('t', repeat('x', 64))$$),
  ($$SELECT pgdb_tools.drop_trigger('t', 'no_such')$$),
  ($$SELECT pgdb_tools.enable_trigger(NULL, 'x')$$),
  ($$SELECT pgdb_tools.enable_trigger('t', NULL)$$),
  ($$SELECT pgdb_tools.enable_trigger('t', repeat('x', 64))$$),
  ($$SELECT pgdb_tools.enable_trigger('t', 'no_such', NULL)$$),
  ($$SELECT pgdb_tools.prune_triggers(NULL)$$),
  ($$SELECT pgdb_tools.prune_triggers('-')$$),
  ($$SELECT pgdb_tools.prune_triggers(0)$$),
  -- ignore
  ($$SELECT pgdb_tools.ignore(NULL)$$),
  ($$SELECT pgdb_tools.ignore(NULL::text)$$),
  ($$SELECT pgdb_tools.ignore(VARIADIC NULL::text[])$$),
  ($$SELECT pgdb_tools.ignore(VARIADIC '{}'::text[])$$),
  ($$SELECT pgdb_tools.ignore(VARIADIC '{{a}}'::text[])$$),
  ($$SELECT pgdb_tools.ignore('')$$),
  ($$SELECT pgdb_tools.ignore(repeat('x', 64))$$),
  ($$SELECT pgdb_tools.ignore('a.b.c.d')$$),
  ($$SELECT pgdb_tools.ignore('"unterminated.x')$$),
  ($$SELECT pgdb_tools.ignore('no_such_table.trig')$$),
  ($$SELECT pgdb_tools.ignore('no_such_schema.t.trig')$$),
  ($$SELECT pgdb_tools.ignore('t.no_such_trigger')$$),
  ($$SELECT pgdb_tools.ignore('t.' || repeat('x', 64))$$),
  ($$SELECT pgdb_tools.ignore('*')$$),
  ($$SELECT pgdb_tools.ignore('*', '*')$$),
  ($$SELECT pgdb_tools.ignore('pgdb_protect_t', 'fuzz.t.pgdb_protect_t', 't.pgdb_protect_t')$$),
  ($$SELECT pgdb_tools.ignore('fuzz."Ünïcødé tåble".pgdb_protect_Ünïcødé tåble')$$),
  ($$SELECT pgdb_tools.ignore('fuzz."Ünïcødé tåble"."pgdb_protect_Ünïcødé tåble"')$$),
  ($$SELECT pgdb_tools.ignore('a "quoted" name, with spaces')$$),
  -- internal helpers
  ($$SELECT pgdb_tools._trigger_spec_ddl(NULL)$$),
  ($$SELECT pgdb_tools._trigger_spec_ddl('{}')$$),
  ($$SELECT pgdb_tools._trigger_spec_ddl('[]')$$),
  ($$SELECT pgdb_tools._trigger_spec_ddl('{"kind": "protect", "tbl": "0"}')$$),
  ($$SELECT pgdb_tools._installed_definition(NULL)$$),
  ($$SELECT pgdb_tools._installed_definition(0)$$),
  ($$SELECT pgdb_tools._trigger_protect()$$),
  ($$SELECT pgdb_tools._trigger_search_vector()$$),
  ($$SELECT pgdb_tools._trigger_managed()$$);

SELECT n, query, outcome(query) FROM calls ORDER BY n;

-- never an internal error
SELECT count(*) AS internal_errors FROM calls WHERE outcome(query) LIKE 'XX%';
-- the table survived the injection fragments, and names were kept as given
SELECT tgname FROM pg_trigger WHERE tgrelid = 't'::regclass ORDER BY tgname COLLATE "C";
SELECT table_name, trigger_name, status FROM pgdb_tools.triggers
  ORDER BY table_name, trigger_name COLLATE "C";

\set VERBOSITY default
-- two in full
SELECT pgdb_tools.protect('t', '{UPDATE}', NULL, NULL, repeat('x', 64));
SELECT pgdb_tools.manage_trigger('t', 123456789);

RESET search_path;
DROP SCHEMA fuzz CASCADE;
DROP EXTENSION pgdb_tools;
