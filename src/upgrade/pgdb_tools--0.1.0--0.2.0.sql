-- pgdb_tools 0.1.0 -> 0.2.0 (ALTER EXTENSION pgdb_tools UPDATE). test/e2e/upgrade.sh checks that
-- the result is the same, object for object, as a fresh install of 0.2.0, on a database that
-- uses every feature. Drafted with test/upgrade_draft.py, then ordered by hand: what the changed
-- routines depend on first, the routines, then what depends on them.
\echo Use "ALTER EXTENSION pgdb_tools UPDATE" to load this file. \quit

-- The internal view over the snapshot catalog is rebuilt on the new creator functions (its
-- columns change); the public snapshots view is replaced in place below, so that views and
-- functions of users that read it do not block the update.
DROP VIEW _snapshot_contents;

-- Routines whose arguments changed: create_partitioned and update_partitioned gained
-- retention_limit, run_maintenance gained force; the snapshot creator is known by name, OID and
-- cluster.
DROP FUNCTION create_partitioned(regclass, text, text, integer, text, text, text, name, boolean, text);
DROP FUNCTION run_maintenance(regclass, boolean);
DROP FUNCTION update_partitioned(regclass, integer, text, text, name);

-- Partition sets: the share of a set one pass may retire without force.
ALTER TABLE partition_sets
  ADD COLUMN retention_limit integer NOT NULL DEFAULT 50 CHECK (retention_limit BETWEEN 0 AND 100);

-- Snapshot names are per role; the creator's cluster is recorded.
ALTER TABLE snapshot_catalog DROP CONSTRAINT snapshot_catalog_name_key;
ALTER TABLE snapshot_catalog ADD COLUMN created_on text;
ALTER TABLE snapshot_catalog ADD UNIQUE (created_by, name);

CREATE OR REPLACE FUNCTION _require_pg_cron() RETURNS void
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
    RAISE EXCEPTION 'pg_cron is not installed in this database'
      USING ERRCODE = '55000',
            HINT = 'Add pg_cron to shared_preload_libraries and run CREATE EXTENSION pg_cron in the database named by cron.database_name.';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION create_partitioned(parent regclass, control text, partition_interval text,
                                   premake integer DEFAULT 4, start_at text DEFAULT NULL,
                                   retention text DEFAULT NULL, retention_mode text DEFAULT 'drop',
                                   archive_schema name DEFAULT NULL,
                                   default_partition boolean DEFAULT true,
                                   time_zone text DEFAULT 'UTC',
                                   retention_limit integer DEFAULT 50)
  RETURNS integer LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_create_partitioned';

CREATE OR REPLACE FUNCTION run_maintenance(parent regclass DEFAULT NULL, dry_run boolean DEFAULT false,
                                force boolean DEFAULT false)
  RETURNS TABLE(parent regclass, action text, partition_name text, detail text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_run_maintenance';

CREATE OR REPLACE FUNCTION update_partitioned(parent regclass, premake integer DEFAULT NULL,
                                   retention text DEFAULT NULL, retention_mode text DEFAULT NULL,
                                   archive_schema name DEFAULT NULL,
                                   retention_limit integer DEFAULT NULL)
  RETURNS boolean LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_update_partitioned';

CREATE OR REPLACE FUNCTION forget_partitioned(parent text) RETURNS boolean
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_forget_partitioned_by_name';

CREATE OR REPLACE FUNCTION _forget_dropped_sets() RETURNS event_trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM pgdb_tools.partition_sets s
   USING pg_catalog.pg_event_trigger_dropped_objects() d
   WHERE d.object_type = 'table' AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
     AND s.parent_schema = d.schema_name AND s.parent_name = d.object_name;
EXCEPTION WHEN query_canceled THEN
  RAISE;
WHEN OTHERS THEN
  RAISE WARNING 'pgdb_tools could not forget the partition sets of dropped tables: %', SQLERRM;
END $$;

CREATE OR REPLACE FUNCTION partitions(parent regclass)
  RETURNS TABLE(partition regclass, lower_bound text, upper_bound text, is_default boolean,
                est_rows bigint, bytes bigint)
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT c.oid::pg_catalog.regclass,
         pg_catalog.btrim((pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                  'FROM \((.*)\) TO \((.*)\)'))[1], ''''),
         pg_catalog.btrim((pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                  'FROM \((.*)\) TO \((.*)\)'))[2], ''''),
         pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
         GREATEST(c.reltuples, 0)::bigint,
         pg_catalog.pg_total_relation_size(c.oid)
    FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = parent
   ORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
            pgdb_tools._partition_lower_key(c.oid) NULLS FIRST
$$;

CREATE OR REPLACE PROCEDURE run_maintenance_proc(lock_timeout text DEFAULT '5s', max_retries integer DEFAULT 3)
  LANGUAGE plpgsql AS $$
DECLARE
  caller_path text := pg_catalog.current_setting('search_path');
  set_parent regclass;
  outcome record;
  attempt integer;
  last_error text;
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
        EXIT;
      END IF;
      RAISE NOTICE 'maintenance of % is waiting for a lock or another session''s pass; retrying (%/%)',
        set_parent, attempt, max_retries;
      PERFORM pg_catalog.pg_sleep(LEAST(attempt, 5));
    END LOOP;
  END LOOP;
  PERFORM pg_catalog.set_config('search_path', caller_path, true);
END $$;

CREATE OR REPLACE FUNCTION schedule_maintenance(schedule text DEFAULT '@hourly') RETURNS bigint
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE job bigint;
BEGIN
  IF schedule IS NULL OR pg_catalog.btrim(schedule) = '' THEN
    RAISE EXCEPTION 'schedule must not be NULL or empty' USING ERRCODE = '22023',
      HINT = 'For example ''@hourly'' or ''*/15 * * * *''.';
  END IF;
  PERFORM pgdb_tools._require_pg_cron();
  -- pg_cron runs the job in this database (where it is installed) as the role calling this; a
  -- job of the same name and role is updated.
  EXECUTE 'SELECT cron.schedule($1, $2, $3)'
     INTO job
    USING 'pgdb_tools_maintenance_' || pg_catalog.current_database(), schedule,
          'CALL pgdb_tools.run_maintenance_proc()';
  RETURN job;
END $$;

CREATE OR REPLACE FUNCTION unschedule_maintenance() RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE removed boolean := false;
BEGIN
  PERFORM pgdb_tools._require_pg_cron();
  EXECUTE 'SELECT EXISTS (SELECT FROM cron.job WHERE jobname = $1 AND username = current_user)'
     INTO removed USING 'pgdb_tools_maintenance_' || pg_catalog.current_database();
  IF removed THEN
    EXECUTE 'SELECT cron.unschedule($1)' USING 'pgdb_tools_maintenance_' || pg_catalog.current_database();
  END IF;
  RETURN removed;
END $$;

CREATE OR REPLACE FUNCTION _system_identifier() RETURNS text
  LANGUAGE C STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'pgdb_tools_system_identifier';

CREATE OR REPLACE FUNCTION _snapshot_creator_role(created_by_oid oid, created_by name, created_on text) RETURNS oid
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT r.oid FROM pg_roles r
   WHERE r.rolname OPERATOR(pg_catalog.=) created_by
     AND (r.oid OPERATOR(pg_catalog.=) created_by_oid
          OR (created_on IS NOT NULL AND created_on OPERATOR(pg_catalog.<>) pgdb_tools._system_identifier()))
$$;

CREATE OR REPLACE FUNCTION _snapshot_creator(created_by_oid oid, created_by name, created_on text) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(pg_has_role(pgdb_tools._snapshot_creator_role(created_by_oid, created_by, created_on), 'MEMBER'), false)
      OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user), false)
$$;

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
      SELECT FROM pgdb_tools.snapshot_schedules s
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
            HINT = 'Snapshot names are per role: run the call as the role whose snapshot you mean (SET ROLE).';
  END IF;
  RETURN QUERY
    SELECT quote_ident(c.source_schema) || '.' || quote_ident(c.source_name), c.rows, c.bytes, c.content_hash
      FROM pgdb_tools._snapshot_contents c
     WHERE c.snapshot_id OPERATOR(pg_catalog.=) r.snapshot_id
     ORDER BY c.ordinal;
END $$;

CREATE OR REPLACE FUNCTION snapshot_prune(keep_last integer DEFAULT NULL, older_than interval DEFAULT NULL,
                               keep_tags text[] DEFAULT '{}', name_prefix text DEFAULT NULL)
  RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  victim text;
  dropped integer := 0;
BEGIN
  IF keep_last IS NULL AND older_than IS NULL THEN
    RAISE EXCEPTION 'snapshot_prune needs keep_last or older_than'
      USING ERRCODE = '22023', HINT = 'Drop single snapshots with snapshot_drop(name).';
  END IF;
  IF keep_last < 0 THEN
    RAISE EXCEPTION 'keep_last must not be negative' USING ERRCODE = '22023';
  END IF;
  IF older_than < interval '0' THEN
    RAISE EXCEPTION 'older_than must not be negative' USING ERRCODE = '22023';
  END IF;
  -- Only the caller's own snapshots are candidates (a superuser's prune leaves other roles'
  -- alone); with name_prefix, only those named <prefix>_<YYYYMMDD_HHMMSS>, as schedule_snapshot
  -- names them. The newest keep_last of the candidates stay.
  FOR victim IN
    SELECT r.name FROM (
      SELECT s.name, s.created_at, s.tags,
             row_number() OVER (ORDER BY s.created_at DESC, s.snapshot_id DESC) AS newest
        FROM pgdb_tools.snapshots s
       WHERE s.created_by OPERATOR(pg_catalog.=) current_user
         AND EXISTS (SELECT FROM pgdb_tools._snapshot_contents c
                      WHERE c.snapshot_id OPERATOR(pg_catalog.=) s.snapshot_id
                        AND c.creator OPERATOR(pg_catalog.=)
                            (SELECT r.oid FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user))
         AND (name_prefix IS NULL
              OR (left(s.name, length(name_prefix) + 1) = name_prefix || '_'
                  AND substr(s.name, length(name_prefix) + 2) ~ '^[0-9]{8}_[0-9]{6}$'))) r
     WHERE NOT (r.newest <= coalesce(keep_last, 0)
                OR (older_than IS NOT NULL AND r.created_at > now() - older_than)
                OR r.tags && coalesce(keep_tags, '{}'))
     ORDER BY r.created_at, r.name
  LOOP
    IF pgdb_tools.snapshot_drop(victim) THEN
      dropped := dropped + 1;
    END IF;
  END LOOP;
  RETURN dropped;
END $$;

CREATE OR REPLACE FUNCTION schedule_snapshot(name_prefix text, schedule text, tables regclass[] DEFAULT NULL,
                                  schemas name[] DEFAULT NULL, keep_last integer DEFAULT 7)
  RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job bigint;
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
  -- schedules of its own (pg_cron's job names are per role too).
  PERFORM pgdb_tools._snapshot_schedule_save(name_prefix, tables, schemas, keep_last);
  EXECUTE 'SELECT cron.schedule($1, $2, $3)'
     INTO job
    USING 'pgdb_tools_snapshot_' || name_prefix, schedule,
          pg_catalog.format('SELECT pgdb_tools._take_scheduled_snapshot(%L)', name_prefix);
  RETURN job;
END $$;

CREATE OR REPLACE FUNCTION unschedule_snapshot(name_prefix text) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE removed boolean := false;
BEGIN
  PERFORM pgdb_tools._require_pg_cron();
  IF name_prefix IS NULL THEN
    RAISE EXCEPTION 'name_prefix must not be NULL' USING ERRCODE = '22023';
  END IF;
  EXECUTE 'SELECT EXISTS (SELECT FROM cron.job WHERE jobname = $1 AND username = current_user)'
     INTO removed USING 'pgdb_tools_snapshot_' || name_prefix;
  IF removed THEN
    EXECUTE 'SELECT cron.unschedule($1)' USING 'pgdb_tools_snapshot_' || name_prefix;
  END IF;
  PERFORM pgdb_tools._snapshot_schedule_save(name_prefix, NULL, NULL, NULL);
  RETURN removed;
END $$;

CREATE OR REPLACE FUNCTION _snapshot_type_guard() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_type_guard';

CREATE OR REPLACE FUNCTION protect(tbl regclass, operations text[] DEFAULT '{UPDATE,DELETE}',
                        message text DEFAULT NULL, condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION updated_at(tbl regclass, column_name text DEFAULT 'updated_at',
                           on_insert boolean DEFAULT false, condition text DEFAULT NULL,
                           name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION read_only(tbl regclass, columns text[] DEFAULT NULL,
                          except_columns text[] DEFAULT NULL, condition text DEFAULT NULL,
                          name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION soft_delete(tbl regclass, column_name text, value text DEFAULT NULL,
                            condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION fsm(tbl regclass, column_name text, transitions jsonb,
                    condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION row_version(tbl regclass, column_name text DEFAULT 'version',
                            check_stale boolean DEFAULT true, condition text DEFAULT NULL,
                            name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION search_vector(tbl regclass, column_name text, columns jsonb,
                              config regconfig DEFAULT 'simple', condition text DEFAULT NULL,
                              name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION manage_trigger(tbl regclass, function regprocedure, timing text DEFAULT 'AFTER',
                               events text[] DEFAULT '{INSERT,UPDATE,DELETE}',
                               level text DEFAULT 'ROW', args text[] DEFAULT '{}',
                               condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

COMMENT ON FUNCTION create_partitioned(regclass, text, text, integer, text, text, text, name, boolean, text, integer) IS
  'Registers a range partition set and creates its partitions; returns how many were created';

COMMENT ON FUNCTION run_maintenance(regclass, boolean, boolean) IS
  'Creates missing partitions, applies retention and empties the default, per set; errors become rows';

COMMENT ON FUNCTION update_partitioned(regclass, integer, text, text, name, integer) IS
  'Changes the given settings of a partition set; retention => ''none'' clears retention';

COMMENT ON FUNCTION forget_partitioned(text) IS
  'Stops managing the set of the named table, also when that table was dropped; its partitions stay';

REVOKE ALL ON FUNCTION _forget_dropped_sets() FROM PUBLIC;
CREATE EVENT TRIGGER pgdb_tools_forget_dropped_sets ON sql_drop
  WHEN TAG IN ('DROP TABLE', 'DROP SCHEMA', 'DROP OWNED', 'DROP TYPE')
  EXECUTE FUNCTION _forget_dropped_sets();
CREATE OR REPLACE FUNCTION _follow_renamed_sets() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_follow_renamed_sets';
REVOKE ALL ON FUNCTION _follow_renamed_sets() FROM PUBLIC;
CREATE EVENT TRIGGER pgdb_tools_follow_renamed_sets ON ddl_command_start
  WHEN TAG IN ('ALTER TABLE', 'ALTER SCHEMA')
  EXECUTE FUNCTION _follow_renamed_sets();

CREATE VIEW _snapshot_contents WITH (security_barrier) AS
SELECT c.name AS snapshot_name, c.created_by,
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
GRANT SELECT ON _snapshot_contents TO PUBLIC;

CREATE OR REPLACE VIEW snapshots WITH (security_barrier) AS
SELECT c.snapshot_id, c.name, c.created_at,
       c.created_by,
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
GRANT SELECT ON snapshots TO PUBLIC;
COMMENT ON VIEW snapshots IS
  'Snapshots the current user took or can read every table of, with their size';
DROP FUNCTION _snapshot_creator(oid);

CREATE EVENT TRIGGER pgdb_tools_snapshot_types ON ddl_command_start
  WHEN TAG IN ('DROP TYPE', 'DROP DOMAIN', 'DROP SCHEMA')
  EXECUTE FUNCTION pgdb_tools._snapshot_type_guard();
CREATE EVENT TRIGGER pgdb_tools_snapshot_copies ON sql_drop
  EXECUTE FUNCTION pgdb_tools._snapshot_type_guard();

-- Snapshots taken before the upgrade were taken in this cluster.
UPDATE snapshot_catalog SET created_on = _system_identifier() WHERE created_on IS NULL;

-- A set whose table was dropped (or renamed) under 0.1.0 stayed registered, and its settings
-- would be applied to the next table of that name: forget those, saying which.
DO $$
DECLARE
  gone text;
BEGIN
  WITH forgotten AS (
    DELETE FROM pgdb_tools.partition_sets s
     WHERE pg_catalog.to_regclass(pg_catalog.quote_ident(s.parent_schema) OPERATOR(pg_catalog.||) '.'
                                  OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.parent_name)) IS NULL
    RETURNING pg_catalog.quote_ident(s.parent_schema) OPERATOR(pg_catalog.||) '.'
              OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.parent_name) AS parent)
  SELECT pg_catalog.string_agg(parent, ', ' ORDER BY parent) INTO gone FROM forgotten;
  IF gone IS NOT NULL THEN
    RAISE WARNING 'forgot the partition sets of tables that no longer exist: %', gone
      USING HINT = 'A set whose table was renamed is among them: register it again under its new name with create_partitioned().';
  END IF;
END $$;
