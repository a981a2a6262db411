-- track_history(), set_context() and current_context(): who changed what, when and why.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS hist_owned CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_hist_owner;
DROP ROLE IF EXISTS pgdb_tools_test_hist_reader;
DROP ROLE IF EXISTS pgdb_tools_test_hist_writer;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

-- row format: every operation, the key from the primary key, the history table's columns in order
CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric, secret text);
SELECT pgdb_tools.track_history('accounts', exclude_columns => '{secret}');
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'accounts_history'::regclass AND attnum > 0 ORDER BY attnum;
BEGIN;
SELECT pgdb_tools.set_context('{"request": "r1", "user": "ann"}');
INSERT INTO accounts VALUES (1, 'ann', 10, 's1'), (2, 'bob', 20, 's2');
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
UPDATE accounts SET secret = 'changed' WHERE id = 2;  -- only an excluded column: not recorded
UPDATE accounts SET owner = owner WHERE id = 2;       -- changes nothing: not recorded
DELETE FROM accounts WHERE id = 2;
SELECT event_id, operation, row_key, old_data, new_data, context, actor = session_user AS by_me,
       tx_id = pg_current_xact_id() AS this_tx, event_at = now() AS at_now
  FROM accounts_history ORDER BY event_id;
COMMIT;

-- a second call changes the trigger and keeps the table and its rows: diff format, every UPDATE,
-- and (exclude_columns defaults to none) secret is tracked again
SELECT pgdb_tools.track_history('accounts', format => 'diff', changed_only => false);
UPDATE accounts SET balance = 99, secret = 'x' WHERE id = 1;
UPDATE accounts SET owner = owner WHERE id = 1;
SELECT event_id, operation, row_key, old_data, new_data, context
  FROM accounts_history ORDER BY event_id;
SELECT kind, spec->>'format' AS format, spec->'exclude_columns' AS excluded, status
  FROM pgdb_tools.triggers WHERE table_name = 'accounts';

-- ignore() skips recording for the rest of the transaction
BEGIN;
SELECT pgdb_tools.ignore('pgdb_history_accounts');
UPDATE accounts SET balance = 0 WHERE id = 1;
COMMIT;
SELECT count(*) FROM accounts_history;

-- a rolled-back statement leaves no event
BEGIN;
INSERT INTO accounts VALUES (5, 'eve', 1, NULL);
ROLLBACK;
SELECT count(*) FROM accounts_history WHERE row_key = '{"id": 5}';

-- a statement failing halfway through its events (a later AFTER trigger raises on the third
-- row, after history recorded two): none of its events stay, the transaction's earlier one does
CREATE FUNCTION fail_on_13() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id = 13 THEN RAISE EXCEPTION 'row 13 refused'; END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER zz_fail_on_13 AFTER INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION fail_on_13();
BEGIN;
INSERT INTO accounts VALUES (10, 'ten', 10, NULL);
SAVEPOINT before_batch;
INSERT INTO accounts SELECT g, 'batch', g, NULL FROM generate_series(11, 14) g;
ROLLBACK TO SAVEPOINT before_batch;
SELECT operation, row_key FROM accounts_history WHERE (row_key->>'id')::int >= 10;
COMMIT;
INSERT INTO accounts SELECT g, 'batch', g, NULL FROM generate_series(11, 14) g;
SELECT count(*) AS events_of_failed_statement FROM accounts_history
 WHERE (row_key->>'id')::int BETWEEN 11 AND 14;
DROP TRIGGER zz_fail_on_13 ON accounts;
DROP FUNCTION fail_on_13();

-- COPY into a tracked table: one event per row, with the transaction's context
BEGIN;
SELECT pgdb_tools.set_context('{"job": "import"}');
COPY accounts (id, owner, balance, secret) FROM stdin;
20	copied	1	s
21	copied	2	\N
\.
COMMIT;
SELECT operation, row_key, new_data, context FROM accounts_history
 WHERE (row_key->>'id')::int >= 20 ORDER BY event_id;

-- no primary key: the key is every (tracked) column; composite keys; a key that changes
CREATE TABLE notes (body text, tag text);
SELECT pgdb_tools.track_history('notes');
INSERT INTO notes VALUES ('hello', 'a');
CREATE TABLE lines (order_id int, line int, qty int, PRIMARY KEY (order_id, line));
SELECT pgdb_tools.track_history('lines', history_table => 'Line Log');
INSERT INTO lines VALUES (1, 1, 5);
UPDATE lines SET line = 2 WHERE order_id = 1;
SELECT operation, row_key, old_data, new_data FROM notes_history ORDER BY event_id;
SELECT operation, row_key, old_data, new_data FROM "Line Log" ORDER BY event_id;

-- TRUNCATE: one event naming no row, from its own statement-level trigger
SELECT pgdb_tools.track_history('lines', history_table => 'Line Log', operations => '{TRUNCATE}',
                                name => 'lines_truncate_history');
TRUNCATE lines;
SELECT operation, row_key, old_data, new_data FROM "Line Log" ORDER BY event_id;

-- TRUNCATE with the row operations in one call: one managed trigger (a statement-level companion
-- underneath), listed once, ignored, restored, disabled, pruned and dropped as one
CREATE TABLE stock (sku text PRIMARY KEY, qty int);
SELECT pgdb_tools.track_history('stock', operations => '{TRUNCATE,INSERT,UPDATE}',
                                condition => 'NEW.qty IS DISTINCT FROM 0');
SELECT tgname, tgtype & 1 = 1 AS for_each_row FROM pg_trigger
 WHERE tgrelid = 'stock'::regclass ORDER BY tgname;
SELECT trigger_name, spec->'operations' AS operations, status
  FROM pgdb_tools.triggers WHERE table_name = 'stock';
INSERT INTO stock VALUES ('a', 1), ('zero', 0);
TRUNCATE stock;
BEGIN;
SELECT pgdb_tools.ignore('pgdb_history_stock');
INSERT INTO stock VALUES ('b', 2);
TRUNCATE stock;
COMMIT;
SELECT operation, row_key FROM stock_history ORDER BY event_id;
DROP TRIGGER pgdb_history_stock_truncate ON stock;
SELECT status FROM pgdb_tools.triggers WHERE table_name = 'stock';
SELECT action, detail FROM pgdb_tools.apply_triggers(
  '[{"kind": "history", "tbl": "stock", "operations": ["INSERT", "UPDATE", "TRUNCATE"],
     "condition": "NEW.qty IS DISTINCT FROM 0"}]');
SELECT status FROM pgdb_tools.triggers WHERE table_name = 'stock';
-- without TRUNCATE again: the companion goes
SELECT pgdb_tools.track_history('stock');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'stock'::regclass ORDER BY tgname;
-- error: another trigger has the companion's name (42710); nothing changes
CREATE FUNCTION stock_noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER pgdb_history_stock_truncate AFTER TRUNCATE ON stock
  EXECUTE FUNCTION stock_noop();
SELECT pgdb_tools.track_history('stock', operations => '{INSERT,TRUNCATE}');
SELECT spec->'operations' AS operations, status FROM pgdb_tools.triggers
 WHERE table_name = 'stock';
DROP TRIGGER pgdb_history_stock_truncate ON stock;
SELECT pgdb_tools.track_history('stock', operations => '{INSERT,TRUNCATE}');
SELECT pgdb_tools.enable_trigger('stock', 'pgdb_history_stock', false);
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'stock'::regclass ORDER BY tgname;
SELECT action, detail FROM pgdb_tools.apply_triggers(
  '[{"kind": "history", "tbl": "stock", "operations": ["INSERT", "TRUNCATE"]}]');
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'stock'::regclass ORDER BY tgname;
SELECT pgdb_tools.enable_trigger('stock', 'pgdb_history_stock', true);
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'stock'::regclass ORDER BY tgname;
SELECT action, trigger_name FROM pgdb_tools.apply_triggers('[]', prune => true,
                                                           tables => '{stock}');
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'stock'::regclass;
SELECT pgdb_tools.track_history('stock', operations => '{DELETE,TRUNCATE}');
SELECT pgdb_tools.drop_trigger('stock', 'pgdb_history_stock');
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'stock'::regclass;
-- error: unknown format
SELECT pgdb_tools.track_history('lines', format => 'full');

-- context scope: merged, gone at commit and rollback, undone with its savepoint
BEGIN;
SELECT pgdb_tools.set_context('{"a": 1, "b": 1}');
SELECT pgdb_tools.set_context('{"b": 2}');
SELECT pgdb_tools.current_context();
SAVEPOINT s;
SELECT pgdb_tools.set_context('{"c": 3}');
SELECT pgdb_tools.current_context();
ROLLBACK TO SAVEPOINT s;
SELECT pgdb_tools.current_context();
SAVEPOINT s2;
SELECT pgdb_tools.set_context('{"d": 4}');
RELEASE SAVEPOINT s2;
SELECT pgdb_tools.current_context();
COMMIT;
SELECT pgdb_tools.current_context() IS NULL AS gone_after_commit;
BEGIN;
SELECT pgdb_tools.set_context('{"x": 1}');
ROLLBACK;
SELECT pgdb_tools.current_context() IS NULL AS gone_after_rollback;
-- error: context must be an object
SELECT pgdb_tools.set_context('[1]');

-- hostile names: a table already named like the history table is refused, quoted names work
CREATE TABLE "We""ird" (id int PRIMARY KEY, v text);
CREATE TABLE "We""ird_history" (id int);
SELECT pgdb_tools.track_history('"We""ird"');
SELECT pgdb_tools.track_history('"We""ird"', history_table => 'We"ird log');
INSERT INTO "We""ird" VALUES (1, 'x');
SELECT operation, row_key, new_data FROM "We""ird log";

-- partitioned table: the trigger on the parent records the rows of every partition
CREATE TABLE events (id int, at date, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
SELECT pgdb_tools.track_history('events');
INSERT INTO events VALUES (1, '2026-05-01', 'a'), (2, '2027-05-01', 'b');
UPDATE events SET at = '2027-06-01' WHERE id = 1;  -- moves to another partition
SELECT operation, row_key, old_data, new_data FROM events_history ORDER BY event_id;

-- row_history: one row's events in order; row_at: the row as it was (NULL before and after it)
CREATE TABLE prices (sku text PRIMARY KEY, price numeric);
SELECT pgdb_tools.track_history('prices');
SELECT pgdb_tools.track_history('prices', operations => '{TRUNCATE}', name => 'prices_truncate');
INSERT INTO prices VALUES ('a', 1), ('b', 5);
UPDATE prices SET price = 2 WHERE sku = 'a';
DELETE FROM prices WHERE sku = 'a';
-- events of one transaction share event_at: move them apart to look back in time
UPDATE prices_history SET event_at = timestamptz '2026-01-01' + event_id * interval '1 day';
SELECT event_id, operation, row_key, old_data, new_data
  FROM pgdb_tools.row_history('prices', '{"sku": "a"}');
SELECT d::date AS at, pgdb_tools.row_at('prices', '{"sku": "a"}', d) AS a
  FROM generate_series(timestamptz '2026-01-01', '2026-01-06', interval '1 day') d;
TRUNCATE prices;
SELECT pgdb_tools.row_at('prices', '{"sku": "b"}', '2026-01-04') AS b_before_truncate,
       pgdb_tools.row_at('prices', '{"sku": "b"}', now()) AS b_after_truncate;
EXPLAIN (COSTS OFF) SELECT * FROM prices_history WHERE row_key = '{"sku": "a"}';

-- a key that changes: one event, under the new key, found by the old key too (through the
-- _history_old_key index); a composite key in diff format
CREATE TABLE seats (hall int, seat int, holder text, PRIMARY KEY (hall, seat));
SELECT pgdb_tools.track_history('seats', format => 'diff');
INSERT INTO seats VALUES (1, 1, 'ann');
UPDATE seats SET seat = 2 WHERE hall = 1 AND seat = 1;
UPDATE seats SET holder = 'bob' WHERE hall = 1;
SELECT operation, row_key, old_data, new_data,
       pgdb_tools._history_old_key(row_key, old_data) AS old_key
  FROM seats_history ORDER BY event_id;
SELECT operation, row_key FROM pgdb_tools.row_history('seats', '{"hall": 1, "seat": 1}');
SELECT operation, row_key FROM pgdb_tools.row_history('seats', '{"seat": 2, "hall": 1}');
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM seats_history
 WHERE row_key = '{"hall": 1, "seat": 1}'
    OR pgdb_tools._history_old_key(row_key, old_data) = '{"hall": 1, "seat": 1}';
RESET enable_seqscan;
-- row format: row_at by the old key sees the row until the UPDATE took it to the new key
CREATE TABLE tags (name text PRIMARY KEY, color text);
SELECT pgdb_tools.track_history('tags');
INSERT INTO tags VALUES ('red', '#f00');
UPDATE tags SET name = 'crimson';
UPDATE tags_history SET event_at = timestamptz '2026-01-01' + event_id * interval '1 day';
SELECT d::date AS at, pgdb_tools.row_at('tags', '{"name": "red"}', d) AS red,
       pgdb_tools.row_at('tags', '{"name": "crimson"}', d) AS crimson
  FROM generate_series(timestamptz '2026-01-01', '2026-01-03', interval '1 day') d;
-- no primary key: the key is the whole row, so every tracked change moves it
UPDATE notes SET tag = 'b';
SELECT operation, row_key FROM pgdb_tools.row_history('notes', '{"body": "hello", "tag": "a"}');
SELECT pgdb_tools.row_at('notes', '{"body": "hello", "tag": "a"}', now()) AS old_key_row,
       pgdb_tools.row_at('notes', '{"body": "hello", "tag": "b"}', now()) AS new_key_row;
-- not a key change: NULL
SELECT pgdb_tools._history_old_key('{"id": 1}', '{"id": 1, "v": 2}') AS same,
       pgdb_tools._history_old_key('{"id": 1}', '[1]') AS not_object,
       pgdb_tools._history_old_key('{"id": 1}', NULL) AS insert_event;
-- error: a table without history (42704)
SELECT * FROM pgdb_tools.row_history('notes_history', '{}');

-- retention: a history table partitioned by month, created beforehand with the history table's
-- columns (the primary key holds event_at) and both hash indexes, handed to create_partitioned;
-- run_maintenance drops the months past retention with their events (created before retention
-- is set: create_partitioned makes no partition that retention would drop at once)
CREATE TABLE orders (id int PRIMARY KEY, total numeric);
CREATE TABLE orders_history (
  event_id bigint GENERATED ALWAYS AS IDENTITY, event_at timestamptz NOT NULL,
  tx_id xid8 NOT NULL, operation text NOT NULL, row_key jsonb, old_data jsonb, new_data jsonb,
  context jsonb, actor name NOT NULL, PRIMARY KEY (event_id, event_at)
) PARTITION BY RANGE (event_at);
CREATE INDEX orders_history_row_key ON orders_history USING hash (row_key);
CREATE INDEX orders_history_old_key ON orders_history
  USING hash (pgdb_tools._history_old_key(row_key, old_data));
SELECT pgdb_tools.create_partitioned('orders_history', 'event_at', '1 month', premake => 1,
         start_at => (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '14 months')::text)
       AS partitions_created;
SELECT pgdb_tools.track_history('orders');
INSERT INTO orders VALUES (1, 10);
UPDATE orders SET total = 11;
INSERT INTO orders_history (event_at, tx_id, operation, row_key, new_data, actor)
  VALUES (now() - interval '13 months 15 days', pg_current_xact_id(), 'INSERT', '{"id": 0}',
          '{"id": 0, "total": 1}', current_user);
SELECT operation, row_key, tableoid::regclass <> 'orders_history_default'::regclass AS in_a_month
  FROM orders_history ORDER BY event_id;
SELECT pgdb_tools.update_partitioned('orders_history', retention => '12 months');
SELECT count(*) > 0 AS dropped_old_months FROM pgdb_tools.run_maintenance('orders_history')
 WHERE action = 'drop';
SELECT operation, row_key FROM pgdb_tools.row_history('orders', '{"id": 1}');
SELECT count(*) AS old_events_left FROM orders_history WHERE row_key = '{"id": 0}';
SELECT pgdb_tools.forget_partitioned('orders_history');

-- privileges: a non-owner cannot track a table (42501); a non-superuser owner can, the history
-- table is theirs, readers of the table may read it, writers need no privilege on it
CREATE ROLE pgdb_tools_test_hist_owner;
CREATE ROLE pgdb_tools_test_hist_reader;
CREATE ROLE pgdb_tools_test_hist_writer;
CREATE SCHEMA hist_owned AUTHORIZATION pgdb_tools_test_hist_owner;
SET ROLE pgdb_tools_test_hist_writer;
SELECT pgdb_tools.track_history('accounts', name => 'not_mine');
RESET ROLE;
SET ROLE pgdb_tools_test_hist_owner;
CREATE TABLE hist_owned.items (id int PRIMARY KEY, v text);
GRANT SELECT ON hist_owned.items TO pgdb_tools_test_hist_reader;
GRANT INSERT ON hist_owned.items TO pgdb_tools_test_hist_writer;
GRANT USAGE ON SCHEMA hist_owned TO pgdb_tools_test_hist_reader, pgdb_tools_test_hist_writer;
SELECT pgdb_tools.track_history('hist_owned.items');
RESET ROLE;
SELECT pg_get_userbyid(relowner) AS owner,
       has_table_privilege('pgdb_tools_test_hist_reader', oid, 'SELECT') AS reader_reads,
       has_table_privilege('pgdb_tools_test_hist_writer', oid, 'SELECT') AS writer_reads
  FROM pg_class WHERE oid = 'hist_owned.items_history'::regclass;
SET ROLE pgdb_tools_test_hist_writer;
INSERT INTO hist_owned.items VALUES (1, 'w');
SELECT count(*) FROM hist_owned.items_history;  -- 42501: the writer cannot read history
RESET ROLE;
SET ROLE pgdb_tools_test_hist_reader;
SELECT operation, row_key, actor = session_user AS by_session_user FROM hist_owned.items_history;
SELECT operation FROM pgdb_tools.row_history('hist_owned.items', '{"id": 1}');
RESET ROLE;
SET ROLE pgdb_tools_test_hist_writer;
SELECT operation FROM pgdb_tools.row_history('hist_owned.items', '{"id": 1}');  -- 42501
RESET ROLE;

DROP SCHEMA hist_owned CASCADE;
DROP ROLE pgdb_tools_test_hist_owner;
DROP ROLE pgdb_tools_test_hist_reader;
DROP ROLE pgdb_tools_test_hist_writer;
DROP TABLE accounts, accounts_history, notes, notes_history, lines, "Line Log", "We""ird",
  "We""ird_history", "We""ird log", events, events_history, prices, prices_history, stock,
  stock_history, seats, seats_history, tags, tags_history, orders, orders_history;
DROP FUNCTION stock_noop();
