-- snapshot_restore in place through the bulk path: a plain table with no trigger firing on
-- INSERT is refilled straight into the heap and its indexes rebuilt once (issue 12 item 7).
-- The rows, the indexes (checked by amcheck with every heap tuple looked up) and the
-- constraints must come out as an INSERT ... SELECT would leave them, and a constraint the
-- snapshot's rows break must fail the restore with PostgreSQL's SQLSTATE, nothing changed.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP TABLE IF EXISTS items, items_before, lines CASCADE;
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

-- A table with a foreign key (its check fires on INSERT) reloads row by row: its index is
-- maintained by the INSERT, not rebuilt, and the restore is the same.
CREATE TABLE lines (id integer PRIMARY KEY, item_id integer REFERENCES items);
INSERT INTO lines SELECT g, g FROM generate_series(1, 50) g;
SELECT pgdb_tools.snapshot_create('both', ARRAY['items', 'lines']::regclass[]) > 0 AS created;
DELETE FROM lines WHERE id > 25;
SELECT source, rows FROM pgdb_tools.snapshot_restore('both') ORDER BY source;
SELECT c.relname, c.reltuples > 0 AS built FROM pg_class c
 WHERE c.relname IN ('items_pkey', 'lines_pkey') ORDER BY 1;
SELECT count(*) FROM lines;
SELECT bt_index_check('lines_pkey', true);

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
DROP TABLE items, items_before, lines, parts CASCADE;
DROP EXTENSION amcheck;
