-- The test-only functions are for superusers; version() is for everyone.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_app;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE ROLE pgdb_tools_test_app;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_app;

SELECT p.proname, has_function_privilege('pgdb_tools_test_app', p.oid, 'EXECUTE') AS app_can_execute
  FROM pg_proc p WHERE p.pronamespace = 'pgdb_tools'::regnamespace ORDER BY p.proname;

SET ROLE pgdb_tools_test_app;
SELECT pgdb_tools.version();
SELECT pgdb_tools._selftest_spin(60);
SELECT pgdb_tools._selftest_throw('std');
RESET ROLE;

REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_app;
DROP EXTENSION pgdb_tools;
DROP ROLE pgdb_tools_test_app;
