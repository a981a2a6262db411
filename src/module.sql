-- pgdb_tools install script, assembled by the Makefile from the .sql files beside the C++ sources.
\echo Use "CREATE EXTENSION pgdb_tools" to load this file. \quit

CREATE FUNCTION version() RETURNS text
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'pgdb_tools_version';
COMMENT ON FUNCTION version() IS 'The version of the pgdb_tools extension library';

-- The check every pg_cron scheduling function makes first.
CREATE FUNCTION _require_pg_cron() RETURNS void
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
    RAISE EXCEPTION 'pg_cron is not installed in this database'
      USING ERRCODE = '55000',
            HINT = 'Add pg_cron to shared_preload_libraries and run CREATE EXTENSION pg_cron in the database named by cron.database_name.';
  END IF;
END $$;

-- Every role may use the schema; each function checks the caller's rights itself (README, "Roles
-- and privileges"). Internal functions that must not be called are revoked from PUBLIC.
GRANT USAGE ON SCHEMA pgdb_tools TO PUBLIC;

-- Whether the current user may keep, in its own pg_dump, a catalog row about the given role and
-- table (NULL: no such condition), and load it back with pg_restore: a superuser always; anyone
-- else when a member of that role, and of the owner of that table, which must exist. The filters
-- of the catalog tables registered with pg_extension_config_dump (pg_dump evaluates them as the
-- dumping role) and the check of rows loaded by a role that is not a superuser.
CREATE FUNCTION _dump_keeps(role_name name, table_schema name, table_name name) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user), false)
      OR ((role_name IS NULL
           OR EXISTS (SELECT FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) role_name
                         AND pg_has_role(r.oid, 'MEMBER')))
          AND (table_schema IS NULL
               OR EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                           WHERE n.nspname OPERATOR(pg_catalog.=) table_schema
                             AND c.relname OPERATOR(pg_catalog.=) table_name
                             AND pg_has_role(c.relowner, 'MEMBER'))))
$$;

-- A row loaded into a catalog table (pg_restore, as the database owner holds INSERT on them) by a
-- role that is not a superuser must be one that role could have made through the functions: of
-- its own tables, sets, schedules and snapshots. The extension's own code writes as its owner.
CREATE FUNCTION _check_restored_row() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ok boolean;
  what text;
BEGIN
  IF coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user), false) THEN
    RETURN NEW;
  END IF;
  CASE TG_TABLE_NAME
  WHEN 'managed_triggers' THEN
    what := pg_catalog.format('trigger %I on %I.%I', NEW.trigger_name, NEW.table_schema, NEW.table_name);
    ok := pgdb_tools._dump_keeps(NULL, NEW.table_schema, NEW.table_name);
  WHEN 'partition_sets' THEN
    what := pg_catalog.format('partition set %I.%I', NEW.parent_schema, NEW.parent_name);
    ok := pgdb_tools._dump_keeps(NEW.owner_name, NEW.parent_schema, NEW.parent_name);
  WHEN 'snapshot_schedules' THEN
    what := pg_catalog.format('snapshot schedule %L of %I', NEW.name_prefix, NEW.owner_name);
    ok := NEW.owner_name OPERATOR(pg_catalog.=) current_user;
  WHEN 'snapshot_catalog' THEN
    what := pg_catalog.format('snapshot %L of %I', NEW.name, NEW.created_by);
    ok := pgdb_tools._snapshot_creator(NEW.created_by_oid, NEW.created_by, NEW.created_on);
  WHEN 'snapshot_items' THEN
    what := pg_catalog.format('table %I.%I of snapshot %s (copy %I)', NEW.source_schema,
                              NEW.source_name, NEW.snapshot_id, NEW.storage_name);
    -- its snapshot is the caller's; its copy is a table the caller owns (pg_restore made it) that
    -- no other snapshot uses; the table it was taken of, if it is there, is the caller's
    ok := EXISTS (SELECT FROM pgdb_tools.snapshot_catalog k
                   WHERE k.snapshot_id OPERATOR(pg_catalog.=) NEW.snapshot_id
                     AND pgdb_tools._snapshot_creator(k.created_by_oid, k.created_by, k.created_on))
          AND EXISTS (SELECT FROM pg_class c
                       WHERE c.relnamespace OPERATOR(pg_catalog.=) 'pgdb_tools_snapshots'::pg_catalog.regnamespace
                         AND c.relname OPERATOR(pg_catalog.=) NEW.storage_name AND c.relkind OPERATOR(pg_catalog.=) 'r'
                         AND pg_has_role(c.relowner, 'MEMBER'))
          AND NOT EXISTS (SELECT FROM pgdb_tools.snapshot_items i
                           WHERE i.storage_name OPERATOR(pg_catalog.=) NEW.storage_name)
          AND (pgdb_tools._dump_keeps(NULL, NEW.source_schema, NEW.source_name)
               OR NOT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                               WHERE n.nspname OPERATOR(pg_catalog.=) NEW.source_schema
                                 AND c.relname OPERATOR(pg_catalog.=) NEW.source_name));
  END CASE;
  IF NOT ok THEN
    RAISE EXCEPTION 'cannot load % into pgdb_tools.%: it is not yours', what, TG_TABLE_NAME
      USING ERRCODE = '42501',
            DETAIL = 'A role that is not a superuser loads only rows it could have made itself: of its own tables, partition sets, schedules and snapshots.',
            HINT = 'Restore a dump holding other roles'' rows as a superuser.';
  END IF;
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION _check_restored_row() FROM PUBLIC;
