-- drop_trigger(), enable_trigger() and prune_triggers().
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_other;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE books (id int PRIMARY KEY, title text, updated_at timestamptz);
INSERT INTO books VALUES (1, 'a', NULL);
SELECT pgdb_tools.protect('books', '{DELETE}');
SELECT pgdb_tools.updated_at('books');

-- disable: the trigger stops firing, the choice is recorded, and apply_triggers keeps it
SELECT pgdb_tools.enable_trigger('books', 'pgdb_protect_books', false);
SELECT pgdb_tools.enable_trigger('books', 'pgdb_protect_books', false) AS again;
SELECT trigger_name, enabled, status FROM pgdb_tools.triggers ORDER BY 1;
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "books", "operations": ["DELETE"]}]');
-- a changed spec is installed, and stays disabled
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "books", "operations": ["UPDATE", "DELETE"]}]');
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'books'::regclass ORDER BY 1;
-- enabling it by hand is drift that apply_triggers undoes
ALTER TABLE books ENABLE TRIGGER pgdb_protect_books;
SELECT trigger_name, enabled, status FROM pgdb_tools.triggers WHERE trigger_name = 'pgdb_protect_books';
SELECT action, detail FROM pgdb_tools.apply_triggers('[{"kind": "protect", "tbl": "books", "operations": ["UPDATE", "DELETE"]}]');
SELECT pgdb_tools.enable_trigger('books', 'pgdb_protect_books');
DELETE FROM books;

-- drop: gone from the table and from the records; a second call is a no-op
SELECT pgdb_tools.drop_trigger('books', 'pgdb_updated_at_books');
SELECT pgdb_tools.drop_trigger('books', 'pgdb_updated_at_books') AS again;
SELECT trigger_name FROM pgdb_tools.triggers ORDER BY 1;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'books'::regclass ORDER BY 1;

-- prune: records of triggers dropped by hand, and of tables that are gone
CREATE TABLE gone_soon (id int, updated_at timestamptz);
SELECT pgdb_tools.updated_at('gone_soon');
DROP TABLE gone_soon;
DROP TRIGGER pgdb_protect_books ON books;
SELECT table_name, trigger_name, status FROM pgdb_tools.triggers ORDER BY 1, 2;
SELECT pgdb_tools.prune_triggers('books');
SELECT table_name, trigger_name, status FROM pgdb_tools.triggers ORDER BY 1, 2;
SELECT pgdb_tools.prune_triggers();
SELECT pgdb_tools.prune_triggers() AS again;
SELECT count(*) AS records_left FROM pgdb_tools.managed_triggers;

-- errors
CREATE FUNCTION user_trigger() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER users_own BEFORE UPDATE ON books FOR EACH ROW EXECUTE FUNCTION user_trigger();
SELECT pgdb_tools.drop_trigger('books', 'users_own');
SELECT pgdb_tools.enable_trigger('books', 'users_own');
SELECT pgdb_tools.enable_trigger('books', 'nope');
SELECT pgdb_tools.drop_trigger('books', '');
SELECT pgdb_tools.drop_trigger('no_such_table', 'x');
CREATE ROLE pgdb_tools_test_other;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_other;
SELECT pgdb_tools.updated_at('books');
SET ROLE pgdb_tools_test_other;
SELECT pgdb_tools.drop_trigger('books', 'pgdb_updated_at_books');
SELECT pgdb_tools.enable_trigger('books', 'pgdb_updated_at_books', false);
SELECT pgdb_tools.prune_triggers('books');
RESET ROLE;
SELECT trigger_name, enabled FROM pgdb_tools.triggers;

REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_other;
DROP ROLE pgdb_tools_test_other;
DROP TABLE books;
DROP FUNCTION user_trigger();
DROP EXTENSION pgdb_tools;
