-- statement_timeout interrupts a long-running C++ loop: the loop checks for interrupts, the cancel
-- unwinds its objects, and the session goes on.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE EXTENSION pgdb_tools_selftest;  -- the test-only functions (test/selftest)

SET statement_timeout = '200ms';
\set VERBOSITY sqlstate
SELECT pgdb_tools._selftest_spin(60);
\set VERBOSITY default
SELECT pgdb_tools._selftest_spin(60);
RESET statement_timeout;
SELECT pgdb_tools._selftest_live_objects() AS live_after_cancel;

-- the loop stops when the timeout fires, not when it would have finished
SET statement_timeout = '300ms';
DO $$
DECLARE started timestamptz := clock_timestamp();
BEGIN
  PERFORM pgdb_tools._selftest_spin(60);
  RAISE EXCEPTION 'the spin was not interrupted';
EXCEPTION WHEN query_canceled THEN
  RAISE NOTICE 'interrupted within 10 s: %', clock_timestamp() - started < interval '10 s';
END $$;
RESET statement_timeout;

-- a short spin still finishes normally
SELECT pgdb_tools._selftest_spin(0.05) > 0 AS short_spin_finished;

-- the timeout also works inside a transaction, where a savepoint recovers from it
BEGIN;
SET LOCAL statement_timeout = '100ms';
SAVEPOINT s;
SELECT pgdb_tools._selftest_spin(60);
ROLLBACK TO s;
SELECT 1 AS after_timeout_in_transaction;
COMMIT;

DROP EXTENSION pgdb_tools_selftest, pgdb_tools;
