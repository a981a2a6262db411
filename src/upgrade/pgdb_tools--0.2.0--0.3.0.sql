-- pgdb_tools 0.2.0 -> 0.3.0 (ALTER EXTENSION pgdb_tools UPDATE). test/e2e/upgrade.sh checks that
-- the result is the same, object for object, as a fresh install of 0.3.0, on a database that
-- uses every feature. Routines are drafted with test/upgrade_draft.py (--refresh keeps them equal
-- to the install script); tables, views and grants are migrated by hand so data is kept.
\echo Use "ALTER EXTENSION pgdb_tools UPDATE" to load this file. \quit

-- ==== app roles and pg_dump ====
-- Every role may use the schema (each function checks the caller's rights); pg_dump and pg_restore
-- work as the database owner (docs/snapshots.md, "pg_dump and pg_restore").
GRANT USAGE ON SCHEMA pgdb_tools TO PUBLIC;
GRANT CREATE ON SCHEMA pgdb_tools_snapshots TO pg_database_owner;
-- snapshot_schedules loses its row-level security (pg_dump fails on it); roles read their own
-- schedules through a view
DROP POLICY own_schedules ON snapshot_schedules;
ALTER TABLE snapshot_schedules DISABLE ROW LEVEL SECURITY;
REVOKE SELECT ON snapshot_schedules FROM PUBLIC;
CREATE VIEW _own_snapshot_schedules WITH (security_barrier) AS
SELECT * FROM snapshot_schedules WHERE owner_name OPERATOR(pg_catalog.=) current_user;
GRANT SELECT ON _own_snapshot_schedules TO PUBLIC;
CREATE OR REPLACE FUNCTION _dump_keeps(role_name name, table_schema name, table_name name) RETURNS boolean
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

CREATE OR REPLACE FUNCTION _check_restored_row() RETURNS trigger
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

CREATE OR REPLACE FUNCTION _snapshot_resolve(name text)
  RETURNS TABLE(snapshot_id bigint, candidates bigint, creators text)
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH visible AS (
    SELECT DISTINCT c.snapshot_id, c.created_by,
           c.creator OPERATOR(pg_catalog.=)
             (SELECT r.oid FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user) AS own
      FROM pgdb_tools._snapshot_contents c
     WHERE c.snapshot_name OPERATOR(pg_catalog.=) _snapshot_resolve.name),
  -- A name one of the caller's schedules takes (<prefix>_<YYYYMMDD_HHMMSS>) means the caller's
  -- own snapshot only: never a copy another role made under it.
  scheduled AS (
    SELECT EXISTS (
      SELECT FROM pgdb_tools._own_snapshot_schedules s
       WHERE s.owner_name OPERATOR(pg_catalog.=) current_user
         AND (left(_snapshot_resolve.name, length(s.name_prefix) OPERATOR(pg_catalog.+) 1)
              OPERATOR(pg_catalog.=) (s.name_prefix OPERATOR(pg_catalog.||) '_'))
         AND (substr(_snapshot_resolve.name, length(s.name_prefix) OPERATOR(pg_catalog.+) 2)
              OPERATOR(pg_catalog.~) '^[0-9]{8}_[0-9]{6}$')) AS mine)
  SELECT CASE WHEN bool_or(v.own) THEN min(v.snapshot_id) FILTER (WHERE v.own)
              WHEN count(*) OPERATOR(pg_catalog.=) 1 THEN min(v.snapshot_id) END,
         CASE WHEN bool_or(v.own) THEN 1 ELSE count(*) END,
         string_agg(quote_ident(v.created_by), ', ' ORDER BY v.created_by)
    FROM visible v, scheduled
   WHERE v.own OR NOT scheduled.mine
$$;

CREATE OR REPLACE FUNCTION _dumps_snapshot(snapshot_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT FROM pgdb_tools.snapshot_catalog c
                  WHERE c.snapshot_id OPERATOR(pg_catalog.=) _dumps_snapshot.snapshot_id
                    AND pgdb_tools._snapshot_creator(c.created_by_oid, c.created_by, c.created_on))
$$;

CREATE OR REPLACE FUNCTION _take_scheduled_snapshot(name_prefix text) RETURNS bigint
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s pgdb_tools.snapshot_schedules;
  id bigint;
BEGIN
  SELECT * INTO s FROM pgdb_tools._own_snapshot_schedules
   WHERE _own_snapshot_schedules.name_prefix = _take_scheduled_snapshot.name_prefix
     AND owner_name = current_user;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'you have no snapshot schedule with prefix "%"', name_prefix USING ERRCODE = '42704';
  END IF;
  IF EXISTS (SELECT FROM unnest(s.tables) t(relid) WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = t.relid)) THEN
    RAISE EXCEPTION 'a table of snapshot schedule "%" no longer exists', name_prefix
      USING ERRCODE = '42P01',
            HINT = 'Schedule again with schedule_snapshot() and the tables as they are now.';
  END IF;
  id := pgdb_tools.snapshot_create(
          name_prefix || '_' || to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYYMMDD_HH24MISS'),
          s.tables, s.schemas, 'scheduled by pgdb_tools.schedule_snapshot', '{}');
  PERFORM pgdb_tools.snapshot_prune(keep_last => s.keep_last, name_prefix => name_prefix);
  RETURN id;
END $$;
REVOKE ALL ON FUNCTION _check_restored_row() FROM PUBLIC;
GRANT SELECT, INSERT ON snapshot_catalog, snapshot_items, snapshot_schedules TO pg_database_owner;
GRANT SELECT, UPDATE ON snapshot_ids TO pg_database_owner;
GRANT INSERT ON managed_triggers, partition_sets TO pg_database_owner;
SELECT pg_catalog.pg_extension_config_dump('managed_triggers',
  'WHERE pgdb_tools._dump_keeps(NULL, table_schema, table_name)');
SELECT pg_catalog.pg_extension_config_dump('partition_sets',
  'WHERE pgdb_tools._dump_keeps(owner_name, parent_schema, parent_name)');
SELECT pg_catalog.pg_extension_config_dump('snapshot_catalog', 'WHERE pgdb_tools._dumps_snapshot(snapshot_id)');
SELECT pg_catalog.pg_extension_config_dump('snapshot_items', 'WHERE pgdb_tools._dumps_snapshot(snapshot_id)');
SELECT pg_catalog.pg_extension_config_dump('snapshot_schedules', 'WHERE pgdb_tools._dump_keeps(owner_name, NULL, NULL)');
CREATE TRIGGER check_restored_row BEFORE INSERT ON managed_triggers
  FOR EACH ROW EXECUTE FUNCTION _check_restored_row();
CREATE TRIGGER check_restored_row BEFORE INSERT ON partition_sets
  FOR EACH ROW EXECUTE FUNCTION _check_restored_row();
CREATE TRIGGER check_restored_row BEFORE INSERT ON snapshot_catalog
  FOR EACH ROW EXECUTE FUNCTION _check_restored_row();
CREATE TRIGGER check_restored_row BEFORE INSERT ON snapshot_items
  FOR EACH ROW EXECUTE FUNCTION _check_restored_row();
CREATE TRIGGER check_restored_row BEFORE INSERT ON snapshot_schedules
  FOR EACH ROW EXECUTE FUNCTION _check_restored_row();
-- The copies already taken become readable by their snapshot's creator and their table's owner,
-- as snapshot_create now makes them.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT i.storage_name, array_remove(ARRAY[
                    pgdb_tools._snapshot_creator_role(c.created_by_oid, c.created_by, c.created_on)::pg_catalog.regrole::pg_catalog.text,
                    (SELECT quote_ident(o.rolname) FROM pg_catalog.pg_roles o
                      WHERE o.rolname OPERATOR(pg_catalog.=) (i.definition ->> 'owner'))], NULL) AS readers
             FROM pgdb_tools.snapshot_items i JOIN pgdb_tools.snapshot_catalog c USING (snapshot_id)
            WHERE EXISTS (SELECT FROM pg_catalog.pg_class k
                           WHERE k.relnamespace OPERATOR(pg_catalog.=) 'pgdb_tools_snapshots'::pg_catalog.regnamespace
                             AND k.relname OPERATOR(pg_catalog.=) i.storage_name)
  LOOP
    IF pg_catalog.cardinality(r.readers) OPERATOR(pg_catalog.>) 0 THEN
      EXECUTE pg_catalog.format('GRANT SELECT ON pgdb_tools_snapshots.%I TO %s', r.storage_name,
                                pg_catalog.array_to_string(r.readers, ', '));
    END IF;
  END LOOP;
END $$;

-- ==== triggers: following renames and drops ====

-- ==== triggers: errors, ignore, migrations ====

-- ==== scheduling ====

-- ==== snapshots ====

-- ==== docs ====
