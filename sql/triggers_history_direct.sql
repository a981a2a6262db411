-- History rows are written without the executor unless the history table has what only an
-- INSERT honours (a trigger, a CHECK constraint, partitions): the same rows and errors either
-- way, and the way is chosen again when the history table changes.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE TABLE hd_items (id int PRIMARY KEY, label text);
SELECT pgdb_tools.track_history('hd_items');
INSERT INTO hd_items VALUES (1, 'a'), (2, 'b');

-- a trigger on the history table fires for every event, and stops once dropped
CREATE FUNCTION hd_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE 'history row % %', NEW.event_id, NEW.operation;
  RETURN NEW;
END $$;
CREATE TRIGGER seen BEFORE INSERT ON hd_items_history FOR EACH ROW EXECUTE FUNCTION hd_seen();
UPDATE hd_items SET label = label || '+';
DROP TRIGGER seen ON hd_items_history;
UPDATE hd_items SET label = label || '+' WHERE id = 1;

-- a CHECK constraint on the history table is enforced, and no longer once dropped
\set VERBOSITY terse
ALTER TABLE hd_items_history ADD CONSTRAINT no_deletes CHECK (operation <> 'DELETE');
DELETE FROM hd_items WHERE id = 2;
ALTER TABLE hd_items_history DROP CONSTRAINT no_deletes;
DELETE FROM hd_items WHERE id = 2;

-- a unique index added to the history table refuses a duplicate, the statement's rows go with it
CREATE UNIQUE INDEX hd_one_insert ON hd_items_history ((row_key->>'id')) WHERE operation = 'INSERT';
INSERT INTO hd_items VALUES (3, 'x');
DELETE FROM hd_items WHERE id = 3;
INSERT INTO hd_items VALUES (4, 'z'), (3, 'y');
\set VERBOSITY default
SELECT id FROM hd_items ORDER BY id;
SELECT event_id, operation, row_key, old_data, new_data, actor = session_user AS by_me
  FROM hd_items_history ORDER BY event_id;
-- the rows are in the indexes
SET enable_seqscan = off;
SELECT operation FROM hd_items_history WHERE row_key = '{"id": 3}' ORDER BY event_id;
RESET enable_seqscan;
DROP TABLE hd_items, hd_items_history;
DROP FUNCTION hd_seen();
