-- snapshot_create by tables and by schemas, the snapshots view, snapshot_tables, snapshot_verify
-- (which notices a damaged copy), snapshot_drop, snapshot_prune, rollback, progress NOTICEs.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS shop, empty_schema CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE SCHEMA shop;
CREATE TABLE shop.items (id integer PRIMARY KEY, name text);
CREATE TABLE shop."Mixed Case" (id integer);
CREATE TABLE shop.log (at date NOT NULL, msg text) PARTITION BY RANGE (at);
CREATE TABLE shop.log_2024 PARTITION OF shop.log FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE shop.log_rest PARTITION OF shop.log DEFAULT;
CREATE VIEW shop.item_names AS SELECT name FROM shop.items;
INSERT INTO shop.items SELECT g, 'item ' || g FROM generate_series(1, 50) g;
INSERT INTO shop."Mixed Case" VALUES (1), (2);
INSERT INTO shop.log VALUES ('2024-06-01', 'a'), ('2030-01-01', 'b');

-- Every table of the schema (partitions through their parent, views skipped), in name order.
SELECT pgdb_tools.snapshot_create('shop_1', schemas => ARRAY['shop']::name[], note => 'before deploy',
                                  tags => ARRAY['deploy', 'keep']) AS id;
SELECT snapshot_id, name, created_by = current_user AS mine, note, tags, tables, total_rows,
       total_bytes > 0 AS has_bytes, created_at <= clock_timestamp() AS created_in_the_past
  FROM pgdb_tools.snapshots;
SELECT source, rows, bytes > 0 AS has_bytes, content_hash ~ '^[0-9a-f]{32}$' AS hash_format
  FROM pgdb_tools.snapshot_tables('shop_1');
-- A table listed twice, or also in a listed schema, is copied once.
SELECT pgdb_tools.snapshot_create('shop_2', ARRAY['shop.items', 'shop.items']::regclass[],
                                  ARRAY['shop']::name[]) AS id;
SELECT source, rows FROM pgdb_tools.snapshot_tables('shop_2');
-- Equal contents, equal hashes, whatever the order the rows are stored in.
CREATE TABLE shop.items_shuffled AS SELECT * FROM shop.items ORDER BY random();
SELECT pgdb_tools.snapshot_create('shuffled', ARRAY['shop.items_shuffled']::regclass[]) AS id;
SELECT (SELECT content_hash FROM pgdb_tools.snapshot_tables('shop_1') WHERE source = 'shop.items') =
       (SELECT content_hash FROM pgdb_tools.snapshot_tables('shuffled')) AS same_hash;
SELECT pgdb_tools.snapshot_drop('shuffled');
DROP TABLE shop.items_shuffled;

-- Verify: all good, then a damaged copy (only a superuser can reach it) is reported.
SELECT * FROM pgdb_tools.snapshot_verify('shop_1');
UPDATE pgdb_tools_snapshots.s1_2 SET name = 'tampered' WHERE id = 7;
DELETE FROM pgdb_tools_snapshots.s1_1;
SELECT * FROM pgdb_tools.snapshot_verify('shop_1');
DROP TABLE pgdb_tools_snapshots.s1_3 CASCADE;
SELECT * FROM pgdb_tools.snapshot_verify('shop_1');
SELECT * FROM pgdb_tools.snapshot_restore('shop_1', ARRAY['shop.log']::regclass[]);
-- something else under the copy's name (a view) counts as a missing copy: it is never read as one
CREATE VIEW pgdb_tools_snapshots.s1_3 AS SELECT 1 AS id, 'x'::text AS line;
SELECT * FROM pgdb_tools.snapshot_verify('shop_1') WHERE source = 'shop.log';
SELECT * FROM pgdb_tools.snapshot_restore('shop_1', ARRAY['shop.log']::regclass[]);
DROP VIEW pgdb_tools_snapshots.s1_3;

-- Inside a transaction that rolls back, a snapshot leaves nothing behind.
BEGIN;
SELECT pgdb_tools.snapshot_create('rolled_back', ARRAY['shop.items']::regclass[]) > 0 AS created;
SELECT count(*) FROM pgdb_tools.snapshots WHERE name = 'rolled_back';
ROLLBACK;
SELECT count(*) AS snapshots_named_rolled_back FROM pgdb_tools.snapshots WHERE name = 'rolled_back';
SELECT count(*) AS copies FROM pg_tables WHERE schemaname = 'pgdb_tools_snapshots';
-- and one taken in a transaction sees that transaction's own writes
BEGIN;
INSERT INTO shop.items VALUES (51, 'uncommitted');
SELECT pgdb_tools.snapshot_create('in_xact', ARRAY['shop.items']::regclass[]) > 0 AS created;
COMMIT;
SELECT source, rows FROM pgdb_tools.snapshot_tables('in_xact');

-- Large tables report progress.
CREATE TABLE shop.big AS SELECT g AS id FROM generate_series(1, 100000) g;
SELECT pgdb_tools.snapshot_create('big', ARRAY['shop.big', 'shop.items']::regclass[]) > 0 AS created;
SELECT * FROM pgdb_tools.snapshot_restore('big', ARRAY['shop.big']::regclass[]);

-- Drop: true, then false with a NOTICE.
SELECT pgdb_tools.snapshot_drop('big');
SELECT pgdb_tools.snapshot_drop('big');

-- Prune: by count, by age, never those with a kept tag; only the caller's snapshots.
-- Named as schedule_snapshot names them (p_YYYYMMDD_HHMMSS), and one that is not.
SELECT pgdb_tools.snapshot_create('p_2024010' || g || '_030000', ARRAY['shop.items']::regclass[],
                                  tags => CASE WHEN g = 1 THEN ARRAY['keep'] ELSE '{}' END) > 0 AS created
  FROM generate_series(1, 5) g;
SELECT pgdb_tools.snapshot_create('p_manual', ARRAY['shop.items']::regclass[]) > 0 AS created;
-- The first two and p_manual are the oldest (ten days); the newest two stay, the first by its
-- tag, p_manual since it is not named like a scheduled one.
UPDATE pgdb_tools.snapshot_catalog SET created_at = now() - interval '10 days' WHERE name IN ('p_20240101_030000', 'p_20240102_030000', 'p_manual');
SELECT pgdb_tools.snapshot_prune(keep_last => 2, keep_tags => ARRAY['keep'], name_prefix => 'p');
SELECT name FROM pgdb_tools.snapshots WHERE name LIKE 'p\_%' ORDER BY name;
-- By age: the first goes now (its tag is not in keep_tags this time), like everything older
-- than a day.
UPDATE pgdb_tools.snapshot_catalog SET created_at = now() - interval '2 days' WHERE name IN ('p_20240104_030000', 'shop_2');
SELECT pgdb_tools.snapshot_prune(older_than => interval '1 day', keep_tags => ARRAY['deploy']);
SELECT name, tags FROM pgdb_tools.snapshots ORDER BY snapshot_id;
-- Both given: kept when among the newest or younger than older_than.
SELECT pgdb_tools.snapshot_prune(keep_last => 1, older_than => interval '1 day');
SELECT name FROM pgdb_tools.snapshots ORDER BY snapshot_id;
SELECT pgdb_tools.snapshot_prune(keep_last => 1);
SELECT name FROM pgdb_tools.snapshots ORDER BY snapshot_id;
SELECT count(*) AS copies_left FROM pg_tables WHERE schemaname = 'pgdb_tools_snapshots';

SET client_min_messages = warning;
DROP EXTENSION pgdb_tools CASCADE;
DROP SCHEMA shop CASCADE;
