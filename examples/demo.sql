-- pgdb_tools demo: run by `make demo` against a fresh database with pg_cron and pgdb_tools.
-- Each capability adds its walkthrough here as it lands.

-- The extension lives in schema pgdb_tools.
SELECT pgdb_tools.version();

SELECT e.extname, e.extversion, n.nspname AS schema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname IN ('pgdb_tools', 'pg_cron')
 ORDER BY e.extname;

-- pg_cron is preloaded, ready for scheduled maintenance and snapshots.
SELECT current_setting('shared_preload_libraries') AS preloaded,
       current_setting('cron.database_name') AS cron_database;
