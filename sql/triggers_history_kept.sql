-- The history table stays open for writing across rows and statements of a transaction: DDL on
-- it in the same transaction still works, ROLLBACK TO SAVEPOINT and errors close it cleanly, and
-- what changes it mid-transaction is seen by the next write.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE TABLE hk_items (id int PRIMARY KEY, label text);
SELECT pgdb_tools.track_history('hk_items');

-- several statements in one transaction, then DDL on the history table in the same transaction
-- (PostgreSQL refuses ALTER, TRUNCATE and DROP of a table the session still has open)
BEGIN;
INSERT INTO hk_items VALUES (1, 'a'), (2, 'b');
UPDATE hk_items SET label = 'a+' WHERE id = 1;
COPY hk_items FROM stdin;
3	c
\.
ALTER TABLE hk_items_history ADD COLUMN note text;
ALTER TABLE hk_items_history DROP COLUMN note;
DELETE FROM hk_items WHERE id = 2;
SELECT event_id, operation, row_key FROM hk_items_history ORDER BY event_id;
TRUNCATE hk_items_history;
INSERT INTO hk_items VALUES (4, 'd');
SELECT operation, row_key FROM hk_items_history ORDER BY event_id;
COMMIT;

-- a CHECK constraint added in the same transaction is enforced on the next write
\set VERBOSITY terse
BEGIN;
INSERT INTO hk_items VALUES (5, 'e');
ALTER TABLE hk_items_history ADD CONSTRAINT hk_no_deletes CHECK (operation <> 'DELETE');
DELETE FROM hk_items WHERE id = 5;
ROLLBACK;
\set VERBOSITY default

-- ROLLBACK TO SAVEPOINT: the events written after it are gone, the ones before it stay, and
-- writing goes on (no WARNING about a leaked reference at the savepoint or at commit)
TRUNCATE hk_items_history;
BEGIN;
INSERT INTO hk_items VALUES (6, 'f');
SAVEPOINT s1;
INSERT INTO hk_items VALUES (7, 'g');
ROLLBACK TO SAVEPOINT s1;
INSERT INTO hk_items VALUES (8, 'h');
SAVEPOINT s2;
UPDATE hk_items SET label = 'h+' WHERE id = 8;
RELEASE SAVEPOINT s2;
COMMIT;
SELECT operation, row_key FROM hk_items_history ORDER BY event_id;

-- a history table created and written in a subtransaction that is rolled back
BEGIN;
SAVEPOINT s1;
CREATE TABLE hk_other (id int PRIMARY KEY);
SELECT pgdb_tools.track_history('hk_other');
INSERT INTO hk_other VALUES (1);
SELECT count(*) AS other_events FROM hk_other_history;
ROLLBACK TO SAVEPOINT s1;
SELECT pg_catalog.to_regclass('hk_other_history') IS NULL AS other_history_gone;
INSERT INTO hk_items VALUES (9, 'i');
COMMIT;

-- an error caught by a PL/pgSQL exception block undoes its own events only
TRUNCATE hk_items_history;
DO $$
BEGIN
  INSERT INTO hk_items VALUES (10, 'j');
  BEGIN
    INSERT INTO hk_items VALUES (11, 'k');
    INSERT INTO hk_items VALUES (10, 'again');
  EXCEPTION WHEN unique_violation THEN
    RAISE NOTICE 'caught %', SQLSTATE;
  END;
  INSERT INTO hk_items VALUES (12, 'l');
END $$;
SELECT operation, row_key FROM hk_items_history ORDER BY event_id;

-- a history table created and written in a PL/pgSQL block that fails: the block's
-- subtransaction closes what it opened (no WARNING of a leaked or unremovable relcache entry)
TRUNCATE hk_items_history;
DO $$
BEGIN
  INSERT INTO hk_items VALUES (13, 'n');
  BEGIN
    CREATE TABLE hk_gone (id int PRIMARY KEY);
    PERFORM pgdb_tools.track_history('hk_gone');
    INSERT INTO hk_gone VALUES (1);
    INSERT INTO hk_items VALUES (14, 'o');
    RAISE EXCEPTION 'undo the block';
  EXCEPTION WHEN raise_exception THEN
    RAISE NOTICE 'caught: %', SQLERRM;
  END;
  INSERT INTO hk_items VALUES (15, 'p');
END $$;
SELECT operation, row_key FROM hk_items_history ORDER BY event_id;
SELECT pg_catalog.to_regclass('hk_gone_history') IS NULL AS gone_history_gone;

-- a statement that fails after some rows were recorded leaves none of them
INSERT INTO hk_items SELECT g, 'm' FROM generate_series(16, 20) g UNION ALL SELECT 12, 'dup';
SELECT count(*) AS events_after_failed_statement FROM hk_items_history;

-- two history tables written in one statement, one of them dropped in the same transaction
CREATE TABLE hk_pair (id int PRIMARY KEY);
SELECT pgdb_tools.track_history('hk_pair');
CREATE FUNCTION hk_mirror() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hk_pair VALUES (NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER hk_mirror AFTER INSERT ON hk_items FOR EACH ROW EXECUTE FUNCTION hk_mirror();
BEGIN;
INSERT INTO hk_items VALUES (30, 'x'), (31, 'y');
SELECT (SELECT count(*) FROM hk_items_history WHERE operation = 'INSERT') AS items_inserts,
       (SELECT count(*) FROM hk_pair_history) AS pair_events;
DROP TRIGGER hk_mirror ON hk_items;
DROP TABLE hk_pair, hk_pair_history;
INSERT INTO hk_items VALUES (32, 'z');
COMMIT;
SELECT operation, row_key FROM hk_items_history WHERE (row_key->>'id')::int >= 30 ORDER BY event_id;

-- a prepared transaction keeps its events until COMMIT PREPARED
BEGIN;
INSERT INTO hk_items VALUES (40, 'q');
PREPARE TRANSACTION 'hk_prepared';
SELECT count(*) AS before_commit_prepared FROM hk_items_history WHERE row_key = '{"id": 40}';
COMMIT PREPARED 'hk_prepared';
SELECT operation, row_key FROM hk_items_history WHERE row_key = '{"id": 40}';

DROP FUNCTION hk_mirror();
DROP TABLE hk_items, hk_items_history;
