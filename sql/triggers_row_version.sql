-- row_version(): every UPDATE increments the version; with check_stale an UPDATE that carries a
-- version other than the stored one fails with 40001 so the application re-reads and retries.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE carts (id int PRIMARY KEY, items int NOT NULL, version int NOT NULL DEFAULT 1);
INSERT INTO carts VALUES (1, 0, 1), (2, 0, 1);
SELECT pgdb_tools.row_version('carts');

-- an update that does not mention the version, or carries the stored one, increments it
UPDATE carts SET items = 1 WHERE id = 1;
UPDATE carts SET items = 2, version = 2 WHERE id = 1;
SELECT id, items, version FROM carts ORDER BY id;

-- a stale version: the classic lost update, refused
\set VERBOSITY sqlstate
UPDATE carts SET items = 9, version = 2 WHERE id = 1;
\set VERBOSITY default
UPDATE carts SET items = 9, version = 2 WHERE id = 1;
SELECT id, items, version FROM carts WHERE id = 1;

-- without check_stale it only counts
CREATE TABLE counters (id int PRIMARY KEY, n int, revision bigint);
INSERT INTO counters VALUES (1, 0, NULL);
SELECT pgdb_tools.row_version('counters', 'revision', check_stale => false);
UPDATE counters SET n = 1, revision = 42;
UPDATE counters SET n = 2;
SELECT n, revision FROM counters;

-- the type's limit is an error, not a wrap-around
CREATE TABLE tiny (id int, v smallint);
INSERT INTO tiny VALUES (1, 32767);
SELECT pgdb_tools.row_version('tiny', 'v');
UPDATE tiny SET id = 2;

-- errors
SELECT pgdb_tools.row_version('carts', 'items2');
CREATE TABLE texty (id int, version text);
SELECT pgdb_tools.row_version('texty');

DROP TABLE carts, counters, tiny, texty;
DROP EXTENSION pgdb_tools;
