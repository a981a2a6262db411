-- What drivers and ORMs see: protect refuses with 23000 and read_only and fsm with 23514 (class 23,
-- integrity constraint violation: Django's IntegrityError), naming schema, table, column and the
-- trigger as the constraint in the error's fields, also when the refused change runs nested in
-- functions, triggers and exception blocks; the stale row_version error (40001) says to
-- re-read the row, as a Django save() of the same instance twice needs; ignore() outside a
-- transaction block warns (25P01), as SET LOCAL does.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS "Shop" CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE ledger (id int PRIMARY KEY, amount numeric NOT NULL);
INSERT INTO ledger VALUES (1, 10), (2, 20);
CREATE TABLE invoices (id int PRIMARY KEY, number text NOT NULL, notes text);
INSERT INTO invoices VALUES (1, 'INV-1', NULL);
CREATE TABLE articles (id int PRIMARY KEY, status text NOT NULL);
INSERT INTO articles VALUES (1, 'draft'), (2, 'archived');
SELECT pgdb_tools.protect('ledger');
SELECT pgdb_tools.read_only('invoices', columns => '{number}');
SELECT pgdb_tools.fsm('articles', 'status', '{"draft": ["published"], "published": ["archived"]}');

-- one SQLSTATE per kind of refusal
\set VERBOSITY sqlstate
UPDATE ledger SET amount = 0 WHERE id = 1;
DELETE FROM ledger WHERE id = 2;
UPDATE invoices SET number = 'INV-9' WHERE id = 1;
UPDATE articles SET status = 'draft' WHERE id = 2;
\set VERBOSITY default
-- and the same messages, details and hints as before
UPDATE ledger SET amount = 0 WHERE id = 1;
UPDATE invoices SET number = 'INV-9' WHERE id = 1;
UPDATE articles SET status = 'draft' WHERE id = 2;
-- what passes still passes
UPDATE invoices SET notes = 'paid' WHERE id = 1;
UPDATE articles SET status = 'published' WHERE id = 1;

-- the condition names PL/pgSQL knows them by: the class catches all three, check_violation only
-- the row checks, and triggered_action_exception (the old 09000) none
CREATE FUNCTION caught(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE statement;
  EXCEPTION WHEN check_violation THEN
    RETURN 'check_violation ' || SQLSTATE;
  END;
  RETURN 'not refused';
EXCEPTION
  WHEN triggered_action_exception THEN RETURN 'triggered_action_exception ' || SQLSTATE;
  WHEN integrity_constraint_violation THEN RETURN 'integrity_constraint_violation ' || SQLSTATE;
END $$;
SELECT statement, caught(statement) FROM (VALUES
  ('DELETE FROM ledger'),
  ('UPDATE invoices SET number = ''X'''),
  ('UPDATE articles SET status = ''draft'' WHERE id = 1'),
  ('UPDATE articles SET status = ''archived'' WHERE id = 2')) AS s(statement);

-- the objects a refusal concerns, as PostgreSQL reports them for its own constraints (psycopg:
-- e.diag.schema_name, table_name, column_name, constraint_name): the trigger is the constraint
CREATE SCHEMA "Shop";
CREATE TABLE "Shop"."Order Lines" (id int PRIMARY KEY, "Qty" int NOT NULL, state text NOT NULL DEFAULT 'new');
INSERT INTO "Shop"."Order Lines" VALUES (1, 1);
SELECT pgdb_tools.protect('"Shop"."Order Lines"', '{DELETE}');
SELECT pgdb_tools.read_only('"Shop"."Order Lines"', columns => '{Qty}');
SELECT pgdb_tools.fsm('"Shop"."Order Lines"', 'state', '{"new": ["paid"]}');
SELECT pgdb_tools.row_version('"Shop"."Order Lines"', 'id');
CREATE FUNCTION refusal_objects(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; nsp text; tbl text; col text; con text;
BEGIN
  EXECUTE statement;
  RETURN 'not refused';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, nsp = SCHEMA_NAME, tbl = TABLE_NAME,
                          col = COLUMN_NAME, con = CONSTRAINT_NAME;
  RETURN format('%s schema=%s table=%s column=%s constraint=%s', state, nsp, tbl, col, con);
END $$;
SELECT refusal_objects(statement) FROM (VALUES
  ('DELETE FROM "Shop"."Order Lines"'),
  ('UPDATE "Shop"."Order Lines" SET "Qty" = 2'),
  ('UPDATE "Shop"."Order Lines" SET state = ''void'''),
  ('UPDATE "Shop"."Order Lines" SET id = 7'),
  ('UPDATE "Shop"."Order Lines" SET state = ''paid''')) AS s(statement);

-- nested: an SQL function, called from a trigger on another table, called from a DO block inside
-- a savepoint; the refusal reaches the top with its SQLSTATE, and the outer transaction goes on
-- after the rollback to the savepoint
CREATE FUNCTION zero_ledger() RETURNS void LANGUAGE sql AS 'UPDATE ledger SET amount = 0';
CREATE TABLE closings (id int);
CREATE FUNCTION closing_zeroes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM zero_ledger();
  RETURN NEW;
END $$;
CREATE TRIGGER closing_zeroes AFTER INSERT ON closings FOR EACH ROW EXECUTE FUNCTION closing_zeroes();
BEGIN;
SAVEPOINT before_closing;
\set VERBOSITY sqlstate
DO $$ BEGIN INSERT INTO closings VALUES (1); END $$;
\set VERBOSITY default
ROLLBACK TO before_closing;
SELECT (SELECT count(*) FROM closings) AS closings, (SELECT sum(amount) FROM ledger) AS ledger_total;
COMMIT;
-- an exception block that catches another class does not swallow it (the context shows the nesting)
DO $$
BEGIN
  INSERT INTO closings VALUES (2);
EXCEPTION WHEN serialization_failure OR triggered_action_exception THEN
  RAISE NOTICE 'wrongly caught';
END $$;
-- one that catches the class does, and the ledger is as it was
DO $$
BEGIN
  INSERT INTO closings VALUES (3);
EXCEPTION WHEN integrity_constraint_violation THEN
  RAISE NOTICE 'caught % from a nested trigger: %', SQLSTATE, SQLERRM;
END $$;
SELECT id, amount FROM ledger ORDER BY id;
SELECT count(*) FROM closings;

-- row_version as Django's save() uses it: every field is written back, the version with the
-- value the instance read. The first save passes and the trigger moves the version on; a second
-- save of the same instance carries the old version and is refused, with a HINT to re-read.
CREATE TABLE carts (id int PRIMARY KEY, items int NOT NULL, version int NOT NULL DEFAULT 1);
INSERT INTO carts VALUES (1, 0, 1);
SELECT pgdb_tools.row_version('carts');
UPDATE carts SET items = 1, version = 1 WHERE id = 1;
\set VERBOSITY sqlstate
UPDATE carts SET items = 2, version = 1 WHERE id = 1;
\set VERBOSITY default
UPDATE carts SET items = 2, version = 1 WHERE id = 1;
-- the recipe: re-read the version after a save (refresh_from_db(fields=['version'])), or count
-- the increment on the instance; the next save passes, and a truly stale one is still refused
SELECT version FROM carts WHERE id = 1;
UPDATE carts SET items = 2, version = 2 WHERE id = 1;
UPDATE carts SET items = 3, version = 3 WHERE id = 1;
\set VERBOSITY sqlstate
UPDATE carts SET items = 4, version = 3 WHERE id = 1;
\set VERBOSITY default
SELECT items, version FROM carts;

-- ignore() outside a transaction block: a WARNING (25P01) like SET LOCAL's; the count is what is
-- ignored until the statement ends, which does not reach the next statement
\set VERBOSITY sqlstate
SELECT pgdb_tools.ignore('pgdb_protect_ledger');
\set VERBOSITY default
SELECT pgdb_tools.ignore('pgdb_protect_ledger');
UPDATE ledger SET amount = 0 WHERE id = 1;
-- PostgreSQL's own, for comparison
SET LOCAL work_mem = '8MB';
-- a function that ignores and changes in the same statement works (and is warned all the same)
CREATE FUNCTION correct_ledger() RETURNS numeric LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pgdb_tools.ignore('pgdb_protect_ledger');
  UPDATE ledger SET amount = amount + 1 WHERE id = 1;
  RETURN (SELECT amount FROM ledger WHERE id = 1);
END $$;
SELECT correct_ledger();
UPDATE ledger SET amount = 0 WHERE id = 1;
-- in a transaction block: no warning, and it lasts until COMMIT
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_ledger');
UPDATE ledger SET amount = 12 WHERE id = 1;
SELECT correct_ledger();
COMMIT;
-- an implicit block (several statements in one query string) is a transaction block too
SELECT pgdb_tools.ignore('pgdb_protect_ledger') \; UPDATE ledger SET amount = 14 WHERE id = 1;
SELECT id, amount FROM ledger ORDER BY id;
-- refused calls still refuse, in or out of a block
SELECT pgdb_tools.ignore('no_such_trigger');

DROP TABLE ledger, invoices, articles, closings, carts;
DROP FUNCTION caught(text), refusal_objects(text), zero_ledger(), closing_zeroes(), correct_ledger();
DROP SCHEMA "Shop" CASCADE;
DROP EXTENSION pgdb_tools;
