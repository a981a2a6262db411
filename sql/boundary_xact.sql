-- Per-transaction state (the journal features use for ignore() and set_context()) follows
-- transactions and savepoints: gone at COMMIT and ROLLBACK, gone with a rolled-back savepoint or
-- PL/pgSQL exception block, kept through RELEASE.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE EXTENSION pgdb_tools_selftest;  -- the test-only functions (test/selftest)

-- outside a transaction block each statement is its own transaction
SELECT pgdb_tools._selftest_xact_note('autocommit');
SELECT pgdb_tools._selftest_xact_notes() AS after_autocommit;

BEGIN;
SELECT pgdb_tools._selftest_xact_note('a');
SELECT pgdb_tools._selftest_xact_notes() AS in_transaction;
COMMIT;
SELECT pgdb_tools._selftest_xact_notes() AS after_commit;

BEGIN;
SELECT pgdb_tools._selftest_xact_note('a');
ROLLBACK;
SELECT pgdb_tools._selftest_xact_notes() AS after_rollback;

BEGIN;
SELECT pgdb_tools._selftest_xact_note('top');
SAVEPOINT s1;
SELECT pgdb_tools._selftest_xact_note('s1');
SAVEPOINT s2;
SELECT pgdb_tools._selftest_xact_note('s2');
RELEASE s2;
SELECT pgdb_tools._selftest_xact_notes() AS after_release;
ROLLBACK TO s1;
SELECT pgdb_tools._selftest_xact_notes() AS after_rollback_to_s1;
SAVEPOINT s3;
SELECT pgdb_tools._selftest_xact_note('s3');
RELEASE s3;
SELECT pgdb_tools._selftest_xact_notes() AS before_commit;
COMMIT;
SELECT pgdb_tools._selftest_xact_notes() AS after_commit;

-- a failed PL/pgSQL block is a rolled-back subtransaction
BEGIN;
SELECT pgdb_tools._selftest_xact_note('kept');
DO $$
BEGIN
  PERFORM pgdb_tools._selftest_xact_note('discarded');
  PERFORM 1/0;
EXCEPTION WHEN division_by_zero THEN NULL;
END $$;
DO $$
BEGIN
  PERFORM pgdb_tools._selftest_xact_note('block committed');
EXCEPTION WHEN division_by_zero THEN NULL;
END $$;
SELECT pgdb_tools._selftest_xact_notes() AS after_plpgsql_blocks;
COMMIT;

-- an error that aborts the whole transaction also clears it
BEGIN;
SELECT pgdb_tools._selftest_xact_note('doomed');
SELECT 1/0;
ROLLBACK;
SELECT pgdb_tools._selftest_xact_notes() AS after_failed_transaction;

-- PREPARE TRANSACTION hands the transaction over: this session's state is gone
BEGIN;
SELECT pgdb_tools._selftest_xact_note('prepared');
PREPARE TRANSACTION 'pgdb_tools_xact_test';
SELECT pgdb_tools._selftest_xact_notes() AS after_prepare;
ROLLBACK PREPARED 'pgdb_tools_xact_test';

DROP EXTENSION pgdb_tools_selftest, pgdb_tools;
