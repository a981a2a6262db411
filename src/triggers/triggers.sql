-- Trigger generation: the managed-trigger catalog, the native executors, apply_triggers() and the
-- kind functions (each one spec through apply_triggers).

CREATE TABLE managed_triggers (
  table_schema name NOT NULL,
  table_name name NOT NULL,
  trigger_name name NOT NULL,
  kind text NOT NULL,
  spec jsonb NOT NULL,
  installed_definition text NOT NULL,
  installed_ddl text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  installed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (table_schema, table_name, trigger_name)
);
COMMENT ON TABLE managed_triggers IS
  'Triggers pgdb_tools manages: the declared spec and pg_get_triggerdef() as installed';
-- A dump by a role that is not a superuser keeps the records of its own tables' triggers, which
-- it may load back (docs/snapshots.md, "pg_dump and pg_restore").
SELECT pg_catalog.pg_extension_config_dump('managed_triggers',
  'WHERE pgdb_tools._dump_keeps(NULL, table_schema, table_name)');
REVOKE ALL ON managed_triggers FROM PUBLIC;
GRANT SELECT ON managed_triggers TO PUBLIC;
GRANT INSERT ON managed_triggers TO pg_database_owner;
CREATE TRIGGER check_restored_row BEFORE INSERT ON managed_triggers
  FOR EACH ROW EXECUTE FUNCTION _check_restored_row();

CREATE FUNCTION _trigger_protect() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_protect';
CREATE FUNCTION _trigger_updated_at() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_updated_at';
CREATE FUNCTION _trigger_read_only() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_read_only';
CREATE FUNCTION _trigger_row_version() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_row_version';
CREATE FUNCTION _trigger_fsm() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_fsm';
CREATE FUNCTION _trigger_search_vector() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_search_vector';
CREATE FUNCTION _trigger_managed() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_managed';
CREATE FUNCTION _trigger_soft_delete() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_soft_delete';
CREATE FUNCTION _trigger_history() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_history';

CREATE FUNCTION apply_triggers(specs jsonb, prune boolean DEFAULT false, dry_run boolean DEFAULT false,
                               tables regclass[] DEFAULT NULL)
  RETURNS TABLE(action text, table_name text, trigger_name text, detail text)
  LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_apply_triggers';
COMMENT ON FUNCTION apply_triggers(jsonb, boolean, boolean, regclass[]) IS
  'Makes the declared triggers exist as declared (create, replace, unchanged; drop with prune, also on the listed tables)';

CREATE FUNCTION trigger_ddl(specs jsonb, full boolean DEFAULT false) RETURNS text
  LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_ddl';
COMMENT ON FUNCTION trigger_ddl(jsonb, boolean) IS
  'The SQL apply_triggers would run for specs; with full, the complete DDL of every spec';

CREATE FUNCTION _trigger_spec_ddl(spec jsonb) RETURNS text
  LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_spec_ddl';

-- The kind functions: one spec each, built by one C entry point from the function's name (the
-- kind) and argument names (the spec's keys). C rather than SQL: the caller's search_path is
-- needed for the condition (which may call the caller's own functions, resolved when the trigger
-- is created) while everything else runs under the trusted path, which SET search_path on an SQL
-- function would hide.
CREATE FUNCTION protect(tbl regclass, operations text[] DEFAULT '{UPDATE,DELETE}',
                        message text DEFAULT NULL, condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';
COMMENT ON FUNCTION protect(regclass, text[], text, text, text) IS
  'Refuses the listed operations on the table with an error naming the trigger and table';

CREATE FUNCTION updated_at(tbl regclass, column_name text DEFAULT 'updated_at',
                           on_insert boolean DEFAULT false, condition text DEFAULT NULL,
                           name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';
COMMENT ON FUNCTION updated_at(regclass, text, boolean, text, text) IS
  'Sets the column to the transaction timestamp on UPDATE (and INSERT when asked)';

CREATE FUNCTION read_only(tbl regclass, columns text[] DEFAULT NULL,
                          except_columns text[] DEFAULT NULL, condition text DEFAULT NULL,
                          name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';
COMMENT ON FUNCTION read_only(regclass, text[], text[], text, text) IS
  'Refuses an UPDATE that changes a listed column (NULL: every column but except_columns)';

CREATE FUNCTION soft_delete(tbl regclass, column_name text, value text DEFAULT NULL,
                            condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';
COMMENT ON FUNCTION soft_delete(regclass, text, text, text, text) IS
  'DELETE becomes an UPDATE of the column (to value; false or now() by default)';

CREATE FUNCTION fsm(tbl regclass, column_name text, transitions jsonb,
                    condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';
COMMENT ON FUNCTION fsm(regclass, text, jsonb, text, text) IS
  'Refuses a change of the state column that transitions does not allow';

CREATE FUNCTION row_version(tbl regclass, column_name text DEFAULT 'version',
                            check_stale boolean DEFAULT true, condition text DEFAULT NULL,
                            name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';
COMMENT ON FUNCTION row_version(regclass, text, boolean, text, text) IS
  'Increments an integer version on every UPDATE; with check_stale refuses stale updates (40001)';

CREATE FUNCTION track_history(tbl regclass, history_table text DEFAULT NULL,
                              operations text[] DEFAULT '{INSERT,UPDATE,DELETE}',
                              exclude_columns text[] DEFAULT '{}', format text DEFAULT 'row',
                              changed_only boolean DEFAULT true, condition text DEFAULT NULL,
                              name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';
COMMENT ON FUNCTION track_history(regclass, text, text[], text[], text, boolean, text, text) IS
  'Records every change of the table (who, when, why) in its history table, created when missing';

CREATE FUNCTION set_context(context jsonb) RETURNS jsonb
  LANGUAGE C VOLATILE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'pgdb_tools_set_context';
COMMENT ON FUNCTION set_context(jsonb) IS
  'Merges context into this transaction''s context, which history events record';

CREATE FUNCTION current_context() RETURNS jsonb
  LANGUAGE C STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'pgdb_tools_current_context';
COMMENT ON FUNCTION current_context() IS
  'The context set_context() gave this transaction, NULL when none';

CREATE FUNCTION drop_trigger(tbl regclass, name text) RETURNS boolean
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_drop_trigger';
COMMENT ON FUNCTION drop_trigger(regclass, text) IS
  'Drops a managed trigger and its record; false when there was nothing to drop';

CREATE FUNCTION enable_trigger(tbl regclass, name text, enabled boolean DEFAULT true) RETURNS boolean
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_enable_trigger';
COMMENT ON FUNCTION enable_trigger(regclass, text, boolean) IS
  'Enables or disables a managed trigger; apply_triggers keeps the choice';

CREATE FUNCTION prune_triggers(tbl regclass DEFAULT NULL) RETURNS integer
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_prune_triggers';
COMMENT ON FUNCTION prune_triggers(regclass) IS
  'Removes the records of managed triggers that are missing or whose table is gone';

CREATE FUNCTION search_vector(tbl regclass, column_name text, columns jsonb,
                              config regconfig DEFAULT 'simple', condition text DEFAULT NULL,
                              name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';
COMMENT ON FUNCTION search_vector(regclass, text, jsonb, regconfig, text, text) IS
  'Keeps a tsvector column from weighted text columns';

CREATE FUNCTION manage_trigger(tbl regclass, function regprocedure, timing text DEFAULT 'AFTER',
                               events text[] DEFAULT '{INSERT,UPDATE,DELETE}',
                               level text DEFAULT 'ROW', args text[] DEFAULT '{}',
                               condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';
COMMENT ON FUNCTION manage_trigger(regclass, regprocedure, text, text[], text, text[], text, text) IS
  'Puts a trigger function of your own under management (listing, drift, ignore, prune)';

-- Members of this role may ignore() any managed trigger; table owners may ignore their own.
-- Roles belong to the cluster, not to the extension: DROP EXTENSION leaves it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'pgdb_tools_bypass') THEN
    CREATE ROLE pgdb_tools_bypass NOLOGIN;
  END IF;
END $$;

CREATE FUNCTION ignore(VARIADIC trigger_names text[]) RETURNS integer
  LANGUAGE C PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'pgdb_tools_ignore';
COMMENT ON FUNCTION ignore(text[]) IS
  'The named managed triggers (or * for all the caller may bypass) do nothing until the end of the transaction, in this session';

-- pg_get_triggerdef() qualifies names relative to search_path: compare with what was recorded
-- (under pinned search_path) under the same path, whatever the viewer's. A history trigger's
-- TRUNCATE companion (the history executor with ..., 'companion', <trigger name> as its last
-- arguments) is part of the managed trigger: its definition follows on a line of its own.
CREATE FUNCTION _installed_definition(trigger_oid oid) RETURNS text
  LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp
  AS $$
SELECT pg_catalog.pg_get_triggerdef(t.oid) OPERATOR(pg_catalog.||) COALESCE(
         (SELECT E'\n' OPERATOR(pg_catalog.||) pg_catalog.pg_get_triggerdef(c.oid)
            FROM pg_catalog.pg_trigger c
           WHERE c.tgrelid OPERATOR(pg_catalog.=) t.tgrelid
             AND c.tgfoid OPERATOR(pg_catalog.=) 'pgdb_tools._trigger_history()'::pg_catalog.regprocedure
             AND c.tgnargs OPERATOR(pg_catalog.=) 5
             AND pg_catalog.position(c.tgargs,
                   '\x00636f6d70616e696f6e00'::pg_catalog.bytea
                   OPERATOR(pg_catalog.||) pg_catalog.convert_to(t.tgname::pg_catalog.text,
                                                                 pg_catalog.getdatabaseencoding())
                   OPERATOR(pg_catalog.||) '\x00'::pg_catalog.bytea) OPERATOR(pg_catalog.>) 0
           ORDER BY c.tgname LIMIT 1), '')
  FROM pg_catalog.pg_trigger t WHERE t.oid OPERATOR(pg_catalog.=) trigger_oid
$$;

CREATE VIEW triggers AS
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
GRANT SELECT ON triggers TO PUBLIC;
COMMENT ON VIEW triggers IS 'Managed triggers and whether each is installed as declared';

-- Managed triggers follow their tables and columns (docs/triggers.md, "Renames and drops"): the
-- records of a renamed or moved table move at ddl_command_start (pgdb_tools_follow_renamed_sets,
-- with the partition sets), and at ddl_command_end the specs are rendered again under the new
-- names, a renamed column's triggers re-created; a dropped column a spec needs is refused.
CREATE FUNCTION _follow_renames_end() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_follow_renames_end';
REVOKE ALL ON FUNCTION _follow_renames_end() FROM PUBLIC;
CREATE EVENT TRIGGER pgdb_tools_follow_renames_end ON ddl_command_end
  WHEN TAG IN ('ALTER TABLE', 'ALTER SCHEMA', 'ALTER INDEX', 'ALTER VIEW', 'ALTER MATERIALIZED VIEW',
               'ALTER FOREIGN TABLE', 'ALTER TYPE')
  EXECUTE FUNCTION _follow_renames_end();
CREATE FUNCTION _guard_trigger_columns() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_guard_trigger_columns';
REVOKE ALL ON FUNCTION _guard_trigger_columns() FROM PUBLIC;
CREATE EVENT TRIGGER pgdb_tools_guard_trigger_columns ON sql_drop
  EXECUTE FUNCTION _guard_trigger_columns();
