-- pgdb_tools demo: run by `make demo` against a fresh database with pg_cron and pgdb_tools.
-- Each capability adds its walkthrough here as it lands.

-- The extension lives in schema pgdb_tools.
SELECT pgdb_tools.version();

SELECT e.extname, e.extversion, n.nspname AS schema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname IN ('pgdb_tools', 'pg_cron')
 ORDER BY e.extname;

-- pg_cron is preloaded, ready for scheduled maintenance and snapshots.
SELECT current_setting('shared_preload_libraries') AS preloaded,
       current_setting('cron.database_name') AS cron_database;

-- ---------------------------------------------------------------------------------------------
-- Triggers: declared from SQL, run by native C++ trigger functions.
CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL, total numeric NOT NULL,
                     updated_at timestamptz);
INSERT INTO orders VALUES (1, 'paid', 42.00, NULL), (2, 'draft', 10.00, NULL);

-- updated_at is stamped on every UPDATE
SELECT pgdb_tools.updated_at('orders');
UPDATE orders SET total = 11.00 WHERE id = 2;
SELECT id, status, total, updated_at IS NOT NULL AS stamped FROM orders ORDER BY id;

-- paid orders cannot be changed or deleted
SELECT pgdb_tools.protect('orders', '{UPDATE,DELETE}', 'paid orders are final',
                          condition => $$OLD.status = 'paid'$$);
\set ON_ERROR_STOP 0
DELETE FROM orders WHERE id = 1;
\set ON_ERROR_STOP 1
DELETE FROM orders WHERE id = 2;

-- soft delete: DELETE keeps the row and clears its flag
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, is_active boolean NOT NULL DEFAULT true);
INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bob');
SELECT pgdb_tools.soft_delete('customers', 'is_active');
DELETE FROM customers WHERE id = 2;
SELECT * FROM customers ORDER BY id;

-- a one-off correction: ignore() lifts a trigger for this transaction only
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_orders');
UPDATE orders SET total = 40.00 WHERE id = 1;
COMMIT;

-- the same triggers as desired state: applying again changes nothing
SELECT * FROM pgdb_tools.apply_triggers($$[
  {"kind": "updated_at", "tbl": "orders"},
  {"kind": "protect", "tbl": "orders", "message": "paid orders are final",
   "condition": "OLD.status = 'paid'"}
]$$);
SELECT table_name, trigger_name, kind, status FROM pgdb_tools.triggers ORDER BY 1, 2;

-- history: who changed what, when and why; set_context gives the why, for this transaction only
SELECT pgdb_tools.track_history('customers');
BEGIN;
SELECT pgdb_tools.set_context('{"app_user": "ann", "reason": "typo in name"}');
UPDATE customers SET name = 'Ann Lee' WHERE id = 1;
COMMIT;
SELECT operation, old_data->>'name' AS old_name, new_data->>'name' AS new_name,
       context->>'reason' AS reason, actor
  FROM pgdb_tools.row_history('customers', '{"id": 1}');

-- ---------------------------------------------------------------------------------------------
-- Partitions: declare a range set once; pgdb_tools keeps partitions ahead and retires old ones.
CREATE TABLE page_views (id bigint, viewed_at timestamptz NOT NULL, path text)
  PARTITION BY RANGE (viewed_at);
SELECT pgdb_tools.create_partitioned('page_views', 'viewed_at', '1 day', premake => 3,
                                     retention => '30 days', time_zone => 'Europe/Paris');
SELECT partition, lower_bound, upper_bound, is_default FROM pgdb_tools.partitions('page_views');
INSERT INTO page_views VALUES (1, now(), '/'), (2, now() + interval '10 days', '/later');

-- the row ten days out waits in the default partition until maintenance makes room for it
SELECT pgdb_tools.update_partitioned('page_views', premake => 12);
SELECT * FROM pgdb_tools.run_maintenance('page_views') WHERE action <> 'create';
SELECT tableoid::regclass AS partition, id, path FROM page_views ORDER BY id;
SELECT parent, partitions, runway, default_rows FROM pgdb_tools.partition_status;

-- a table that grew up without partitions becomes a set in place: its rows stay where they are,
-- in its first partition, and new rows go to new partitions
CREATE TABLE signups (id bigserial, signed_up_at timestamptz NOT NULL, email text,
                      PRIMARY KEY (id, signed_up_at));
INSERT INTO signups (signed_up_at, email)
  SELECT now() - g * interval '1 day', 'user' || g || '@example.com' FROM generate_series(1, 60) g;
SELECT count(*) AS statements FROM pgdb_tools.partition_existing('signups', 'signed_up_at', '1 month');
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('signups');

-- rows that landed in the default partition while maintenance was off: moved out in batches
INSERT INTO page_views SELECT g, now() + interval '60 days' + g * interval '1 hour', '/future'
  FROM generate_series(1, 100) g;
SELECT pgdb_tools.evacuate_default('page_views', batch_size => 50) AS rows_moved;

-- hourly maintenance through pg_cron
SELECT pgdb_tools.schedule_maintenance('@hourly') > 0 AS scheduled;
SELECT jobname, schedule, command FROM cron.job;

-- ---------------------------------------------------------------------------------------------
-- Snapshots: copy tables as of one point in time, from SQL, even inside a migration.
CREATE TABLE clients (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE invoices (id serial PRIMARY KEY, client_id int NOT NULL REFERENCES clients,
                       amount numeric(10, 2) NOT NULL);
INSERT INTO clients (name) VALUES ('ada'), ('bob');
INSERT INTO invoices (client_id, amount) VALUES (1, 100), (1, 25.50), (2, 12);

BEGIN;  -- a migration: snapshot, change, verify, and put things back when it went wrong
SELECT pgdb_tools.snapshot_create('before_0042', ARRAY['clients', 'invoices']::regclass[],
                                  note => 'migration 0042') > 0 AS snapshot_taken;
UPDATE invoices SET amount = amount * 100;      -- oops: cents instead of euros
SELECT change, row_key, old_data ->> 'amount' AS was, new_data ->> 'amount' AS now
  FROM pgdb_tools.snapshot_diff('before_0042', 'invoices');
SELECT * FROM pgdb_tools.snapshot_restore('before_0042');
COMMIT;
SELECT id, client_id, amount FROM invoices ORDER BY id;

SELECT name, note, tables, total_rows FROM pgdb_tools.snapshots;
SELECT source, rows, content_hash FROM pgdb_tools.snapshot_tables('before_0042');
SELECT source, ok, detail FROM pgdb_tools.snapshot_verify('before_0042');

-- a copy side by side, in another schema, to compare by hand
SELECT * FROM pgdb_tools.snapshot_restore('before_0042', target_schema => 'yesterday');
SELECT count(*) AS invoices_in_copy FROM yesterday.invoices;

-- nightly snapshots of the whole public schema, keeping the last 7
SELECT pgdb_tools.schedule_snapshot('nightly', '0 3 * * *', schemas => ARRAY['public']::name[],
                                    keep_last => 7) > 0 AS scheduled;
SELECT jobname, schedule, command FROM cron.job WHERE jobname LIKE 'pgdb_tools_snapshot%';

-- a backup that survives losing the database: the live tables straight into an archive file
-- under pgdb_tools.archive_directory (no copy stored first), checked row by row, and nightly
SELECT pgdb_tools.archive_create('demo_now.pgdbsnap', ARRAY['clients', 'invoices']::regclass[],
                                 note => 'demo') LIKE '%/demo_now.pgdbsnap' AS archived;
SELECT source, rows, ok, detail FROM pgdb_tools.archive_verify('demo_now.pgdbsnap');
SELECT pgdb_tools.schedule_archive('demo_nightly', '30 3 * * *', schemas => ARRAY['public']::name[],
                                   keep_last => 7) > 0 AS scheduled;
