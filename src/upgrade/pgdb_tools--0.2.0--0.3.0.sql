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

-- Requests from outside pg_cron's database, carried out at commit by a background worker.
CREATE OR REPLACE FUNCTION _cron_schedule_at_commit(job_name text, schedule text, command text) RETURNS void
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_cron_schedule_at_commit';

CREATE OR REPLACE FUNCTION _cron_unschedule_at_commit(job_name text) RETURNS void
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_cron_unschedule_at_commit';

CREATE OR REPLACE FUNCTION _cron_schedule(job_name text, schedule text, command text) RETURNS bigint
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job bigint;
BEGIN
  IF job_name IS NULL OR schedule IS NULL OR command IS NULL THEN
    RAISE EXCEPTION 'job_name, schedule and command must not be NULL' USING ERRCODE = '22023';
  END IF;
  PERFORM pgdb_tools._require_pg_cron();
  IF pgdb_tools._cron_database() OPERATOR(pg_catalog.=) pg_catalog.current_database() THEN
    -- A job of the same name and role is updated.
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job USING job_name, schedule, command;
    RETURN job;
  END IF;
  PERFORM pgdb_tools._cron_schedule_at_commit(job_name, schedule, command);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION _cron_unschedule(job_name text) RETURNS boolean
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  removed boolean;
BEGIN
  IF job_name IS NULL THEN
    RAISE EXCEPTION 'job_name must not be NULL' USING ERRCODE = '22023';
  END IF;
  PERFORM pgdb_tools._require_pg_cron();
  IF pgdb_tools._cron_database() OPERATOR(pg_catalog.=) pg_catalog.current_database() THEN
    EXECUTE 'SELECT EXISTS (SELECT FROM cron.job WHERE jobname OPERATOR(pg_catalog.=) $1 AND username OPERATOR(pg_catalog.=) current_user)'
       INTO removed USING job_name;
    IF removed THEN
      EXECUTE 'SELECT cron.unschedule($1)' USING job_name;
    END IF;
    RETURN removed;
  END IF;
  PERFORM pgdb_tools._cron_unschedule_at_commit(job_name);
  RETURN NULL;
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
  SELECT 'pgdb_tools_snapshot_' OPERATOR(pg_catalog.||) name_prefix
         OPERATOR(pg_catalog.||) CASE WHEN pgdb_tools._cron_database()
                                           IS NOT DISTINCT FROM pg_catalog.current_database() THEN ''
                                      ELSE '@' OPERATOR(pg_catalog.||) pg_catalog.current_database() END
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
  -- job is made at commit (_cron_schedule), with this row in the same transaction.
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
  'Creates or updates the pg_cron job that runs run_maintenance_proc() here as you; returns its id (outside pg_cron''s database: NULL, the job is made there at commit)';

COMMENT ON FUNCTION unschedule_maintenance() IS
  'Removes the pg_cron maintenance job; false when there was none (outside pg_cron''s database: NULL, removed at commit)';

COMMENT ON FUNCTION schedule_snapshot(text, text, regclass[], name[], integer) IS
  'Creates or updates a pg_cron job taking <name_prefix>_<YYYYMMDD_HHMMSS> snapshots and keeping the newest keep_last (outside pg_cron''s database: NULL, the job is made there at commit)';

COMMENT ON FUNCTION unschedule_snapshot(text) IS
  'Removes a snapshot schedule''s pg_cron job (its snapshots stay); false when there was none (outside pg_cron''s database: NULL, removed at commit)';

-- partition_status: three columns at the end (the last run of the pg_cron maintenance job).
CREATE OR REPLACE VIEW partition_status AS
WITH job_runs AS MATERIALIZED (
  SELECT r.role_name, r.started_at, r.status, r.message
    FROM pgdb_tools._cron_last_runs() r
   WHERE r.job_name = 'pgdb_tools_maintenance_' || pg_catalog.current_database())
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
CREATE VIEW snapshot_schedule_status AS
WITH job_runs AS MATERIALIZED (SELECT * FROM pgdb_tools._cron_last_runs())
SELECT s.name_prefix, s.owner_name, s.tables, s.schemas, s.keep_last,
       t.newest AS last_snapshot, t.created_at AS last_snapshot_at,
       j.started_at AS last_job_run, j.status AS last_job_status,
       CASE WHEN j.status = 'failed' THEN j.message END AS last_job_error
  FROM pgdb_tools.snapshot_schedules s
  LEFT JOIN LATERAL (SELECT c.name AS newest, c.created_at FROM pgdb_tools.snapshot_catalog c
                      WHERE c.created_by = s.owner_name
                        AND pg_catalog.left(c.name, pg_catalog.length(s.name_prefix) + 1) = s.name_prefix || '_'
                        AND pg_catalog.substr(c.name, pg_catalog.length(s.name_prefix) + 2) ~ '^[0-9]{8}_[0-9]{6}$'
                      ORDER BY c.created_at DESC, c.snapshot_id DESC LIMIT 1) t ON true
  LEFT JOIN job_runs j ON j.job_name = pgdb_tools._snapshot_job_name(s.name_prefix) AND j.role_name = s.owner_name
 WHERE s.owner_name = current_user
    OR coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false);
GRANT SELECT ON snapshot_schedule_status TO PUBLIC;
COMMENT ON VIEW snapshot_schedule_status IS
  'Your snapshot schedules, their newest snapshot and the last run of their pg_cron job';


-- ==== snapshots ====

-- ==== docs ====
