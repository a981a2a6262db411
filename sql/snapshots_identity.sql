-- Who a snapshot belongs to, and the 0.3.0 additions around it: snapshot_create(replace => true),
-- '#<id>' for a snapshot whose name is ambiguous, creators by OID (renames keep, drops end, a new
-- role of an old name gets nothing), the rows an in-place restore removes and reinstates, and a
-- table with row-level security forced on its owner.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS idt, idt_copy CASCADE;
DROP ROLE IF EXISTS snapid_alice, snapid_bob, snapid_carol, snapid_carol2, snapid_app;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA idt;
-- an application role as it is deployed: LOGIN, no superuser, owns its tables
CREATE ROLE snapid_app LOGIN;
CREATE ROLE snapid_alice;
CREATE ROLE snapid_bob;
CREATE ROLE snapid_carol;
GRANT USAGE ON SCHEMA pgdb_tools TO snapid_app, snapid_alice, snapid_bob, snapid_carol;
GRANT USAGE ON SCHEMA idt TO snapid_app, snapid_alice, snapid_bob, snapid_carol;
GRANT CREATE ON SCHEMA idt TO snapid_app;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO snapid_app', current_database()); END $$;
CREATE TABLE idt.accounts (id serial PRIMARY KEY, owner text NOT NULL, balance integer NOT NULL);
INSERT INTO idt.accounts (owner, balance) VALUES ('ada', 10), ('bob', 20), ('cy', 30);
ALTER TABLE idt.accounts OWNER TO snapid_app;
CREATE TABLE idt.shared (id integer PRIMARY KEY, v text);
INSERT INTO idt.shared VALUES (1, 'one');
GRANT SELECT ON idt.shared TO snapid_alice, snapid_bob;

-- 1. replace => true (issue 10, item 6): a failed migration re-run takes the same name again.
SET ROLE snapid_app;
SELECT pgdb_tools.snapshot_create('before_0042', ARRAY['idt.accounts']::regclass[]) AS first_id \gset
UPDATE idt.accounts SET balance = balance + 1;
-- without replace the name is taken, and the HINT says how to take it again
SELECT pgdb_tools.snapshot_create('before_0042', ARRAY['idt.accounts']::regclass[]);
SELECT pgdb_tools.snapshot_create('before_0042', ARRAY['idt.accounts']::regclass[], replace => false);
-- a replace that fails leaves the old snapshot as it was: a check that fails (no such table) ...
SELECT pgdb_tools.snapshot_create('before_0042', ARRAY['idt.no_such']::regclass[], replace => true);
-- ... or a transaction that rolls back after it
BEGIN;
SELECT pgdb_tools.snapshot_create('before_0042', ARRAY['idt.accounts']::regclass[], replace => true) > :first_id AS replaced;
ROLLBACK;
SELECT snapshot_id = :first_id AS same_snapshot, total_rows FROM pgdb_tools.snapshots WHERE name = 'before_0042';
SELECT source, rows, ok FROM pgdb_tools.snapshot_verify('before_0042');
-- the replacement: a new id, the new contents, the old copies gone, one snapshot of the name
SELECT pgdb_tools.snapshot_create('before_0042', ARRAY['idt.accounts']::regclass[], note => 'again',
                                  replace => true) AS second_id \gset
SELECT :second_id > :first_id AS new_id, count(*) AS snapshots, min(note) AS note
  FROM pgdb_tools.snapshots WHERE name = 'before_0042';
SELECT change, count(*) FROM pgdb_tools.snapshot_diff('before_0042', 'idt.accounts') GROUP BY change;
SELECT sum(balance) AS total_now FROM idt.accounts;
RESET ROLE;
SELECT count(*) AS old_copies FROM pg_class
 WHERE relnamespace = 'pgdb_tools_snapshots'::regnamespace AND relname LIKE 's' || :first_id || '\_%';
SELECT count(*) AS new_copies FROM pg_class
 WHERE relnamespace = 'pgdb_tools_snapshots'::regnamespace AND relname LIKE 's' || :second_id || '\_%';
-- replace with no snapshot of that name yet simply creates one
SET ROLE snapid_app;
SELECT pgdb_tools.snapshot_create('fresh', ARRAY['idt.accounts']::regclass[], replace => true) > 0 AS created;
RESET ROLE;
-- only the caller's own snapshot is replaced: another role's of the same name is not touched
-- (names are per role), also when the caller is a superuser
SELECT pgdb_tools.snapshot_create('before_0042', ARRAY['idt.shared']::regclass[], replace => true) > 0 AS created;
SELECT name, created_by, tables FROM pgdb_tools.snapshots WHERE name = 'before_0042' ORDER BY created_by;
SELECT pgdb_tools.snapshot_drop('before_0042');  -- the superuser's own
-- a schedule's names stay its owner's: replace does not open them to another role
SET ROLE snapid_app;
SELECT pgdb_tools._snapshot_schedule_save('nightly', ARRAY['idt.accounts']::regclass[], NULL, 3);
RESET ROLE;
SET ROLE snapid_bob;
\set VERBOSITY sqlstate
SELECT pgdb_tools.snapshot_create('nightly_20301203_030000', ARRAY['idt.shared']::regclass[], replace => true);
\set VERBOSITY default
RESET ROLE;
SET ROLE snapid_app;
SELECT pgdb_tools.snapshot_create('nightly_20301203_030000', ARRAY['idt.accounts']::regclass[]) > 0 AS created;
SELECT pgdb_tools.snapshot_create('nightly_20301203_030000', ARRAY['idt.accounts']::regclass[], replace => true) > 0 AS replaced;
SELECT count(*) FROM pgdb_tools.snapshots WHERE name = 'nightly_20301203_030000';
SELECT pgdb_tools._snapshot_schedule_save('nightly', NULL, NULL, NULL);
RESET ROLE;

-- 2. '#<id>' names one snapshot where a name is ambiguous; names beginning with '#' are refused.
SET ROLE snapid_alice;
SELECT pgdb_tools.snapshot_create('common', ARRAY['idt.shared']::regclass[]) AS alice_common \gset
RESET ROLE;
SET ROLE snapid_bob;
SELECT pgdb_tools.snapshot_create('common', ARRAY['idt.shared']::regclass[]) AS bob_common \gset
RESET ROLE;
SELECT count(*) FROM pgdb_tools.snapshot_tables('common');
SELECT source, rows FROM pgdb_tools.snapshot_tables('#' || :alice_common);
SELECT source, ok FROM pgdb_tools.snapshot_verify('#' || :bob_common);
SELECT pgdb_tools.snapshot_drop('#' || :alice_common);
SELECT name, created_by FROM pgdb_tools.snapshots WHERE name = 'common';
-- an id works like a name: a role sees and drops only what it could by name
SET ROLE snapid_carol;
SELECT pgdb_tools.snapshot_drop('#' || :bob_common);
RESET ROLE;
SET ROLE snapid_alice;
SELECT pgdb_tools.snapshot_drop('#' || :bob_common);
RESET ROLE;
SELECT pgdb_tools.snapshot_drop('#' || :bob_common);
SELECT pgdb_tools.snapshot_drop('#999999999');
SELECT pgdb_tools.snapshot_create('#1', ARRAY['idt.shared']::regclass[]);

-- 3. Creators are roles, by OID.
-- F6: a renamed creator keeps its snapshots: it sees them under its new name, its recorded
-- sequence values are its own (a restore sets the sequence back, no NOTICE), and it drops them.
ALTER TABLE idt.accounts OWNER TO snapid_carol;
SET ROLE snapid_carol;
SELECT pgdb_tools.snapshot_create('carol_before', ARRAY['idt.accounts']::regclass[]) > 0 AS created;
INSERT INTO idt.accounts (owner, balance) VALUES ('dee', 40), ('eve', 50);
RESET ROLE;
ALTER ROLE snapid_carol RENAME TO snapid_carol2;
SET ROLE snapid_carol2;
SELECT name, created_by FROM pgdb_tools.snapshots WHERE name = 'carol_before';
SELECT source, rows, removed, reinstated FROM pgdb_tools.snapshot_restore('carol_before');
SELECT nextval('idt.accounts_id_seq') AS next_id;
SELECT pgdb_tools.snapshot_drop('carol_before');
RESET ROLE;
ALTER ROLE snapid_carol2 RENAME TO snapid_carol;
ALTER TABLE idt.accounts OWNER TO snapid_app;
-- the name recorded in the catalog follows (for pg_dump into another cluster, where the name
-- binds), at the next call that writes
SET ROLE snapid_alice;
SELECT pgdb_tools.snapshot_create('alice_old', ARRAY['idt.shared']::regclass[]) AS alice_old \gset
RESET ROLE;
ALTER ROLE snapid_alice RENAME TO snapid_alice2;
SELECT created_by FROM pgdb_tools.snapshot_catalog WHERE snapshot_id = :alice_old;
SELECT name, created_by FROM pgdb_tools.snapshots WHERE snapshot_id = :alice_old;
SELECT pgdb_tools.snapshot_drop('no_such_snapshot');
SELECT created_by FROM pgdb_tools.snapshot_catalog WHERE snapshot_id = :alice_old;
-- F4: a dropped creator's snapshot belongs to nobody; a new role of the old name does not
-- "already have" it, sees it only as a reader of its tables, and cannot drop it
REVOKE ALL ON SCHEMA pgdb_tools, idt FROM snapid_alice2;
REVOKE ALL ON idt.shared FROM snapid_alice2;
-- a role that took snapshots may read their copies: DROP OWNED BY takes that away, as for any
-- privilege, before DROP ROLE
DROP OWNED BY snapid_alice2;
DROP ROLE snapid_alice2;
CREATE ROLE snapid_alice2;
GRANT USAGE ON SCHEMA pgdb_tools, idt TO snapid_alice2;
SET ROLE snapid_alice2;
SELECT count(*) AS visible FROM pgdb_tools.snapshots;
SELECT count(*) FROM pgdb_tools.snapshot_tables('alice_old');
RESET ROLE;
GRANT SELECT ON idt.shared TO snapid_alice2;
SET ROLE snapid_alice2;
SELECT pgdb_tools.snapshot_create('alice_old', ARRAY['idt.shared']::regclass[]) AS new_alice_old \gset
SELECT snapshot_id = :new_alice_old AS mine, created_by FROM pgdb_tools.snapshots WHERE name = 'alice_old' ORDER BY 1;
SELECT source FROM pgdb_tools.snapshot_tables('alice_old');
SELECT pgdb_tools.snapshot_drop('#' || :alice_old);
RESET ROLE;
SELECT snapshot_id = :alice_old AS dead_ones, created_by, created_by_oid = 0 AS nobody
  FROM pgdb_tools.snapshot_catalog WHERE name = 'alice_old' ORDER BY 1;
-- F5: the superuser sees two snapshots of that name (ambiguous, the dead creator marked) and
-- drops the dead one by id; the new role's name means its own
SELECT pgdb_tools.snapshot_drop('alice_old');
SELECT * FROM pgdb_tools.snapshot_tables('alice_old');
SELECT pgdb_tools.snapshot_drop('#' || :alice_old);
SET ROLE snapid_alice2;
SELECT pgdb_tools.snapshot_drop('alice_old');
RESET ROLE;
SELECT count(*) AS left_of_alice_old FROM pgdb_tools.snapshot_catalog WHERE name = 'alice_old';

-- 4. What an in-place restore changed: removed (rows that were there and are not in the
-- snapshot: added or changed since) and reinstated (rows of the snapshot that were not there:
-- deleted or changed since). Into another schema nothing is removed: NULL.
SET ROLE snapid_app;
CREATE TABLE idt.log (at integer, msg text);  -- no primary key, duplicate rows
INSERT INTO idt.log VALUES (1, 'a'), (1, 'a'), (2, 'b');
CREATE TABLE idt.events (id integer, kind text, PRIMARY KEY (id)) PARTITION BY RANGE (id);
CREATE TABLE idt.events_1 PARTITION OF idt.events FOR VALUES FROM (0) TO (100);
CREATE TABLE idt.events_2 PARTITION OF idt.events FOR VALUES FROM (100) TO (200);
INSERT INTO idt.events VALUES (1, 'x'), (150, 'y');
SELECT pgdb_tools.snapshot_create('counts', ARRAY['idt.accounts', 'idt.log', 'idt.events']::regclass[]) > 0 AS created;
SELECT source, rows, removed, reinstated FROM pgdb_tools.snapshot_restore('counts');
INSERT INTO idt.accounts (owner, balance) VALUES ('fay', 60), ('gus', 70);  -- 2 added
UPDATE idt.accounts SET balance = 0 WHERE owner = 'ada';                    -- 1 changed
DELETE FROM idt.accounts WHERE owner = 'bob';                               -- 1 deleted
DELETE FROM idt.log WHERE at = 1 AND ctid = (SELECT min(ctid) FROM idt.log WHERE at = 1);  -- one of two equal rows
INSERT INTO idt.log VALUES (2, 'b');                                        -- a duplicate added
INSERT INTO idt.events VALUES (2, 'z');
UPDATE idt.events SET id = 120 WHERE id = 1;                                -- moved to another partition
SELECT source, rows, removed, reinstated FROM pgdb_tools.snapshot_restore('counts');
-- after a column changed type, rows are compared on the columns that kept theirs
ALTER TABLE idt.log ALTER COLUMN at TYPE bigint;
UPDATE idt.log SET msg = 'changed' WHERE msg = 'b';
SELECT source, rows, removed, reinstated FROM pgdb_tools.snapshot_restore('counts', ARRAY['idt.log']::regclass[]);
SELECT source, target, rows, removed, reinstated
  FROM pgdb_tools.snapshot_restore('counts', ARRAY['idt.log']::regclass[], target_schema => 'idt_copy');
RESET ROLE;

-- 5. F7: FORCE ROW LEVEL SECURITY applies the owner's policies to the owner, so an in-place
-- restore (which loads as the owner) is refused before anything changes; lifting it for the
-- restore, in the same transaction, works.
ALTER TABLE idt.accounts ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON idt.accounts USING (owner <> 'cy');
SET ROLE snapid_app;
DELETE FROM idt.accounts WHERE owner = 'ada';
SELECT source, rows FROM pgdb_tools.snapshot_restore('counts', ARRAY['idt.accounts']::regclass[]);
RESET ROLE;
-- the superuser restoring it is refused the same way (the load runs as the owner)
SELECT source, rows FROM pgdb_tools.snapshot_restore('counts', ARRAY['idt.accounts']::regclass[]);
SET ROLE snapid_app;
SELECT count(*) AS rows_the_owner_sees FROM idt.accounts;
BEGIN;
ALTER TABLE idt.accounts NO FORCE ROW LEVEL SECURITY;
SELECT source, rows, removed, reinstated FROM pgdb_tools.snapshot_restore('counts', ARRAY['idt.accounts']::regclass[]);
ALTER TABLE idt.accounts FORCE ROW LEVEL SECURITY;
COMMIT;
SELECT owner FROM idt.accounts ORDER BY id;
RESET ROLE;
SELECT relforcerowsecurity FROM pg_class WHERE oid = 'idt.accounts'::regclass;
SELECT count(*) AS all_rows FROM idt.accounts;

SET client_min_messages = warning;
REVOKE ALL ON SCHEMA pgdb_tools FROM snapid_app, snapid_alice2, snapid_bob, snapid_carol;
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM snapid_app', current_database()); END $$;
DROP EXTENSION pgdb_tools CASCADE;
DROP SCHEMA idt, idt_copy CASCADE;
DROP ROLE snapid_app, snapid_alice2, snapid_bob, snapid_carol;
