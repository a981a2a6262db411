-- Snapshots: retention (snapshot_prune), schedules run by pg_cron, and the guard that keeps
-- DROP TYPE from breaking a stored copy.

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

-- The pg_cron job of a snapshot schedule: pgdb_tools_snapshot_<prefix> in pg_cron's own database,
-- pgdb_tools_snapshot_<prefix>@<database> for another database (pg_cron names jobs per role across
-- the cluster: the same prefix in two databases must not name one job), fitted by _cron_job_name.
CREATE FUNCTION _snapshot_job_name(name_prefix text) RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pgdb_tools._cron_job_name(
           'pgdb_tools_snapshot_' OPERATOR(pg_catalog.||) name_prefix
           OPERATOR(pg_catalog.||) CASE WHEN pgdb_tools._cron_database()
                                             IS NOT DISTINCT FROM pg_catalog.current_database() THEN ''
                                        ELSE '@' OPERATOR(pg_catalog.||) pg_catalog.current_database() END)
$$;

CREATE FUNCTION schedule_snapshot(name_prefix text, schedule text, tables regclass[] DEFAULT NULL,
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
COMMENT ON FUNCTION schedule_snapshot(text, text, regclass[], name[], integer) IS
  'Creates or updates a pg_cron job taking <name_prefix>_<YYYYMMDD_HHMMSS> snapshots and keeping the newest keep_last; returns its id (outside pg_cron''s database the job is made, with that id, when the transaction commits)';

CREATE FUNCTION unschedule_snapshot(name_prefix text) RETURNS boolean
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
COMMENT ON FUNCTION unschedule_snapshot(text) IS
  'Removes a snapshot schedule''s pg_cron job (its snapshots stay); false when there was none (outside pg_cron''s database it is removed when the transaction commits)';

CREATE FUNCTION _snapshot_schedule_save(name_prefix text, tables regclass[], schemas name[], keep_last integer)
  RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_schedule_save';

-- The caller's snapshot schedules (a superuser's: everyone's), with their newest snapshot and the
-- last run of their pg_cron job: a run that failed took no snapshot, so it shows here.
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
