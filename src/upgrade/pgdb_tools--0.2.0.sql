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
-- Partition management: the sets pgdb_tools maintains, their run history, and the functions.

CREATE TABLE partition_sets (
  parent_schema name NOT NULL,
  parent_name name NOT NULL,
  control name NOT NULL,
  partition_interval text NOT NULL,
  premake integer NOT NULL CHECK (premake BETWEEN 0 AND 10000),
  start_at text NOT NULL,
  retention text,
  retention_mode text NOT NULL CHECK (retention_mode IN ('drop', 'detach', 'archive')),
  archive_schema name,
  default_partition boolean NOT NULL,
  time_zone text NOT NULL,
  owner_name name NOT NULL,  -- who owned the parent at registration: maintenance runs as them
  created_at timestamptz NOT NULL DEFAULT now(),
  -- the most partitions, in percent of the set's, one pass may retire without force
  retention_limit integer NOT NULL DEFAULT 50 CHECK (retention_limit BETWEEN 0 AND 100),
  PRIMARY KEY (parent_schema, parent_name)
);
COMMENT ON TABLE partition_sets IS 'Partition sets pgdb_tools maintains';
SELECT pg_catalog.pg_extension_config_dump('partition_sets', '');
REVOKE ALL ON partition_sets FROM PUBLIC;
GRANT SELECT ON partition_sets TO PUBLIC;

CREATE TABLE partition_runs (
  run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_schema name NOT NULL,
  parent_name name NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  actions integer NOT NULL,
  error text
);
COMMENT ON TABLE partition_runs IS 'One row per maintenance pass of a partition set';
REVOKE ALL ON partition_runs FROM PUBLIC;
GRANT SELECT ON partition_runs TO PUBLIC;

CREATE FUNCTION create_partitioned(parent regclass, control text, partition_interval text,
                                   premake integer DEFAULT 4, start_at text DEFAULT NULL,
                                   retention text DEFAULT NULL, retention_mode text DEFAULT 'drop',
                                   archive_schema name DEFAULT NULL,
                                   default_partition boolean DEFAULT true,
                                   time_zone text DEFAULT 'UTC',
                                   retention_limit integer DEFAULT 50)
  RETURNS integer LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_create_partitioned';
COMMENT ON FUNCTION create_partitioned(regclass, text, text, integer, text, text, text, name, boolean, text, integer) IS
  'Registers a range partition set and creates its partitions; returns how many were created';

CREATE FUNCTION run_maintenance(parent regclass DEFAULT NULL, dry_run boolean DEFAULT false,
                                force boolean DEFAULT false)
  RETURNS TABLE(parent regclass, action text, partition_name text, detail text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_run_maintenance';
COMMENT ON FUNCTION run_maintenance(regclass, boolean, boolean) IS
  'Creates missing partitions, applies retention and empties the default, per set; errors become rows';

CREATE FUNCTION update_partitioned(parent regclass, premake integer DEFAULT NULL,
                                   retention text DEFAULT NULL, retention_mode text DEFAULT NULL,
                                   archive_schema name DEFAULT NULL,
                                   retention_limit integer DEFAULT NULL)
  RETURNS boolean LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_update_partitioned';
COMMENT ON FUNCTION update_partitioned(regclass, integer, text, text, name, integer) IS
  'Changes the given settings of a partition set; retention => ''none'' clears retention';

CREATE FUNCTION forget_partitioned(parent regclass) RETURNS boolean
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_forget_partitioned';
COMMENT ON FUNCTION forget_partitioned(regclass) IS 'Stops managing the set; its partitions stay';

-- A table named as text: also the set of a table that no longer exists. (An unknown literal,
-- forget_partitioned('events'), resolves to this one; it treats live tables as the regclass one.)
CREATE FUNCTION forget_partitioned(parent text) RETURNS boolean
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_forget_partitioned_by_name';
COMMENT ON FUNCTION forget_partitioned(text) IS
  'Stops managing the set of the named table, also when that table was dropped; its partitions stay';

-- A dropped parent's set is forgotten with it, so that a later table of the same name never
-- inherits its settings (its retention). Never makes a DROP fail: a problem here is a WARNING.
CREATE FUNCTION _forget_dropped_sets() RETURNS event_trigger
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
REVOKE ALL ON FUNCTION _forget_dropped_sets() FROM PUBLIC;
CREATE EVENT TRIGGER pgdb_tools_forget_dropped_sets ON sql_drop
  WHEN TAG IN ('DROP TABLE', 'DROP SCHEMA', 'DROP OWNED', 'DROP TYPE')
  EXECUTE FUNCTION _forget_dropped_sets();

-- A set follows its table through ALTER TABLE ... RENAME / SET SCHEMA and ALTER SCHEMA ... RENAME
-- (the registry names tables by schema and name: left behind, a set would be applied to the next
-- table given the old name). The registry changes in the statement's own transaction.
CREATE FUNCTION _follow_renamed_sets() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_follow_renamed_sets';
REVOKE ALL ON FUNCTION _follow_renamed_sets() FROM PUBLIC;
CREATE EVENT TRIGGER pgdb_tools_follow_renamed_sets ON ddl_command_start
  WHEN TAG IN ('ALTER TABLE', 'ALTER SCHEMA')
  EXECUTE FUNCTION _follow_renamed_sets();

CREATE FUNCTION _partition_lower_key(partition oid) RETURNS bigint
  LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_partition_lower_key';

CREATE FUNCTION partitions(parent regclass)
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
COMMENT ON FUNCTION partitions(regclass) IS 'The partitions of a set in bound order, the default last';

-- A procedure that commits cannot carry SET search_path, so it pins the path itself, again after
-- each COMMIT (the setting is transaction-local), and gives the caller's back at the end; every
-- operator it uses is one of pg_catalog's, named as such.
-- No SET search_path clause: PostgreSQL refuses COMMIT in a procedure that has one. The body pins
-- the trusted path itself with set_config(..., true) at the start and again after every COMMIT
-- (a local setting ends with its transaction), names every operator OPERATOR(pg_catalog.x) and
-- every function pg_catalog.x, and gives the caller's path back at the end.
CREATE PROCEDURE run_maintenance_proc(lock_timeout text DEFAULT '5s', max_retries integer DEFAULT 3)
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
COMMENT ON PROCEDURE run_maintenance_proc(text, integer) IS
  'run_maintenance for every set, one transaction per set, retrying sets whose locks time out';

CREATE FUNCTION _partition_set_status(parent regclass)
  RETURNS TABLE(newest_upper_bound text, runway text, default_rows bigint)
  LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_partition_set_status';

CREATE VIEW partition_status AS
SELECT c.oid::pg_catalog.regclass AS parent,
       s.control::text AS control,
       s.partition_interval,
       (SELECT count(*) FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid)::integer AS partitions,
       st.newest_upper_bound,
       st.runway,
       st.default_rows,
       r.finished_at AS last_run,
       r.error AS last_error
  FROM pgdb_tools.partition_sets s
  JOIN pg_catalog.pg_namespace n ON n.nspname = s.parent_schema
  JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.parent_name
  LEFT JOIN LATERAL pgdb_tools._partition_set_status(c.oid::pg_catalog.regclass) st ON true
  LEFT JOIN LATERAL (SELECT pr.finished_at, pr.error FROM pgdb_tools.partition_runs pr
                      WHERE pr.parent_schema = s.parent_schema AND pr.parent_name = s.parent_name
                      ORDER BY pr.run_id DESC LIMIT 1) r ON true
 WHERE pg_catalog.pg_has_role(c.relowner, 'USAGE')
    OR pg_catalog.has_table_privilege(c.oid, 'SELECT');
GRANT SELECT ON partition_status TO PUBLIC;
COMMENT ON VIEW partition_status IS
  'Each partition set: partitions, the newest bound, how long the premade partitions last, rows in the default, the last run';

CREATE FUNCTION schedule_maintenance(schedule text DEFAULT '@hourly') RETURNS bigint
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
COMMENT ON FUNCTION schedule_maintenance(text) IS
  'Creates or updates the pg_cron job that runs run_maintenance_proc(); returns its id';

CREATE FUNCTION unschedule_maintenance() RETURNS boolean
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
COMMENT ON FUNCTION unschedule_maintenance() IS 'Removes the pg_cron maintenance job; false when there was none';
-- Test-only functions that prove the C++/PostgreSQL boundary (docs/boundary.md). Not part of the
-- public API: superusers only.

CREATE FUNCTION _selftest_throw(kind text, sqlstate text DEFAULT 'XX000',
                                message text DEFAULT 'selftest', detail text DEFAULT NULL,
                                hint text DEFAULT NULL) RETURNS void
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_throw';

CREATE FUNCTION _selftest_run_with_objects(sql text) RETURNS bigint
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_run_with_objects';

CREATE FUNCTION _selftest_live_objects() RETURNS bigint
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_live_objects';

CREATE FUNCTION _selftest_catch_pg_error(sql text) RETURNS text
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_catch_pg_error';

CREATE FUNCTION _selftest_spin(seconds float8) RETURNS bigint
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_spin';

CREATE FUNCTION _selftest_xact_note(note text) RETURNS void
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_xact_note';

CREATE FUNCTION _selftest_xact_notes() RETURNS text[]
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_xact_notes';

CREATE FUNCTION _selftest_quote_ident(ident text) RETURNS text
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_quote_ident';

CREATE FUNCTION _selftest_quote_literal(value text) RETURNS text
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_quote_literal';

CREATE FUNCTION _selftest_spi_roundtrip(t text, n bigint, b boolean) RETURNS text
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_spi_roundtrip';

CREATE FUNCTION _selftest_noop_trigger() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_noop_trigger';

CREATE FUNCTION _selftest_isolated_errors(sqls text[]) RETURNS text
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_isolated_errors';

CREATE FUNCTION _selftest_cpp_error_with_spi() RETURNS text
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_cpp_error_with_spi';

-- Run by CREATE EXTENSION (search_path: pgdb_tools, then pg_catalog implicitly first); still, every
-- name and operator is qualified so nothing a caller planted can be picked up.
DO $$
DECLARE f pg_catalog.regprocedure;
BEGIN
  FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
           WHERE p.pronamespace OPERATOR(pg_catalog.=) 'pgdb_tools'::pg_catalog.regnamespace
             AND p.proname OPERATOR(pg_catalog.~~) '\_selftest\_%'::pg_catalog.text
  LOOP
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END $$;
-- Snapshots: the catalog of snapshots, the schema holding their copies, and the functions.

-- The copies: one table per snapshotted table, owned by the extension's owner, readable by nobody
-- else, and beside each a view through which the roles allowed to read it do (snapshot_restore
-- and snapshot_diff run their SQL as the caller and read the view).
CREATE SCHEMA pgdb_tools_snapshots;
COMMENT ON SCHEMA pgdb_tools_snapshots IS 'Copies of the tables in pgdb_tools snapshots (read them through pgdb_tools functions)';
REVOKE ALL ON SCHEMA pgdb_tools_snapshots FROM PUBLIC;
GRANT USAGE ON SCHEMA pgdb_tools_snapshots TO PUBLIC;

CREATE SEQUENCE snapshot_ids;
CREATE TABLE snapshot_catalog (
  snapshot_id bigint PRIMARY KEY DEFAULT nextval('pgdb_tools.snapshot_ids'),
  name text NOT NULL,
  created_at timestamptz NOT NULL,
  -- The creator by name and OID (see _snapshot_creator_role).
  created_by name NOT NULL,
  created_by_oid oid NOT NULL,
  note text,
  tags text[] NOT NULL DEFAULT '{}',
  -- The system identifier of the cluster the snapshot was taken in (NULL: unknown, taken as this
  -- one): role OIDs mean something only there.
  created_on text,
  -- Names are per role: another role can neither take nor learn of a name of yours.
  UNIQUE (created_by, name)
);
ALTER SEQUENCE snapshot_ids OWNED BY snapshot_catalog.snapshot_id;
COMMENT ON TABLE snapshot_catalog IS 'One row per snapshot (read it through the snapshots view)';

CREATE TABLE snapshot_items (
  snapshot_id bigint NOT NULL REFERENCES snapshot_catalog ON DELETE CASCADE,
  ordinal integer NOT NULL,
  source_relid oid NOT NULL,
  source_schema name NOT NULL,
  source_name name NOT NULL,
  storage_name name NOT NULL,
  rows bigint NOT NULL,
  bytes bigint NOT NULL,
  content_hash text NOT NULL,
  definition jsonb NOT NULL,
  PRIMARY KEY (snapshot_id, ordinal)
);
COMMENT ON TABLE snapshot_items IS 'One row per table of a snapshot: its copy, counts, hash and definition';
REVOKE ALL ON snapshot_catalog, snapshot_items, snapshot_ids FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('snapshot_catalog', '');
SELECT pg_catalog.pg_extension_config_dump('snapshot_items', '');
SELECT pg_catalog.pg_extension_config_dump('snapshot_ids', '');

CREATE TABLE snapshot_schedules (
  owner_name name NOT NULL,
  name_prefix text NOT NULL,
  tables regclass[],
  schemas name[],
  keep_last integer NOT NULL,
  PRIMARY KEY (owner_name, name_prefix)
);
COMMENT ON TABLE snapshot_schedules IS 'Snapshots taken by pg_cron (schedule_snapshot); each role sees its own';
REVOKE ALL ON snapshot_schedules FROM PUBLIC;
GRANT SELECT ON snapshot_schedules TO PUBLIC;
ALTER TABLE snapshot_schedules ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_schedules ON snapshot_schedules FOR SELECT USING (owner_name = current_user);
SELECT pg_catalog.pg_extension_config_dump('snapshot_schedules', '');

-- Whether the current user may read the copy of the table recorded as (relid, schema, name)
-- with the given columns: the table still exists under that name, the user may use its schema,
-- has SELECT on it (or on each of those columns, all of which must still be there), and no
-- row-level security hides rows of it from them.
CREATE FUNCTION _table_readable(relid oid, schema_name name, table_name name, columns text[])
  RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (
    SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = relid AND n.nspname = schema_name AND c.relname = table_name
       AND has_schema_privilege(n.oid, 'USAGE')
       AND NOT row_security_active(c.oid)
       AND cardinality(columns) > 0
       AND NOT EXISTS (
             SELECT FROM unnest(columns) AS col(name)
              WHERE NOT EXISTS (
                      SELECT FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attname = col.name AND a.attnum > 0
                         AND NOT a.attisdropped
                         AND (has_table_privilege(c.oid, 'SELECT')
                              OR has_column_privilege(c.oid, a.attnum, 'SELECT')))))
$$;

-- The column names a snapshot recorded for a table.
CREATE FUNCTION _snapshot_columns(definition jsonb) RETURNS text[]
  LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(array_agg(c ->> 'name'), '{}') FROM jsonb_array_elements(definition -> 'columns') c
$$;

-- The system identifier of this cluster (pg_control), as text.
CREATE FUNCTION _system_identifier() RETURNS text
  LANGUAGE C STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'pgdb_tools_system_identifier';

-- The role that took a snapshot, as far as it can be told now (NULL when none: fail closed). In
-- the cluster it was taken in, the role of the recorded OID, if it still carries the recorded
-- name (a role renamed, or dropped and its OID reused, is not it). In another cluster (a dump
-- restored there), OIDs mean nothing: the role of the recorded name, as pg_dump binds owners.
CREATE FUNCTION _snapshot_creator_role(created_by_oid oid, created_by name, created_on text) RETURNS oid
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT r.oid FROM pg_roles r
   WHERE r.rolname OPERATOR(pg_catalog.=) created_by
     AND (r.oid OPERATOR(pg_catalog.=) created_by_oid
          OR (created_on IS NOT NULL AND created_on OPERATOR(pg_catalog.<>) pgdb_tools._system_identifier()))
$$;

-- Whether the current user is (a member of) the role that took a snapshot, or a superuser.
CREATE FUNCTION _snapshot_creator(created_by_oid oid, created_by name, created_on text) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(pg_has_role(pgdb_tools._snapshot_creator_role(created_by_oid, created_by, created_on), 'MEMBER'), false)
      OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user), false)
$$;

-- The tables of the snapshots the current user may read: those they took, and those of tables
-- they can read now. Sequence values are the taker's only (others may lack the right to see them).
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

-- Whether the current user may read the given table of a snapshot: the filter of the view each
-- copy is read through (pgdb_tools_snapshots.s<id>_<n>_read).
CREATE FUNCTION _snapshot_item_readable(snapshot_id bigint, ordinal integer) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT FROM pgdb_tools._snapshot_contents c
                  WHERE c.snapshot_id = _snapshot_item_readable.snapshot_id
                    AND c.ordinal = _snapshot_item_readable.ordinal)
$$;

-- The snapshot a name means to the current user. Names are per role: the caller's own snapshot
-- of that name first; otherwise the one snapshot of that name they can read (a member of its
-- creator, or able to read its tables). One row: the snapshot (NULL unless exactly one is meant),
-- how many are candidates (0: none, whether or not one the caller cannot read exists; more than
-- 1: ambiguous) and their creators. The callers raise the errors.
CREATE FUNCTION _snapshot_resolve(name text)
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

CREATE VIEW snapshots WITH (security_barrier) AS
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

-- What snapshot_create records about a table besides its rows.
CREATE FUNCTION _snapshot_definition(rel oid) RETURNS jsonb
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT jsonb_build_object(
  'relkind', c.relkind::text,
  'owner', pg_get_userbyid(c.relowner)::text,
  'partition_key', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
  'columns', (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'name', a.attname,
             'type', format_type(a.atttypid, a.atttypmod),
             'not_null', a.attnotnull,
             'collation', CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN
                            (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                               FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                              WHERE co.oid = a.attcollation) END,
             'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
             'generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
             'identity', nullif(a.attidentity::text, ''))
           ORDER BY a.attnum), '[]')
      FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
  'primary_key', (
    SELECT jsonb_agg(a.attname ORDER BY k.ord)
      FROM pg_constraint pk, unnest(pk.conkey) WITH ORDINALITY k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
     WHERE pk.conrelid = c.oid AND pk.contype = 'p'),
  'constraints', (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'name', co.conname, 'type', co.contype::text, 'definition', pg_get_constraintdef(co.oid))
           ORDER BY array_position('{p,u,x,c,f}'::text[], co.contype::text), co.conname), '[]')
      FROM pg_constraint co
     WHERE co.conrelid = c.oid AND co.contype IN ('p', 'u', 'x', 'c', 'f')),
  'indexes', (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'name', ic.relname, 'unique', i.indisunique,
             'expressions', i.indexprs IS NOT NULL OR i.indpred IS NOT NULL,
             'definition', substr(x.def, length(x.prefix) + 1))
           ORDER BY ic.relname), '[]')
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid,
           LATERAL (SELECT pg_get_indexdef(i.indexrelid) AS def,
                           'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END
                           || 'INDEX ' || quote_ident(ic.relname) || ' ON '
                           || CASE WHEN c.relkind = 'p' THEN 'ONLY ' ELSE '' END
                           || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' ' AS prefix) x
     WHERE i.indrelid = c.oid AND starts_with(x.def, x.prefix)
       AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = c.oid)),
  'sequences', (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'column', a.attname, 'name', s.relname, 'identity', a.attidentity <> '',
             'data_type', format_type(sq.seqtypid, NULL),
             'options', 'INCREMENT BY ' || sq.seqincrement
                        || ' MINVALUE ' || sq.seqmin || ' MAXVALUE ' || sq.seqmax
                        || ' START WITH ' || sq.seqstart || ' CACHE ' || sq.seqcache
                        || CASE WHEN sq.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END,
             'recorded', v.readable,
             'last_value', CASE WHEN v.readable THEN pg_sequence_last_value(s.oid) END)
           ORDER BY a.attnum), '[]')
      FROM pg_depend dep
      JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
      JOIN pg_sequence sq ON sq.seqrelid = s.oid
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = dep.refobjsubid,
           LATERAL (SELECT has_sequence_privilege(s.oid, 'SELECT')
                           OR has_sequence_privilege(s.oid, 'USAGE') AS readable) v
     WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
       AND dep.refobjid = c.oid AND dep.deptype IN ('a', 'i')))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = rel
$$;

CREATE FUNCTION snapshot_create(name text, tables regclass[] DEFAULT NULL, schemas name[] DEFAULT NULL,
                                note text DEFAULT NULL, tags text[] DEFAULT '{}')
  RETURNS bigint LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_create';
COMMENT ON FUNCTION snapshot_create(text, regclass[], name[], text, text[]) IS
  'Copies the listed tables and every table of the listed schemas, as of one point in time; returns the snapshot id';

CREATE FUNCTION snapshot_tables(name text)
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
COMMENT ON FUNCTION snapshot_tables(text) IS
  'The tables of a snapshot you may read (you took it, or can read the table), with rows, size and content hash';

CREATE FUNCTION snapshot_restore(name text, tables regclass[] DEFAULT NULL, target_schema name DEFAULT NULL,
                                 fire_triggers boolean DEFAULT false)
  RETURNS TABLE(source text, target text, rows bigint)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_restore';
COMMENT ON FUNCTION snapshot_restore(text, regclass[], name, boolean) IS
  'Puts a snapshot''s tables back in place, or recreates them in target_schema';

CREATE FUNCTION snapshot_diff(name text, tbl regclass)
  RETURNS TABLE(change text, row_key jsonb, old_data jsonb, new_data jsonb)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_diff';
COMMENT ON FUNCTION snapshot_diff(text, regclass) IS
  'Rows added, removed and changed in a table since the snapshot, keyed by primary key';

CREATE FUNCTION snapshot_verify(name text)
  RETURNS TABLE(source text, rows bigint, ok boolean, detail text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_verify';
COMMENT ON FUNCTION snapshot_verify(text) IS
  'Recounts and rehashes each stored copy and compares with what snapshot_create recorded';

CREATE FUNCTION snapshot_drop(name text) RETURNS boolean
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_drop';
COMMENT ON FUNCTION snapshot_drop(text) IS 'Drops a snapshot and its copies; false when there was none';

CREATE FUNCTION snapshot_prune(keep_last integer DEFAULT NULL, older_than interval DEFAULT NULL,
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
COMMENT ON FUNCTION snapshot_prune(integer, interval, text[], text) IS
  'Drops your snapshots beyond the newest keep_last and older than older_than, keeping tagged ones (name_prefix: only <prefix>_<YYYYMMDD_HHMMSS>); returns how many';

-- The pg_cron job's body: one snapshot named <prefix>_<YYYYMMDD_HHMMSS> (UTC), then pruning of
-- that prefix.
CREATE FUNCTION _take_scheduled_snapshot(name_prefix text) RETURNS bigint
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s pgdb_tools.snapshot_schedules;
  id bigint;
BEGIN
  SELECT * INTO s FROM pgdb_tools.snapshot_schedules
   WHERE snapshot_schedules.name_prefix = _take_scheduled_snapshot.name_prefix
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

CREATE FUNCTION schedule_snapshot(name_prefix text, schedule text, tables regclass[] DEFAULT NULL,
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
COMMENT ON FUNCTION schedule_snapshot(text, text, regclass[], name[], integer) IS
  'Creates or updates a pg_cron job taking <name_prefix>_<YYYYMMDD_HHMMSS> snapshots and keeping the newest keep_last';

CREATE FUNCTION unschedule_snapshot(name_prefix text) RETURNS boolean
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
COMMENT ON FUNCTION unschedule_snapshot(text) IS
  'Removes a snapshot schedule''s pg_cron job (its snapshots stay); false when there was none';

CREATE FUNCTION _snapshot_schedule_save(name_prefix text, tables regclass[], schemas name[], keep_last integer)
  RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_schedule_save';

-- DROP TYPE / DROP DOMAIN (or DROP SCHEMA ... CASCADE) of a type a stored copy uses would fail
-- with a dependency on a table in pgdb_tools_snapshots (or, with CASCADE, silently take the
-- column out of the copy): this names the snapshots that hold it and how to drop them first,
-- and refuses any statement that took a column out of a copy all the same (sql_drop).
CREATE FUNCTION _snapshot_type_guard() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_type_guard';
CREATE EVENT TRIGGER pgdb_tools_snapshot_types ON ddl_command_start
  WHEN TAG IN ('DROP TYPE', 'DROP DOMAIN', 'DROP SCHEMA')
  EXECUTE FUNCTION pgdb_tools._snapshot_type_guard();
CREATE EVENT TRIGGER pgdb_tools_snapshot_copies ON sql_drop
  EXECUTE FUNCTION pgdb_tools._snapshot_type_guard();
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
SELECT pg_catalog.pg_extension_config_dump('managed_triggers', '');
REVOKE ALL ON managed_triggers FROM PUBLIC;
GRANT SELECT ON managed_triggers TO PUBLIC;

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

CREATE FUNCTION apply_triggers(specs jsonb, prune boolean DEFAULT false, dry_run boolean DEFAULT false)
  RETURNS TABLE(action text, table_name text, trigger_name text, detail text)
  LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_apply_triggers';
COMMENT ON FUNCTION apply_triggers(jsonb, boolean, boolean) IS
  'Makes the declared triggers exist as declared (create, replace, unchanged; drop with prune)';

CREATE FUNCTION trigger_ddl(specs jsonb) RETURNS text
  LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'pgdb_tools_trigger_ddl';
COMMENT ON FUNCTION trigger_ddl(jsonb) IS 'The SQL apply_triggers would run for specs';

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
-- (under pinned search_path) under the same path, whatever the viewer's.
CREATE FUNCTION _installed_definition(trigger_oid oid) RETURNS text
  LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp
  AS 'SELECT pg_catalog.pg_get_triggerdef(trigger_oid)';

CREATE VIEW triggers AS
SELECT m.table_schema::text AS schema_name,
       m.table_name::text AS table_name,
       m.trigger_name::text AS trigger_name,
       m.kind,
       m.spec,
       CASE WHEN t.oid IS NULL THEN m.enabled ELSE t.tgenabled <> 'D' END AS enabled,
       CASE WHEN c.oid IS NULL THEN 'orphaned'
            WHEN t.oid IS NULL THEN 'missing'
            WHEN pgdb_tools._installed_definition(t.oid) <> m.installed_definition
              OR (t.tgenabled <> 'D') <> m.enabled THEN 'modified'
            WHEN pgdb_tools._trigger_spec_ddl(m.spec) IS DISTINCT FROM m.installed_ddl
              THEN 'outdated'
            ELSE 'installed' END AS status
  FROM pgdb_tools.managed_triggers m
  LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = m.table_schema
  LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = m.table_name
  LEFT JOIN pg_catalog.pg_trigger t ON t.tgrelid = c.oid AND t.tgname = m.trigger_name;
GRANT SELECT ON triggers TO PUBLIC;
COMMENT ON VIEW triggers IS 'Managed triggers and whether each is installed as declared';
