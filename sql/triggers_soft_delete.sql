-- soft_delete(): DELETE becomes an UPDATE of the column and the row stays.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

-- boolean column: false by default (an "is_active" flag)
CREATE TABLE users (id int PRIMARY KEY, name text, is_active boolean NOT NULL DEFAULT true);
INSERT INTO users VALUES (1, 'ann', true), (2, 'bob', true);
SELECT pgdb_tools.soft_delete('users', 'is_active');
DELETE FROM users WHERE id = 1;
SELECT * FROM users ORDER BY id;

-- timestamp column: now() by default
CREATE TABLE files (id int PRIMARY KEY, deleted_at timestamptz);
INSERT INTO files VALUES (1, NULL), (2, NULL);
SELECT pgdb_tools.soft_delete('files', 'deleted_at');
BEGIN;
DELETE FROM files WHERE id = 2;
SELECT id, deleted_at = now() AS deleted_now FROM files ORDER BY id;
COMMIT;

-- an explicit value, cast to the column's type; a table without a primary key
CREATE TABLE tickets (subject text, status text);
INSERT INTO tickets VALUES ('a', 'open'), ('b', 'open');
SELECT pgdb_tools.soft_delete('tickets', 'status', 'deleted');
DELETE FROM tickets WHERE subject = 'a';
SELECT * FROM tickets ORDER BY subject;

-- a condition: only matching rows are kept, others really go
DELETE FROM users;
SELECT pgdb_tools.soft_delete('users', 'is_active', condition => 'OLD.name <> ''bob''');
INSERT INTO users VALUES (3, 'cy', true);
DELETE FROM users WHERE id IN (2, 3);
SELECT * FROM users ORDER BY id;

-- other triggers see the soft delete as the UPDATE it is
CREATE TABLE notes (id int PRIMARY KEY, body text, archived boolean NOT NULL DEFAULT false,
                    updated_at timestamptz);
INSERT INTO notes VALUES (1, 'x', false, NULL);
SELECT pgdb_tools.soft_delete('notes', 'archived', 'true');
SELECT pgdb_tools.updated_at('notes');
BEGIN;
DELETE FROM notes;
SELECT id, archived, updated_at = now() AS stamped FROM notes;
COMMIT;

-- partitioned tables: the row is updated in its own partition
CREATE TABLE events (id int, region text, gone boolean NOT NULL DEFAULT false) PARTITION BY LIST (region);
CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu');
CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us');
INSERT INTO events VALUES (1, 'eu', false), (2, 'us', false);
SELECT pgdb_tools.soft_delete('events', 'gone', 'true');
DELETE FROM events;
SELECT tableoid::regclass, * FROM events ORDER BY id;

-- renaming the table re-prepares the kept plan
ALTER TABLE tickets RENAME TO support_tickets;
DELETE FROM support_tickets WHERE subject = 'b';
SELECT * FROM support_tickets ORDER BY subject;

-- ignore() lets a real delete through
BEGIN;
SELECT pgdb_tools.ignore('pgdb_soft_delete_files');
DELETE FROM files WHERE id = 1;
COMMIT;
SELECT count(*) AS files_left FROM files;

-- errors: a value the column cannot hold, a column type without a default, a missing column
SELECT pgdb_tools.soft_delete('notes', 'archived', 'maybe', name => 'bad1');
SELECT pgdb_tools.soft_delete('notes', 'body', name => 'bad2');
SELECT pgdb_tools.soft_delete('notes', 'nope', name => 'bad3');

DROP TABLE users, files, support_tickets, notes, events;
DROP EXTENSION pgdb_tools;
