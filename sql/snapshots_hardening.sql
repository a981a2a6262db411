-- Cases found by review, each failing before its fix: row-level security, dropped columns and
-- schema USAGE guard the copies; a restore into a schema does not run another role's code with
-- the restorer's rights; errors swallowed by a nested call leave the outer call healthy; trigger
-- states of partitions survive a restore; prune and schedules stay within the caller's own;
-- hashes of enum columns survive renumbering; diff with a column named like its alias.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS hard, bob_rls, bob_drop, loot, mal, mal_copy, trusted_copy CASCADE;
DROP TABLE IF EXISTS nest, pt, pts, composite_key, enum_t, ptn, ruled, ruled_log CASCADE;
DROP SCHEMA IF EXISTS sa, sb, same_copy CASCADE;
DROP TYPE IF EXISTS hard_mood;
DROP FUNCTION IF EXISTS swallow(), trg();
DROP ROLE IF EXISTS hard_alice, hard_bob, hard_mallory;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE ROLE hard_alice;
CREATE ROLE hard_bob;
CREATE ROLE hard_mallory;
GRANT USAGE ON SCHEMA pgdb_tools TO hard_alice, hard_bob, hard_mallory;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO hard_alice, hard_bob, hard_mallory', current_database()); END $$;
CREATE SCHEMA hard AUTHORIZATION hard_alice;
GRANT USAGE ON SCHEMA hard TO hard_bob, hard_mallory;

-- Row-level security on the source applies to readers of its snapshot.
SET ROLE hard_alice;
CREATE TABLE hard.accounts (id int PRIMARY KEY, owner name, secret text);
INSERT INTO hard.accounts VALUES (1, 'hard_alice', 'a'), (2, 'hard_bob', 'b'), (3, 'carol', 'c');
ALTER TABLE hard.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON hard.accounts FOR SELECT USING (owner = current_user);
GRANT SELECT ON hard.accounts TO hard_bob;
SELECT pgdb_tools.snapshot_create('accounts', ARRAY['hard.accounts']::regclass[]) > 0 AS created;
SET ROLE hard_bob;
SELECT count(*) AS rows_bob_sees FROM hard.accounts;
SELECT * FROM pgdb_tools.snapshot_tables('accounts');
SELECT * FROM pgdb_tools.snapshot_diff('accounts', 'hard.accounts');
SELECT * FROM pgdb_tools.snapshot_restore('accounts', target_schema => 'bob_rls');
RESET ROLE;

-- Column privileges must cover every column the copy holds: a reader granted some columns does
-- not read the copy, also once the others were dropped from the table; nor does anyone read the
-- copy of a table with no columns left (nothing to check privileges against).
SET ROLE hard_alice;
CREATE TABLE hard.users (id int PRIMARY KEY, email text, password_hash text);
INSERT INTO hard.users VALUES (1, 'a@x', 'hash-1');
GRANT SELECT (id, email) ON hard.users TO hard_bob;
CREATE TABLE hard.payroll (id int, salary int);
INSERT INTO hard.payroll VALUES (1, 9000);
SELECT pgdb_tools.snapshot_create('users', ARRAY['hard.users', 'hard.payroll']::regclass[]) > 0 AS created;
SET ROLE hard_bob;
SELECT source FROM pgdb_tools.snapshot_tables('users');
RESET ROLE;
SET ROLE hard_alice;
ALTER TABLE hard.users DROP COLUMN password_hash;
ALTER TABLE hard.payroll DROP COLUMN id, DROP COLUMN salary;
SET ROLE hard_bob;
SELECT * FROM pgdb_tools.snapshot_restore('users', ARRAY['hard.users']::regclass[], target_schema => 'bob_drop');
SET ROLE hard_mallory;
SELECT * FROM pgdb_tools.snapshot_restore('users', ARRAY['hard.payroll']::regclass[], target_schema => 'loot');
RESET ROLE;

-- SELECT without USAGE on the schema reads neither the table nor its snapshot.
REVOKE USAGE ON SCHEMA hard FROM hard_bob;
SET ROLE hard_bob;
SELECT pgdb_tools.snapshot_create('via_oid', ARRAY['hard.accounts'::regclass::oid]::regclass[]);
SELECT count(*) FROM pgdb_tools.snapshots;
RESET ROLE;

-- Restoring another role's table into a schema does not run that role's expressions with the
-- restorer's rights: a superuser gets the data, without the CHECK that would have made the
-- table's owner a superuser.
SET ROLE hard_mallory;
CREATE SCHEMA mal;
CREATE FUNCTION mal.ok(int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE 'ALTER ROLE hard_mallory SUPERUSER';
  END IF;
  RETURN true;
END $$;
CREATE TABLE mal.t (id int PRIMARY KEY, v int CHECK (mal.ok(v)), doubled int GENERATED ALWAYS AS (v * 2) STORED,
                    note text DEFAULT 'x');
CREATE INDEX t_expr ON mal.t ((v + 1));
INSERT INTO mal.t (id, v) VALUES (1, 1);
RESET ROLE;
SELECT pgdb_tools.snapshot_create('mal', schemas => ARRAY['mal']::name[]) > 0 AS created;
SELECT * FROM pgdb_tools.snapshot_restore('mal', target_schema => 'mal_copy');
SELECT rolsuper AS mallory_became_superuser FROM pg_roles WHERE rolname = 'hard_mallory';
SELECT * FROM mal_copy.t;
SELECT conname FROM pg_constraint WHERE conrelid = 'mal_copy.t'::regclass ORDER BY conname;
-- the owner restoring their own table gets all of it
SET ROLE hard_mallory;
SELECT * FROM pgdb_tools.snapshot_restore('mal', target_schema => 'trusted_copy');
SELECT conname FROM pg_constraint WHERE conrelid = 'trusted_copy.t'::regclass ORDER BY conname;
RESET ROLE;

-- A nested call whose error a trigger swallows leaves the outer call's SPI connection intact.
CREATE TABLE nest (id int PRIMARY KEY, v int);
INSERT INTO nest VALUES (1, 1), (2, 2);
SELECT pgdb_tools.snapshot_create('nest', ARRAY['nest']::regclass[]) > 0 AS created;
CREATE FUNCTION swallow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    PERFORM * FROM pgdb_tools.snapshot_restore('nest', target_schema => 'pg_bad');
  EXCEPTION WHEN others THEN NULL;
  END;
  RETURN NEW;
END $$;
CREATE TRIGGER sw AFTER INSERT ON nest FOR EACH ROW EXECUTE FUNCTION swallow();
SELECT * FROM pgdb_tools.snapshot_restore('nest', fire_triggers => true);
DO $$ BEGIN PERFORM * FROM pgdb_tools.snapshot_restore('nest', fire_triggers => true); END $$;
SELECT count(*) FROM nest;

-- Partition triggers keep their own states through a restore.
CREATE TABLE pt (id int, k int) PARTITION BY RANGE (id);
CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (100);
CREATE TABLE pt2 PARTITION OF pt FOR VALUES FROM (100) TO (200);
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'fired on %', TG_TABLE_NAME; RETURN NEW; END $$;
CREATE TRIGGER audit AFTER INSERT ON pt FOR EACH ROW EXECUTE FUNCTION trg();
ALTER TABLE pt1 DISABLE TRIGGER audit;
INSERT INTO pt VALUES (1, 1), (150, 1);
SELECT pgdb_tools.snapshot_create('pt', ARRAY['pt']::regclass[]) > 0 AS created;
SELECT * FROM pgdb_tools.snapshot_restore('pt');
SELECT tgrelid::regclass, tgenabled FROM pg_trigger WHERE tgname = 'audit' ORDER BY tgrelid::regclass::text;

-- Prune leaves other roles' snapshots alone, even for a superuser, and a prefix does not match
-- a longer prefix's scheduled names.
SET ROLE hard_alice;
SELECT pgdb_tools.snapshot_create('app_orders_20260101_030000', ARRAY['hard.users']::regclass[]) > 0 AS created;
RESET ROLE;
SELECT pgdb_tools.snapshot_create('app_20260101_030000', ARRAY['nest']::regclass[]) > 0 AS created;
SELECT pgdb_tools.snapshot_prune(keep_last => 0, name_prefix => 'app');
SELECT name, created_by FROM pgdb_tools.snapshots WHERE name LIKE 'app%' ORDER BY name;

-- Schedules are per role: another role cannot take or squat a prefix.
SET ROLE hard_mallory;
SELECT pgdb_tools._snapshot_schedule_save('nightly', ARRAY['mal.t']::regclass[], NULL, 3);
SELECT name_prefix, owner_name FROM pgdb_tools._own_snapshot_schedules;
-- the table itself is the database owner's to read (pg_dump), not everyone's
SELECT count(*) FROM pgdb_tools.snapshot_schedules;
SET ROLE hard_alice;
SELECT pgdb_tools._snapshot_schedule_save('nightly', ARRAY['hard.users']::regclass[], NULL, 2);
SELECT name_prefix, owner_name, keep_last FROM pgdb_tools._own_snapshot_schedules;
SELECT pgdb_tools._take_scheduled_snapshot('nightly') > 0 AS taken;
RESET ROLE;
SELECT owner_name, name_prefix FROM pgdb_tools.snapshot_schedules ORDER BY 1;

-- Enum values are hashed by label: a dump and restore renumbers them, the hash stays.
CREATE TYPE hard_mood AS ENUM ('sad', 'ok');
CREATE TABLE enum_t (id int PRIMARY KEY, m hard_mood, ms hard_mood[]);
INSERT INTO enum_t VALUES (1, 'ok', '{sad,ok}');
SELECT pgdb_tools.snapshot_create('enum_1', ARRAY['enum_t']::regclass[]) > 0 AS created;
ALTER TYPE hard_mood RENAME TO hard_mood_old;
CREATE TYPE hard_mood AS ENUM ('sad', 'ok');
ALTER TABLE enum_t ALTER COLUMN m TYPE hard_mood USING m::text::hard_mood,
                   ALTER COLUMN ms TYPE hard_mood[] USING ms::text::hard_mood[];
SELECT pgdb_tools.snapshot_create('enum_2', ARRAY['enum_t']::regclass[]) > 0 AS created;
SELECT (SELECT content_hash FROM pgdb_tools.snapshot_tables('enum_1')) =
       (SELECT content_hash FROM pgdb_tools.snapshot_tables('enum_2')) AS same_hash;

-- Diff: a column named like the row alias, and a composite key ordered key by key.
CREATE TABLE pts (id int PRIMARY KEY, r int, x int);
INSERT INTO pts VALUES (1, 10, 20), (2, 30, 40);
CREATE TABLE composite_key (region text, id int, v int, PRIMARY KEY (region, id));
INSERT INTO composite_key VALUES ('eu', 2, 1), ('us', 1, 1), ('eu', 10, 1);
SELECT pgdb_tools.snapshot_create('diffs', ARRAY['pts', 'composite_key']::regclass[]) > 0 AS created;
UPDATE pts SET r = 11 WHERE id = 1;
UPDATE composite_key SET v = 2;
SELECT * FROM pgdb_tools.snapshot_diff('diffs', 'pts');
SELECT change, row_key FROM pgdb_tools.snapshot_diff('diffs', 'composite_key');

-- A view another role made of a copy does not keep the snapshot from being dropped.
SET ROLE hard_mallory;
CREATE VIEW mal.pin AS SELECT * FROM pgdb_tools_snapshots.s1_1;
RESET ROLE;
SELECT pgdb_tools.snapshot_drop('accounts');

-- A partition listed with its parent is copied once, with the parent.
CREATE TABLE ptn (id int PRIMARY KEY, v int) PARTITION BY RANGE (id);
CREATE TABLE ptn_1 PARTITION OF ptn FOR VALUES FROM (0) TO (100);
INSERT INTO ptn SELECT g, g FROM generate_series(1, 50) g;
SELECT pgdb_tools.snapshot_create('ptn_both', ARRAY['ptn', 'ptn_1']::regclass[]) > 0 AS created;
SELECT source, rows FROM pgdb_tools.snapshot_tables('ptn_both');
SELECT source, rows FROM pgdb_tools.snapshot_restore('ptn_both');
SELECT count(*) FROM ptn;

-- A rule that redirects inserted rows stops an in-place restore before anything changes.
CREATE TABLE ruled (id int PRIMARY KEY, v int);
CREATE TABLE ruled_log (id int, v int);
INSERT INTO ruled SELECT g, g FROM generate_series(1, 10) g;
SELECT pgdb_tools.snapshot_create('ruled', ARRAY['ruled']::regclass[]) > 0 AS created;
CREATE RULE redirect AS ON INSERT TO ruled DO INSTEAD INSERT INTO ruled_log VALUES (NEW.id, NEW.v);
SELECT * FROM pgdb_tools.snapshot_restore('ruled');
SELECT (SELECT count(*) FROM ruled) AS ruled, (SELECT count(*) FROM ruled_log) AS logged;

-- Temporary tables end with their session: not snapshotted.
CREATE TEMP TABLE scratch (id int);
DO $$ BEGIN
  PERFORM pgdb_tools.snapshot_create('scratch', ARRAY['scratch']::regclass[]);
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'refused (temporary table): %', SQLERRM LIKE '%is a temporary table';
END $$;

-- Two tables of the same name cannot both go into one target schema.
CREATE SCHEMA sa;
CREATE SCHEMA sb;
CREATE TABLE sa.t (id int);
CREATE TABLE sb.t (id int);
SELECT pgdb_tools.snapshot_create('same_names', schemas => ARRAY['sa', 'sb']::name[]) > 0 AS created;
SELECT * FROM pgdb_tools.snapshot_restore('same_names', target_schema => 'same_copy');
SELECT count(*) AS same_copy_created FROM pg_namespace WHERE nspname = 'same_copy';
SELECT * FROM pgdb_tools.snapshot_restore('same_names', ARRAY['sa.t']::regclass[], target_schema => 'same_copy');

-- Reading a snapshot grants nothing, so it works in a read-only transaction too.
GRANT SELECT ON pts TO hard_bob;
BEGIN READ ONLY;
SET ROLE hard_bob;
SELECT change, row_key FROM pgdb_tools.snapshot_diff('diffs', 'pts');
RESET ROLE;
ROLLBACK;

SET client_min_messages = warning;
REVOKE USAGE ON SCHEMA pgdb_tools FROM hard_alice, hard_bob, hard_mallory;
DROP EXTENSION pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS hard, bob_rls, bob_drop, loot, mal, mal_copy, trusted_copy, sa, sb, same_copy CASCADE;
DROP TABLE nest, pt, pts, composite_key, enum_t, ptn, ruled, ruled_log CASCADE;
DROP TYPE hard_mood, hard_mood_old;
DROP FUNCTION swallow(), trg();
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM hard_alice, hard_bob, hard_mallory', current_database()); END $$;
DROP ROLE hard_alice, hard_bob, hard_mallory;
