-- A C++ exception inside an SQL-callable function becomes a clean PostgreSQL ERROR carrying the
-- exception's SQLSTATE, DETAIL and HINT, and the session goes on working. Uses the test-only
-- functions pgdb_tools._selftest_* (extension pgdb_tools_selftest, test/selftest; docs/boundary.md).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_nobody;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE EXTENSION pgdb_tools_selftest;  -- the test-only functions (test/selftest)

\set VERBOSITY sqlstate
SELECT pgdb_tools._selftest_throw('pgdb', '22023', 'premake must be positive');
SELECT pgdb_tools._selftest_throw('pgdb', '42P01', 'relation "nowhere" does not exist');
SELECT pgdb_tools._selftest_throw('pgdb', '40001', 'row changed since it was read');
-- an invalid SQLSTATE in the exception does not cause a second failure: XX000
SELECT pgdb_tools._selftest_throw('pgdb', 'bogus', 'with a bad code');
SELECT pgdb_tools._selftest_throw('std');
SELECT pgdb_tools._selftest_throw('bad_alloc');
SELECT pgdb_tools._selftest_throw('unknown');
\set VERBOSITY default

-- message, DETAIL and HINT as a user sees them
SELECT pgdb_tools._selftest_throw('pgdb', '22023', 'bad "premake": -1', 'premake was -1.', 'Use a positive number.');
SELECT pgdb_tools._selftest_throw('std', 'XX000', 'vector::at');
SELECT pgdb_tools._selftest_throw('nonsense');

-- the same fields reach PL/pgSQL handlers intact
DO $$
DECLARE st text; msg text; det text; hnt text;
BEGIN
  PERFORM pgdb_tools._selftest_throw('pgdb', '55000', 'set is being maintained', 'by pid 42', 'Retry later.');
EXCEPTION WHEN object_not_in_prerequisite_state THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
  RAISE NOTICE 'caught % | % | % | %', st, msg, det, hnt;
END $$;

-- a long message is cut at a character boundary, never mid-character
DO $$
DECLARE msg text;
BEGIN
  PERFORM pgdb_tools._selftest_throw('pgdb', '22023', repeat('é', 1500));
EXCEPTION WHEN invalid_parameter_value THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
  RAISE NOTICE 'message: % characters, % bytes, ends with %', length(msg), octet_length(msg), right(msg, 1);
END $$;

-- the session is healthy after each error, inside and outside transaction blocks
SELECT 1 AS still_working;
BEGIN;
SELECT pgdb_tools._selftest_throw('pgdb', '22023', 'inside a transaction');
SELECT 1;  -- the transaction is aborted, as after any ERROR
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT pgdb_tools._selftest_throw('pgdb', '22023', 'inside a savepoint');
ROLLBACK TO s;
SELECT 2 AS after_savepoint_rollback;
COMMIT;

-- many errors in a row, caught in PL/pgSQL: nothing accumulates
DO $$
DECLARE n int := 0;
BEGIN
  FOR i IN 1..500 LOOP
    BEGIN
      PERFORM pgdb_tools._selftest_throw('pgdb', '22023', 'again');
    EXCEPTION WHEN invalid_parameter_value THEN n := n + 1;
    END;
  END LOOP;
  RAISE NOTICE 'caught % errors', n;
END $$;

-- a guarded trigger function: refuses a plain call, passes rows through as a trigger
SELECT pgdb_tools._selftest_noop_trigger();
CREATE TABLE guarded_rows (id int PRIMARY KEY, n int);
CREATE TRIGGER noop BEFORE INSERT OR UPDATE OR DELETE ON guarded_rows
  FOR EACH ROW EXECUTE FUNCTION pgdb_tools._selftest_noop_trigger();
CREATE TRIGGER noop_stmt AFTER INSERT ON guarded_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pgdb_tools._selftest_noop_trigger();
INSERT INTO guarded_rows VALUES (1, 10), (2, 20);
UPDATE guarded_rows SET n = n + 1 WHERE id = 1;
DELETE FROM guarded_rows WHERE id = 2;
SELECT * FROM guarded_rows;
DROP TABLE guarded_rows;

-- the test-only functions are for superusers: EXECUTE is revoked from PUBLIC
CREATE ROLE pgdb_tools_test_nobody;
SET ROLE pgdb_tools_test_nobody;
SELECT pgdb_tools._selftest_spin(60);
SELECT pgdb_tools._selftest_throw('std');
RESET ROLE;
DROP ROLE pgdb_tools_test_nobody;

DROP EXTENSION pgdb_tools_selftest, pgdb_tools;
