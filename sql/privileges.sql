-- The extension installs no test function (those are extension pgdb_tools_selftest's, which the
-- test harness installs: test/selftest); version() is for everyone. Every role may use the
-- schema (each function checks the caller's rights itself); the catalog tables are readable and
-- loadable by the database owner (pg_dump and pg_restore), nothing more.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_app;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE ROLE pgdb_tools_test_app;
SELECT has_schema_privilege('pgdb_tools_test_app', 'pgdb_tools', 'USAGE') AS usage,
       has_schema_privilege('pgdb_tools_test_app', 'pgdb_tools', 'CREATE') AS create,
       has_schema_privilege('pgdb_tools_test_app', 'pgdb_tools_snapshots', 'CREATE') AS create_snapshots;
SELECT n.nspname, n.nspacl FROM pg_namespace n WHERE n.nspname LIKE 'pgdb\_tools%' ORDER BY 1;
SELECT c.relname, c.relkind, c.relacl FROM pg_class c
 WHERE c.relnamespace = 'pgdb_tools'::regnamespace AND c.relkind IN ('r', 'S', 'v') ORDER BY 1;
-- what pg_dump keeps of each catalog table, as the dumping role
SELECT c.relname, e.cond FROM pg_extension x,
       unnest(x.extconfig, x.extcondition) AS e(reloid, cond) JOIN pg_class c ON c.oid = e.reloid
 WHERE x.extname = 'pgdb_tools' ORDER BY 1;

SELECT p.proname, has_function_privilege('pgdb_tools_test_app', p.oid, 'EXECUTE') AS app_can_execute
  FROM pg_proc p WHERE p.pronamespace = 'pgdb_tools'::regnamespace ORDER BY p.proname;

SELECT count(*) AS test_functions FROM pg_proc p
 WHERE p.proname LIKE '%selftest%' OR p.prosrc LIKE '%selftest%';

SET ROLE pgdb_tools_test_app;
SELECT pgdb_tools.version();
RESET ROLE;

DROP EXTENSION pgdb_tools;
DROP ROLE pgdb_tools_test_app;
