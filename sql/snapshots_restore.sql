-- snapshot_restore in place (foreign keys, triggers, sequences, partitions), a subset, into
-- another schema, and after the table changed shape.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP TABLE IF EXISTS customers, orders, order_lines, audit, events, base, child CASCADE;
DROP SCHEMA IF EXISTS restored CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                     customer_id integer NOT NULL REFERENCES customers,
                     total numeric(12, 2) NOT NULL CHECK (total >= 0),
                     parent_id bigint REFERENCES orders);
CREATE INDEX orders_customer ON orders (customer_id) WHERE total > 0;
CREATE TABLE order_lines (order_id bigint REFERENCES orders ON DELETE CASCADE, line integer,
                          sku text, PRIMARY KEY (order_id, line));
INSERT INTO customers (name) VALUES ('ada'), ('bob'), ('cy');
INSERT INTO orders (customer_id, total, parent_id) VALUES (1, 10, NULL), (2, 20, 1), (3, 30, 2);
INSERT INTO order_lines VALUES (1, 1, 'A'), (1, 2, 'B'), (3, 1, 'C');

-- A user trigger that must not fire during the reload, one disabled and one ALWAYS trigger whose
-- states must survive it.
CREATE TABLE audit (what text);
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit VALUES (TG_NAME || ' ' || TG_OP); RETURN NULL; END $$;
CREATE TRIGGER orders_audit AFTER INSERT OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER orders_off AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();
ALTER TABLE orders DISABLE TRIGGER orders_off;
CREATE TRIGGER lines_always AFTER INSERT ON order_lines FOR EACH ROW EXECUTE FUNCTION audit_row();
ALTER TABLE order_lines ENABLE ALWAYS TRIGGER lines_always;
-- and a pgdb_tools protect trigger that forbids truncating orders
SELECT action, trigger_name FROM pgdb_tools.apply_triggers(
  '[{"kind": "protect", "tbl": "orders", "operations": ["TRUNCATE"]}]');
TRUNCATE audit;

SELECT pgdb_tools.snapshot_create('before_migration', ARRAY['customers', 'orders', 'order_lines']::regclass[]) > 0 AS created;

-- The migration goes wrong.
UPDATE customers SET name = upper(name);
INSERT INTO customers (name) VALUES ('dee');
INSERT INTO orders (customer_id, total) VALUES (4, 40);
DELETE FROM order_lines WHERE sku = 'B';
TRUNCATE audit;

SELECT source, target, rows FROM pgdb_tools.snapshot_restore('before_migration');
SELECT * FROM customers ORDER BY id;
SELECT id, customer_id, total, parent_id FROM orders ORDER BY id;
SELECT * FROM order_lines ORDER BY order_id, line;
SELECT count(*) AS audit_rows FROM audit;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid IN ('orders'::regclass, 'order_lines'::regclass)
   AND NOT tgisinternal ORDER BY tgname;
-- owned sequences are back where they were: the next ids follow the restored rows
INSERT INTO customers (name) VALUES ('eve') RETURNING id;
INSERT INTO orders (customer_id, total) VALUES (1, 1) RETURNING id;
-- the protect trigger still protects
TRUNCATE order_lines, orders;

-- Asked to, the reload fires the triggers (the protect trigger then refuses the TRUNCATE).
TRUNCATE audit;
SELECT source, rows FROM pgdb_tools.snapshot_restore('before_migration', fire_triggers => true);
SELECT pgdb_tools.drop_trigger('orders', trigger_name) FROM pgdb_tools.triggers WHERE table_name = 'orders';
SELECT source, rows FROM pgdb_tools.snapshot_restore('before_migration', fire_triggers => true);
SELECT what, count(*) FROM audit GROUP BY what ORDER BY what;

-- A subset: only order_lines (nothing references it).
DELETE FROM order_lines;
SELECT source, target, rows FROM pgdb_tools.snapshot_restore('before_migration', ARRAY['order_lines']::regclass[]);
SELECT count(*) FROM order_lines;
-- customers alone cannot be restored in place: orders references it
SELECT * FROM pgdb_tools.snapshot_restore('before_migration', ARRAY['customers']::regclass[]);
SELECT * FROM pgdb_tools.snapshot_restore('before_migration', ARRAY['customers', 'orders']::regclass[]);

-- Into another schema: tables recreated with their keys, indexes, defaults and checks (foreign
-- keys are not: they would tie the copies to the live tables), sequences of their own.
SELECT source, target, rows FROM pgdb_tools.snapshot_restore('before_migration', target_schema => 'restored');
\d restored.orders
SELECT pg_get_serial_sequence('restored.customers', 'id') AS customer_sequence;
INSERT INTO restored.customers (name) VALUES ('new') RETURNING id;
SELECT last_value FROM customers_id_seq;
-- the live tables were not touched
SELECT count(*) FROM customers;
-- a second restore into the same schema stops at the first table
SELECT * FROM pgdb_tools.snapshot_restore('before_migration', target_schema => 'restored');

-- Schema drift: a column added (filled with its default), one dropped (its data skipped with a
-- NOTICE), one widened (cast on assignment).
ALTER TABLE customers ADD COLUMN tier text NOT NULL DEFAULT 'basic';
ALTER TABLE order_lines DROP COLUMN sku;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 3);
SELECT source, rows FROM pgdb_tools.snapshot_restore('before_migration');
SELECT * FROM customers ORDER BY id;
SELECT * FROM order_lines ORDER BY order_id, line;
SELECT total FROM orders ORDER BY id LIMIT 1;
-- a type that cannot hold the data any more: refused, naming the column, nothing changed
ALTER TABLE order_lines ADD COLUMN sku point;
SELECT pgdb_tools.snapshot_create('with_sku', ARRAY['order_lines']::regclass[]) > 0 AS created;
ALTER TABLE order_lines DROP COLUMN sku;
ALTER TABLE order_lines ADD COLUMN sku integer;
SELECT * FROM pgdb_tools.snapshot_restore('with_sku');
-- a type an assignment cast reaches but the values do not fit: the error says where
ALTER TABLE order_lines DROP COLUMN sku;
DELETE FROM order_lines;
DELETE FROM orders;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(2, 1);
SELECT * FROM pgdb_tools.snapshot_restore('before_migration');
SELECT (SELECT count(*) FROM order_lines) AS lines, (SELECT count(*) FROM orders) AS orders;

-- Partitioned tables: all partitions are copied; rows are routed again on restore, also into a
-- partition created since.
CREATE TABLE events (id integer NOT NULL, at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO events VALUES (1, '2024-05-01', 'a'), (2, '2025-05-01', 'b'), (3, '2025-06-01', 'c');
SELECT pgdb_tools.snapshot_create('events', ARRAY['events']::regclass[]) > 0 AS created;
SELECT source, rows FROM pgdb_tools.snapshot_tables('events');
ALTER TABLE events DETACH PARTITION events_2025;
CREATE TABLE events_rest PARTITION OF events DEFAULT;
DELETE FROM events;
SELECT source, target, rows FROM pgdb_tools.snapshot_restore('events');
SELECT tableoid::regclass AS partition, id FROM events ORDER BY id;
SELECT count(*) AS detached_rows_untouched FROM events_2025;

-- Inheritance: a parent is copied and restored without its children's rows.
CREATE TABLE base (id integer);
CREATE TABLE child () INHERITS (base);
INSERT INTO base VALUES (1);
INSERT INTO child VALUES (2);
SELECT pgdb_tools.snapshot_create('base', ARRAY['base']::regclass[]) > 0 AS created;
SELECT source, rows FROM pgdb_tools.snapshot_tables('base');
SELECT source, rows FROM pgdb_tools.snapshot_restore('base');
SELECT tableoid::regclass, id FROM base ORDER BY id;

SET client_min_messages = warning;
DROP SCHEMA restored CASCADE;
DROP EXTENSION pgdb_tools CASCADE;
DROP TABLE customers, orders, order_lines, audit, events, events_2025, base, child CASCADE;
DROP FUNCTION audit_row();
