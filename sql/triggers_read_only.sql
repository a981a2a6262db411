-- read_only(): an UPDATE that changes a listed column (or any column but except_columns) is
-- refused, naming the trigger, table, column and both values.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE invoices (id int PRIMARY KEY, number text NOT NULL, customer text, total numeric,
                       notes text, doc jsonb, net numeric GENERATED ALWAYS AS (total / 1.2) STORED);
INSERT INTO invoices (id, number, customer, total, notes, doc)
  VALUES (1, 'INV-1', 'acme', 120, NULL, '{"a": 1}'), (2, 'INV-2', NULL, 60, 'x', NULL);

-- listed columns
SELECT pgdb_tools.read_only('invoices', columns => '{number,customer}');
UPDATE invoices SET notes = 'paid' WHERE id = 1;
UPDATE invoices SET number = 'INV-9' WHERE id = 1;
UPDATE invoices SET customer = 'other' WHERE id = 2;  -- from NULL
UPDATE invoices SET customer = NULL WHERE id = 1;     -- to NULL
UPDATE invoices SET number = number, customer = customer;  -- same values: allowed
\set VERBOSITY sqlstate
UPDATE invoices SET number = 'X' WHERE id = 1;
\set VERBOSITY default

-- every column but except_columns; generated columns follow their inputs and are not checked
SELECT pgdb_tools.read_only('invoices', except_columns => '{notes,total}', name => 'invoices_frozen');
UPDATE invoices SET notes = 'ok', total = 240 WHERE id = 1;
SELECT id, total, net FROM invoices WHERE id = 1;
UPDATE invoices SET doc = '{"a": 2}' WHERE id = 1;
-- a long value is shortened in the message
UPDATE invoices SET doc = jsonb_build_object('long', repeat('x', 300)) WHERE id = 1;
-- a value rewritten to an equal image is not a change (jsonb normalises key order and spaces)
UPDATE invoices SET doc = '{ "a" : 1 }' WHERE id = 1;

-- a condition; ignore() lifts it for the transaction
SELECT pgdb_tools.read_only('invoices', columns => '{total}', condition => 'OLD.notes = ''locked''',
                            name => 'invoices_locked_total');
UPDATE invoices SET notes = 'locked' WHERE id = 2;
UPDATE invoices SET total = 1 WHERE id = 2;
BEGIN;
SELECT pgdb_tools.ignore('invoices_locked_total');
UPDATE invoices SET total = 1 WHERE id = 2;
ROLLBACK;

-- errors
SELECT pgdb_tools.read_only('invoices', columns => '{nope}');
SELECT pgdb_tools.read_only('invoices', columns => '{}');
SELECT pgdb_tools.read_only('invoices', columns => '{number}', except_columns => '{notes}');

DROP TABLE invoices;
DROP EXTENSION pgdb_tools;
