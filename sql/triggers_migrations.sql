-- Migration ergonomics: apply_triggers(..., prune => true, tables => ...) lets a spec list say
-- "no managed triggers on these tables"; trigger_ddl(specs, full => true) renders the complete DDL
-- whatever is installed, e.g. from the specs a development database records.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_migrator;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE orders (id int PRIMARY KEY, status text, updated_at timestamptz);
CREATE TABLE customers (id int PRIMARY KEY, name text, updated_at timestamptz);
CREATE TABLE others (id int PRIMARY KEY, updated_at timestamptz);
CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE VIEW order_view AS SELECT * FROM orders;
SELECT * FROM pgdb_tools.apply_triggers($$[
  {"kind": "protect", "tbl": "orders", "operations": ["DELETE"]},
  {"kind": "updated_at", "tbl": "orders"},
  {"kind": "protect", "tbl": "customers"},
  {"kind": "updated_at", "tbl": "customers"},
  {"kind": "updated_at", "tbl": "others"},
  {"kind": "protect", "tbl": "events", "operations": ["DELETE"]}
]$$) ORDER BY 2, 3;

-- without tables, an empty spec list prunes nothing: no spec names a table
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true);
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => NULL);
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => '{}');

-- with tables: "none on customers"; planned, then applied; other tables left alone
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, dry_run => true, tables => '{customers}');
SELECT count(*) AS customers_triggers_after_dry_run FROM pg_trigger WHERE tgrelid = 'customers'::regclass;
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => '{customers}');
SELECT table_name, trigger_name FROM pgdb_tools.triggers ORDER BY 1, 2;
SELECT count(*) AS customers_triggers FROM pg_trigger WHERE tgrelid = 'customers'::regclass;
-- again: nothing left to drop
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => '{customers}');

-- specs and tables together: the specs' tables are pruned as before, the listed ones too (a table
-- in both counts once), tables neither names are left alone
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "updated_at", "tbl": "orders"}]', prune => true,
                                        tables => '{orders,public.events,orders,customers}') ORDER BY 1, 2, 3;
SELECT table_name, trigger_name FROM pgdb_tools.triggers ORDER BY 1, 2;
-- the partitions' clones went with the parent's trigger
SELECT count(*) AS partition_triggers FROM pg_trigger WHERE tgrelid = 'events_2026'::regclass;

-- refused before anything changes
SELECT pgdb_tools.updated_at('customers');
SELECT * FROM pgdb_tools.apply_triggers('[]', tables => '{customers}');
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => false, dry_run => true, tables => '{customers}');
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => ARRAY['customers', NULL]::regclass[]);
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => '{customers,order_view}');
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => '{customers,-}');
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => '{customers,no_such_table}');
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => '{{customers},{others}}');
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => '{customers,pgdb_tools.managed_triggers}');
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => ARRAY['customers'::regclass, 'pg_class'::regclass]);
SELECT table_name, trigger_name FROM pgdb_tools.triggers ORDER BY 1, 2;

-- a role that owns some tables: listing one it does not own is refused, and its own keep theirs
CREATE ROLE pgdb_tools_test_migrator;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_migrator;
CREATE SCHEMA mig AUTHORIZATION pgdb_tools_test_migrator;
SET ROLE pgdb_tools_test_migrator;
CREATE TABLE mig.tasks (id int PRIMARY KEY, updated_at timestamptz);
SELECT pgdb_tools.updated_at('mig.tasks');
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => '{mig.tasks,public.customers}');
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, dry_run => true, tables => '{public.customers}');
SELECT table_name, trigger_name FROM pgdb_tools.triggers ORDER BY 1, 2;
SELECT * FROM pgdb_tools.apply_triggers('[]', prune => true, tables => '{mig.tasks}');
-- trigger_ddl checks ownership like apply_triggers, full or not
SELECT pgdb_tools.trigger_ddl('[{"kind": "updated_at", "tbl": "public.customers"}]', full => true);
RESET ROLE;

-- trigger_ddl: by default only what apply_triggers would change (nothing, for installed specs);
-- with full, every spec's complete DDL whatever is installed
SELECT pgdb_tools.updated_at('others', on_insert => true);
SELECT pgdb_tools.trigger_ddl('[{"kind": "updated_at", "tbl": "customers"}, {"kind": "updated_at", "tbl": "others", "on_insert": true}]') = '' AS nothing_to_change;
SELECT pgdb_tools.trigger_ddl('[{"kind": "updated_at", "tbl": "customers"}, {"kind": "updated_at", "tbl": "others", "on_insert": true}]', full => true);
SELECT pgdb_tools.trigger_ddl('[{"kind": "updated_at", "tbl": "customers"}]', full => NULL) = '' AS null_full_is_false;
SELECT pgdb_tools.trigger_ddl('[]', full => true) = '' AS no_specs_no_ddl;

-- a migration file from a development database: the specs it records, rendered in full, are the
-- DDL that installed its triggers
SELECT pgdb_tools.trigger_ddl(jsonb_agg(spec ORDER BY table_name, trigger_name), full => true)
     = string_agg(installed_ddl || E';\n', '' ORDER BY table_name, trigger_name) AS same_as_installed
  FROM pgdb_tools.managed_triggers WHERE table_schema = 'public';
-- and applied elsewhere (here: after dropping them) they come back as they were
CREATE TEMP TABLE dev_specs AS SELECT jsonb_agg(spec) AS specs FROM pgdb_tools.triggers WHERE schema_name = 'public';
SELECT pgdb_tools.drop_trigger('customers', 'pgdb_updated_at_customers');
SELECT pgdb_tools.drop_trigger('others', 'pgdb_updated_at_others');
SELECT action, table_name, trigger_name FROM pgdb_tools.apply_triggers((SELECT specs FROM dev_specs)) ORDER BY 2, 3;
SELECT table_name, trigger_name, status FROM pgdb_tools.triggers ORDER BY 1, 2;

-- full renders even where apply_triggers would refuse to take over a trigger it did not create
CREATE FUNCTION my_audit() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER pgdb_protect_customers BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION my_audit();
SELECT pgdb_tools.trigger_ddl('[{"kind": "protect", "tbl": "customers"}]');
SELECT pgdb_tools.trigger_ddl('[{"kind": "protect", "tbl": "customers"}]', full => true);
-- bad specs are refused as without full
SELECT pgdb_tools.trigger_ddl('[{"kind": "protect"}]', full => true);
SELECT pgdb_tools.trigger_ddl('{}', full => true);

DROP SCHEMA mig CASCADE;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_migrator;
DROP ROLE pgdb_tools_test_migrator;
DROP VIEW order_view;
DROP TABLE orders, customers, others, events;
DROP FUNCTION my_audit();
DROP EXTENSION pgdb_tools;
