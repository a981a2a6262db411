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
