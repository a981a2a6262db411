-- partition_existing and partition_existing_proc: a plain table becomes a managed set, its rows
-- its first partition; what PostgreSQL cannot carry over is refused before any change.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS conv CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_conv_owner;
DROP ROLE IF EXISTS pgdb_tools_test_conv_reader;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE ROLE pgdb_tools_test_conv_owner;
CREATE ROLE pgdb_tools_test_conv_reader;
CREATE SCHEMA conv AUTHORIZATION pgdb_tools_test_conv_owner;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_conv_owner, pgdb_tools_test_conv_reader;
GRANT USAGE ON SCHEMA conv TO pgdb_tools_test_conv_reader;
SET ROLE pgdb_tools_test_conv_owner;
SET search_path = conv, public;

-- an application's table: serial key with the control column, indexes, a check, a foreign key,
-- grants, row level security, comments; rows of January to April 2030
CREATE TABLE customers (id int PRIMARY KEY);
INSERT INTO customers SELECT g FROM generate_series(1, 5) g;
CREATE TABLE "Sales log" (
  id bigserial,
  sold_at timestamptz NOT NULL,
  customer int REFERENCES customers,
  amount numeric NOT NULL DEFAULT 0 CHECK (amount >= 0),
  note text,
  PRIMARY KEY (id, sold_at));
CREATE INDEX sales_sold_at ON "Sales log" (sold_at);
CREATE UNIQUE INDEX sales_note ON "Sales log" (note, sold_at) WHERE note IS NOT NULL;
COMMENT ON TABLE "Sales log" IS 'every sale';
COMMENT ON COLUMN "Sales log".amount IS 'in cents';
GRANT SELECT ON "Sales log" TO pgdb_tools_test_conv_reader;
ALTER TABLE "Sales log" ENABLE ROW LEVEL SECURITY;
CREATE POLICY small_only ON "Sales log" FOR SELECT TO pgdb_tools_test_conv_reader USING (amount < 100);
INSERT INTO "Sales log" (sold_at, customer, amount)
  SELECT TIMESTAMPTZ '2030-01-01 00:00 UTC' + g * INTERVAL '1 day', 1 + g % 5, g
  FROM generate_series(0, 119) g;
SELECT count(*) AS rows, sum(amount) AS amount, min(sold_at) AT TIME ZONE 'UTC' AS oldest,
       max(sold_at) AT TIME ZONE 'UTC' AS newest FROM "Sales log";

-- a dry run shows every statement and changes nothing
SELECT * FROM pgdb_tools.partition_existing('"Sales log"', 'sold_at', '1 month', premake => 2,
                                            dry_run => true);
SELECT relkind FROM pg_class WHERE oid = '"Sales log"'::regclass;

SELECT step, left(statement, 60) AS statement
  FROM pgdb_tools.partition_existing('"Sales log"', 'sold_at', '1 month', premake => 2);
SELECT c.relkind, obj_description(c.oid, 'pg_class') AS comment,
       col_description(c.oid, 4) AS amount_comment, c.relrowsecurity,
       pg_get_userbyid(c.relowner) AS owner,
       has_table_privilege('pgdb_tools_test_conv_reader', c.oid, 'SELECT') AS reader_selects,
       c.relacl = (SELECT o.relacl FROM pg_class o WHERE o.oid = '"Sales log_p203001"'::regclass) AS same_grants
  FROM pg_class c WHERE c.oid = '"Sales log"'::regclass;
SELECT partition, lower_bound::timestamptz AT TIME ZONE 'UTC' AS lower,
       upper_bound::timestamptz AT TIME ZONE 'UTC' AS upper
  FROM pgdb_tools.partitions('"Sales log"');
-- every row is where it was, nothing lost or doubled
SELECT tableoid::regclass AS partition, count(*), sum(amount) FROM "Sales log" GROUP BY 1;
-- the parent's indexes and constraints carry the names the application knows; the old table's
-- are attached to them, not rebuilt
SELECT c.relname AS index, i.indisvalid, (SELECT p.relname FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent
                                           WHERE h.inhrelid = c.oid) AS attached_to
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('"Sales log"'::regclass, '"Sales log_p203001"'::regclass) ORDER BY 1;
SELECT conrelid::regclass AS "table", conname, contype FROM pg_constraint
 WHERE conrelid IN ('"Sales log"'::regclass, '"Sales log_p203001"'::regclass)
   AND contype <> 'n' ORDER BY 1, 2;  -- (PostgreSQL 18 lists NOT NULL constraints too)
-- the serial's sequence now belongs to the parent's column, and keeps counting
SELECT pg_get_serial_sequence('conv."Sales log"', 'id') AS sequence;
INSERT INTO "Sales log" (sold_at, customer, amount) VALUES ('2030-02-10 12:00 UTC', 2, 5)
  RETURNING id, tableoid::regclass;
-- a row past the old range goes to the default partition until maintenance reaches it
INSERT INTO "Sales log" (sold_at, amount) VALUES ('2030-06-15 00:00 UTC', 7) RETURNING tableoid::regclass;
-- the foreign key and the checks hold on the parent
INSERT INTO "Sales log" (sold_at, customer) VALUES ('2030-02-10', 99);
INSERT INTO "Sales log" (sold_at, amount) VALUES ('2030-02-10', -1);
-- the reader's grant and policy carried over
RESET ROLE;
SET ROLE pgdb_tools_test_conv_reader;
SELECT count(*) AS visible, max(amount) AS largest FROM conv."Sales log";
RESET ROLE;
SET ROLE pgdb_tools_test_conv_owner;
-- the set is registered like one made by create_partitioned
SELECT parent_name, control, partition_interval, premake, start_at
  FROM pgdb_tools.partition_sets WHERE parent_schema = 'conv';
-- called again (a migration run twice): nothing to do; other settings are refused
SELECT * FROM pgdb_tools.partition_existing('"Sales log"', 'sold_at', '1 month', premake => 2);
SELECT * FROM pgdb_tools.partition_existing('"Sales log"', 'sold_at', '1 week');

-- an integer set mid-stream: new partitions follow the old table's range at once
CREATE TABLE events (id int NOT NULL, payload text);
INSERT INTO events SELECT g, 'e' || g FROM generate_series(1, 2500) g;
SELECT count(*) FROM pgdb_tools.partition_existing('events', 'id', '1000', premake => 1);
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('events');
SELECT count(*), sum(id) FROM events;
INSERT INTO events VALUES (3500, 'new') RETURNING tableoid::regclass;

-- an empty table: its partition covers the current period (integer: from 0)
CREATE TABLE empty_ids (id bigint NOT NULL);
SELECT count(*) > 0 AS converted FROM pgdb_tools.partition_existing('empty_ids', 'id', '100', premake => 0);
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('empty_ids');

-- refused before any change, each with a hint
CREATE TABLE keyed (id int PRIMARY KEY, at date NOT NULL);
SELECT * FROM pgdb_tools.partition_existing('keyed', 'at', '1 month');
CREATE TABLE uniq (code text UNIQUE, at date NOT NULL);
SELECT * FROM pgdb_tools.partition_existing('uniq', 'at', '1 month');
CREATE TABLE holes (at date);
INSERT INTO holes VALUES ('2030-01-01'), (NULL);
SELECT * FROM pgdb_tools.partition_existing('holes', 'at', '1 month');
CREATE TABLE forever (at date NOT NULL);
INSERT INTO forever VALUES ('2030-01-01'), ('infinity');
SELECT * FROM pgdb_tools.partition_existing('forever', 'at', '1 month');
CREATE TABLE parents (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at));
CREATE TABLE children (parent int, at date, FOREIGN KEY (parent, at) REFERENCES parents);
SELECT * FROM pgdb_tools.partition_existing('parents', 'at', '1 month');
CREATE TABLE viewed (at date NOT NULL);
CREATE VIEW viewed_recent AS SELECT * FROM viewed WHERE at > '2030-01-01';
SELECT * FROM pgdb_tools.partition_existing('viewed', 'at', '1 month');
CREATE TABLE triggered (at date NOT NULL, changed timestamptz);
CREATE FUNCTION triggered_own() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER own_trigger BEFORE INSERT ON triggered FOR EACH ROW EXECUTE FUNCTION triggered_own();
SELECT pgdb_tools.updated_at('triggered', 'changed');
SELECT * FROM pgdb_tools.partition_existing('triggered', 'at', '1 month');
-- pgdb_tools' own triggers move to the new parent, and so onto every partition, the old table
-- included: each fires once per row wherever the row lands
CREATE TABLE audited (id int NOT NULL, at date NOT NULL, changed timestamptz, PRIMARY KEY (id, at));
INSERT INTO audited VALUES (1, '2030-01-15', NULL);
SELECT pgdb_tools.updated_at('audited', 'changed');
SELECT pgdb_tools.track_history('audited');
SELECT step, statement FROM pgdb_tools.partition_existing('audited', 'at', '1 month', dry_run => true)
 WHERE statement LIKE '%apply_triggers%' OR statement LIKE '-- then%';
SELECT count(*) > 0 AS converted FROM pgdb_tools.partition_existing('audited', 'at', '1 month');
SELECT table_name, trigger_name, kind, status FROM pgdb_tools.triggers WHERE table_name = 'audited' ORDER BY 2;
SELECT relkind FROM pg_class WHERE oid = 'audited'::regclass;
UPDATE audited SET changed = NULL WHERE id = 1;
INSERT INTO audited VALUES (2, '2030-01-20', NULL), (3, '2030-02-10', NULL);
UPDATE audited SET changed = NULL WHERE id = 3;
SELECT id, tableoid::regclass = 'audited_p203001'::regclass AS in_old_table, changed IS NOT NULL AS stamped
  FROM audited ORDER BY id;
SELECT operation, row_key FROM audited_history ORDER BY event_id;
CREATE TABLE identified (id int GENERATED ALWAYS AS IDENTITY, at date NOT NULL);
SELECT * FROM pgdb_tools.partition_existing('identified', 'at', '1 month');
CREATE UNLOGGED TABLE scratch (at date NOT NULL);
SELECT * FROM pgdb_tools.partition_existing('scratch', 'at', '1 month');
CREATE TABLE base (at date NOT NULL);
CREATE TABLE derived () INHERITS (base);
SELECT * FROM pgdb_tools.partition_existing('derived', 'at', '1 month');
CREATE TABLE typed_col (at text NOT NULL);
SELECT * FROM pgdb_tools.partition_existing('typed_col', 'at', '1 month');
SELECT * FROM pgdb_tools.partition_existing('typed_col', 'missing', '1 month');
CREATE TABLE already (at date NOT NULL) PARTITION BY RANGE (at);
SELECT * FROM pgdb_tools.partition_existing('already', 'at', '1 month');
SELECT * FROM pgdb_tools.partition_existing('viewed_recent', 'at', '1 month');
SELECT * FROM pgdb_tools.partition_existing('"Sales log_p203001"', 'sold_at', '1 month');
SELECT * FROM pgdb_tools.partition_existing(NULL, 'at', '1 month');
SELECT * FROM pgdb_tools.partition_existing('viewed', NULL, '1 month');
SELECT * FROM pgdb_tools.partition_existing('viewed', 'at', NULL);
CREATE TABLE fine (at date NOT NULL);
SELECT * FROM pgdb_tools.partition_existing('fine', 'at', '1 hour');
SELECT * FROM pgdb_tools.partition_existing('fine', 'at', '1 month', premake => -1);
SELECT * FROM pgdb_tools.partition_existing('fine', 'at', '1 month', retention_mode => 'shred');
SELECT * FROM pgdb_tools.partition_existing('fine', 'at', '1 month', time_zone => 'Mars/Olympus');
SELECT relkind FROM pg_class WHERE oid = 'fine'::regclass;
-- a retention that would retire the old rows at once fails the whole call: nothing changed
CREATE TABLE old_news (at date NOT NULL, title text);
CREATE INDEX old_news_at ON old_news (at);
INSERT INTO old_news VALUES ('2001-01-05', 'a'), ('2001-02-05', 'b');
SELECT * FROM pgdb_tools.partition_existing('old_news', 'at', '1 month', retention => '1 year');
SELECT c.relname, c.relkind, (SELECT count(*) FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype <> 'n') AS constraints,
       (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid) AS indexes
  FROM pg_class c WHERE c.relname LIKE 'old_news%' AND c.relkind IN ('r', 'p') ORDER BY 1;

-- someone else's table: 42501
RESET ROLE;
CREATE TABLE public.not_yours (at date NOT NULL);
GRANT SELECT ON public.not_yours TO pgdb_tools_test_conv_reader;
SET ROLE pgdb_tools_test_conv_reader;
SELECT * FROM pgdb_tools.partition_existing('public.not_yours', 'at', '1 month');
CALL pgdb_tools.partition_existing_proc('public.not_yours', 'at', '1 month');
RESET ROLE;
DROP TABLE public.not_yours;

-- the procedure: three transactions, the scan validating the range under a lock that lets
-- writers write
SET ROLE pgdb_tools_test_conv_owner;
CREATE TABLE clicks (id bigint NOT NULL, at timestamptz NOT NULL);
INSERT INTO clicks SELECT g, TIMESTAMPTZ '2031-03-01 00:00 UTC' + g * INTERVAL '1 minute'
  FROM generate_series(1, 5000) g;
-- inside a transaction block it cannot commit, and leaves nothing behind
BEGIN;
CALL pgdb_tools.partition_existing_proc('clicks', 'at', '1 day');
ROLLBACK;
SELECT relkind, (SELECT count(*) FROM pg_constraint WHERE conrelid = 'clicks'::regclass AND contype <> 'n') AS constraints
  FROM pg_class WHERE oid = 'clicks'::regclass;
CALL pgdb_tools.partition_existing_proc('clicks', 'at', '1 day', premake => 1);
SELECT partition, lower_bound::timestamptz AT TIME ZONE 'UTC' AS lower,
       upper_bound::timestamptz AT TIME ZONE 'UTC' AS upper
  FROM pgdb_tools.partitions('clicks');
SELECT count(*), sum(id) FROM clicks;
SELECT conname FROM pg_constraint WHERE conrelid IN (SELECT partition FROM pgdb_tools.partitions('clicks'))
   AND contype <> 'n';
SELECT current_setting('search_path') AS search_path_after_the_procedure;
-- a second call does nothing
CALL pgdb_tools.partition_existing_proc('clicks', 'at', '1 day', premake => 1);

-- a failure in the procedure's last step takes its range check away again: nothing is left
-- (here the owner may not create tables in the table's schema, which only the swap needs)
RESET ROLE;
CREATE SCHEMA nocreate;
GRANT USAGE ON SCHEMA nocreate TO pgdb_tools_test_conv_owner;
CREATE TABLE nocreate.t (at date NOT NULL);
INSERT INTO nocreate.t VALUES ('2034-01-05');
ALTER TABLE nocreate.t OWNER TO pgdb_tools_test_conv_owner;
SET ROLE pgdb_tools_test_conv_owner;
CALL pgdb_tools.partition_existing_proc('nocreate.t', 'at', '1 month');
\echo :LAST_ERROR_SQLSTATE
SELECT relkind, (SELECT count(*) FROM pg_constraint WHERE conrelid = 'nocreate.t'::regclass AND contype <> 'n') AS constraints
  FROM pg_class WHERE oid = 'nocreate.t'::regclass;
RESET ROLE;
DROP SCHEMA nocreate CASCADE;
SET ROLE pgdb_tools_test_conv_owner;

-- someone else's objects in public do not change what runs
RESET ROLE;
CREATE FUNCTION public.min(date) RETURNS date LANGUAGE sql AS $$SELECT DATE '1999-01-01'$$;
SET search_path = public, conv;
CREATE TABLE conv.logins (at date NOT NULL);
ALTER TABLE conv.logins OWNER TO pgdb_tools_test_conv_owner;
INSERT INTO conv.logins VALUES ('2032-07-04');
SELECT count(*) > 0 AS converted FROM pgdb_tools.partition_existing('conv.logins', 'at', '1 month');
SELECT partition, lower_bound FROM pgdb_tools.partitions('conv.logins');
DROP FUNCTION public.min(date);
RESET search_path;

SET client_min_messages = warning;
DROP SCHEMA conv CASCADE;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_conv_owner, pgdb_tools_test_conv_reader;
DROP EXTENSION pgdb_tools CASCADE;
DROP ROLE pgdb_tools_test_conv_owner;
DROP ROLE pgdb_tools_test_conv_reader;
