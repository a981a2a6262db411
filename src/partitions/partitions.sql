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
  -- new partitions copy its storage parameters, tablespace and replica identity (NULL: the newest
  -- partition's)
  template_table regclass,
  PRIMARY KEY (parent_schema, parent_name)
);
COMMENT ON TABLE partition_sets IS 'Partition sets pgdb_tools maintains';
-- A dump by a role that is not a superuser keeps the sets of its own tables that maintenance runs
-- as it for, which it may load back (docs/snapshots.md, "pg_dump and pg_restore").
SELECT pg_catalog.pg_extension_config_dump('partition_sets',
  'WHERE pgdb_tools._dump_keeps(owner_name, parent_schema, parent_name)');
REVOKE ALL ON partition_sets FROM PUBLIC;
GRANT SELECT ON partition_sets TO PUBLIC;
GRANT INSERT ON partition_sets TO pg_database_owner;
CREATE TRIGGER check_restored_row BEFORE INSERT ON partition_sets
  FOR EACH ROW EXECUTE FUNCTION _check_restored_row();

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
                                   retention_limit integer DEFAULT 50,
                                   template_table regclass DEFAULT NULL)
  RETURNS integer LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_create_partitioned';
COMMENT ON FUNCTION create_partitioned(regclass, text, text, integer, text, text, text, name, boolean, text, integer, regclass) IS
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
                                   retention_limit integer DEFAULT NULL,
                                   template_table regclass DEFAULT NULL)
  RETURNS boolean LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_update_partitioned';
COMMENT ON FUNCTION update_partitioned(regclass, integer, text, text, name, integer, regclass) IS
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

-- A set follows its table through ALTER TABLE ... RENAME / SET SCHEMA, ALTER INDEX ... RENAME TO
-- naming the table, and ALTER SCHEMA ... RENAME (the registry names tables by schema and name:
-- left behind, a set would be applied to the next table given the old name). The registry
-- changes in the statement's own transaction. The other tags are those by which PostgreSQL
-- renames a table's columns (ALTER VIEW ... RENAME COLUMN on a table, ALTER TYPE ... RENAME
-- ATTRIBUTE ... CASCADE), for managed triggers (triggers/follow_pg.cpp); on any other statement
-- the function returns before any query.
CREATE FUNCTION _follow_renamed_sets() RETURNS event_trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_follow_renamed_sets';
REVOKE ALL ON FUNCTION _follow_renamed_sets() FROM PUBLIC;
CREATE EVENT TRIGGER pgdb_tools_follow_renamed_sets ON ddl_command_start
  WHEN TAG IN ('ALTER TABLE', 'ALTER SCHEMA', 'ALTER INDEX', 'ALTER VIEW', 'ALTER MATERIALIZED VIEW',
               'ALTER FOREIGN TABLE', 'ALTER TYPE')
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
COMMENT ON PROCEDURE run_maintenance_proc(text, integer) IS
  'run_maintenance for every set, one transaction per set, retrying sets whose locks time out';

CREATE FUNCTION evacuate_default(parent regclass, batch_size integer DEFAULT 10000) RETURNS bigint
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_evacuate_default';
COMMENT ON FUNCTION evacuate_default(regclass, integer) IS
  'Moves the rows of the default partition into partitions of their own, creating them; returns the rows moved';

CREATE FUNCTION _evacuate_default_batch(parent regclass, batch_size integer)
  RETURNS TABLE(moved bigint, rows_left bigint, done boolean, staying text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_evacuate_default_batch';
COMMENT ON FUNCTION _evacuate_default_batch(regclass, integer) IS
  'One batch of evacuate_default_proc';

-- As run_maintenance_proc: no SET search_path (it would forbid COMMIT); the body pins the trusted
-- path after every COMMIT and gives the caller's back at the end.
CREATE PROCEDURE evacuate_default_proc(parent regclass, batch_size integer DEFAULT 10000)
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

CREATE FUNCTION partition_existing(tbl regclass, control text, partition_interval text,
                                   premake integer DEFAULT 4, retention text DEFAULT NULL,
                                   retention_mode text DEFAULT 'drop', archive_schema name DEFAULT NULL,
                                   time_zone text DEFAULT 'UTC', dry_run boolean DEFAULT false)
  RETURNS TABLE(step integer, statement text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_partition_existing';
COMMENT ON FUNCTION partition_existing(regclass, text, text, integer, text, text, name, text, boolean) IS
  'Turns a plain table into a managed partition set, the old table its first partition; returns the statements run';

CREATE FUNCTION _partition_existing_check(tbl regclass, control text, partition_interval text,
                                          premake integer, retention text, retention_mode text,
                                          archive_schema name, time_zone text)
  RETURNS TABLE(step integer, statement text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_partition_existing_check';
COMMENT ON FUNCTION _partition_existing_check(regclass, text, text, integer, text, text, name, text) IS
  'The first transaction of partition_existing_proc: the NOT VALID range check';

-- As run_maintenance_proc: no SET search_path (it would forbid COMMIT); the body pins the trusted
-- path after every COMMIT and gives the caller's back at the end.
CREATE PROCEDURE partition_existing_proc(tbl regclass, control text, partition_interval text,
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

CREATE FUNCTION _partition_set_status(parent regclass)
  RETURNS TABLE(newest_upper_bound text, runway text, default_rows bigint)
  LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_partition_set_status';

CREATE VIEW partition_status AS
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
GRANT SELECT ON partition_status TO PUBLIC;
COMMENT ON VIEW partition_status IS
  'Each partition set: partitions, the newest bound, how long the premade partitions last, rows in the default, the last run and the last run of the pg_cron job';

CREATE FUNCTION schedule_maintenance(schedule text DEFAULT '@hourly') RETURNS bigint
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
COMMENT ON FUNCTION schedule_maintenance(text) IS
  'Creates or updates the pg_cron job that runs run_maintenance_proc() here as you; returns its id (outside pg_cron''s database the job is made, with that id, when the transaction commits)';

CREATE FUNCTION unschedule_maintenance() RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  -- the caller's pg_cron job of this database, if any (see _cron_unschedule)
  RETURN pgdb_tools._cron_unschedule('pgdb_tools_maintenance_' OPERATOR(pg_catalog.||) pg_catalog.current_database());
END $$;
COMMENT ON FUNCTION unschedule_maintenance() IS
  'Removes the pg_cron maintenance job; false when there was none (outside pg_cron''s database it is removed when the transaction commits)';
