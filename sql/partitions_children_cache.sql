-- The partitions of each set are kept between maintenance passes of a session (children_cache_pg.cpp)
-- until the catalog says they changed: every change made here, in this session or in another one
-- (through dblink), in a transaction or a savepoint rolled back, is seen by the next pass.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS cache_test CASCADE;
CREATE EXTENSION pgdb_tools;
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE SCHEMA cache_test;
SET search_path = cache_test, public;
CREATE TABLE orders (id int NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('orders', 'id', '1000', premake => 2, start_at => '0') AS created;
CREATE FUNCTION ranges() RETURNS TABLE (name text, lower_bound text, upper_bound text)
  LANGUAGE sql AS $$
  SELECT partition::text, lower_bound, upper_bound FROM pgdb_tools.partitions('cache_test.orders')
   WHERE NOT is_default ORDER BY lower_bound::int $$;
-- another session, for changes made elsewhere
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s user=%s',
                      current_setting('unix_socket_directories'), current_setting('port'),
                      current_database(), current_user)) AS connected;
SELECT dblink_exec('other', 'SET search_path = cache_test');

-- an integer set follows its highest id: with 500 it wants p0, p1000 and p2000
INSERT INTO orders VALUES (500);
-- two passes with nothing to do (the second from what the first kept)
SELECT * FROM pgdb_tools.run_maintenance('orders');
SELECT * FROM pgdb_tools.run_maintenance('orders');
SELECT * FROM ranges();

-- dropped here: the next pass makes it again
DROP TABLE orders_p1000;
SELECT action, partition_name FROM pgdb_tools.run_maintenance('orders');
-- renamed here: the status and the next pass know the new name
ALTER TABLE orders_p2000 RENAME TO orders_second;
SELECT partitions, newest_upper_bound FROM pgdb_tools.partition_status WHERE parent = 'orders'::regclass;
SELECT * FROM pgdb_tools.run_maintenance('orders');
SELECT * FROM ranges();
ALTER TABLE orders_second RENAME TO orders_p2000;

-- detached and dropped in another session: this session's next pass makes it again
SELECT dblink_exec('other', 'ALTER TABLE orders DETACH PARTITION orders_p2000');
SELECT dblink_exec('other', 'DROP TABLE orders_p2000');
SELECT action, partition_name FROM pgdb_tools.run_maintenance('orders');
-- created in another session: with 1500 the set wants p3000, which is there already
SELECT dblink_exec('other', 'CREATE TABLE orders_p3000 PARTITION OF orders FOR VALUES FROM (3000) TO (4000)');
INSERT INTO orders VALUES (1500);
SELECT * FROM pgdb_tools.run_maintenance('orders');

-- a partition made in a transaction that rolls back is gone for the next pass: with 2500 the
-- set wants p4000
BEGIN;
CREATE TABLE orders_p4000 PARTITION OF orders FOR VALUES FROM (4000) TO (5000);
SELECT * FROM pgdb_tools.run_maintenance('orders');
ROLLBACK;
INSERT INTO orders VALUES (2500);
SELECT action, partition_name FROM pgdb_tools.run_maintenance('orders');
-- and one made in a savepoint rolled back: with 3500 the set wants p5000
BEGIN;
SAVEPOINT before_create;
CREATE TABLE orders_p5000 PARTITION OF orders FOR VALUES FROM (5000) TO (6000);
SELECT * FROM pgdb_tools.run_maintenance('orders');
ROLLBACK TO SAVEPOINT before_create;
INSERT INTO orders VALUES (3500);
SELECT action, partition_name FROM pgdb_tools.run_maintenance('orders');
COMMIT;
SELECT * FROM ranges();

-- REPEATABLE READ: a partition another session attached after this transaction's snapshot is
-- not seen by this pass, and not kept for the next one either: with 4500 the set wants p6000
INSERT INTO orders VALUES (4500);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) AS sets FROM pgdb_tools.partition_sets;  -- the snapshot, taken without locking orders
SELECT dblink_exec('other', 'CREATE TABLE orders_p6000 PARTITION OF orders FOR VALUES FROM (6000) TO (7000)');
SELECT action, partition_name, detail FROM pgdb_tools.run_maintenance('orders', dry_run => true);
COMMIT;
SELECT * FROM pgdb_tools.run_maintenance('orders', dry_run => true);
SELECT tableoid::regclass AS partition, id FROM orders ORDER BY id;

SELECT dblink_disconnect('other');
DROP SCHEMA cache_test CASCADE;
DROP EXTENSION pgdb_tools CASCADE;
