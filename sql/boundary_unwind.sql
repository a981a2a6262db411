-- A PostgreSQL ERROR raised while C++ objects are alive comes back through the reverse guard as a
-- C++ exception: the objects' destructors run (each holds 1 MiB, so a skipped one would leak), the
-- original error reaches the user unchanged, and the session stays healthy.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE EXTENSION pgdb_tools_selftest;  -- the test-only functions (test/selftest)

SELECT pgdb_tools._selftest_live_objects() AS live_before;

-- the PostgreSQL error keeps its SQLSTATE and context
\set VERBOSITY sqlstate
SELECT pgdb_tools._selftest_run_with_objects('SELECT 1/0');
SELECT pgdb_tools._selftest_run_with_objects('SELECT * FROM no_such_table');
SELECT pgdb_tools._selftest_run_with_objects('SELECT ''abc''::int');
\set VERBOSITY default
SELECT pgdb_tools._selftest_run_with_objects('SELECT 1/0');
SELECT pgdb_tools._selftest_live_objects() AS live_after_errors;

-- the same code path without an error returns normally
SELECT pgdb_tools._selftest_run_with_objects('SELECT generate_series(1, 7)') AS rows_processed;
SELECT pgdb_tools._selftest_live_objects() AS live_after_success;

-- 200 failures caught in PL/pgSQL: still nothing alive
DO $$
DECLARE n int := 0;
BEGIN
  FOR i IN 1..200 LOOP
    BEGIN
      PERFORM pgdb_tools._selftest_run_with_objects('SELECT 1/0');
    EXCEPTION WHEN division_by_zero THEN n := n + 1;
    END;
  END LOOP;
  RAISE NOTICE 'caught % errors, % objects alive', n, pgdb_tools._selftest_live_objects();
END $$;

-- an error inside a subtransaction of the C++ code can be caught there, and the same call goes on
-- using SPI afterwards: the error state and memory context were restored
SELECT pgdb_tools._selftest_catch_pg_error('SELECT 1/0');
SELECT pgdb_tools._selftest_catch_pg_error('SELECT * FROM no_such_table');
SELECT pgdb_tools._selftest_catch_pg_error('SELECT 1');
SELECT pgdb_tools._selftest_live_objects() AS live_after_caught;

-- what the rolled-back subtransaction did is undone, what followed it stays
CREATE TABLE unwind_log (n int);
SELECT pgdb_tools._selftest_catch_pg_error('INSERT INTO unwind_log VALUES (1); SELECT 1/0');
SELECT pgdb_tools._selftest_catch_pg_error('INSERT INTO unwind_log VALUES (2)');
SELECT n FROM unwind_log ORDER BY n;
DROP TABLE unwind_log;

-- what must end the call is never caught there (pg::try_in_subtransaction): statement_timeout
-- (57014, as a cancel), out of memory (class 53), a shutdown (class 57) and an ASSERT failure
-- end the statement with their own SQLSTATE; lock_timeout (55P03) and RAISE stay ordinary
\set VERBOSITY sqlstate
SET statement_timeout = '100ms';
SELECT pgdb_tools._selftest_catch_pg_error('SELECT pg_catalog.pg_sleep(30)');
RESET statement_timeout;
SELECT pgdb_tools._selftest_catch_pg_error($$DO 'BEGIN RAISE EXCEPTION ''no memory'' USING ERRCODE = ''53200''; END'$$);
SELECT pgdb_tools._selftest_catch_pg_error($$DO 'BEGIN RAISE EXCEPTION ''shutdown'' USING ERRCODE = ''57P01''; END'$$);
SELECT pgdb_tools._selftest_catch_pg_error($$DO 'BEGIN ASSERT false; END'$$);
SET statement_timeout = '100ms';
SELECT pgdb_tools._selftest_isolated_errors(ARRAY['SELECT 1/0', 'SELECT pg_catalog.pg_sleep(30)']);
RESET statement_timeout;
\set VERBOSITY default
SELECT pgdb_tools._selftest_catch_pg_error($$DO 'BEGIN RAISE EXCEPTION ''busy'' USING ERRCODE = ''55P03''; END'$$);
SELECT pgdb_tools._selftest_catch_pg_error($$DO 'BEGIN RAISE EXCEPTION ''plain''; END'$$);
SELECT pgdb_tools._selftest_live_objects() AS live_after_stopped;

-- each item in its own subtransaction with its own SPI connection, errors caught per item, new
-- SPI connections reusing the memory the rollbacks freed (the copied error must outlive them)
SELECT pgdb_tools._selftest_isolated_errors(ARRAY['SELECT 1', 'SELECT 1/0', 'SELECT * FROM nowhere', 'SELECT 2', 'SELECT ''x''::int']);
SELECT pgdb_tools._selftest_isolated_errors(ARRAY['SELECT 1/0']) FROM generate_series(1, 3);

-- a C++ exception caught while SPI is open still closes it: no "non-empty SPI stack" warning at
-- COMMIT, and the memory context is back where it was
BEGIN;
SELECT pgdb_tools._selftest_cpp_error_with_spi();
COMMIT;

SELECT 1 AS still_working;
DROP EXTENSION pgdb_tools_selftest, pgdb_tools;
