-- Who may snapshot, see, read, restore and drop what: SELECT on a table is needed to snapshot it
-- and to read its copy; the copies themselves are readable by nobody but the extension's owner.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS bob_copy CASCADE;
DROP TABLE IF EXISTS secret, shared, alice_own, guarded CASCADE;
DROP ROLE IF EXISTS snap_alice, snap_bob, snap_carol;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE ROLE snap_alice;
CREATE ROLE snap_bob;
CREATE ROLE snap_carol IN ROLE snap_alice;
GRANT USAGE ON SCHEMA pgdb_tools TO snap_alice, snap_bob, snap_carol;
GRANT CREATE ON SCHEMA public TO snap_alice, snap_bob;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO snap_bob', current_database()); END $$;

CREATE TABLE secret (id integer PRIMARY KEY, pin text);
CREATE TABLE shared (id integer PRIMARY KEY, v text);
CREATE TABLE guarded (id integer PRIMARY KEY, owner_name name);
INSERT INTO secret VALUES (1, '1234');
INSERT INTO shared VALUES (1, 'one'), (2, 'two');
INSERT INTO guarded VALUES (1, 'snap_alice'), (2, 'snap_bob');
GRANT SELECT ON shared TO snap_bob;
GRANT SELECT ON guarded TO snap_alice;
ALTER TABLE guarded ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON guarded USING (owner_name = current_user);
SELECT pgdb_tools.snapshot_create('admin', ARRAY['secret', 'shared']::regclass[]) > 0 AS created;
SELECT pgdb_tools.snapshot_create('admin_shared', ARRAY['shared']::regclass[]) > 0 AS created;

SET ROLE snap_alice;
-- no SELECT: no snapshot, nothing to see of the admin's
SELECT pgdb_tools.snapshot_create('mine', ARRAY['secret']::regclass[]);
-- row-level security would hide rows: refused rather than a partial copy
SELECT pgdb_tools.snapshot_create('mine', ARRAY['guarded']::regclass[]);
SELECT name FROM pgdb_tools.snapshots;
SELECT * FROM pgdb_tools.snapshot_tables('admin');
SELECT * FROM pgdb_tools.snapshot_verify('admin');
SELECT * FROM pgdb_tools.snapshot_diff('admin', 'secret');
SELECT * FROM pgdb_tools.snapshot_restore('admin', target_schema => 'alice_copy');
SELECT pgdb_tools.snapshot_drop('admin');
-- the copies and the catalog are out of reach
SELECT * FROM pgdb_tools_snapshots.s1_1;
SELECT count(*) FROM pgdb_tools.snapshot_catalog;
SELECT count(*) FROM pgdb_tools.snapshot_items;
-- her own table is hers to snapshot
CREATE TABLE alice_own (id integer PRIMARY KEY);
INSERT INTO alice_own VALUES (1);
SELECT pgdb_tools.snapshot_create('alice_1', ARRAY['alice_own']::regclass[]) > 0 AS created;
SELECT name, created_by FROM pgdb_tools.snapshots;
RESET ROLE;

SET ROLE snap_bob;
-- SELECT on shared: he sees the snapshots of only tables he can read, and the tables he can
-- read of the others
SELECT name FROM pgdb_tools.snapshots ORDER BY name;
SELECT source, rows FROM pgdb_tools.snapshot_tables('admin');
RESET ROLE;
UPDATE shared SET v = 'changed' WHERE id = 1;
SET ROLE snap_bob;
SELECT change, row_key, old_data, new_data FROM pgdb_tools.snapshot_diff('admin', 'shared');
-- he does not own it: no restore in place, but a copy in his own schema
SELECT * FROM pgdb_tools.snapshot_restore('admin_shared');
SELECT * FROM pgdb_tools.snapshot_restore('admin', target_schema => 'bob_copy');
SELECT * FROM pgdb_tools.snapshot_restore('admin', ARRAY['shared']::regclass[], target_schema => 'bob_copy');
SELECT * FROM bob_copy.shared ORDER BY id;
-- the SELECT he was given on the copy for the call is gone again
SELECT * FROM pgdb_tools_snapshots.s2_1;
SELECT pgdb_tools.snapshot_drop('admin_shared');
-- alice's snapshot is not his to see or drop
SELECT * FROM pgdb_tools.snapshot_tables('alice_1');
SELECT pgdb_tools.snapshot_drop('alice_1');
RESET ROLE;
-- a copy is readable by its creator and its table's owner only (pg_dump); the views by all (and filter)
SELECT relname, relkind, relacl FROM pg_class WHERE relnamespace = 'pgdb_tools_snapshots'::regnamespace
   AND relkind IN ('r', 'v') ORDER BY relname;

-- A member of the creator's role sees and drops the creator's snapshots.
SET ROLE snap_carol;
SELECT name FROM pgdb_tools.snapshots;
SELECT pgdb_tools.snapshot_drop('alice_1');
RESET ROLE;

-- Restoring in place needs ownership; the owner (here the superuser) restores.
SELECT source, rows FROM pgdb_tools.snapshot_restore('admin');
SELECT * FROM shared ORDER BY id;

SET client_min_messages = warning;
REVOKE USAGE ON SCHEMA pgdb_tools FROM snap_alice, snap_bob, snap_carol;
DROP EXTENSION pgdb_tools CASCADE;
DROP SCHEMA bob_copy CASCADE;
DROP TABLE secret, shared, alice_own, guarded CASCADE;
REVOKE CREATE ON SCHEMA public FROM snap_alice, snap_bob;
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM snap_bob', current_database()); END $$;
DROP ROLE snap_alice, snap_bob, snap_carol;
