-- evacuate_default and evacuate_default_proc: rows leave the default partition a whole period at
-- a time, into partitions created for them; rows that may not leave stay and are reported.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS evac CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_evac_owner;
DROP ROLE IF EXISTS pgdb_tools_test_evac_other;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE ROLE pgdb_tools_test_evac_owner;
CREATE ROLE pgdb_tools_test_evac_other;
CREATE SCHEMA evac AUTHORIZATION pgdb_tools_test_evac_owner;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_evac_owner, pgdb_tools_test_evac_other;
GRANT USAGE ON SCHEMA evac TO pgdb_tools_test_evac_other;
SET ROLE pgdb_tools_test_evac_owner;
SET search_path = evac, public;

-- a monthly set whose default filled up with rows of four later months, 2031-01 to 2031-04
CREATE TABLE "Tick ets" (id bigint NOT NULL, opened_at timestamptz, amount int NOT NULL)
  PARTITION BY RANGE (opened_at);
CREATE INDEX ON "Tick ets" (opened_at);
GRANT SELECT ON "Tick ets" TO pgdb_tools_test_evac_other;
SET client_min_messages = warning;
SELECT pgdb_tools.create_partitioned('"Tick ets"', 'opened_at', '1 month', premake => 1,
                                     start_at => '2030-12-01');
RESET client_min_messages;
INSERT INTO "Tick ets"
  SELECT g, TIMESTAMPTZ '2031-01-01 00:00 UTC' + (g % 4) * INTERVAL '1 month' + (g % 97) * INTERVAL '1 hour', g
  FROM generate_series(1, 1000) g;
-- and rows it can never place: a NULL and infinite timestamps
INSERT INTO "Tick ets" VALUES (2001, NULL, 5), (2002, 'infinity', 7), (2003, '-infinity', 11);
SELECT count(*) AS rows, sum(amount) AS amount FROM "Tick ets";
SELECT count(*) AS in_default FROM "Tick ets_default";

-- batches of 300 rows: each batch moves whole periods (250 rows each) until it has moved 300
SELECT pgdb_tools.evacuate_default('"Tick ets"', batch_size => 300);
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('"Tick ets"');
SELECT tableoid::regclass AS partition, count(*), min(opened_at), max(opened_at)
  FROM "Tick ets" GROUP BY 1 ORDER BY 1;
-- nothing lost, nothing doubled
SELECT count(*) AS rows, sum(amount) AS amount FROM "Tick ets";
-- new partitions belong to the parent's owner and carry its grants
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner, c.relacl = p.relacl AS same_grants
  FROM pg_class c, pg_class p
 WHERE p.relname = 'Tick ets' AND c.relname LIKE 'Tick ets_p2031%' ORDER BY 1;
-- run again: nothing moves, the staying rows are reported again
SELECT pgdb_tools.evacuate_default('"Tick ets"');

-- the procedure commits after each batch
INSERT INTO "Tick ets"
  SELECT 3000 + g, TIMESTAMPTZ '2032-01-01 00:00 UTC' + (g % 3) * INTERVAL '1 month', 1
  FROM generate_series(1, 30) g;
CALL pgdb_tools.evacuate_default_proc('"Tick ets"', 10);
SELECT count(*) FILTER (WHERE tableoid = '"Tick ets_default"'::regclass) AS in_default,
       count(*) AS rows FROM "Tick ets";
SELECT current_setting('search_path') AS search_path_after_the_procedure;
-- inside a transaction block it cannot commit
BEGIN;
CALL pgdb_tools.evacuate_default_proc('"Tick ets"');
ROLLBACK;
-- evacuate_default inside a transaction that rolls back moves nothing
INSERT INTO "Tick ets" VALUES (4000, '2033-05-05 00:00 UTC', 1);
BEGIN;
SELECT pgdb_tools.evacuate_default('"Tick ets"');
ROLLBACK;
SELECT count(*) AS still_in_default FROM "Tick ets_default" WHERE id = 4000;
SELECT count(*) AS partitions_for_2033 FROM pgdb_tools.partitions('"Tick ets"')
 WHERE NOT is_default AND lower_bound::timestamptz >= '2033-01-01 00:00 UTC';

-- a period partly covered by a partition made by hand: only the uncovered pieces are created
CREATE TABLE days (at date NOT NULL, n int) PARTITION BY RANGE (at);
SET client_min_messages = warning;
SELECT pgdb_tools.create_partitioned('days', 'at', '1 month', premake => 0, start_at => '2030-01-01');
RESET client_min_messages;
CREATE TABLE days_hand PARTITION OF days FOR VALUES FROM ('2040-03-10') TO ('2040-03-20');
INSERT INTO days SELECT DATE '2040-03-01' + g, g FROM generate_series(0, 30) g;
SELECT pgdb_tools.evacuate_default('days');
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('days') WHERE NOT is_default AND lower_bound::date >= '2040-01-01';
SELECT tableoid::regclass AS partition, count(*) FROM days GROUP BY 1 ORDER BY 1;

-- gaps: rows in January, April and May; February and March are empty and get no partition (the
-- walk from one period to the next finds February empty and looks for the next row instead)
CREATE TABLE gaps (at date NOT NULL, n int) PARTITION BY RANGE (at);
SET client_min_messages = warning;
SELECT pgdb_tools.create_partitioned('gaps', 'at', '1 month', premake => 0, start_at => '2030-01-01');
RESET client_min_messages;
INSERT INTO gaps SELECT d, extract(day FROM d) FROM unnest(ARRAY[DATE '2041-01-03', '2041-01-31',
  '2041-04-01', '2041-04-30', '2041-05-15']) d;
SELECT pgdb_tools.evacuate_default('gaps');
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('gaps') WHERE NOT is_default AND lower_bound::date >= '2041-01-01';
SELECT tableoid::regclass AS partition, count(*), sum(n) FROM gaps GROUP BY 1 ORDER BY 1;
SELECT count(*) AS tables_left_over FROM pg_class WHERE relname LIKE 'gaps%' AND NOT relispartition AND relkind = 'r';

-- retention: rows of periods retention removed stay in the default, and are reported (an
-- integer set: its "now" is its highest id, so the cutoff does not move with the clock)
CREATE TABLE readings (id int NOT NULL, v int) PARTITION BY RANGE (id);
SET client_min_messages = warning;
SELECT pgdb_tools.create_partitioned('readings', 'id', '10', premake => 1, start_at => '0', retention => '30');
RESET client_min_messages;
-- the highest id is 35, so the cutoff is 5: the period [0, 10) is kept, everything below expired
INSERT INTO readings VALUES (25, 1), (35, 2), (-50, 3), (-1, 4);
SELECT pgdb_tools.evacuate_default('readings');
SELECT tableoid::regclass AS partition, array_agg(id ORDER BY id) FROM readings GROUP BY 1 ORDER BY 1;

-- integer sets: values more than one runway beyond the newest partition (counting those the
-- evacuation makes) are outliers and stay
CREATE TABLE orders (id bigint NOT NULL) PARTITION BY RANGE (id);
SET client_min_messages = warning;
SELECT pgdb_tools.create_partitioned('orders', 'id', '100', premake => 2, start_at => '0');
RESET client_min_messages;
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('orders');
INSERT INTO orders VALUES (350), (420), (599), (600), (100000000);
SELECT pgdb_tools.evacuate_default('orders');
SELECT tableoid::regclass AS partition, array_agg(id ORDER BY id) FROM orders GROUP BY 1 ORDER BY 1;

-- rows do not move while foreign keys reference the parent
CREATE TABLE accounts (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
SET client_min_messages = warning;
SELECT pgdb_tools.create_partitioned('accounts', 'at', '1 year', premake => 0, start_at => '2030-01-01');
RESET client_min_messages;
CREATE TABLE notes (account int, at date, FOREIGN KEY (account, at) REFERENCES accounts ON DELETE CASCADE);
INSERT INTO accounts VALUES (1, '2045-01-01');
INSERT INTO notes VALUES (1, '2045-01-01');
SELECT pgdb_tools.evacuate_default('accounts');
SELECT count(*) AS notes_kept FROM notes;

-- a set without a default partition has nothing to evacuate
CREATE TABLE plain_set (id int NOT NULL) PARTITION BY RANGE (id);
SET client_min_messages = warning;
SELECT pgdb_tools.create_partitioned('plain_set', 'id', '10', default_partition => false);
RESET client_min_messages;
SELECT pgdb_tools.evacuate_default('plain_set');

-- arguments
SELECT pgdb_tools.evacuate_default(NULL);
SELECT pgdb_tools.evacuate_default('-');
SELECT pgdb_tools.evacuate_default('orders', 0);
SELECT pgdb_tools.evacuate_default('orders', -5);
SELECT pgdb_tools.evacuate_default('orders', NULL);
CREATE TABLE not_a_set (id int NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.evacuate_default('not_a_set');
CREATE VIEW a_view AS SELECT 1 AS x;
SELECT pgdb_tools.evacuate_default('a_view');
CALL pgdb_tools.evacuate_default_proc('not_a_set');

-- a role that does not own the table may read it, not empty its default
RESET ROLE;
SET ROLE pgdb_tools_test_evac_other;
SELECT count(*) > 0 AS can_read FROM evac."Tick ets";
SELECT pgdb_tools.evacuate_default('evac."Tick ets"');
SELECT * FROM pgdb_tools._evacuate_default_batch('evac."Tick ets"', 10);
CALL pgdb_tools.evacuate_default_proc('evac."Tick ets"');
RESET ROLE;

-- a superuser's call runs as the table's owner: the owner's triggers never get its rights
SET ROLE pgdb_tools_test_evac_owner;
CREATE TABLE evac.who (role name);
CREATE FUNCTION evac.note_who() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO evac.who VALUES (current_user);
  RETURN OLD;
END $$;
CREATE TRIGGER note_who BEFORE DELETE ON evac.orders_default
  FOR EACH ROW EXECUTE FUNCTION evac.note_who();
-- (past the partitions, inside the runway: 750 lands in the default and may move)
INSERT INTO evac.orders VALUES (750);
RESET ROLE;
-- someone else's objects in public do not change what the call runs
CREATE FUNCTION public.min(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint';
SET search_path = public, evac;
SELECT pgdb_tools.evacuate_default('evac.orders');
SELECT role FROM evac.who;
DROP FUNCTION public.min(bigint);
RESET search_path;

SET client_min_messages = warning;
DROP SCHEMA evac CASCADE;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_evac_owner, pgdb_tools_test_evac_other;
DROP EXTENSION pgdb_tools CASCADE;
DROP ROLE pgdb_tools_test_evac_owner;
DROP ROLE pgdb_tools_test_evac_other;
