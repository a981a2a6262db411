-- snapshot_restore in place through the bulk path: a plain table with no trigger firing on
-- INSERT is refilled straight into the heap and its indexes rebuilt once (issue 12 item 7).
-- The rows, the indexes (checked by amcheck with every heap tuple looked up) and the
-- constraints must come out as an INSERT ... SELECT would leave them, and a constraint the
-- snapshot's rows break must fail the restore with PostgreSQL's SQLSTATE, nothing changed.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP TABLE IF EXISTS items, items_before, lines, parts, pairs, simple_refs, full_refs, loose, tree CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE EXTENSION IF NOT EXISTS amcheck;

CREATE TABLE items (id integer PRIMARY KEY, sku text NOT NULL, qty integer CHECK (qty >= 0),
                    code integer, note text);
CREATE INDEX items_sku ON items (lower(sku));
CREATE INDEX items_note ON items USING hash (note);
CREATE INDEX items_qty ON items (qty) WHERE qty > 3;
-- note: about 3 kB of md5 text (not compressible, so stored out of line in the TOAST table),
-- NULL for every hundredth row; code: id / 2, so it has duplicates.
INSERT INTO items
SELECT g, 'SKU' || g, g % 7, g / 2,
       CASE WHEN g % 100 = 0 THEN NULL
            ELSE (SELECT string_agg(md5(g::text || '-' || i), '') FROM generate_series(1, 100) i) END
  FROM generate_series(1, 1000) g;
CREATE TABLE items_before AS SELECT * FROM items;
SELECT pgdb_tools.snapshot_create('items_snap', ARRAY['items']::regclass[]) > 0 AS created;

-- Changes since: rows deleted, updated and added.
DELETE FROM items WHERE id > 500;
UPDATE items SET qty = qty + 1, note = 'changed' WHERE id <= 10;
INSERT INTO items SELECT g, 'NEW' || g, 1, g, 'new' FROM generate_series(2001, 2010) g;
SELECT source, target, rows FROM pgdb_tools.snapshot_restore('items_snap');
SELECT (SELECT count(*) FROM (SELECT * FROM items EXCEPT ALL SELECT * FROM items_before) d) AS extra,
       (SELECT count(*) FROM (SELECT * FROM items_before EXCEPT ALL SELECT * FROM items) d) AS missing,
       (SELECT count(*) FROM items) AS rows;
-- The indexes were built from the reloaded heap (an index build records the rows it saw in
-- pg_class.reltuples; a row-by-row INSERT into a truncated table leaves it unset) and hold
-- every row: bt_index_check with heapallindexed looks each heap tuple up.
SELECT c.relname, c.reltuples FROM pg_class c
 WHERE c.relname IN ('items_pkey', 'items_sku', 'items_note', 'items_qty') ORDER BY 1;
SELECT bt_index_check('items_pkey', true), bt_index_check('items_sku', true),
       bt_index_check('items_qty', true);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT sku FROM items WHERE id = 777;
SELECT sku FROM items WHERE id = 777;
SELECT id FROM items WHERE lower(sku) = 'sku42';
SELECT count(*) AS by_hash FROM items WHERE note = (SELECT note FROM items_before WHERE id = 5);
SELECT count(*) AS partial FROM items WHERE qty > 3;
RESET enable_seqscan;
RESET enable_bitmapscan;
-- Out-of-line values were copied into the table's own TOAST table, not left pointing at the copy.
SELECT count(*) AS long_notes, min(length(note)), max(length(note)) FROM items WHERE length(note) > 3000;

-- Constraints added after the snapshot that its rows break: each restore fails with
-- PostgreSQL's SQLSTATE and the table keeps the rows it had.
DELETE FROM items WHERE id > 600;
\set VERBOSITY terse
ALTER TABLE items ADD CONSTRAINT qty_small CHECK (qty < 6) NOT VALID;
SELECT rows FROM pgdb_tools.snapshot_restore('items_snap');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE items DROP CONSTRAINT qty_small;
-- Two constraints: the one broken is named.
ALTER TABLE items ADD CONSTRAINT sku_shape CHECK (sku LIKE 'SKU%'),
                  ADD CONSTRAINT code_small CHECK (code < 300) NOT VALID;
SELECT rows FROM pgdb_tools.snapshot_restore('items_snap');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE items DROP CONSTRAINT code_small;
DELETE FROM items WHERE note IS NULL;
ALTER TABLE items ALTER note SET NOT NULL;
SELECT rows FROM pgdb_tools.snapshot_restore('items_snap');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE items ALTER note DROP NOT NULL;
UPDATE items SET code = id;
CREATE UNIQUE INDEX items_code ON items (code);
SELECT rows FROM pgdb_tools.snapshot_restore('items_snap');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT count(*) AS rows_kept, max(id) FROM items;
DROP INDEX items_code;

-- Foreign keys (issue 12 item 7): a table whose one INSERT trigger is a foreign key's check takes
-- the bulk path too, each key checked after the load by one anti-join. Each restore TRUNCATEs
-- the indexes (reltuples unset); the bulk path's rebuild sets it: "built" shows the path taken.
CREATE TABLE lines (id integer PRIMARY KEY, item_id integer REFERENCES items);
INSERT INTO lines SELECT g, g FROM generate_series(1, 50) g;
INSERT INTO lines VALUES (51, NULL);
SELECT pgdb_tools.snapshot_create('both', ARRAY['items', 'lines']::regclass[]) > 0 AS created;
SELECT pgdb_tools.snapshot_create('lines_only', ARRAY['lines']::regclass[]) > 0 AS created;
DELETE FROM lines WHERE id > 25;
-- Parent and child together: the parent loads first, both in bulk.
SELECT source, rows FROM pgdb_tools.snapshot_restore('both') ORDER BY source;
SELECT c.relname, c.reltuples > 0 AS built FROM pg_class c
 WHERE c.relname IN ('items_pkey', 'lines_pkey') ORDER BY 1;
SELECT count(*), count(item_id) AS with_key FROM lines;
SELECT bt_index_check('lines_pkey', true);
-- The child alone, while every row it references is there (the NULL key is not checked).
DELETE FROM lines WHERE id > 25;
SELECT rows FROM pgdb_tools.snapshot_restore('lines_only');
SELECT c.relname, c.reltuples > 0 AS built FROM pg_class c WHERE c.relname = 'lines_pkey';
-- Referenced rows deleted since: 23503 naming the key and one missing value, as PostgreSQL's own
-- check words it, and the child keeps its rows.
DELETE FROM lines WHERE item_id = 41;
DELETE FROM items WHERE id = 41;
SELECT rows FROM pgdb_tools.snapshot_restore('lines_only');
SELECT count(*) AS rows_kept, max(id) FROM lines;
-- In REPEATABLE READ a check after the load would read items as of the transaction's snapshot
-- (and miss a row deleted since): the child reloads row by row, and PostgreSQL's own per-row
-- check reports the missing key.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT rows FROM pgdb_tools.snapshot_restore('lines_only');
ROLLBACK;
-- A deferrable key may be checked at commit: the child reloads row by row.
ALTER TABLE lines DROP CONSTRAINT lines_item_id_fkey,
  ADD CONSTRAINT lines_item_id_fkey FOREIGN KEY (item_id) REFERENCES items DEFERRABLE;
SELECT rows FROM pgdb_tools.snapshot_restore('both');
SELECT c.relname, c.reltuples > 0 AS built FROM pg_class c
 WHERE c.relname IN ('items_pkey', 'lines_pkey') ORDER BY 1;

-- Composite keys, MATCH SIMPLE and MATCH FULL: a key with a NULL is not checked under SIMPLE;
-- under FULL an all-NULL key is not, a key mixing NULLs and values is refused.
CREATE TABLE pairs (a integer, b text, PRIMARY KEY (a, b));
INSERT INTO pairs SELECT g, 'b' || g FROM generate_series(1, 20) g;
CREATE TABLE simple_refs (id integer PRIMARY KEY, a integer, b text,
                          FOREIGN KEY (a, b) REFERENCES pairs);
CREATE TABLE full_refs (id integer PRIMARY KEY, a integer, b text,
                        FOREIGN KEY (a, b) REFERENCES pairs MATCH FULL);
CREATE TABLE loose (id integer PRIMARY KEY, a integer, b text);
INSERT INTO simple_refs VALUES (1, 1, 'b1'), (2, 2, NULL), (3, NULL, 'zz'), (4, NULL, NULL),
                               (5, 5, 'b5');
INSERT INTO full_refs VALUES (1, 1, 'b1'), (2, NULL, NULL);
INSERT INTO loose VALUES (1, 2, 'b2'), (2, 3, NULL);
SELECT pgdb_tools.snapshot_create('refs', ARRAY['simple_refs', 'full_refs', 'loose']::regclass[])
       > 0 AS created;
DELETE FROM simple_refs;
DELETE FROM full_refs;
SELECT source, rows FROM pgdb_tools.snapshot_restore('refs', ARRAY['simple_refs', 'full_refs']::regclass[])
 ORDER BY source;
SELECT c.relname, c.reltuples > 0 AS built FROM pg_class c
 WHERE c.relname IN ('simple_refs_pkey', 'full_refs_pkey') ORDER BY 1;
SELECT * FROM simple_refs ORDER BY id;
-- A composite key gone from the referenced table.
DELETE FROM simple_refs WHERE id = 5;
DELETE FROM pairs WHERE a = 5;
SELECT rows FROM pgdb_tools.snapshot_restore('refs', ARRAY['simple_refs']::regclass[]);
SELECT count(*) AS rows_kept FROM simple_refs;
-- Keys added since, NOT VALID: checked on the restored rows, as PostgreSQL checks new rows.
ALTER TABLE loose ADD CONSTRAINT loose_full FOREIGN KEY (a, b) REFERENCES pairs MATCH FULL NOT VALID;
SELECT rows FROM pgdb_tools.snapshot_restore('refs', ARRAY['loose']::regclass[]);
ALTER TABLE loose DROP CONSTRAINT loose_full,
  ADD CONSTRAINT loose_simple FOREIGN KEY (a, b) REFERENCES pairs NOT VALID;
SELECT rows FROM pgdb_tools.snapshot_restore('refs', ARRAY['loose']::regclass[]);
SELECT c.relname, c.reltuples > 0 AS built FROM pg_class c WHERE c.relname = 'loose_pkey';

-- A self-referencing key: the rows reference each other, checked once all are loaded.
CREATE TABLE tree (id integer PRIMARY KEY, parent integer REFERENCES tree);
INSERT INTO tree VALUES (1, NULL), (2, 1), (3, 2), (4, 3);
SELECT pgdb_tools.snapshot_create('tree', ARRAY['tree']::regclass[]) > 0 AS created;
DELETE FROM tree WHERE id > 2;
INSERT INTO tree VALUES (5, 1);
SELECT rows FROM pgdb_tools.snapshot_restore('tree');
SELECT c.relname, c.reltuples > 0 AS built FROM pg_class c WHERE c.relname = 'tree_pkey';
SELECT * FROM tree ORDER BY id;

-- A partition restored on its own reloads row by row too: an INSERT into it checks its bounds.
CREATE TABLE parts (id integer PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE parts_low PARTITION OF parts FOR VALUES FROM (0) TO (100);
INSERT INTO parts SELECT g FROM generate_series(1, 50) g;
SELECT pgdb_tools.snapshot_create('low', ARRAY['parts_low']::regclass[]) > 0 AS created;
DELETE FROM parts WHERE id > 10;
SELECT source, rows FROM pgdb_tools.snapshot_restore('low');
SELECT c.relname, c.reltuples > 0 AS built FROM pg_class c WHERE c.relname = 'parts_low_pkey';
SELECT count(*) FROM parts;

SET client_min_messages = warning;
DROP EXTENSION pgdb_tools CASCADE;
DROP TABLE items, items_before, lines, parts, pairs, simple_refs, full_refs, loose, tree CASCADE;
DROP EXTENSION amcheck;
