-- The test cluster preloads pg_cron, which the scheduling functions of the features rely on.
SELECT current_setting('shared_preload_libraries') AS preloaded;
SELECT current_setting('cron.database_name') = current_database() AS cron_uses_this_database;
CREATE EXTENSION pg_cron;
SELECT cron.schedule('pgdb_tools_cluster_check', '*/5 * * * *', 'SELECT 1') > 0 AS scheduled;
SELECT jobname, schedule, command FROM cron.job WHERE jobname = 'pgdb_tools_cluster_check';
SELECT cron.unschedule('pgdb_tools_cluster_check');
DROP EXTENSION pg_cron;
