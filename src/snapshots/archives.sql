-- Snapshots II: archive files under pgdb_tools.archive_directory (docs/archives.md).

CREATE FUNCTION snapshot_export(name text, path text DEFAULT NULL, compression text DEFAULT 'zstd')
  RETURNS text
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_export';
COMMENT ON FUNCTION snapshot_export(text, text, text) IS
  'Writes a snapshot as one archive file under pgdb_tools.archive_directory; returns its full path';

CREATE FUNCTION snapshot_import(path text, name text DEFAULT NULL) RETURNS bigint
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_import';
COMMENT ON FUNCTION snapshot_import(text, text) IS
  'Reads an archive file back as a new snapshot of the caller; returns its id';

CREATE FUNCTION archive_verify(path text)
  RETURNS TABLE(source text, rows bigint, ok boolean, detail text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_archive_verify';
COMMENT ON FUNCTION archive_verify(text) IS
  'Checks every checksum, row count and the SHA-256 of an archive file, per table, without importing it';

CREATE FUNCTION archives()
  RETURNS TABLE(path text, bytes bigint, created_at timestamptz, snapshot_name text, tables integer,
                total_rows bigint, ok boolean)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_archives';
COMMENT ON FUNCTION archives() IS
  'The archive files in pgdb_tools.archive_directory (ok: their trailer checks)';

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
