-- Desired state: apply_triggers() plans and applies, records each spec, and reports drift in the
-- triggers view; dry_run and trigger_ddl change nothing.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE orders (id int PRIMARY KEY, status text, updated_at timestamptz);
CREATE TABLE customers (id int PRIMARY KEY, name text, updated_at timestamptz);

-- the SQL a migration would carry, for review
SELECT pgdb_tools.trigger_ddl($$[
  {"kind": "protect", "tbl": "orders", "operations": ["DELETE"]},
  {"kind": "updated_at", "tbl": "orders"},
  {"kind": "updated_at", "tbl": "customers", "on_insert": true}
]$$);

-- dry run: the plan, and nothing installed
SELECT * FROM pgdb_tools.apply_triggers($$[
  {"kind": "protect", "tbl": "orders", "operations": ["DELETE"]},
  {"kind": "updated_at", "tbl": "orders"}
]$$, dry_run => true);
SELECT count(*) AS installed_after_dry_run FROM pg_trigger WHERE tgrelid = 'orders'::regclass;

-- apply, then apply again: the second run changes nothing
SELECT * FROM pgdb_tools.apply_triggers($$[
  {"kind": "protect", "tbl": "orders", "operations": ["DELETE"]},
  {"kind": "updated_at", "tbl": "orders"},
  {"kind": "updated_at", "tbl": "customers", "on_insert": true}
]$$);
SELECT * FROM pgdb_tools.apply_triggers($$[
  {"kind": "protect", "tbl": "public.orders", "operations": ["delete"]},
  {"kind": "updated_at", "tbl": "orders", "column_name": "updated_at"},
  {"kind": "updated_at", "tbl": "customers", "on_insert": true}
]$$);
SELECT schema_name, table_name, trigger_name, kind, enabled, status FROM pgdb_tools.triggers ORDER BY 1, 2, 3;
SELECT trigger_name, spec FROM pgdb_tools.triggers WHERE table_name = 'orders' ORDER BY 1;

-- an unchanged re-apply takes no lock on the table (only catalog reads)
BEGIN;
SELECT action FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "orders", "operations": ["DELETE"]}]');
SELECT count(*) AS locks_on_orders FROM pg_locks
 WHERE relation = 'orders'::regclass AND pid = pg_backend_pid();
COMMIT;
-- a change replaces in place (CREATE OR REPLACE TRIGGER: ShareRowExclusiveLock, no DROP)
BEGIN;
SELECT action, detail FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "orders", "operations": ["UPDATE", "DELETE"]}]');
SELECT mode FROM pg_locks WHERE relation = 'orders'::regclass AND pid = pg_backend_pid() ORDER BY mode;
COMMIT;

-- drift: a trigger altered by hand is "modified", one dropped by hand is "missing"; applying
-- restores both
CREATE OR REPLACE TRIGGER pgdb_updated_at_orders BEFORE INSERT OR UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION pgdb_tools._trigger_updated_at('updated_at');
DROP TRIGGER pgdb_updated_at_customers ON customers;
ALTER TABLE orders DISABLE TRIGGER pgdb_protect_orders;
SELECT table_name, trigger_name, enabled, status FROM pgdb_tools.triggers ORDER BY 1, 2;
SELECT * FROM pgdb_tools.apply_triggers($$[
  {"kind": "protect", "tbl": "orders", "operations": ["UPDATE", "DELETE"]},
  {"kind": "updated_at", "tbl": "orders"},
  {"kind": "updated_at", "tbl": "customers", "on_insert": true}
]$$);
SELECT table_name, trigger_name, enabled, status FROM pgdb_tools.triggers ORDER BY 1, 2;

-- outdated: a trigger installed by an earlier version of pgdb_tools that renders it differently
-- (simulated by editing the record) is reported and re-installed by apply_triggers
UPDATE pgdb_tools.managed_triggers SET installed_ddl = 'CREATE TRIGGER as an older version wrote it'
 WHERE trigger_name = 'pgdb_updated_at_customers';
SELECT table_name, trigger_name, status FROM pgdb_tools.triggers WHERE status <> 'installed';
SELECT action, trigger_name, detail FROM pgdb_tools.apply_triggers('[{"kind": "updated_at", "tbl": "customers", "on_insert": true}]');
SELECT count(*) AS not_installed FROM pgdb_tools.triggers WHERE status <> 'installed';

-- prune: managed triggers on the same tables that the specs no longer declare are dropped; other
-- tables are left alone
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "updated_at", "tbl": "orders"}]', prune => true, dry_run => true);
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "updated_at", "tbl": "orders"}]', prune => true);
SELECT table_name, trigger_name, status FROM pgdb_tools.triggers ORDER BY 1, 2;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'orders'::regclass ORDER BY 1;

-- a dropped table leaves an orphaned record
CREATE TABLE scratch (id int, updated_at timestamptz);
SELECT pgdb_tools.updated_at('scratch');
DROP TABLE scratch;
SELECT table_name, trigger_name, status FROM pgdb_tools.triggers WHERE table_name = 'scratch';

-- a trigger pgdb_tools did not create is never taken over
CREATE FUNCTION my_audit() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER pgdb_protect_customers BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION my_audit();
SELECT pgdb_tools.protect('customers');
SELECT pgdb_tools.protect('customers', name => 'customers_protect');

-- one failing spec changes nothing at all
SELECT count(*) AS managed_before FROM pgdb_tools.managed_triggers;
SELECT * FROM pgdb_tools.apply_triggers($$[
  {"kind": "protect", "tbl": "customers", "name": "fine_so_far"},
  {"kind": "updated_at", "tbl": "customers", "column_name": "no_such_column"}
]$$);
SELECT count(*) AS managed_after FROM pgdb_tools.managed_triggers;
SELECT count(*) AS fine_so_far_installed FROM pg_trigger WHERE tgname = 'fine_so_far';

-- the catalog is kept by pg_dump
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS t(oid) JOIN pg_class c ON c.oid = t.oid
 WHERE e.extname = 'pgdb_tools' ORDER BY 1;

-- a table owner who is not a superuser manages their own triggers; the catalog records them
-- although that role cannot write the catalog itself
SET client_min_messages = warning;
DROP ROLE IF EXISTS pgdb_tools_test_owner;
RESET client_min_messages;
CREATE ROLE pgdb_tools_test_owner;
CREATE SCHEMA app AUTHORIZATION pgdb_tools_test_owner;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_owner;
SET ROLE pgdb_tools_test_owner;
CREATE TABLE app.invoices (id int PRIMARY KEY, updated_at timestamptz);
SELECT pgdb_tools.updated_at('app.invoices');
SELECT table_name, trigger_name, status FROM pgdb_tools.triggers WHERE schema_name = 'app';
SELECT current_user AS still_acting_as;
-- the catalog is written with the owner's rights, but never with the caller's search_path: an
-- operator planted ahead of pg_catalog is not what runs
CREATE FUNCTION app.hijack(name, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'hijacked as %', current_user; END $$;
CREATE OPERATOR app.= (LEFTARG = name, RIGHTARG = text, FUNCTION = app.hijack);
SET search_path = app, pg_catalog;
SELECT pgdb_tools.protect('app.invoices');
SELECT pgdb_tools.drop_trigger('app.invoices', 'pgdb_protect_invoices');
RESET search_path;
SHOW search_path;
RESET ROLE;
DROP SCHEMA app CASCADE;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_owner;
DROP ROLE pgdb_tools_test_owner;

DROP TABLE orders, customers;
DROP FUNCTION my_audit();
DROP EXTENSION pgdb_tools;
