-- updated_at(): the column is set to the transaction's start time on UPDATE (and INSERT when
-- asked), for timestamptz, timestamp and date columns.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE articles (id int PRIMARY KEY, title text, updated_at timestamptz,
                       modified timestamp, touched_on date);
INSERT INTO articles VALUES (1, 'a', '2000-01-01', '2000-01-01', '2000-01-01'), (2, 'b', NULL, NULL, NULL);
SELECT pgdb_tools.updated_at('articles');
SELECT pgdb_tools.updated_at('articles', 'modified', name => 'articles_modified');
SELECT pgdb_tools.updated_at('articles', column_name => 'touched_on', name => 'articles_touched');

-- every column type gets the transaction's start time, whatever the statement wrote
BEGIN;
UPDATE articles SET title = title || '!', updated_at = '1999-01-01' WHERE id = 1;
SELECT updated_at = now() AS timestamptz_is_now,
       modified = now()::timestamp AS timestamp_is_now,
       touched_on = current_date AS date_is_today
  FROM articles WHERE id = 1;
COMMIT;
-- each statement's own transaction gets its own time
UPDATE articles SET title = 'again' WHERE id = 1;
SELECT updated_at < now() AS earlier_than_this_transaction FROM articles WHERE id = 1;
-- the untouched row keeps its NULLs; INSERT is left alone without on_insert
SELECT id, updated_at IS NULL AS still_null FROM articles WHERE id = 2;
INSERT INTO articles (id, title) VALUES (3, 'c');
SELECT updated_at IS NULL AS insert_untouched FROM articles WHERE id = 3;

-- on_insert also stamps new rows; re-declaring replaces the trigger
SELECT pgdb_tools.updated_at('articles', on_insert => true);
BEGIN;
INSERT INTO articles (id, title) VALUES (4, 'd');
SELECT updated_at = now() AS insert_stamped FROM articles WHERE id = 4;
COMMIT;

-- a timestamp column follows the session time zone at the time of the write
SET TIME ZONE 'Asia/Tokyo';
BEGIN;
UPDATE articles SET title = 'tz' WHERE id = 2;
SELECT modified = now()::timestamp AS local_time_in_tokyo FROM articles WHERE id = 2;
SET LOCAL TIME ZONE 'America/New_York';
UPDATE articles SET title = 'tz2' WHERE id = 2;
SELECT modified = now()::timestamp AS local_time_in_new_york FROM articles WHERE id = 2;
COMMIT;
RESET TIME ZONE;

-- a condition limits when it fires
CREATE TABLE tasks (id int PRIMARY KEY, status text, changed_at timestamptz);
INSERT INTO tasks VALUES (1, 'open', NULL);
SELECT pgdb_tools.updated_at('tasks', 'changed_at', condition => 'OLD.status IS DISTINCT FROM NEW.status');
UPDATE tasks SET id = 1;
SELECT changed_at IS NULL AS not_fired_when_status_unchanged FROM tasks;
BEGIN;
UPDATE tasks SET status = 'done';
SELECT changed_at = now() AS fired_on_status_change FROM tasks;
COMMIT;

-- partitioned tables and tables without a primary key
CREATE TABLE readings (sensor int, at date, value float8, updated_at timestamptz) PARTITION BY LIST (sensor);
CREATE TABLE readings_1 PARTITION OF readings FOR VALUES IN (1);
CREATE TABLE readings_2 PARTITION OF readings FOR VALUES IN (2);
INSERT INTO readings VALUES (1, '2026-01-01', 1.0, NULL), (2, '2026-01-01', 2.0, NULL);
SELECT pgdb_tools.updated_at('readings');
BEGIN;
UPDATE readings SET value = value * 10;
SELECT sensor, updated_at = now() AS stamped FROM readings ORDER BY sensor;
COMMIT;

-- the column is found by name after other columns are dropped and added (attribute numbers move)
ALTER TABLE articles DROP COLUMN title;
ALTER TABLE articles ADD COLUMN title text;
BEGIN;
UPDATE articles SET title = 'after ddl' WHERE id = 1;
SELECT title, updated_at = now() AS stamped FROM articles WHERE id = 1;
COMMIT;

-- a column dropped after the trigger was created: a clear error, not a wrong write
ALTER TABLE tasks DROP COLUMN changed_at;
UPDATE tasks SET status = 'reopened';

DROP TABLE articles, tasks, readings;
DROP EXTENSION pgdb_tools;
