-- pgdb_tools install script, assembled by the Makefile from the .sql files beside the C++ sources.
\echo Use "CREATE EXTENSION pgdb_tools" to load this file. \quit

CREATE FUNCTION version() RETURNS text
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'pgdb_tools_version';
COMMENT ON FUNCTION version() IS 'The version of the pgdb_tools extension library';

-- Scheduling. pg_cron keeps its jobs in one database of the cluster (cron.database_name) and runs
-- each in the database it names, as the role it names. In pg_cron's database the jobs are made
-- here, in the transaction. A function cannot reach another database, so elsewhere a background
-- worker connects to pg_cron's database as the role that asked: at the call, to look the job up
-- (or reserve its id), and just before the transaction commits, to make (or remove) that role's
-- job for this database (src/pg/cron.cpp, src/pg/cron_worker.cpp).

-- pg_cron's database (cron.database_name); NULL when pg_cron is not loaded. pg_cron lets only
-- superusers read that setting, yet every role that schedules must know where its jobs are made,
-- and a database's name is no secret (pg_database is readable by all): so this reads the setting
-- with the extension owner's rights and returns nothing else. Should the owner not be allowed to
-- read it either, pg_cron installed here says this is its database.
CREATE FUNCTION _cron_database() RETURNS text
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN pg_catalog.current_setting('cron.database_name', true);
EXCEPTION WHEN insufficient_privilege THEN
  IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
    RETURN pg_catalog.current_database();
  END IF;
  RETURN NULL;
END $$;

-- The check every pg_cron scheduling function makes first: pg_cron is loaded, and when this is
-- its database, installed here and usable by the caller.
CREATE FUNCTION _require_pg_cron() RETURNS void
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

-- Outside pg_cron's database, as the current user: a background worker connected there looks
-- up now the role's job of that name for this database and returns its id, or reserves one (a
-- job that never runs: schedule '0 0 31 2 *', a command that does nothing); at commit the job is
-- made or updated with that id. unschedule returns now whether the role has that job (as this
-- transaction's earlier requests leave it) and removes it at commit. A rolled-back transaction
-- or savepoint changes no job; a reservation it leaves is reused by the next call for that name
-- or removed by the role's next call for this database. Refused now when the role could not
-- connect there (NOLOGIN, no CONNECT) or pg_cron refuses (no USAGE on schema cron, no EXECUTE on
-- cron.schedule_in_database: the GRANTs are in the HINT).
CREATE FUNCTION _cron_schedule_at_commit(job_name text, schedule text, command text) RETURNS bigint
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_cron_schedule_at_commit';
CREATE FUNCTION _cron_unschedule_at_commit(job_name text) RETURNS boolean
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_cron_unschedule_at_commit';

-- The name a job gets in cron.job: pg_cron 1.4 keeps job names as type name (63 bytes at most)
-- and cuts longer ones, so that two long names (a long database name in each) could become one
-- job. A name that does not fit keeps its first 54 bytes (whole characters) and gets "_" and 8
-- hexadecimal digits of its MD5.
CREATE FUNCTION _cron_job_name(job_name text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN octet_length(job_name) <= 63 THEN job_name
    ELSE (SELECT left(job_name, k) FROM generate_series(54, 1, -1) k
           WHERE octet_length(left(job_name, k)) <= 54 ORDER BY k DESC LIMIT 1)
         || '_' || left(md5(job_name), 8) END
$$;

-- Creates or updates the caller's pg_cron job job_name (see _cron_job_name) running command in
-- this database on schedule, and returns its id. In pg_cron's database the job is made at once,
-- in the transaction; elsewhere when this transaction commits (a NOTICE says so). The job always
-- runs as the caller: no role is ever named for pg_cron but the caller's own (only a superuser
-- may create a job for another role).
CREATE FUNCTION _cron_schedule(job_name text, schedule text, command text) RETURNS bigint
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

-- Removes the caller's pg_cron job job_name (see _cron_job_name) of this database, returning
-- whether there was one. In pg_cron's database at once; elsewhere when this transaction commits
-- (a NOTICE says so).
CREATE FUNCTION _cron_unschedule(job_name text) RETURNS boolean
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

-- The latest run of each pgdb_tools job for this database that the caller may see (pg_cron shows
-- each role its own jobs; a superuser sees all), from pg_cron's cron.job_run_details. Nothing when
-- this is not pg_cron's database, pg_cron is not installed, or the caller may not read it: the
-- views that use it work without pg_cron.
CREATE FUNCTION _cron_last_runs()
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

-- A row loaded into a trigger record or partition set (pg_restore, as the database owner holds
-- INSERT on those two) by a role that is not a superuser must be one that role could have made
-- through the functions: of its own tables, and for a set, of a partitioned table it owns,
-- maintained as itself. The extension's own code writes as its owner. The snapshot catalog takes
-- no rows but the extension's: restoring snapshots needs a superuser.
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
REVOKE ALL ON FUNCTION _check_restored_row() FROM PUBLIC;
