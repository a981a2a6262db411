-- pgdb_tools 0.2.0 -> 0.3.0 (ALTER EXTENSION pgdb_tools UPDATE). test/e2e/upgrade.sh checks that
-- the result is the same, object for object, as a fresh install of 0.3.0, on a database that
-- uses every feature. Routines are drafted with test/upgrade_draft.py (--refresh keeps them equal
-- to the install script); tables, views and grants are migrated by hand so data is kept.
\echo Use "ALTER EXTENSION pgdb_tools UPDATE" to load this file. \quit

-- ==== app roles and pg_dump ====

-- ==== triggers: following renames and drops ====

-- ==== triggers: errors, ignore, migrations ====
-- apply_triggers gains tables, trigger_ddl gains full: new signatures, so dropped and created
-- (nothing depends on them: the kind functions call the C code directly).
DROP FUNCTION apply_triggers(jsonb, boolean, boolean);

DROP FUNCTION trigger_ddl(jsonb);

CREATE OR REPLACE FUNCTION apply_triggers(specs jsonb, prune boolean DEFAULT false, dry_run boolean DEFAULT false,
                               tables regclass[] DEFAULT NULL)
  RETURNS TABLE(action text, table_name text, trigger_name text, detail text)
  LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_apply_triggers';

CREATE OR REPLACE FUNCTION trigger_ddl(specs jsonb, full boolean DEFAULT false) RETURNS text
  LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_ddl';

COMMENT ON FUNCTION apply_triggers(jsonb, boolean, boolean, regclass[]) IS
  'Makes the declared triggers exist as declared (create, replace, unchanged; drop with prune, also on the listed tables)';

COMMENT ON FUNCTION trigger_ddl(jsonb, boolean) IS
  'The SQL apply_triggers would run for specs; with full, the complete DDL of every spec';

-- ==== scheduling ====

-- ==== snapshots ====

-- ==== docs ====
