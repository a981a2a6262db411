-- Bad input to the trigger functions: a clear error with SQLSTATE, and nothing changed.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_other;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE TABLE items (id int PRIMARY KEY, status text, updated_at timestamptz);
CREATE VIEW items_view AS SELECT * FROM items;

\set VERBOSITY sqlstate
SELECT pgdb_tools.protect('no_such_table');
\set VERBOSITY default
SELECT pgdb_tools.protect('no_such_table');
SELECT pgdb_tools.protect('items_view');
SELECT pgdb_tools.protect('items', operations => '{}');
SELECT pgdb_tools.protect('items', operations => '{UPSERT}');
SELECT pgdb_tools.protect('items', operations => '{UPDATE,update}');
SELECT pgdb_tools.protect('items', operations => '{TRUNCATE,DELETE}');
SELECT pgdb_tools.protect('items', operations => '{TRUNCATE}', condition => 'true');
SELECT pgdb_tools.protect('items', name => '');
SELECT pgdb_tools.updated_at('items', 'no_such_column');
SELECT pgdb_tools.updated_at('items', 'status');
-- a bad condition is refused by PostgreSQL when the trigger is created
SELECT pgdb_tools.protect('items', condition => 'NEW.no_such_column > 0');
SELECT pgdb_tools.protect('items', condition => 'OLD.status +');

-- apply_triggers input
SELECT * FROM pgdb_tools.apply_triggers('{"kind": "protect"}');
SELECT * FROM pgdb_tools.apply_triggers('[42]');
SELECT * FROM pgdb_tools.apply_triggers('[{"tbl": "items"}]');
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "shield", "tbl": "items"}]');
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "protect"}]');
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "items", "colour": "red"}]');
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "items", "operations": "DELETE"}]');
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "updated_at", "tbl": "items", "on_insert": "yes"}]');
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "items"}, {"kind": "protect", "tbl": "public.items"}]');
SELECT * FROM pgdb_tools.apply_triggers(NULL);

-- the executors refuse to run outside a trigger, or as the wrong kind of trigger
SELECT pgdb_tools._trigger_updated_at();
CREATE TRIGGER wrong AFTER UPDATE ON items FOR EACH ROW EXECUTE FUNCTION pgdb_tools._trigger_updated_at('updated_at');
INSERT INTO items VALUES (1, 'x', NULL);
UPDATE items SET status = 'y';
DROP TRIGGER wrong ON items;

-- a role that does not own the table may not manage its triggers
CREATE ROLE pgdb_tools_test_other;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_other;
GRANT ALL ON items TO pgdb_tools_test_other;
SET ROLE pgdb_tools_test_other;
\set VERBOSITY sqlstate
SELECT pgdb_tools.protect('items');
\set VERBOSITY default
SELECT pgdb_tools.protect('items');
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "updated_at", "tbl": "items"}]', dry_run => true);
-- nor write the catalog directly
DELETE FROM pgdb_tools.managed_triggers;
RESET ROLE;

-- after all of that, nothing was installed or recorded
SELECT count(*) AS triggers_on_items FROM pg_trigger WHERE tgrelid = 'items'::regclass;
SELECT count(*) AS managed FROM pgdb_tools.managed_triggers;

REVOKE ALL ON items FROM pgdb_tools_test_other;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_other;
DROP ROLE pgdb_tools_test_other;
DROP VIEW items_view;
DROP TABLE items;
DROP EXTENSION pgdb_tools;
