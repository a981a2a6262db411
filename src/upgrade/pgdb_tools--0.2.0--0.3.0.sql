-- pgdb_tools 0.2.0 -> 0.3.0 (ALTER EXTENSION pgdb_tools UPDATE). test/e2e/upgrade.sh checks that
-- the result is the same, object for object, as a fresh install of 0.3.0, on a database that
-- uses every feature. Routines are drafted with test/upgrade_draft.py (--refresh keeps them equal
-- to the install script); tables, views and grants are migrated by hand so data is kept.
\echo Use "ALTER EXTENSION pgdb_tools UPDATE" to load this file. \quit

-- ==== app roles and pg_dump ====

-- ==== triggers: following renames and drops ====
-- Managed triggers follow renamed columns, tables and schemas; a dropped column a spec needs is
-- refused; the triggers view says 'broken' when a spec no longer fits its table. The registry's
-- rows are kept as they are: records of tables renamed under 0.2.0 stay 'orphaned' (prune_triggers
-- removes them) or, when another table took the old name, show against that table.
CREATE OR REPLACE FUNCTION _follow_renames_end() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_follow_renames_end';
REVOKE ALL ON FUNCTION _follow_renames_end() FROM PUBLIC;
CREATE EVENT TRIGGER pgdb_tools_follow_renames_end ON ddl_command_end
  WHEN TAG IN ('ALTER TABLE', 'ALTER SCHEMA')
  EXECUTE FUNCTION _follow_renames_end();

CREATE OR REPLACE FUNCTION _guard_trigger_columns() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_guard_trigger_columns';
REVOKE ALL ON FUNCTION _guard_trigger_columns() FROM PUBLIC;
CREATE EVENT TRIGGER pgdb_tools_guard_trigger_columns ON sql_drop
  EXECUTE FUNCTION _guard_trigger_columns();

-- Same columns: replaced in place (grants, comment and views on it kept).
CREATE OR REPLACE VIEW triggers AS
SELECT m.table_schema::text AS schema_name,
       m.table_name::text AS table_name,
       m.trigger_name::text AS trigger_name,
       m.kind,
       m.spec,
       CASE WHEN t.oid IS NULL THEN m.enabled ELSE t.tgenabled <> 'D' END AS enabled,
       CASE WHEN c.oid IS NULL THEN 'orphaned'
            WHEN t.oid IS NULL THEN 'missing'
            WHEN r.ddl IS NULL THEN 'broken'
            WHEN pgdb_tools._installed_definition(t.oid) <> m.installed_definition
              OR (t.tgenabled <> 'D') <> m.enabled THEN 'modified'
            WHEN r.ddl <> m.installed_ddl THEN 'outdated'
            ELSE 'installed' END AS status
  FROM pgdb_tools.managed_triggers m
  LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = m.table_schema
  LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = m.table_name
  LEFT JOIN pg_catalog.pg_trigger t ON t.tgrelid = c.oid AND t.tgname = m.trigger_name
  -- the spec rendered against the table as it is now; NULL when it no longer fits (a column it
  -- names is gone or of a type its kind cannot use): 'broken'. Once per row, only for rows whose
  -- trigger exists.
  LEFT JOIN LATERAL (SELECT pgdb_tools._trigger_spec_ddl(m.spec) AS ddl WHERE t.oid IS NOT NULL) r
    ON true;

-- ==== triggers: errors, ignore, migrations ====

-- ==== scheduling ====

-- ==== snapshots ====

-- ==== docs ====
