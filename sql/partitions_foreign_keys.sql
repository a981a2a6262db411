-- Retention on sets whose parent other tables reference by foreign key (issue 14 item 6): a
-- partition is dropped or detached only when PostgreSQL allows it (no row references it);
-- otherwise that set reports an error row, keeps every partition, and the other sets go on.
-- Integer sets, so nothing here depends on the date.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS fk CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA fk;
SET search_path = fk, public;
CREATE VIEW fk.kept AS
  SELECT c.relnamespace::regnamespace AS schema, c.relname, p.inhparent::regclass AS parent_now
    FROM pg_class c LEFT JOIN pg_inherits p ON p.inhrelid = c.oid
   WHERE c.relnamespace = 'fk'::regnamespace AND c.relkind IN ('r', 'p') AND c.relname ~ '_p'
   ORDER BY c.relname;

CREATE TABLE orders (id int PRIMARY KEY, note text) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('orders', 'id', '100', premake => 6, start_at => '0',
                                     default_partition => false);
INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(50, 650, 100) g;
CREATE TABLE lines (order_id int REFERENCES orders ON DELETE CASCADE, item text);
INSERT INTO lines VALUES (150, 'a line of order 150');
-- a set nothing references, maintained in the same pass
CREATE TABLE plain (id int PRIMARY KEY) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('plain', 'id', '100', premake => 6, start_at => '0',
                                     default_partition => false);
INSERT INTO plain SELECT generate_series(50, 650, 100);
SELECT pgdb_tools.update_partitioned('orders', retention => '200', retention_limit => 100);
SELECT pgdb_tools.update_partitioned('plain', retention => '200', retention_limit => 100);

-- retention drops orders_p0 .. orders_p300 (below 650 - 200); a line references order 150, so
-- PostgreSQL refuses: the set reports it, keeps all its partitions, and plain is still maintained
-- (the name PostgreSQL gives the foreign key's clone on each partition differs between versions)
SELECT parent, action, partition_name, regexp_replace(detail, 'constraint ".*"', 'constraint "..."') AS detail
  FROM pgdb_tools.run_maintenance() ORDER BY parent::text, partition_name;
SELECT relname, parent_now FROM fk.kept WHERE relname LIKE 'orders%';
SELECT count(*) AS lines_kept FROM lines;
SELECT count(*) AS plain_left FROM plain;
-- the error is also in the set's status
SELECT last_error IS NOT NULL AS orders_has_error FROM pgdb_tools.partition_status WHERE parent = 'orders'::regclass;

-- once nothing references those rows, the partitions go (detached, then dropped), the foreign
-- key stays on the partitions that are left
DELETE FROM lines;
SELECT * FROM pgdb_tools.run_maintenance('orders') ORDER BY partition_name;
SELECT relname, parent_now FROM fk.kept WHERE relname LIKE 'orders%';
INSERT INTO lines VALUES (450, 'still checked');
INSERT INTO lines VALUES (150, 'its order is gone');

-- detach mode: the same refusal while a row references the partition, and a plain table after
CREATE TABLE shipments (id int PRIMARY KEY) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('shipments', 'id', '100', premake => 6, start_at => '0',
                                     default_partition => false);
INSERT INTO shipments SELECT generate_series(50, 650, 100);
CREATE TABLE tracking (shipment_id int REFERENCES shipments);
INSERT INTO tracking VALUES (250);
SELECT pgdb_tools.update_partitioned('shipments', retention => '200', retention_mode => 'detach',
                                     retention_limit => 100);
SELECT parent, action, partition_name, regexp_replace(detail, 'constraint ".*"', 'constraint "..."') AS detail
  FROM pgdb_tools.run_maintenance('shipments') ORDER BY partition_name;
SELECT relname, parent_now FROM fk.kept WHERE relname LIKE 'shipments%';
DELETE FROM tracking;
SELECT * FROM pgdb_tools.run_maintenance('shipments') ORDER BY partition_name;
SELECT relname, parent_now FROM fk.kept WHERE relname LIKE 'shipments%';
-- the detached tables keep their rows and no longer take part in the foreign key
SELECT count(*) AS detached_rows FROM shipments_p0;
SELECT count(*) AS fk_clones_on_detached FROM pg_constraint
 WHERE contype = 'f' AND confrelid = 'shipments_p0'::regclass;

SET client_min_messages = warning;
DROP SCHEMA fk CASCADE;
RESET client_min_messages;
RESET search_path;
