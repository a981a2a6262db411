-- ignore(): the named managed triggers do nothing for the rest of the current transaction, in this
-- session only; gone after COMMIT, ROLLBACK, or a ROLLBACK TO SAVEPOINT that precedes it.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_stranger;
DROP ROLE IF EXISTS pgdb_tools_test_operator;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE accounts (id int PRIMARY KEY, balance numeric, updated_at timestamptz);
INSERT INTO accounts VALUES (1, 100, NULL), (2, 200, NULL);
SELECT pgdb_tools.protect('accounts');
SELECT pgdb_tools.updated_at('accounts');

-- the error says how to bypass it
UPDATE accounts SET balance = 0 WHERE id = 1;

BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_accounts');
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
SELECT id, balance, updated_at IS NOT NULL AS stamped FROM accounts ORDER BY id;
COMMIT;
-- gone after COMMIT
UPDATE accounts SET balance = 0 WHERE id = 1;

-- gone after ROLLBACK
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_accounts');
ROLLBACK;
DELETE FROM accounts WHERE id = 2;

-- a savepoint rolled back before ... the ignore made inside it is undone
BEGIN;
SAVEPOINT s1;
SELECT pgdb_tools.ignore('pgdb_protect_accounts');
ROLLBACK TO s1;
DELETE FROM accounts WHERE id = 2;
ROLLBACK;
-- ... while one made before the savepoint survives its rollback
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_accounts');
SAVEPOINT s1;
UPDATE accounts SET balance = -1 WHERE id = 2;
ROLLBACK TO s1;
UPDATE accounts SET balance = 201 WHERE id = 2;
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;

-- several names, and '*' for all the caller may bypass; updated_at is bypassed too
BEGIN;
SELECT pgdb_tools.ignore('*');
UPDATE accounts SET balance = 300 WHERE id = 2;
SELECT id, balance, updated_at IS DISTINCT FROM now() AS not_stamped FROM accounts WHERE id = 2;
ROLLBACK;
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_accounts', 'pgdb_updated_at_accounts');
ROLLBACK;

-- partitions carry clones of the trigger: ignoring the parent's covers them
CREATE TABLE entries (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE entries_2026 PARTITION OF entries FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO entries VALUES (1, '2026-03-01');
SELECT pgdb_tools.protect('entries', '{DELETE}');
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_entries');
DELETE FROM entries;
ROLLBACK;
DELETE FROM entries;

-- errors
SELECT pgdb_tools.ignore('no_such_trigger');
SELECT pgdb_tools.ignore(VARIADIC '{}'::text[]);
SELECT pgdb_tools.ignore(NULL);

-- a role that neither owns the table nor belongs to pgdb_tools_bypass is refused (42501); '*'
-- then covers nothing; a member of pgdb_tools_bypass may ignore any managed trigger
CREATE ROLE pgdb_tools_test_stranger;
CREATE ROLE pgdb_tools_test_operator IN ROLE pgdb_tools_bypass;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_stranger, pgdb_tools_test_operator;
GRANT ALL ON accounts TO pgdb_tools_test_stranger, pgdb_tools_test_operator;
SET ROLE pgdb_tools_test_stranger;
\set VERBOSITY sqlstate
SELECT pgdb_tools.ignore('pgdb_protect_accounts');
\set VERBOSITY default
SELECT pgdb_tools.ignore('pgdb_protect_accounts');
BEGIN;
SELECT pgdb_tools.ignore('*') AS ignored_by_stranger;
UPDATE accounts SET balance = 1 WHERE id = 1;
ROLLBACK;
SET ROLE pgdb_tools_test_operator;
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_accounts') AS ignored_by_operator;
UPDATE accounts SET balance = 101 WHERE id = 1;
ROLLBACK;
RESET ROLE;

-- a same-named trigger on another role's table is not what the owner means: the stranger's own
-- accounts table in its own schema has pgdb_protect_accounts too, and the stranger's call ignores
-- its own only (before: 42501 because of the owner's table of that name)
CREATE SCHEMA stranger AUTHORIZATION pgdb_tools_test_stranger;
SET ROLE pgdb_tools_test_stranger;
CREATE TABLE stranger.accounts (id int PRIMARY KEY, balance numeric);
INSERT INTO stranger.accounts VALUES (1, 5);
SELECT pgdb_tools.protect('stranger.accounts');
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_accounts') AS ignored_by_stranger;
UPDATE stranger.accounts SET balance = 6;
UPDATE public.accounts SET balance = 1 WHERE id = 1;
ROLLBACK;
-- qualified, another's table is refused, naming it
SELECT pgdb_tools.ignore('public.accounts.pgdb_protect_accounts');
RESET ROLE;
-- a superuser may bypass both: the plain name means the one its search_path shows
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_accounts') AS ignored_by_owner;
UPDATE public.accounts SET balance = 102 WHERE id = 1;
UPDATE stranger.accounts SET balance = 7;
ROLLBACK;
-- qualified names: table.trigger (table in the caller's search_path) or schema.table.trigger
SET ROLE pgdb_tools_test_stranger;
SET search_path = stranger, public;
BEGIN;
SELECT pgdb_tools.ignore('accounts.pgdb_protect_accounts') AS ignored_in_path;
UPDATE stranger.accounts SET balance = 8;
ROLLBACK;
RESET search_path;
BEGIN;
SELECT pgdb_tools.ignore('stranger.accounts.pgdb_protect_accounts') AS ignored_qualified;
UPDATE stranger.accounts SET balance = 9;
ROLLBACK;
SELECT pgdb_tools.ignore('stranger.accounts.no_such_trigger');
SELECT pgdb_tools.ignore('stranger.no_such_table.pgdb_protect_accounts');
RESET ROLE;
-- ... and with neither in its search_path, both (as does a member of pgdb_tools_bypass)
SET search_path = pg_catalog;
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_accounts') AS ignored_by_owner;
ROLLBACK;
RESET search_path;
SET ROLE pgdb_tools_test_operator;
SET search_path = pg_catalog;
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_accounts') AS ignored_by_operator;
ROLLBACK;
RESET search_path;
RESET ROLE;
DROP TABLE stranger.accounts;
DROP SCHEMA stranger;

REVOKE ALL ON accounts FROM pgdb_tools_test_stranger, pgdb_tools_test_operator;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_stranger, pgdb_tools_test_operator;
DROP ROLE pgdb_tools_test_stranger;
DROP ROLE pgdb_tools_test_operator;
DROP TABLE accounts, entries;
DROP EXTENSION pgdb_tools;
