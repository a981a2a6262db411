-- pgdb_tools 0.2.0 -> 0.3.0 (ALTER EXTENSION pgdb_tools UPDATE). test/e2e/upgrade.sh checks that
-- the result is the same, object for object, as a fresh install of 0.3.0, on a database that
-- uses every feature. Routines are drafted with test/upgrade_draft.py (--refresh keeps them equal
-- to the install script); tables, views and grants are migrated by hand so data is kept.
\echo Use "ALTER EXTENSION pgdb_tools UPDATE" to load this file. \quit

-- ==== test-only functions ====
-- The _selftest_* functions moved out of the product into the test harness's own extension
-- pgdb_tools_selftest (test/selftest): 0.3.0's library no longer has them.
DROP FUNCTION _selftest_throw(text, text, text, text, text);
DROP FUNCTION _selftest_run_with_objects(text);
DROP FUNCTION _selftest_live_objects();
DROP FUNCTION _selftest_catch_pg_error(text);
DROP FUNCTION _selftest_spin(float8);
DROP FUNCTION _selftest_xact_note(text);
DROP FUNCTION _selftest_xact_notes();
DROP FUNCTION _selftest_quote_ident(text);
DROP FUNCTION _selftest_quote_literal(text);
DROP FUNCTION _selftest_spi_roundtrip(text, bigint, boolean);
DROP FUNCTION _selftest_noop_trigger();
DROP FUNCTION _selftest_isolated_errors(text[]);
DROP FUNCTION _selftest_cpp_error_with_spi();

-- ==== app roles and pg_dump ====
-- Every role may use the schema (each function checks the caller's rights); pg_dump and pg_restore
-- work as the database owner (docs/snapshots.md, "pg_dump and pg_restore").
GRANT USAGE ON SCHEMA pgdb_tools TO PUBLIC;
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
    ok := pgdb_tools._dump_keeps(NEW.owner_name, NEW.parent_schema, NEW.parent_name)
          AND EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                       WHERE n.nspname OPERATOR(pg_catalog.=) NEW.parent_schema
                         AND c.relname OPERATOR(pg_catalog.=) NEW.parent_name
                         AND c.relkind OPERATOR(pg_catalog.=) 'p');
  ELSE
    what := 'a row';
    ok := false;
  END CASE;
  IF NOT ok THEN
    RAISE EXCEPTION 'cannot load % into pgdb_tools.%: it is not yours', what, TG_TABLE_NAME
      USING ERRCODE = '42501',
            DETAIL = 'A role that is not a superuser loads only rows it could have made itself: trigger records of its own tables, partition sets of partitioned tables it owns.',
            HINT = 'Restore a dump holding other roles'' rows as a superuser.';
  END IF;
  RETURN NEW;
END $$;

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
   WHERE _own_snapshot_schedules.name_prefix = _take_scheduled_snapshot.name_prefix;
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
GRANT SELECT ON snapshot_catalog, snapshot_items, snapshot_schedules, snapshot_ids TO pg_database_owner;
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
-- Managed triggers follow renamed columns, tables and schemas; a dropped column a spec needs is
-- refused; the triggers view says 'broken' when a spec no longer fits its table. The registry's
-- rows are kept as they are: records of tables renamed under 0.2.0 stay 'orphaned' (prune_triggers
-- removes them) or, when another table took the old name, show against that table.
CREATE OR REPLACE FUNCTION _follow_renames_end() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_follow_renames_end';
REVOKE ALL ON FUNCTION _follow_renames_end() FROM PUBLIC;
CREATE EVENT TRIGGER pgdb_tools_follow_renames_end ON ddl_command_end
  WHEN TAG IN ('ALTER TABLE', 'ALTER SCHEMA', 'ALTER INDEX', 'ALTER VIEW', 'ALTER MATERIALIZED VIEW',
               'ALTER FOREIGN TABLE', 'ALTER TYPE')
  EXECUTE FUNCTION _follow_renames_end();

-- The statements other than ALTER TABLE by which PostgreSQL renames a table or its columns
-- (ALTER INDEX ... RENAME TO, ALTER VIEW ... RENAME COLUMN, ALTER TYPE ... RENAME ATTRIBUTE ...
-- CASCADE): an event trigger's tags cannot be altered, so it is created again.
DROP EVENT TRIGGER pgdb_tools_follow_renamed_sets;
CREATE EVENT TRIGGER pgdb_tools_follow_renamed_sets ON ddl_command_start
  WHEN TAG IN ('ALTER TABLE', 'ALTER SCHEMA', 'ALTER INDEX', 'ALTER VIEW', 'ALTER MATERIALIZED VIEW',
               'ALTER FOREIGN TABLE', 'ALTER TYPE')
  EXECUTE FUNCTION _follow_renamed_sets();

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

-- ==== triggers: history ====
-- track_history (the history kind), its executor, and the transaction's context.
CREATE OR REPLACE FUNCTION _trigger_history() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_history';

-- pg_get_triggerdef() qualifies names relative to search_path: compare with what was recorded
-- (under pinned search_path) under the same path, whatever the viewer's. A history trigger's
-- TRUNCATE companion (the history executor with ..., 'companion', <trigger name> as its last
-- arguments) is part of the managed trigger: its definition follows on a line of its own.
CREATE OR REPLACE FUNCTION _installed_definition(trigger_oid oid) RETURNS text
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

CREATE OR REPLACE FUNCTION track_history(tbl regclass, history_table text DEFAULT NULL,
                              operations text[] DEFAULT '{INSERT,UPDATE,DELETE}',
                              exclude_columns text[] DEFAULT '{}', format text DEFAULT 'row',
                              changed_only boolean DEFAULT true, condition text DEFAULT NULL,
                              name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION set_context(context jsonb) RETURNS jsonb
  LANGUAGE C VOLATILE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'pgdb_tools_set_context';

CREATE OR REPLACE FUNCTION current_context() RETURNS jsonb
  LANGUAGE C STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'pgdb_tools_current_context';

-- The history table of tbl, quoted and qualified; 42704 when no history trigger tracks it.
CREATE OR REPLACE FUNCTION _history_table(tbl regclass) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  found text;
BEGIN
  SELECT quote_ident(m.table_schema) || '.' || quote_ident(m.spec->>'history_table')
    INTO found
    FROM pgdb_tools.managed_triggers m
    JOIN pg_class c ON c.relname = m.table_name
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = m.table_schema
   WHERE c.oid = tbl AND m.kind = 'history'
   ORDER BY m.spec->'operations' @> '["TRUNCATE"]', m.trigger_name
   LIMIT 1;
  IF found IS NULL THEN
    RAISE EXCEPTION 'table % has no history', tbl USING ERRCODE = '42704',
      HINT = 'pgdb_tools.track_history() starts recording it.';
  END IF;
  RETURN found;
END $$;

-- One history event, as the history table's columns (a type of its own: row_history's argument
-- row_key could not also name an output column).
CREATE TYPE history_event AS (event_id bigint, event_at timestamptz, tx_id xid8, operation text,
                              row_key jsonb, old_data jsonb, new_data jsonb, context jsonb,
                              actor name);

-- The key a row had before an UPDATE that changed it, NULL for every other event: the history
-- table's second hash index is on it, so that the old key finds the event too.
CREATE OR REPLACE FUNCTION _history_old_key(row_key jsonb, old_data jsonb) RETURNS jsonb
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'pgdb_tools_history_old_key';

CREATE OR REPLACE FUNCTION row_history(tbl regclass, row_key jsonb) RETURNS SETOF history_event
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF tbl IS NULL OR row_key IS NULL THEN
    RAISE EXCEPTION 'tbl and row_key must not be NULL' USING ERRCODE = '22023';
  END IF;
  RETURN QUERY EXECUTE
    'SELECT h.event_id, h.event_at, h.tx_id, h.operation, h.row_key, h.old_data, h.new_data, '
    '       h.context, h.actor FROM ' || pgdb_tools._history_table(tbl) || ' h '
    'WHERE h.row_key = $1 OR pgdb_tools._history_old_key(h.row_key, h.old_data) = $1 '
    'ORDER BY h.event_id' USING row_key;
END $$;

CREATE OR REPLACE FUNCTION row_at(tbl regclass, row_key jsonb, at timestamptz) RETURNS jsonb
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  history text;
  last_event bigint;
  result jsonb;
  key_then jsonb;
  truncated boolean;
BEGIN
  IF tbl IS NULL OR row_key IS NULL OR at IS NULL THEN
    RAISE EXCEPTION 'tbl, row_key and at must not be NULL' USING ERRCODE = '22023';
  END IF;
  history := pgdb_tools._history_table(tbl);
  -- The row's latest event at that moment (through the row_key and old key indexes): with row
  -- format its new_data is the whole row, NULL after a DELETE; an UPDATE that gave the row
  -- another key took it away from this one; a later TRUNCATE removed it too.
  EXECUTE 'SELECT h.event_id, h.new_data, h.row_key FROM ' || history || ' h '
          'WHERE (h.row_key = $1 OR pgdb_tools._history_old_key(h.row_key, h.old_data) = $1) '
          'AND h.event_at <= $2 ORDER BY h.event_id DESC LIMIT 1'
    INTO last_event, result, key_then USING row_key, at;
  IF last_event IS NULL OR key_then IS DISTINCT FROM row_key THEN
    RETURN NULL;
  END IF;
  EXECUTE 'SELECT EXISTS (SELECT FROM ' || history || ' h WHERE h.event_id > $1 '
          'AND h.event_at <= $2 AND h.operation = ''TRUNCATE'')'
    INTO truncated USING last_event, at;
  RETURN CASE WHEN truncated THEN NULL ELSE result END;
END $$;
COMMENT ON FUNCTION row_history(regclass, jsonb) IS
  'The events of one row of a tracked table, in order';
COMMENT ON FUNCTION _history_old_key(jsonb, jsonb) IS
  'The key before an UPDATE that changed it (history tables index it), NULL otherwise';
COMMENT ON FUNCTION row_at(regclass, jsonb, timestamptz) IS
  'The row as it was at a moment (row-format history), NULL when it did not exist then';

COMMENT ON FUNCTION track_history(regclass, text, text[], text[], text, boolean, text, text) IS
  'Records every change of the table (who, when, why) in its history table, created when missing';

COMMENT ON FUNCTION set_context(jsonb) IS
  'Merges context into this transaction''s context, which history events record';

COMMENT ON FUNCTION current_context() IS
  'The context set_context() gave this transaction, NULL when none';

-- ==== scheduling ====
-- Snapshot schedules by owner OID (and cluster), so that a renamed role keeps them: each row
-- gets the OID of the role of its name (a schedule whose role is gone belongs to nobody and is
-- dropped: its job could not run as that role anyway).
ALTER TABLE snapshot_schedules ADD COLUMN owner_oid oid, ADD COLUMN owner_cluster text;
UPDATE snapshot_schedules s SET owner_oid = r.oid, owner_cluster = pgdb_tools._system_identifier()
  FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) s.owner_name;
DELETE FROM snapshot_schedules WHERE owner_oid IS NULL;
ALTER TABLE snapshot_schedules ALTER COLUMN owner_oid SET NOT NULL,
  ALTER COLUMN owner_cluster SET NOT NULL,
  DROP CONSTRAINT snapshot_schedules_pkey,
  ADD PRIMARY KEY (owner_oid, owner_cluster, name_prefix);
SELECT pg_catalog.pg_extension_config_dump('snapshot_schedules', 'WHERE pgdb_tools._snapshot_creator(owner_oid, owner_name, owner_cluster)');
CREATE OR REPLACE VIEW _own_snapshot_schedules WITH (security_barrier) AS
SELECT * FROM snapshot_schedules
 WHERE pgdb_tools._snapshot_creator_role(owner_oid, owner_name, owner_cluster)
       OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r
                                WHERE r.rolname OPERATOR(pg_catalog.=) current_user);

CREATE OR REPLACE FUNCTION _cron_database() RETURNS text
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN pg_catalog.current_setting('cron.database_name', true);
EXCEPTION WHEN insufficient_privilege THEN
  IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
    RETURN pg_catalog.current_database();
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION _require_pg_cron() RETURNS void
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  cron_db text := pgdb_tools._cron_database();
BEGIN
  IF cron_db IS NULL THEN
    RAISE EXCEPTION 'pg_cron is not loaded'
      USING ERRCODE = '55000',
            HINT = 'Add pg_cron to shared_preload_libraries (a restart), set cron.database_name, and run CREATE EXTENSION pg_cron in that database.';
  END IF;
  IF cron_db OPERATOR(pg_catalog.<>) pg_catalog.current_database() THEN
    RETURN;  -- the callers say what to run in pg_cron's database
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
    RAISE EXCEPTION 'pg_cron is not installed in this database'
      USING ERRCODE = '55000',
            HINT = 'This is pg_cron''s database (cron.database_name): a superuser runs CREATE EXTENSION pg_cron here.';
  END IF;
  IF NOT pg_catalog.has_schema_privilege('cron', 'USAGE') THEN
    RAISE EXCEPTION 'permission denied for schema cron'
      USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Role %I may not use pg_cron.', current_user),
            HINT = pg_catalog.format('A superuser runs here: GRANT USAGE ON SCHEMA cron TO %I;', current_user);
  END IF;
END $$;

-- Requests from outside pg_cron's database: looked up or reserved now, carried out at commit by
-- a background worker.
CREATE OR REPLACE FUNCTION _cron_schedule_at_commit(job_name text, schedule text, command text) RETURNS bigint
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_cron_schedule_at_commit';

CREATE OR REPLACE FUNCTION _cron_unschedule_at_commit(job_name text) RETURNS boolean
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_cron_unschedule_at_commit';

-- Job names fitted to pg_cron 1.4's 63 bytes.
CREATE OR REPLACE FUNCTION _cron_job_name(job_name text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN octet_length(job_name) <= 63 THEN job_name
    ELSE (SELECT left(job_name, k) FROM generate_series(54, 1, -1) k
           WHERE octet_length(left(job_name, k)) <= 54 ORDER BY k DESC LIMIT 1)
         || '_' || left(md5(job_name), 8) END
$$;

CREATE OR REPLACE FUNCTION _cron_schedule(job_name text, schedule text, command text) RETURNS bigint
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job bigint;
BEGIN
  IF job_name IS NULL OR schedule IS NULL OR command IS NULL THEN
    RAISE EXCEPTION 'job_name, schedule and command must not be NULL' USING ERRCODE = '22023';
  END IF;
  PERFORM pgdb_tools._require_pg_cron();
  job_name := pgdb_tools._cron_job_name(job_name);
  IF pgdb_tools._cron_database() OPERATOR(pg_catalog.=) pg_catalog.current_database() THEN
    -- A job of the same name and role is updated.
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job USING job_name, schedule, command;
    RETURN job;
  END IF;
  RETURN pgdb_tools._cron_schedule_at_commit(job_name, schedule, command);
END $$;

CREATE OR REPLACE FUNCTION _cron_unschedule(job_name text) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job bigint;
BEGIN
  IF job_name IS NULL THEN
    RAISE EXCEPTION 'job_name must not be NULL' USING ERRCODE = '22023';
  END IF;
  PERFORM pgdb_tools._require_pg_cron();
  job_name := pgdb_tools._cron_job_name(job_name);
  IF pgdb_tools._cron_database() OPERATOR(pg_catalog.=) pg_catalog.current_database() THEN
    EXECUTE 'SELECT jobid FROM cron.job WHERE jobname::pg_catalog.text OPERATOR(pg_catalog.=) $1
                AND username OPERATOR(pg_catalog.=) current_user::pg_catalog.text
                AND database OPERATOR(pg_catalog.=) pg_catalog.current_database()'
       INTO job USING job_name;
    IF job IS NOT NULL THEN
      EXECUTE 'SELECT cron.unschedule($1)' USING job;
    END IF;
    RETURN job IS NOT NULL;
  END IF;
  RETURN pgdb_tools._cron_unschedule_at_commit(job_name);
END $$;

CREATE OR REPLACE FUNCTION _cron_last_runs()
  RETURNS TABLE(job_name text, role_name text, started_at timestamptz, status text, message text)
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF pgdb_tools._cron_database() IS DISTINCT FROM pg_catalog.current_database()
     OR NOT EXISTS (SELECT FROM pg_catalog.pg_namespace n
                     WHERE n.nspname OPERATOR(pg_catalog.=) 'cron'
                       AND pg_catalog.has_schema_privilege(n.oid, 'USAGE'))
     OR (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
          WHERE n.nspname OPERATOR(pg_catalog.=) 'cron'
            AND c.relname OPERATOR(pg_catalog.=) ANY ('{job,job_run_details}'::name[])
            AND pg_catalog.has_table_privilege(c.oid, 'SELECT')) OPERATOR(pg_catalog.<>) 2 THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'SELECT DISTINCT ON (j.jobname, j.username) j.jobname::text, j.username::text, d.start_time,
            d.status::text, d.return_message::text
       FROM cron.job j JOIN cron.job_run_details d ON d.jobid OPERATOR(pg_catalog.=) j.jobid
      WHERE pg_catalog.starts_with(j.jobname::text, ''pgdb_tools_'')
        AND j.database OPERATOR(pg_catalog.=) pg_catalog.current_database()
      ORDER BY j.jobname, j.username, d.runid DESC';
END $$;

CREATE OR REPLACE FUNCTION schedule_maintenance(schedule text DEFAULT '@hourly') RETURNS bigint
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF schedule IS NULL OR pg_catalog.btrim(schedule) OPERATOR(pg_catalog.=) '' THEN
    RAISE EXCEPTION 'schedule must not be NULL or empty' USING ERRCODE = '22023',
      HINT = 'For example ''@hourly'' or ''*/15 * * * *''.';
  END IF;
  -- The pg_cron job runs in this database as the role calling this (see _cron_schedule).
  RETURN pgdb_tools._cron_schedule('pgdb_tools_maintenance_' OPERATOR(pg_catalog.||) pg_catalog.current_database(),
                                   schedule, 'CALL pgdb_tools.run_maintenance_proc()');
END $$;

CREATE OR REPLACE FUNCTION unschedule_maintenance() RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  -- the caller's pg_cron job of this database, if any (see _cron_unschedule)
  RETURN pgdb_tools._cron_unschedule('pgdb_tools_maintenance_' OPERATOR(pg_catalog.||) pg_catalog.current_database());
END $$;

CREATE OR REPLACE FUNCTION _snapshot_job_name(name_prefix text) RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pgdb_tools._cron_job_name(
           'pgdb_tools_snapshot_' OPERATOR(pg_catalog.||) name_prefix
           OPERATOR(pg_catalog.||) CASE WHEN pgdb_tools._cron_database()
                                             IS NOT DISTINCT FROM pg_catalog.current_database() THEN ''
                                        ELSE '@' OPERATOR(pg_catalog.||) pg_catalog.current_database() END)
$$;

CREATE OR REPLACE FUNCTION schedule_snapshot(name_prefix text, schedule text, tables regclass[] DEFAULT NULL,
                                  schemas name[] DEFAULT NULL, keep_last integer DEFAULT 7)
  RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pgdb_tools._require_pg_cron();
  IF name_prefix IS NULL OR name_prefix !~ '^[A-Za-z0-9_.-]{1,40}$' THEN
    RAISE EXCEPTION 'invalid name_prefix: %', coalesce(pg_catalog.quote_literal(name_prefix), 'NULL')
      USING ERRCODE = '22023', HINT = 'Use 1 to 40 letters, digits, "_", "." or "-".';
  END IF;
  IF keep_last IS NULL OR keep_last < 1 THEN
    RAISE EXCEPTION 'keep_last must be at least 1' USING ERRCODE = '22023';
  END IF;
  IF schedule IS NULL OR btrim(schedule) = '' THEN
    RAISE EXCEPTION 'schedule must not be NULL or empty' USING ERRCODE = '22023',
      HINT = 'Pass a cron expression such as ''0 3 * * *'', or an interval such as ''30 seconds''.';
  END IF;
  IF coalesce(cardinality(tables), 0) OPERATOR(pg_catalog.=) 0
     AND coalesce(cardinality(schemas), 0) OPERATOR(pg_catalog.=) 0 THEN
    RAISE EXCEPTION 'schedule_snapshot needs tables or schemas' USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT FROM unnest(tables) t(r) WHERE t.r IS NULL OR t.r::oid OPERATOR(pg_catalog.=) 0)
     OR EXISTS (SELECT FROM unnest(schemas) s(n) WHERE s.n IS NULL) THEN
    RAISE EXCEPTION 'tables and schemas must not contain NULL or 0' USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT FROM unnest(tables) t(r)
              WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t.r::oid)) THEN
    RAISE EXCEPTION 'a table of tables does not exist' USING ERRCODE = '42P01';
  END IF;
  -- The schedule's row is written by a helper that runs as the extension's owner; each role has
  -- schedules of its own (pg_cron's job names are per role too). Outside pg_cron's database the
  -- job is made at commit with the id returned now (_cron_schedule), this row in the same
  -- transaction.
  PERFORM pgdb_tools._snapshot_schedule_save(name_prefix, tables, schemas, keep_last);
  RETURN pgdb_tools._cron_schedule(pgdb_tools._snapshot_job_name(name_prefix), schedule,
           pg_catalog.format('SELECT pgdb_tools._take_scheduled_snapshot(%L)', name_prefix));
END $$;

CREATE OR REPLACE FUNCTION unschedule_snapshot(name_prefix text) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE removed boolean;
BEGIN
  PERFORM pgdb_tools._require_pg_cron();
  IF name_prefix IS NULL THEN
    RAISE EXCEPTION 'name_prefix must not be NULL' USING ERRCODE = '22023';
  END IF;
  removed := pgdb_tools._cron_unschedule(pgdb_tools._snapshot_job_name(name_prefix));
  PERFORM pgdb_tools._snapshot_schedule_save(name_prefix, NULL, NULL, NULL);
  RETURN removed;
END $$;

COMMENT ON FUNCTION schedule_maintenance(text) IS
  'Creates or updates the pg_cron job that runs run_maintenance_proc() here as you; returns its id (outside pg_cron''s database the job is made, with that id, when the transaction commits)';

COMMENT ON FUNCTION unschedule_maintenance() IS
  'Removes the pg_cron maintenance job; false when there was none (outside pg_cron''s database it is removed when the transaction commits)';

COMMENT ON FUNCTION schedule_snapshot(text, text, regclass[], name[], integer) IS
  'Creates or updates a pg_cron job taking <name_prefix>_<YYYYMMDD_HHMMSS> snapshots and keeping the newest keep_last; returns its id (outside pg_cron''s database the job is made, with that id, when the transaction commits)';

COMMENT ON FUNCTION unschedule_snapshot(text) IS
  'Removes a snapshot schedule''s pg_cron job (its snapshots stay); false when there was none (outside pg_cron''s database it is removed when the transaction commits)';

-- partition_status: three columns at the end (the last run of the pg_cron maintenance job).
CREATE OR REPLACE VIEW partition_status AS
WITH job_runs AS MATERIALIZED (
  SELECT r.role_name, r.started_at, r.status, r.message
    FROM pgdb_tools._cron_last_runs() r
   WHERE r.job_name = pgdb_tools._cron_job_name('pgdb_tools_maintenance_' || pg_catalog.current_database()))
SELECT c.oid::pg_catalog.regclass AS parent,
       s.control::text AS control,
       s.partition_interval,
       (SELECT count(*) FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid)::integer AS partitions,
       st.newest_upper_bound,
       st.runway,
       st.default_rows,
       r.finished_at AS last_run,
       r.error AS last_error,
       j.started_at AS last_job_run,
       j.status AS last_job_status,
       CASE WHEN j.status = 'failed' THEN j.message END AS last_job_error
  FROM pgdb_tools.partition_sets s
  JOIN pg_catalog.pg_namespace n ON n.nspname = s.parent_schema
  JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.parent_name
  LEFT JOIN LATERAL pgdb_tools._partition_set_status(c.oid::pg_catalog.regclass) st ON true
  LEFT JOIN LATERAL (SELECT pr.finished_at, pr.error FROM pgdb_tools.partition_runs pr
                      WHERE pr.parent_schema = s.parent_schema AND pr.parent_name = s.parent_name
                      ORDER BY pr.run_id DESC LIMIT 1) r ON true
  -- the maintenance job (of a role that can act for the table's owner, as the job does) that ran last
  LEFT JOIN LATERAL (SELECT jr.started_at, jr.status, jr.message FROM job_runs jr
                       JOIN pg_catalog.pg_roles rr ON rr.rolname = jr.role_name
                      WHERE pg_catalog.pg_has_role(rr.oid, c.relowner, 'USAGE')
                      ORDER BY jr.started_at DESC NULLS LAST LIMIT 1) j ON true
 WHERE pg_catalog.pg_has_role(c.relowner, 'USAGE')
    OR pg_catalog.has_table_privilege(c.oid, 'SELECT');
COMMENT ON VIEW partition_status IS
  'Each partition set: partitions, the newest bound, how long the premade partitions last, rows in the default, the last run and the last run of the pg_cron job';
CREATE VIEW snapshot_schedule_status WITH (security_barrier) AS
WITH job_runs AS MATERIALIZED (SELECT * FROM pgdb_tools._cron_last_runs())
SELECT s.name_prefix, coalesce(o.rolname, s.owner_name) AS owner_name, s.tables, s.schemas, s.keep_last,
       t.newest AS last_snapshot, t.created_at AS last_snapshot_at,
       j.started_at AS last_job_run, j.status AS last_job_status,
       CASE WHEN j.status = 'failed' THEN j.message END AS last_job_error
  FROM pgdb_tools.snapshot_schedules s
  LEFT JOIN pg_catalog.pg_roles o ON o.oid = pgdb_tools._snapshot_creator_role(s.owner_oid, s.owner_name, s.owner_cluster)
  LEFT JOIN LATERAL (SELECT c.name AS newest, c.created_at FROM pgdb_tools.snapshot_catalog c
                      WHERE pgdb_tools._snapshot_creator_role(c.created_by_oid, c.created_by, c.created_on) = o.oid
                        AND pg_catalog.left(c.name, pg_catalog.length(s.name_prefix) + 1) = s.name_prefix || '_'
                        AND pg_catalog.substr(c.name, pg_catalog.length(s.name_prefix) + 2) ~ '^[0-9]{8}_[0-9]{6}$'
                      ORDER BY c.created_at DESC, c.snapshot_id DESC LIMIT 1) t ON true
  LEFT JOIN job_runs j ON j.job_name = pgdb_tools._snapshot_job_name(s.name_prefix) AND j.role_name = o.rolname
 WHERE o.rolname = current_user
    OR coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false);
GRANT SELECT ON snapshot_schedule_status TO PUBLIC;
COMMENT ON VIEW snapshot_schedule_status IS
  'Your snapshot schedules, their newest snapshot and the last run of their pg_cron job';

-- 0.2.0 scheduled only in pg_cron's own database, naming the maintenance job
-- pgdb_tools_maintenance_<database>, which pg_cron 1.4 cut to 63 bytes for a long database name
-- (the snapshot jobs' names, pgdb_tools_snapshot_<prefix of at most 40 bytes>, always fit). Such
-- a job gets its fitted name (_cron_job_name), so that the functions find it again.
DO $$
DECLARE
  full_name text := 'pgdb_tools_maintenance_' OPERATOR(pg_catalog.||) pg_catalog.current_database();
BEGIN
  IF pg_catalog.octet_length(full_name) OPERATOR(pg_catalog.>) 63
     AND pgdb_tools._cron_database() OPERATOR(pg_catalog.=) pg_catalog.current_database()
     AND EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
    EXECUTE 'UPDATE cron.job SET jobname = $1
              WHERE jobname::pg_catalog.text OPERATOR(pg_catalog.=) $2::pg_catalog.name::pg_catalog.text
                AND database OPERATOR(pg_catalog.=) pg_catalog.current_database()
                AND command OPERATOR(pg_catalog.=) ''CALL pgdb_tools.run_maintenance_proc()'''
      USING pgdb_tools._cron_job_name(full_name), full_name;
  END IF;
END $$;


-- ==== snapshots ====
-- Snapshot creators by OID (F4-F6 of the 0.2.0 review): names are unique per creator OID in the
-- cluster it belongs to, not per recorded name. The rows are kept: a creator that no longer exists
-- becomes nobody (OID 0), and a renamed one gets its current name recorded.
ALTER TABLE snapshot_catalog DROP CONSTRAINT snapshot_catalog_created_by_name_key;
UPDATE snapshot_catalog c SET created_by_oid = 0
 WHERE (c.created_on IS NULL OR c.created_on OPERATOR(pg_catalog.=) pgdb_tools._system_identifier())
   AND c.created_by_oid OPERATOR(pg_catalog.<>) 0
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) c.created_by_oid);
UPDATE snapshot_catalog c SET created_by = r.rolname
  FROM pg_catalog.pg_roles r
 WHERE (c.created_on IS NULL OR c.created_on OPERATOR(pg_catalog.=) pgdb_tools._system_identifier())
   AND r.oid OPERATOR(pg_catalog.=) c.created_by_oid AND r.rolname OPERATOR(pg_catalog.<>) c.created_by;
CREATE UNIQUE INDEX snapshot_catalog_creator_name ON snapshot_catalog (created_by_oid, created_on, name)
  WHERE created_by_oid OPERATOR(pg_catalog.<>) 0;

DROP FUNCTION snapshot_create(text, regclass[], name[], text, text[]);

CREATE OR REPLACE FUNCTION _snapshot_creator_role(created_by_oid oid, created_by name, created_on text) RETURNS oid
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
    WHEN created_by_oid OPERATOR(pg_catalog.=) 0 THEN NULL
    WHEN created_on IS NULL OR created_on OPERATOR(pg_catalog.=) pgdb_tools._system_identifier() THEN
      (SELECT r.oid FROM pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) created_by_oid)
    ELSE (SELECT r.oid FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) created_by) END
$$;

CREATE OR REPLACE FUNCTION _snapshot_resolve(name text)
  RETURNS TABLE(snapshot_id bigint, candidates bigint, creators text)
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH wanted AS (
    SELECT CASE WHEN _snapshot_resolve.name OPERATOR(pg_catalog.~) '^#[0-9]{1,18}$'
                THEN substr(_snapshot_resolve.name, 2)::bigint END AS id),
  visible AS (
    SELECT DISTINCT c.snapshot_id,
           CASE WHEN c.creator IS NULL THEN quote_ident(c.created_by) OPERATOR(pg_catalog.||) ' (dropped)'
                ELSE quote_ident(c.created_by) END AS created_by,
           c.creator OPERATOR(pg_catalog.=)
             (SELECT r.oid FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user) AS own
      FROM pgdb_tools._snapshot_contents c, wanted w
     WHERE CASE WHEN w.id IS NULL THEN c.snapshot_name OPERATOR(pg_catalog.=) _snapshot_resolve.name
                ELSE c.snapshot_id OPERATOR(pg_catalog.=) w.id END),
  -- A name one of the caller's schedules takes (<prefix>_<YYYYMMDD_HHMMSS>) means the caller's
  -- own snapshot only: never a copy another role made under it.
  scheduled AS (
    SELECT EXISTS (
      SELECT FROM pgdb_tools._own_snapshot_schedules s
       WHERE (left(_snapshot_resolve.name, length(s.name_prefix) OPERATOR(pg_catalog.+) 1)
              OPERATOR(pg_catalog.=) (s.name_prefix OPERATOR(pg_catalog.||) '_'))
         AND (substr(_snapshot_resolve.name, length(s.name_prefix) OPERATOR(pg_catalog.+) 2)
              OPERATOR(pg_catalog.~) '^[0-9]{8}_[0-9]{6}$')) AS mine)
  SELECT CASE WHEN bool_or(v.own) THEN min(v.snapshot_id) FILTER (WHERE v.own)
              WHEN count(*) OPERATOR(pg_catalog.=) 1 THEN min(v.snapshot_id) END,
         CASE WHEN bool_or(v.own) THEN 1 ELSE count(*) END,
         string_agg(v.created_by, ', ' ORDER BY v.created_by)
    FROM visible v, scheduled
   WHERE v.own OR NOT scheduled.mine
$$;

CREATE OR REPLACE FUNCTION snapshot_create(name text, tables regclass[] DEFAULT NULL, schemas name[] DEFAULT NULL,
                                note text DEFAULT NULL, tags text[] DEFAULT '{}',
                                replace boolean DEFAULT false)
  RETURNS bigint LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_create';

CREATE OR REPLACE FUNCTION snapshot_tables(name text)
  RETURNS TABLE(source text, rows bigint, bytes bigint, content_hash text)
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
BEGIN
  IF snapshot_tables.name IS NULL THEN
    RAISE EXCEPTION 'name must not be NULL' USING ERRCODE = '22023';
  END IF;
  SELECT * INTO r FROM pgdb_tools._snapshot_resolve(snapshot_tables.name);
  IF r.candidates OPERATOR(pg_catalog.=) 0 THEN
    RAISE EXCEPTION 'snapshot "%" does not exist', snapshot_tables.name
      USING ERRCODE = '42704', HINT = 'The snapshots view lists the snapshots you can read.';
  ELSIF r.candidates OPERATOR(pg_catalog.>) 1 THEN
    RAISE EXCEPTION 'snapshot name "%" is ambiguous', snapshot_tables.name
      USING ERRCODE = '22023',
            DETAIL = format('Roles %s each have a snapshot of that name that you can read.', r.creators),
            HINT = 'Snapshot names are per role: run the call as the role whose snapshot you mean (SET ROLE), or name it by id, ''#<snapshot_id>'' (see the snapshots view).';
  END IF;
  RETURN QUERY
    SELECT quote_ident(c.source_schema) || '.' || quote_ident(c.source_name), c.rows, c.bytes, c.content_hash
      FROM pgdb_tools._snapshot_contents c
     WHERE c.snapshot_id OPERATOR(pg_catalog.=) r.snapshot_id
     ORDER BY c.ordinal;
END $$;

-- signature details changed
DROP FUNCTION snapshot_restore(text, regclass[], name, boolean);
CREATE OR REPLACE FUNCTION snapshot_restore(name text, tables regclass[] DEFAULT NULL, target_schema name DEFAULT NULL,
                                 fire_triggers boolean DEFAULT false)
  RETURNS TABLE(source text, target text, rows bigint, removed bigint, reinstated bigint)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_restore';

COMMENT ON FUNCTION snapshot_create(text, regclass[], name[], text, text[], boolean) IS
  'Copies the listed tables and every table of the listed schemas, as of one point in time (replace: in place of your snapshot of that name); returns the snapshot id';

COMMENT ON FUNCTION snapshot_restore(text, regclass[], name, boolean) IS
  'Puts a snapshot''s tables back in place (counting the rows that removes and reinstates), or recreates them in target_schema';

-- The views keep their columns; created_by is now the creator's current name.
CREATE OR REPLACE VIEW _snapshot_contents WITH (security_barrier) AS
SELECT c.name AS snapshot_name,
       coalesce((SELECT r.rolname FROM pg_roles r
                  WHERE r.oid = pgdb_tools._snapshot_creator_role(c.created_by_oid, c.created_by, c.created_on)),
                c.created_by) AS created_by,
       pgdb_tools._snapshot_creator_role(c.created_by_oid, c.created_by, c.created_on) AS creator,
       i.snapshot_id, i.ordinal, i.source_relid, i.source_schema, i.source_name, i.storage_name,
       i.rows, i.bytes, i.content_hash,
       CASE WHEN _snapshot_creator(c.created_by_oid, c.created_by, c.created_on) THEN i.definition
            ELSE jsonb_set(i.definition, '{sequences}',
                           coalesce((SELECT jsonb_agg((q - 'last_value') || '{"recorded": false}')
                                       FROM jsonb_array_elements(i.definition -> 'sequences') q),
                                    '[]')) END AS definition
  FROM snapshot_catalog c JOIN snapshot_items i USING (snapshot_id)
 WHERE _snapshot_creator(c.created_by_oid, c.created_by, c.created_on)
    OR _table_readable(i.source_relid, i.source_schema, i.source_name, _snapshot_columns(i.definition));

CREATE OR REPLACE VIEW snapshots WITH (security_barrier) AS
SELECT c.snapshot_id, c.name, c.created_at,
       coalesce((SELECT r.rolname FROM pg_roles r
                  WHERE r.oid = _snapshot_creator_role(c.created_by_oid, c.created_by, c.created_on)),
                c.created_by) AS created_by,
       c.note, c.tags,
       count(i.ordinal)::integer AS tables,
       coalesce(sum(i.rows), 0)::bigint AS total_rows,
       coalesce(sum(i.bytes), 0)::bigint AS total_bytes
  FROM snapshot_catalog c LEFT JOIN snapshot_items i USING (snapshot_id)
 WHERE _snapshot_creator(c.created_by_oid, c.created_by, c.created_on)
    OR NOT EXISTS (SELECT FROM snapshot_items j
                    WHERE j.snapshot_id = c.snapshot_id
                      AND NOT _table_readable(j.source_relid, j.source_schema, j.source_name,
                                              _snapshot_columns(j.definition)))
 GROUP BY c.snapshot_id;

-- ==== snapshots: pg_restore by the database owner ====
-- pg_restore run by the database owner (not a superuser) brings its snapshots back in two steps
-- (docs/snapshots.md, "pg_dump and pg_restore"). It may create tables in pgdb_tools_snapshots
-- (the copies, as its own tables) and load rows into the catalog, which are diverted into the two
-- tables below, stamped with the role that loaded them: the catalog itself takes rows from the
-- extension's code and superusers only. Then snapshot_adopt(), run by that role, makes them its
-- snapshots: nothing loaded this way is trusted (what reads copies takes only what the extension
-- made, see copies_pg.cpp; adoption copies the rows into new copies and rebuilds the definition).
GRANT CREATE ON SCHEMA pgdb_tools_snapshots TO pg_database_owner;
GRANT INSERT ON snapshot_catalog, snapshot_items TO pg_database_owner;
CREATE TABLE snapshot_restored (
  restore_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  restored_by oid NOT NULL,
  snapshot_id bigint NOT NULL,
  name text NOT NULL,
  created_at timestamptz,
  note text,
  tags text[]
);
COMMENT ON TABLE snapshot_restored IS 'Snapshots a role loaded with pg_restore, until it adopts them (snapshot_adopt)';
CREATE TABLE snapshot_restored_items (
  restore_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  restored_by oid NOT NULL,
  snapshot_id bigint NOT NULL,
  ordinal integer NOT NULL,
  source_schema name NOT NULL,
  source_name name NOT NULL,
  storage_name name NOT NULL,
  rows bigint NOT NULL,
  content_hash text NOT NULL,
  definition jsonb NOT NULL
);
COMMENT ON TABLE snapshot_restored_items IS 'The tables of snapshots a role loaded with pg_restore, until it adopts them';
REVOKE ALL ON snapshot_restored, snapshot_restored_items FROM PUBLIC;
GRANT INSERT ON snapshot_restored, snapshot_restored_items TO pg_database_owner;

-- A row of a restored snapshot is the loading role's, whatever it says.
CREATE OR REPLACE FUNCTION _stamp_restored_row() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.restored_by := (SELECT r.oid FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user);
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION _stamp_restored_row() FROM PUBLIC;
CREATE TRIGGER stamp_restored BEFORE INSERT ON snapshot_restored
  FOR EACH ROW EXECUTE FUNCTION _stamp_restored_row();
CREATE TRIGGER stamp_restored BEFORE INSERT ON snapshot_restored_items
  FOR EACH ROW EXECUTE FUNCTION _stamp_restored_row();
ALTER TABLE snapshot_restored ENABLE ALWAYS TRIGGER stamp_restored;
ALTER TABLE snapshot_restored_items ENABLE ALWAYS TRIGGER stamp_restored;

-- Rows loaded into the snapshot catalog by a role that is neither a superuser nor the extension's
-- owner (whose code writes the catalog) go to snapshot_restored* instead.
CREATE OR REPLACE FUNCTION _divert_restored_snapshot() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user
                AND (r.rolsuper OR r.oid OPERATOR(pg_catalog.=)
                       (SELECT e.extowner FROM pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'pgdb_tools'))) THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'snapshot_catalog' THEN
    INSERT INTO pgdb_tools.snapshot_restored (restored_by, snapshot_id, name, created_at, note, tags)
    VALUES (0, NEW.snapshot_id, NEW.name, NEW.created_at, NEW.note, NEW.tags);
  ELSE
    INSERT INTO pgdb_tools.snapshot_restored_items (restored_by, snapshot_id, ordinal, source_schema,
      source_name, storage_name, rows, content_hash, definition)
    VALUES (0, NEW.snapshot_id, NEW.ordinal, NEW.source_schema, NEW.source_name, NEW.storage_name,
            NEW.rows, NEW.content_hash, NEW.definition);
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION _divert_restored_snapshot() FROM PUBLIC;
CREATE TRIGGER divert_restored BEFORE INSERT ON snapshot_catalog
  FOR EACH ROW EXECUTE FUNCTION _divert_restored_snapshot();
CREATE TRIGGER divert_restored BEFORE INSERT ON snapshot_items
  FOR EACH ROW EXECUTE FUNCTION _divert_restored_snapshot();
ALTER TABLE snapshot_catalog ENABLE ALWAYS TRIGGER divert_restored;
ALTER TABLE snapshot_items ENABLE ALWAYS TRIGGER divert_restored;

CREATE OR REPLACE FUNCTION snapshot_adopt(name text DEFAULT NULL)
  RETURNS TABLE(snapshot_name text, snapshot_id bigint, tables integer, rows bigint, detail text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_adopt';
COMMENT ON FUNCTION snapshot_adopt(text) IS
  'Makes the snapshots you brought back with your own pg_restore your snapshots (all, or those of that name)';

-- ==== partitions: a failed set fails the maintenance run ====
CREATE OR REPLACE PROCEDURE run_maintenance_proc(lock_timeout text DEFAULT '5s', max_retries integer DEFAULT 3)
  LANGUAGE plpgsql AS $$
DECLARE
  caller_path text := pg_catalog.current_setting('search_path');
  set_parent regclass;
  outcome record;
  attempt integer;
  last_error text;
  failed_sets integer := 0;
  first_failure text;
  first_state text;
BEGIN
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  -- NULL means the default, as for the other functions' optional arguments
  lock_timeout := COALESCE(lock_timeout, '5s');
  max_retries := COALESCE(max_retries, 3);
  IF max_retries OPERATOR(pg_catalog.<) 0 OR max_retries OPERATOR(pg_catalog.>) 100 THEN
    RAISE EXCEPTION 'max_retries must be between 0 and 100, not %', max_retries
      USING ERRCODE = '22023';
  END IF;
  -- One set per transaction: each set's locks are released before the next set is touched.
  FOR set_parent IN
    SELECT c.oid::pg_catalog.regclass
      FROM pgdb_tools.partition_sets s
      JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) s.parent_schema
      JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid
                                AND c.relname OPERATOR(pg_catalog.=) s.parent_name
     WHERE pg_catalog.pg_has_role(c.relowner, 'USAGE')
     ORDER BY s.parent_schema, s.parent_name
  LOOP
    attempt := 0;
    LOOP
      attempt := attempt OPERATOR(pg_catalog.+) 1;
      last_error := NULL;
      PERFORM pg_catalog.set_config('lock_timeout', lock_timeout, true);
      BEGIN
        FOR outcome IN SELECT * FROM pgdb_tools.run_maintenance(set_parent) LOOP
          IF outcome.action OPERATOR(pg_catalog.=) 'error' THEN
            last_error := outcome.detail;
          ELSE
            RAISE NOTICE '%: % %', set_parent, outcome.action, outcome.partition_name;
          END IF;
        END LOOP;
      EXCEPTION WHEN query_canceled THEN
        RAISE;
      WHEN OTHERS THEN
        -- e.g. the table was dropped since the loop started: this set only
        last_error := SQLSTATE OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) SQLERRM;
      END;
      COMMIT;
      PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
      EXIT WHEN last_error IS NULL;
      -- error details start with the SQLSTATE; 55P03 is lock_not_available (lock_timeout, or
      -- another session maintaining the set)
      IF pg_catalog.left(last_error, 5) OPERATOR(pg_catalog.<>) '55P03'
         OR attempt OPERATOR(pg_catalog.>) max_retries THEN
        RAISE WARNING 'maintenance of % failed: %', set_parent, last_error;
        failed_sets := failed_sets OPERATOR(pg_catalog.+) 1;
        IF first_failure IS NULL THEN
          first_failure := set_parent::text OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) last_error;
          -- error details start with the SQLSTATE ("55P03: ...")
          first_state := CASE WHEN last_error OPERATOR(pg_catalog.~) '^[0-9A-Z]{5}: '
                              THEN pg_catalog.left(last_error, 5) ELSE 'P0001' END;
        END IF;
        EXIT;
      END IF;
      RAISE NOTICE 'maintenance of % is waiting for a lock or another session''s pass; retrying (%/%)',
        set_parent, attempt, max_retries;
      PERFORM pg_catalog.pg_sleep(LEAST(attempt, 5));
    END LOOP;
  END LOOP;
  PERFORM pg_catalog.set_config('search_path', caller_path, true);
  -- Every other set's work is committed; the call still fails, so pg_cron (and a migration)
  -- records the run as failed rather than succeeded.
  IF failed_sets OPERATOR(pg_catalog.>) 0 THEN
    RAISE EXCEPTION 'maintenance of % partition set(s) failed', failed_sets
      USING ERRCODE = first_state,
            DETAIL = 'First failure: ' OPERATOR(pg_catalog.||) first_failure,
            HINT = 'The other sets were maintained and committed. partition_status shows each set''s last error.';
  END IF;
END $$;

-- ==== snapshots: archive files ====
-- snapshot_export, snapshot_import, archive_verify and archives() (docs/archives.md): new.
CREATE OR REPLACE FUNCTION snapshot_export(name text, path text DEFAULT NULL, compression text DEFAULT 'zstd')
  RETURNS text
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_export';
COMMENT ON FUNCTION snapshot_export(text, text, text) IS
  'Writes a snapshot as one archive file under pgdb_tools.archive_directory; returns its full path';

CREATE OR REPLACE FUNCTION snapshot_import(path text, name text DEFAULT NULL) RETURNS bigint
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_import';
COMMENT ON FUNCTION snapshot_import(text, text) IS
  'Reads an archive file back as a new snapshot of the caller; returns its id';

CREATE OR REPLACE FUNCTION archive_verify(path text)
  RETURNS TABLE(source text, rows bigint, ok boolean, detail text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_archive_verify';
COMMENT ON FUNCTION archive_verify(text) IS
  'Checks every checksum, row count and the SHA-256 of an archive file, per table, without importing it';

CREATE OR REPLACE FUNCTION archives()
  RETURNS TABLE(path text, bytes bigint, created_at timestamptz, snapshot_name text, tables integer,
                total_rows bigint, ok boolean)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_archives';
COMMENT ON FUNCTION archives() IS
  'The archive files in pgdb_tools.archive_directory (ok: their trailer checks)';

-- ==== partitions: evacuate_default ====
-- evacuate_default, _evacuate_default_batch, evacuate_default_proc (docs/partitions.md): new.
CREATE OR REPLACE FUNCTION evacuate_default(parent regclass, batch_size integer DEFAULT 10000) RETURNS bigint
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_evacuate_default';
COMMENT ON FUNCTION evacuate_default(regclass, integer) IS
  'Moves the rows of the default partition into partitions of their own, creating them; returns the rows moved';

CREATE OR REPLACE FUNCTION _evacuate_default_batch(parent regclass, batch_size integer)
  RETURNS TABLE(moved bigint, rows_left bigint, done boolean, staying text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_evacuate_default_batch';
COMMENT ON FUNCTION _evacuate_default_batch(regclass, integer) IS
  'One batch of evacuate_default_proc';

-- As run_maintenance_proc: no SET search_path (it would forbid COMMIT); the body pins the trusted
-- path after every COMMIT and gives the caller's back at the end.
CREATE OR REPLACE PROCEDURE evacuate_default_proc(parent regclass, batch_size integer DEFAULT 10000)
  LANGUAGE plpgsql AS $$
DECLARE
  caller_path text := pg_catalog.current_setting('search_path');
  batch record;
  batches bigint := 0;
  total bigint := 0;
BEGIN
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  LOOP
    SELECT * INTO batch FROM pgdb_tools._evacuate_default_batch(parent, batch_size);
    IF batch.moved OPERATOR(pg_catalog.>) 0 THEN
      batches := batches OPERATOR(pg_catalog.+) 1;
      total := total OPERATOR(pg_catalog.+) batch.moved;
      RAISE NOTICE 'evacuate_default_proc(%): batch % moved % rows, % left in the default partition',
        parent, batches, batch.moved, batch.rows_left;
    END IF;
    IF batch.staying IS NOT NULL THEN
      RAISE NOTICE '%', batch.staying;
    END IF;
    COMMIT;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    EXIT WHEN batch.done OR batch.moved OPERATOR(pg_catalog.=) 0;
  END LOOP;
  RAISE NOTICE 'evacuate_default_proc(%): % rows moved in % batches', parent, total, batches;
  PERFORM pg_catalog.set_config('search_path', caller_path, true);
END $$;
COMMENT ON PROCEDURE evacuate_default_proc(regclass, integer) IS
  'evacuate_default, committing after each batch so that writers keep writing';

-- ==== partitions: partition_existing ====
-- partition_existing, _partition_existing_check, partition_existing_proc (docs/partitions.md): new.
CREATE OR REPLACE FUNCTION partition_existing(tbl regclass, control text, partition_interval text,
                                   premake integer DEFAULT 4, retention text DEFAULT NULL,
                                   retention_mode text DEFAULT 'drop', archive_schema name DEFAULT NULL,
                                   time_zone text DEFAULT 'UTC', dry_run boolean DEFAULT false)
  RETURNS TABLE(step integer, statement text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_partition_existing';
COMMENT ON FUNCTION partition_existing(regclass, text, text, integer, text, text, name, text, boolean) IS
  'Turns a plain table into a managed partition set, the old table its first partition; returns the statements run';

CREATE OR REPLACE FUNCTION _partition_existing_check(tbl regclass, control text, partition_interval text,
                                          premake integer, retention text, retention_mode text,
                                          archive_schema name, time_zone text)
  RETURNS TABLE(step integer, statement text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_partition_existing_check';
COMMENT ON FUNCTION _partition_existing_check(regclass, text, text, integer, text, text, name, text) IS
  'The first transaction of partition_existing_proc: the NOT VALID range check';

-- As run_maintenance_proc: no SET search_path (it would forbid COMMIT); the body pins the trusted
-- path after every COMMIT and gives the caller's back at the end.
CREATE OR REPLACE PROCEDURE partition_existing_proc(tbl regclass, control text, partition_interval text,
                                         premake integer DEFAULT 4, retention text DEFAULT NULL,
                                         retention_mode text DEFAULT 'drop',
                                         archive_schema name DEFAULT NULL,
                                         time_zone text DEFAULT 'UTC')
  LANGUAGE plpgsql AS $$
DECLARE
  caller_path text := pg_catalog.current_setting('search_path');
  check_name name;
  done integer := 0;
  failed_state text;
  failed_message text;
  failed_detail text;
  failed_hint text;
BEGIN
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  -- 1: the range check, NOT VALID (a short exclusive lock; new rows are checked from here on)
  PERFORM FROM pgdb_tools._partition_existing_check(tbl, control, partition_interval, premake,
                                                    retention, retention_mode, archive_schema,
                                                    time_zone);
  COMMIT;
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  -- 2: validated by a scan that lets writers write (SHARE UPDATE EXCLUSIVE)
  SELECT c.conname INTO check_name FROM pg_catalog.pg_constraint c
   WHERE c.conrelid OPERATOR(pg_catalog.=) tbl AND c.contype OPERATOR(pg_catalog.=) 'c'
     AND NOT c.convalidated
     AND pg_catalog.obj_description(c.oid, 'pg_constraint') OPERATOR(pg_catalog.~~) 'pgdb_tools partition_existing range %';
  IF check_name IS NOT NULL THEN
    RAISE NOTICE 'partition_existing_proc(%): validating the range check % (writers go on)', tbl, check_name;
    BEGIN
      EXECUTE pg_catalog.format('ALTER TABLE %s VALIDATE CONSTRAINT %I', tbl, check_name);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failed_state = RETURNED_SQLSTATE, failed_message = MESSAGE_TEXT,
                              failed_detail = PG_EXCEPTION_DETAIL, failed_hint = PG_EXCEPTION_HINT;
    END;
    IF failed_state IS NULL THEN
      COMMIT;
      PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END IF;
  END IF;
  -- 3: the swap, which the validated check spares ATTACH its scan
  IF failed_state IS NULL THEN
    BEGIN
      SELECT pg_catalog.count(*) INTO done
        FROM pgdb_tools.partition_existing(tbl, control, partition_interval, premake, retention,
                                           retention_mode, archive_schema, time_zone);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failed_state = RETURNED_SQLSTATE, failed_message = MESSAGE_TEXT,
                              failed_detail = PG_EXCEPTION_DETAIL, failed_hint = PG_EXCEPTION_HINT;
    END;
  END IF;
  IF failed_state IS NOT NULL THEN
    -- A range check left behind would refuse rows past its range one day: it goes, committed,
    -- and the call fails with the error that stopped it. (A cancel is not caught: the check
    -- stays, and the next call reuses it.)
    SELECT c.conname INTO check_name FROM pg_catalog.pg_constraint c
     WHERE c.conrelid OPERATOR(pg_catalog.=) tbl AND c.contype OPERATOR(pg_catalog.=) 'c'
       AND pg_catalog.obj_description(c.oid, 'pg_constraint') OPERATOR(pg_catalog.~~) 'pgdb_tools partition_existing range %';
    IF check_name IS NOT NULL THEN
      EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, check_name);
      COMMIT;
    END IF;
    PERFORM pg_catalog.set_config('search_path', caller_path, true);
    IF failed_detail OPERATOR(pg_catalog.<>) '' AND failed_hint OPERATOR(pg_catalog.<>) '' THEN
      RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message,
                            DETAIL = failed_detail, HINT = failed_hint;
    ELSIF failed_detail OPERATOR(pg_catalog.<>) '' THEN
      RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message, DETAIL = failed_detail;
    ELSIF failed_hint OPERATOR(pg_catalog.<>) '' THEN
      RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message, HINT = failed_hint;
    END IF;
    RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message;
  END IF;
  PERFORM pg_catalog.set_config('search_path', caller_path, true);
END $$;
COMMENT ON PROCEDURE partition_existing_proc(regclass, text, text, integer, text, text, name, text) IS
  'partition_existing in three transactions, so that the scan validating the range lets writers write';

-- ==== partitions: properties of new partitions ====
-- create_partitioned and update_partitioned gained template_table.
ALTER TABLE partition_sets ADD COLUMN template_table regclass;
DROP FUNCTION create_partitioned(regclass, text, text, integer, text, text, text, name, boolean, text, integer);
DROP FUNCTION update_partitioned(regclass, integer, text, text, name, integer);
CREATE FUNCTION create_partitioned(parent regclass, control text, partition_interval text,
                                   premake integer DEFAULT 4, start_at text DEFAULT NULL,
                                   retention text DEFAULT NULL, retention_mode text DEFAULT 'drop',
                                   archive_schema name DEFAULT NULL,
                                   default_partition boolean DEFAULT true,
                                   time_zone text DEFAULT 'UTC',
                                   retention_limit integer DEFAULT 50,
                                   template_table regclass DEFAULT NULL)
  RETURNS integer LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_create_partitioned';
COMMENT ON FUNCTION create_partitioned(regclass, text, text, integer, text, text, text, name, boolean, text, integer, regclass) IS
  'Registers a range partition set and creates its partitions; returns how many were created';
CREATE FUNCTION update_partitioned(parent regclass, premake integer DEFAULT NULL,
                                   retention text DEFAULT NULL, retention_mode text DEFAULT NULL,
                                   archive_schema name DEFAULT NULL,
                                   retention_limit integer DEFAULT NULL,
                                   template_table regclass DEFAULT NULL)
  RETURNS boolean LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_update_partitioned';
COMMENT ON FUNCTION update_partitioned(regclass, integer, text, text, name, integer, regclass) IS
  'Changes the given settings of a partition set; retention => ''none'' clears retention';

-- ==== snapshots: archive_create and archive schedules ====
-- archive_create, schedule_archive, unschedule_archive and their helpers (docs/archives.md): new.
CREATE FUNCTION archive_create(path text, tables regclass[] DEFAULT NULL, schemas name[] DEFAULT NULL,
                               compression text DEFAULT 'zstd', note text DEFAULT NULL)
  RETURNS text
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_archive_create';
COMMENT ON FUNCTION archive_create(text, regclass[], name[], text, text) IS
  'Writes live tables, as of one snapshot, as one archive file under pgdb_tools.archive_directory without storing a copy; returns its full path';

-- Archives written by pg_cron (schedule_archive): one schedule per prefix in this database, run
-- as the role that made it. Written only by _archive_schedule_save (as the extension's owner);
-- each role reads its own through _own_archive_schedules. Not kept by pg_dump: the pg_cron job is
-- not either, and both are made again by schedule_archive after a restore.
CREATE TABLE archive_schedules (
  name_prefix text PRIMARY KEY,
  tables regclass[],
  schemas name[],
  keep_last integer NOT NULL,
  owner_oid oid NOT NULL,
  owner_name name NOT NULL
);
COMMENT ON TABLE archive_schedules IS 'Archive files written by pg_cron (schedule_archive); each role sees its own';
REVOKE ALL ON archive_schedules FROM PUBLIC;

CREATE VIEW _own_archive_schedules WITH (security_barrier) AS
SELECT * FROM archive_schedules
 WHERE owner_oid OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r
                                          WHERE r.rolname OPERATOR(pg_catalog.=) current_user);
GRANT SELECT ON _own_archive_schedules TO PUBLIC;

-- _archive_schedule_save(name_prefix, tables, schemas, keep_last): keep_last NULL removes the
-- caller's schedule of that prefix; otherwise it is created or replaced (42710 when another role
-- schedules that prefix here).
CREATE FUNCTION _archive_schedule_save(name_prefix text, tables regclass[], schemas name[], keep_last integer)
  RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_archive_schedule_save';

-- _prune_archives(name_prefix, keep_last): removes the files <prefix>_<YYYYMMDD_HHMMSS>.pgdbsnap
-- of the archive directory written from this database, all but the newest keep_last; returns how
-- many. Needs what archive_create needs.
CREATE FUNCTION _prune_archives(name_prefix text, keep_last integer)
  RETURNS integer LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_prune_archives';

-- The pg_cron job's body: one archive <prefix>_<YYYYMMDD_HHMMSS>.pgdbsnap (UTC), then pruning of
-- that prefix's files.
CREATE FUNCTION _take_scheduled_archive(name_prefix text) RETURNS text
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s pgdb_tools.archive_schedules;
  written text;
BEGIN
  SELECT * INTO s FROM pgdb_tools._own_archive_schedules
   WHERE _own_archive_schedules.name_prefix OPERATOR(pg_catalog.=) _take_scheduled_archive.name_prefix;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'you have no archive schedule with prefix "%"', name_prefix USING ERRCODE = '42704';
  END IF;
  IF EXISTS (SELECT FROM unnest(s.tables) t(relid)
              WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t.relid)) THEN
    RAISE EXCEPTION 'a table of archive schedule "%" no longer exists', name_prefix
      USING ERRCODE = '42P01',
            HINT = 'Schedule again with schedule_archive() and the tables as they are now.';
  END IF;
  written := pgdb_tools.archive_create(
               name_prefix OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||)
               to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYYMMDD_HH24MISS') OPERATOR(pg_catalog.||) '.pgdbsnap',
               s.tables, s.schemas, 'zstd', 'scheduled by pgdb_tools.schedule_archive');
  PERFORM pgdb_tools._prune_archives(name_prefix, s.keep_last);
  RETURN written;
END $$;

-- The pg_cron job of an archive schedule, named as snapshot schedules' are (_snapshot_job_name).
CREATE FUNCTION _archive_job_name(name_prefix text) RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pgdb_tools._cron_job_name(
           'pgdb_tools_archive_' OPERATOR(pg_catalog.||) name_prefix
           OPERATOR(pg_catalog.||) CASE WHEN pgdb_tools._cron_database()
                                             IS NOT DISTINCT FROM pg_catalog.current_database() THEN ''
                                        ELSE '@' OPERATOR(pg_catalog.||) pg_catalog.current_database() END)
$$;

CREATE FUNCTION schedule_archive(name_prefix text, schedule text, tables regclass[] DEFAULT NULL,
                                 schemas name[] DEFAULT NULL, keep_last integer DEFAULT 7)
  RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pgdb_tools._require_pg_cron();
  IF name_prefix IS NULL OR name_prefix OPERATOR(pg_catalog.!~) '^[A-Za-z0-9_.-]{1,40}$' THEN
    RAISE EXCEPTION 'invalid name_prefix: %', coalesce(pg_catalog.quote_literal(name_prefix), 'NULL')
      USING ERRCODE = '22023', HINT = 'Use 1 to 40 letters, digits, "_", "." or "-".';
  END IF;
  IF keep_last IS NULL OR keep_last OPERATOR(pg_catalog.<) 1 THEN
    RAISE EXCEPTION 'keep_last must be at least 1' USING ERRCODE = '22023';
  END IF;
  IF schedule IS NULL OR btrim(schedule) OPERATOR(pg_catalog.=) '' THEN
    RAISE EXCEPTION 'schedule must not be NULL or empty' USING ERRCODE = '22023',
      HINT = 'Pass a cron expression such as ''0 3 * * *''.';
  END IF;
  IF EXISTS (SELECT FROM unnest(tables) t(r) WHERE t.r IS NULL OR t.r::oid OPERATOR(pg_catalog.=) 0)
     OR EXISTS (SELECT FROM unnest(schemas) s(n) WHERE s.n IS NULL) THEN
    RAISE EXCEPTION 'tables and schemas must not contain NULL or 0' USING ERRCODE = '22023';
  END IF;
  -- The privileges and the lists are checked now, as each run checks them again; the row is
  -- written as the extension's owner. The job runs as the caller (see _cron_schedule).
  PERFORM pgdb_tools._archive_schedule_save(name_prefix, tables, schemas, keep_last);
  RETURN pgdb_tools._cron_schedule(pgdb_tools._archive_job_name(name_prefix), schedule,
           pg_catalog.format('SELECT pgdb_tools._take_scheduled_archive(%L)', name_prefix));
END $$;
COMMENT ON FUNCTION schedule_archive(text, text, regclass[], name[], integer) IS
  'Creates or updates a pg_cron job writing <name_prefix>_<YYYYMMDD_HHMMSS>.pgdbsnap archives and keeping the newest keep_last files; returns its id (outside pg_cron''s database the job is made, with that id, when the transaction commits)';

CREATE FUNCTION unschedule_archive(name_prefix text) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE removed boolean;
BEGIN
  PERFORM pgdb_tools._require_pg_cron();
  IF name_prefix IS NULL THEN
    RAISE EXCEPTION 'name_prefix must not be NULL' USING ERRCODE = '22023';
  END IF;
  removed := pgdb_tools._cron_unschedule(pgdb_tools._archive_job_name(name_prefix));
  PERFORM pgdb_tools._archive_schedule_save(name_prefix, NULL, NULL, NULL);
  RETURN removed;
END $$;
COMMENT ON FUNCTION unschedule_archive(text) IS
  'Removes an archive schedule''s pg_cron job (its files stay); false when there was none (outside pg_cron''s database it is removed when the transaction commits)';

-- ==== docs ====
