-- manage_trigger(): a trigger function of the user's own, under management: listed, checked for
-- drift, bypassed by ignore(), pruned.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS audit CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE SCHEMA audit;
CREATE TABLE audit.log (tbl text, op text, tag text, row_id int);
CREATE FUNCTION audit.log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit.log VALUES (TG_TABLE_NAME, TG_OP, TG_ARGV[0], COALESCE(NEW.id, OLD.id));
  RETURN NULL;
END $$;
CREATE FUNCTION uppercase_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name := upper(NEW.name);
  RETURN NEW;
END $$;

CREATE TABLE customers (id int PRIMARY KEY, name text);
SELECT pgdb_tools.manage_trigger('customers', 'audit.log_change()', args => '{crm}');
SELECT pgdb_tools.manage_trigger('customers', 'uppercase_name()', timing => 'before',
                                 events => '{INSERT,UPDATE}');
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'customers'::regclass ORDER BY 1;

-- the user's function runs with the user's own arguments and can change the row
INSERT INTO customers VALUES (1, 'ann'), (2, 'bob');
UPDATE customers SET name = 'robert' WHERE id = 2;
DELETE FROM customers WHERE id = 1;
SELECT * FROM customers ORDER BY id;
SELECT * FROM audit.log ORDER BY row_id, op;

-- ignore() bypasses it; statement-level triggers work too
BEGIN;
SELECT pgdb_tools.ignore('pgdb_log_change_customers');
INSERT INTO customers VALUES (3, 'cy');
ROLLBACK;
SELECT count(*) AS log_rows FROM audit.log;
SELECT pgdb_tools.manage_trigger('customers', 'audit.log_change()', 'AFTER', '{TRUNCATE}', 'STATEMENT',
                                 '{truncated}', name => 'customers_truncate_log');
TRUNCATE customers;
SELECT tag, op FROM audit.log WHERE tag = 'truncated';
SELECT trigger_name, kind, spec->>'function' AS function, status FROM pgdb_tools.triggers ORDER BY trigger_name;

-- errors propagate from the user's function
CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'refused by %', TG_NAME USING ERRCODE = 'P0002'; END $$;
SELECT pgdb_tools.manage_trigger('customers', 'refuse()', 'BEFORE', '{DELETE}');
INSERT INTO customers VALUES (4, 'dee');
\set VERBOSITY sqlstate
DELETE FROM customers;
\set VERBOSITY default
DELETE FROM customers;

-- bad input
SELECT pgdb_tools.manage_trigger('customers', 'lower(text)');
SELECT pgdb_tools.manage_trigger('customers', 'audit.log_change()', timing => 'INSTEAD OF');
SELECT pgdb_tools.manage_trigger('customers', 'audit.log_change()', level => 'EACH');
SELECT pgdb_tools.manage_trigger('customers', 'audit.log_change()', events => '{TRUNCATE}');
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "manage_trigger", "tbl": "customers", "function": "no_such_function"}]');

DROP TABLE customers;
DROP FUNCTION uppercase_name(), refuse();
DROP SCHEMA audit CASCADE;
DROP EXTENSION pgdb_tools;
