-- Cases found in review: each once misbehaved and must not again.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_mallory;
DROP ROLE IF EXISTS pgdb_tools_test_alice;
DROP SCHEMA IF EXISTS hardening CASCADE;
DROP SCHEMA IF EXISTS hardening_old CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA hardening;
SET search_path = hardening, public;

-- a condition is one expression: text that closes WHEN (...) early is refused, nothing installed
CREATE TABLE items (id int PRIMARY KEY, status text);
SELECT pgdb_tools.protect('items', condition => 'true) EXECUTE FUNCTION pgdb_tools._selftest_noop_trigger() --');
SELECT pgdb_tools.protect('items', condition => 'true); CREATE TABLE injected(); --');
SELECT pgdb_tools.protect('items', condition => 'true), (false');
-- ... while parentheses and dashes inside a literal are just text
SELECT pgdb_tools.protect('items', condition => $$OLD.status <> 'a) -- b'$$);
SELECT count(*) AS injected_tables FROM pg_class WHERE relname = 'injected';

-- the view's 'modified' does not depend on the viewer's search_path
CREATE FUNCTION hardening.is_final(text) RETURNS boolean LANGUAGE sql AS $$ SELECT $1 = 'final' $$;
SELECT pgdb_tools.protect('items', '{DELETE}', condition => 'hardening.is_final(OLD.status)', name => 'items_final');
SELECT trigger_name, status FROM pgdb_tools.triggers WHERE trigger_name = 'items_final';
SET search_path = pgdb_tools, public;
SELECT trigger_name, status FROM pgdb_tools.triggers WHERE trigger_name = 'items_final';
SET search_path = hardening, public;

-- updated_at honours the column's precision
CREATE TABLE stamped (id int, at0 timestamptz(0), at2 timestamp(2));
INSERT INTO stamped VALUES (1, NULL, NULL);
SELECT pgdb_tools.updated_at('stamped', 'at0');
SELECT pgdb_tools.updated_at('stamped', 'at2', name => 'stamped_at2');
BEGIN;
UPDATE stamped SET id = 2;
SELECT at0 = now()::timestamptz(0) AS rounded_to_seconds, at2 = now()::timestamp(2) AS rounded_to_hundredths
  FROM stamped;
COMMIT;

-- fsm on char(n): the padding is not part of the state
CREATE TABLE tickets (id int, state char(10));
INSERT INTO tickets VALUES (1, 'open');
SELECT pgdb_tools.fsm('tickets', 'state', '{"open": ["closed"]}');
UPDATE tickets SET state = 'closed';
UPDATE tickets SET state = 'open';

-- soft_delete: re-declaring with other arguments takes effect in the same session
CREATE TABLE accounts (id int PRIMARY KEY, is_active boolean NOT NULL DEFAULT true, status text);
INSERT INTO accounts VALUES (1, true, 'live'), (2, true, 'live');
SELECT pgdb_tools.soft_delete('accounts', 'is_active', name => 'accounts_soft');
DELETE FROM accounts WHERE id = 1;
SELECT pgdb_tools.soft_delete('accounts', 'status', 'gone', name => 'accounts_soft');
DELETE FROM accounts WHERE id = 2;
SELECT * FROM accounts ORDER BY id;
-- ... a renamed schema is followed, never a new table that took the old name
ALTER SCHEMA hardening RENAME TO hardening_old;
CREATE SCHEMA hardening;
CREATE TABLE hardening.accounts (id int PRIMARY KEY, is_active boolean, status text);
INSERT INTO hardening.accounts VALUES (2, true, 'impostor');
UPDATE hardening_old.accounts SET status = 'live' WHERE id = 2;
DELETE FROM hardening_old.accounts WHERE id = 2;
SELECT 'old' AS schema, * FROM hardening_old.accounts WHERE id = 2
UNION ALL SELECT 'new', * FROM hardening.accounts;
DROP SCHEMA hardening CASCADE;
ALTER SCHEMA hardening_old RENAME TO hardening;
-- ... and an UPDATE that changes nothing (row-level security here) is an error, not a silent no-op
CREATE ROLE pgdb_tools_test_alice;
GRANT USAGE ON SCHEMA hardening, pgdb_tools TO pgdb_tools_test_alice;
GRANT SELECT, UPDATE, DELETE ON hardening.accounts TO pgdb_tools_test_alice;
ALTER TABLE hardening.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY see_all ON hardening.accounts FOR SELECT USING (true);
CREATE POLICY delete_all ON hardening.accounts FOR DELETE USING (true);
CREATE POLICY update_none ON hardening.accounts FOR UPDATE USING (false);
SET ROLE pgdb_tools_test_alice;
DELETE FROM hardening.accounts WHERE id = 1;
RESET ROLE;
ALTER TABLE hardening.accounts DISABLE ROW LEVEL SECURITY;

-- the manage_trigger dispatcher only calls trigger functions the table's owner may execute, even
-- when someone writes the trigger by hand
CREATE ROLE pgdb_tools_test_mallory;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_mallory;
GRANT CREATE, USAGE ON SCHEMA hardening TO pgdb_tools_test_mallory;
CREATE FUNCTION hardening.private_trigger() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
REVOKE EXECUTE ON FUNCTION hardening.private_trigger() FROM PUBLIC;
SET ROLE pgdb_tools_test_mallory;
CREATE TABLE hardening.mine (id int);
CREATE TRIGGER call_textout BEFORE INSERT ON hardening.mine FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_managed('pg_catalog.textout(text)');
INSERT INTO hardening.mine VALUES (1);
DROP TRIGGER call_textout ON hardening.mine;
CREATE TRIGGER call_private BEFORE INSERT ON hardening.mine FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_managed('hardening.private_trigger()');
INSERT INTO hardening.mine VALUES (1);
DROP TABLE hardening.mine;
RESET ROLE;

-- a function's new definition or security takes effect at once for manage_trigger
CREATE TABLE watched (id int);
CREATE FUNCTION hardening.who() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN RAISE NOTICE 'running as %', current_user; RETURN NEW; END $$;
ALTER FUNCTION hardening.who() OWNER TO pgdb_tools_test_alice;
SELECT pgdb_tools.manage_trigger('watched', 'hardening.who()', 'BEFORE', '{INSERT}');
INSERT INTO watched VALUES (1);
ALTER FUNCTION hardening.who() SECURITY INVOKER;
INSERT INTO watched VALUES (2);

RESET search_path;
DROP SCHEMA hardening CASCADE;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_mallory, pgdb_tools_test_alice;
DROP ROLE pgdb_tools_test_mallory;
DROP ROLE pgdb_tools_test_alice;
DROP EXTENSION pgdb_tools;
