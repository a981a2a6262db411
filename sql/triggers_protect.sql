-- protect(): the listed operations raise an error naming the trigger, the table and the operation.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS "Shop" CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE ledger (id int PRIMARY KEY, amount numeric NOT NULL, note text);
INSERT INTO ledger VALUES (1, 10, 'opening'), (2, -3, 'fee');

-- default: UPDATE and DELETE refused, INSERT allowed
SELECT pgdb_tools.protect('ledger');
INSERT INTO ledger VALUES (3, 5, 'deposit');
\set VERBOSITY sqlstate
UPDATE ledger SET amount = 0 WHERE id = 1;
\set VERBOSITY default
UPDATE ledger SET amount = 0 WHERE id = 1;
DELETE FROM ledger WHERE id = 2;
-- a statement that touches no row fires no row trigger
UPDATE ledger SET amount = 0 WHERE id = 42;
SELECT * FROM ledger ORDER BY id;

-- a custom message; the trigger, table and operation move to DETAIL
SELECT pgdb_tools.protect('ledger', operations => '{DELETE}', message => 'ledger rows are kept forever',
                          name => 'ledger_keep_rows');
DELETE FROM ledger;

-- a condition: only rows it matches are protected
CREATE TABLE documents (id int PRIMARY KEY, status text NOT NULL, body text);
INSERT INTO documents VALUES (1, 'draft', 'a'), (2, 'published', 'b');
SELECT pgdb_tools.protect('documents', operations => '{UPDATE,DELETE}',
                          condition => $$OLD.status = 'published'$$);
UPDATE documents SET body = 'a2' WHERE id = 1;
UPDATE documents SET body = 'b2' WHERE id = 2;
DELETE FROM documents WHERE id = 1;
SELECT * FROM documents ORDER BY id;

-- TRUNCATE is protected by a statement-level trigger of its own
SELECT pgdb_tools.protect('documents', operations => '{TRUNCATE}', name => 'documents_no_truncate');
TRUNCATE documents;
SELECT count(*) FROM documents;

-- INSERT protection, e.g. an append-closed table
CREATE TABLE closed_period (id int);
SELECT pgdb_tools.protect('closed_period', operations => '{INSERT}');
INSERT INTO closed_period VALUES (1);

-- mixed-case, quoted and long names
CREATE SCHEMA "Shop";
CREATE TABLE "Shop"."Order Lines" (id int, "Qty" int);
INSERT INTO "Shop"."Order Lines" VALUES (1, 1);
SELECT pgdb_tools.protect('"Shop"."Order Lines"');
UPDATE "Shop"."Order Lines" SET "Qty" = 2;
CREATE TABLE "Shop".a_table_name_that_is_long_enough_to_push_the_trigger_name_past_63 (id int);
SELECT pgdb_tools.protect('"Shop".a_table_name_that_is_long_enough_to_push_the_trigger_name_past_63') AS long_name,
       octet_length(pgdb_tools.protect('"Shop".a_table_name_that_is_long_enough_to_push_the_trigger_name_past_63')) AS bytes;

-- partitioned tables: the trigger on the parent protects every partition, present and future
CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO events VALUES (1, '2026-05-01');
SELECT pgdb_tools.protect('events', operations => '{DELETE}');
CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
INSERT INTO events VALUES (2, '2027-05-01');
DELETE FROM events WHERE id = 1;
DELETE FROM events_2027 WHERE id = 2;
SELECT count(*) FROM events;

-- a table without a primary key
CREATE TABLE log_lines (line text);
INSERT INTO log_lines VALUES ('x');
SELECT pgdb_tools.protect('log_lines');
DELETE FROM log_lines;

-- errors reach PL/pgSQL with the documented SQLSTATE (23000, integrity_constraint_violation)
DO $$
BEGIN
  DELETE FROM ledger;
EXCEPTION WHEN integrity_constraint_violation THEN
  RAISE NOTICE 'caught % (%)', SQLSTATE, SQLERRM;
END $$;

DROP SCHEMA "Shop" CASCADE;
DROP TABLE ledger, documents, closed_period, events, log_lines;
DROP EXTENSION pgdb_tools;
