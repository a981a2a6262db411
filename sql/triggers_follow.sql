-- Managed triggers follow renamed columns, tables and schemas; a dropped column a trigger needs is
-- refused; the triggers view says 'broken' when a spec no longer fits its table.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS follow_app CASCADE;
DROP ROLE IF EXISTS pgdb_tools_test_app;
DROP ROLE IF EXISTS pgdb_tools_test_stranger;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE VIEW status AS
  SELECT schema_name || '.' || table_name AS tbl, trigger_name, status,
         spec - 'kind' - 'name' - 'tbl' AS args, spec ->> 'tbl' AS spec_tbl
    FROM pgdb_tools.triggers ORDER BY 1, 2;
-- the arguments each trigger was created with, as PostgreSQL has them
CREATE VIEW trigger_args AS
  SELECT tgrelid::regclass AS tbl, tgname,
         pg_catalog.encode(tgargs, 'escape') AS args, tgenabled
    FROM pg_trigger WHERE tgname LIKE 'pgdb%' OR tgname LIKE 'doc%' ORDER BY 1, 2;

-- == Column renames: every kind ==
CREATE TABLE docs (id int PRIMARY KEY, title text, body text, sv tsvector, changed timestamptz,
                   version int NOT NULL DEFAULT 1, state text NOT NULL DEFAULT 'draft',
                   gone boolean NOT NULL DEFAULT false, code text, note text);
INSERT INTO docs (id, title, body, code) VALUES (1, 'first', 'body', 'D1');
SELECT pgdb_tools.updated_at('docs', 'changed');
SELECT pgdb_tools.row_version('docs', 'version', check_stale => false);
SELECT pgdb_tools.fsm('docs', 'state', '{"draft": ["published"], "published": ["draft"]}');
SELECT pgdb_tools.soft_delete('docs', 'gone');
SELECT pgdb_tools.search_vector('docs', 'sv', '{"title": "A", "body": "B"}');
SELECT pgdb_tools.read_only('docs', '{code}');
SELECT pgdb_tools.read_only('docs', except_columns => '{note, changed, version, sv, state, gone, title, body}',
                            name => 'doc_frozen');
SELECT pgdb_tools.protect('docs', '{UPDATE}', condition => 'OLD.note = ''locked'' AND NEW.note IS NOT DISTINCT FROM OLD."note"',
                          name => 'doc_locked');
SELECT tbl, trigger_name, status FROM status;

ALTER TABLE docs RENAME COLUMN changed TO modified_at;
ALTER TABLE docs RENAME COLUMN version TO revision;
ALTER TABLE docs RENAME state TO phase;
ALTER TABLE docs RENAME COLUMN gone TO deleted;
ALTER TABLE docs RENAME COLUMN title TO headline;
ALTER TABLE docs RENAME COLUMN sv TO search;
ALTER TABLE docs RENAME COLUMN code TO "Code";
ALTER TABLE docs RENAME COLUMN note TO remark;
-- every spec names the new column, every trigger was re-created with it, all installed
SELECT trigger_name, status, args FROM status;
SELECT tgname, args FROM trigger_args;
-- ... and they work: an UPDATE stamps, counts, checks the transition, refuses the frozen column
UPDATE docs SET phase = 'published', headline = 'First';
SELECT id, headline, search, modified_at IS NOT NULL AS stamped, revision, phase FROM docs;
UPDATE docs SET "Code" = 'X';
UPDATE docs SET phase = 'archived';
DELETE FROM docs;
SELECT id, deleted FROM docs;
UPDATE docs SET remark = 'locked';
UPDATE docs SET remark = 'locked', headline = 'again';
UPDATE docs SET remark = NULL;
-- a second declaration with the new names is a no-op
SELECT action, trigger_name FROM pgdb_tools.apply_triggers('[
  {"kind": "updated_at", "tbl": "docs", "column_name": "modified_at"},
  {"kind": "search_vector", "tbl": "docs", "column_name": "search", "columns": {"headline": "A", "body": "B"}},
  {"kind": "read_only", "tbl": "docs", "columns": ["Code"]},
  {"kind": "protect", "tbl": "docs", "operations": ["UPDATE"], "name": "doc_locked",
   "condition": "OLD.remark = ''locked'' AND NEW.remark IS NOT DISTINCT FROM OLD.\"remark\""}]') ORDER BY 2;

-- a disabled trigger stays disabled when re-created
SELECT pgdb_tools.enable_trigger('docs', 'pgdb_updated_at_docs', false);
ALTER TABLE docs RENAME COLUMN modified_at TO touched_at;
SELECT tgname, args, tgenabled FROM trigger_args WHERE tgname = 'pgdb_updated_at_docs';
SELECT trigger_name, enabled, status FROM pgdb_tools.triggers WHERE trigger_name = 'pgdb_updated_at_docs';
SELECT pgdb_tools.enable_trigger('docs', 'pgdb_updated_at_docs');

-- a rename rolled back takes everything back: spec, trigger and record
BEGIN;
ALTER TABLE docs RENAME COLUMN revision TO rev;
SELECT trigger_name, args FROM status WHERE trigger_name = 'pgdb_row_version_docs';
ROLLBACK;
SELECT trigger_name, status, args FROM status WHERE trigger_name = 'pgdb_row_version_docs';
SELECT tgname, args FROM trigger_args WHERE tgname = 'pgdb_row_version_docs';
-- ... so does a savepoint
BEGIN;
SAVEPOINT s;
ALTER TABLE docs RENAME COLUMN revision TO rev;
ROLLBACK TO SAVEPOINT s;
ALTER TABLE docs RENAME COLUMN headline TO heading;
COMMIT;
SELECT trigger_name, status, args FROM status WHERE trigger_name IN ('pgdb_row_version_docs', 'pgdb_search_vector_docs');

-- a trigger modified by hand is not re-created: its spec follows, it stays 'modified'
CREATE OR REPLACE TRIGGER pgdb_row_version_docs BEFORE UPDATE ON docs FOR EACH ROW
  EXECUTE FUNCTION pgdb_tools._trigger_row_version('revision', 'check_stale');
ALTER TABLE docs RENAME COLUMN revision TO rev;
SELECT trigger_name, status, args FROM status WHERE trigger_name = 'pgdb_row_version_docs';
SELECT action, detail FROM pgdb_tools.apply_triggers('[{"kind": "row_version", "tbl": "docs", "column_name": "rev", "check_stale": false}]');
SELECT trigger_name, status FROM status WHERE trigger_name = 'pgdb_row_version_docs';

-- a trigger re-created for a rename parses its condition under search_path pg_catalog, pg_temp:
-- an unqualified function of the user's is not looked up again, and the rename is refused
CREATE FUNCTION follow_positive(int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 > 0';
CREATE TABLE guarded (id int, changed timestamptz);
SELECT pgdb_tools.updated_at('guarded', 'changed', condition => 'follow_positive(NEW.id)');
ALTER TABLE guarded RENAME COLUMN changed TO changed_at;
SELECT pgdb_tools.updated_at('guarded', 'changed', condition => 'public.follow_positive(NEW.id)');
ALTER TABLE guarded RENAME COLUMN changed TO changed_at;
SELECT trigger_name, status, args FROM status WHERE tbl = 'public.guarded';
DROP TABLE guarded;
SELECT pgdb_tools.prune_triggers() AS pruned;
DROP FUNCTION follow_positive(int);

-- == Dropping a column a trigger needs is refused ==
\set VERBOSITY default
ALTER TABLE docs DROP COLUMN touched_at;
\set VERBOSITY sqlstate
ALTER TABLE docs DROP COLUMN rev CASCADE;
ALTER TABLE docs DROP COLUMN body;
ALTER TABLE docs DROP COLUMN "Code";
ALTER TABLE docs DROP COLUMN remark;
-- a column the condition names: PostgreSQL's own dependency
ALTER TABLE docs ADD COLUMN extra int;
SELECT pgdb_tools.protect('docs', '{DELETE}', condition => 'OLD.extra > 0', name => 'doc_extra');
ALTER TABLE docs DROP COLUMN extra;
-- a column no trigger needs, and one dropped and added again in one statement, are fine
ALTER TABLE docs ADD COLUMN spare text;
ALTER TABLE docs DROP COLUMN spare;
ALTER TABLE docs DROP COLUMN deleted, ADD COLUMN deleted boolean NOT NULL DEFAULT false;
\set VERBOSITY default
SELECT trigger_name, status FROM status WHERE trigger_name = 'pgdb_soft_delete_docs';
-- a type whose drop would cut a column out: refused the same way
CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE TABLE moods (id int, mood mood);
SELECT pgdb_tools.fsm('moods', 'mood', '{"calm": ["busy"]}');
DROP TYPE mood CASCADE;
-- once the trigger is dropped as the HINT says, the column may go
SELECT pgdb_tools.drop_trigger('public.moods', 'pgdb_fsm_moods');
DROP TYPE mood CASCADE;
DROP TABLE moods;

-- == 'broken': the spec no longer fits the table ==
ALTER TABLE docs ALTER COLUMN rev TYPE numeric;
ALTER TABLE docs ALTER COLUMN touched_at TYPE text;
SELECT trigger_name, status FROM status WHERE status <> 'installed';
ALTER TABLE docs ALTER COLUMN rev TYPE int;
ALTER TABLE docs ALTER COLUMN touched_at TYPE timestamptz USING NULL;
SELECT count(*) FILTER (WHERE status = 'installed') AS installed, count(*) AS triggers FROM status;
-- a spec that names a column gone (with the event trigger out of the way) is broken too
CREATE TABLE notes (id int, changed timestamptz);
SELECT pgdb_tools.updated_at('notes', 'changed');
ALTER EVENT TRIGGER pgdb_tools_guard_trigger_columns DISABLE;
ALTER TABLE notes DROP COLUMN changed;
ALTER EVENT TRIGGER pgdb_tools_guard_trigger_columns ENABLE;
SELECT trigger_name, status FROM status WHERE status <> 'installed';
DROP TABLE notes;
SELECT pgdb_tools.prune_triggers();

-- == Table renames and moves ==
ALTER TABLE docs RENAME TO articles;
SELECT tbl, trigger_name, status, spec_tbl FROM status;
UPDATE articles SET phase = 'draft';
CREATE SCHEMA follow_moved;
ALTER TABLE articles SET SCHEMA follow_moved;
SELECT DISTINCT tbl, status, spec_tbl FROM status;
ALTER SCHEMA follow_moved RENAME TO follow_archive;
SELECT DISTINCT tbl, status, spec_tbl FROM status;
UPDATE follow_archive.articles SET phase = 'published';
SELECT rev, phase, touched_at IS NOT NULL AS stamped FROM follow_archive.articles;
-- the old names are free: a new table there has no managed triggers
CREATE TABLE docs (id int);
CREATE SCHEMA follow_moved;
CREATE TABLE follow_moved.articles (id int);
SELECT tbl, count(*) FROM status GROUP BY 1;
DROP TABLE docs;
DROP SCHEMA follow_moved CASCADE;
-- a rename that fails changes nothing; neither does one rolled back
CREATE TABLE follow_archive.taken (id int);
ALTER TABLE follow_archive.articles RENAME TO taken;
BEGIN;
ALTER TABLE follow_archive.articles RENAME TO renamed;
ROLLBACK;
DROP TABLE follow_archive.taken;
SELECT DISTINCT tbl, status FROM status;
-- records left under a name (here by a rename the event trigger did not see) are not adopted by
-- the table renamed to that name
CREATE TABLE follow_archive.old (id int, changed timestamptz);
SELECT pgdb_tools.updated_at('follow_archive.old', 'changed');
ALTER EVENT TRIGGER pgdb_tools_follow_renamed_sets DISABLE;
ALTER TABLE follow_archive.old RENAME TO older;
ALTER EVENT TRIGGER pgdb_tools_follow_renamed_sets ENABLE;
SELECT tbl, trigger_name, status FROM status WHERE tbl LIKE '%old%';
ALTER TABLE follow_archive.articles RENAME TO old;
SELECT tbl, count(*) FROM status GROUP BY 1;
-- a table renamed and its column renamed in one transaction
BEGIN;
ALTER TABLE follow_archive.old RENAME TO docs;
ALTER TABLE follow_archive.docs RENAME COLUMN rev TO version;
COMMIT;
SELECT trigger_name, status, args FROM status WHERE trigger_name = 'pgdb_row_version_docs';
UPDATE follow_archive.docs SET phase = 'draft';
SELECT version FROM follow_archive.docs;
DROP SCHEMA follow_archive CASCADE;

-- statements of one transaction each touch only their own table's triggers
CREATE TABLE t_one (id int, changed timestamptz, x int);
CREATE TABLE t_two (id int, changed timestamptz);
SELECT pgdb_tools.updated_at('t_one', 'changed') || ' ' || pgdb_tools.updated_at('t_two', 'changed') AS created;
BEGIN;
ALTER TABLE t_one RENAME COLUMN x TO y;
ALTER TABLE t_two RENAME COLUMN changed TO stamp;
ALTER TABLE t_one RENAME COLUMN y TO x;
COMMIT;
SELECT tbl, status, args ->> 'column_name' AS column_name FROM status WHERE tbl LIKE 'public.t\_%';
SELECT tbl, tgname, args FROM trigger_args WHERE tbl::text LIKE 't\_%';
DROP TABLE t_one, t_two;
-- (with the records follow_archive's tables left when the schema was dropped above: 9 + 2)
SELECT pgdb_tools.prune_triggers() AS pruned;

-- == Partitioned tables: a rename on the parent renames in the partitions ==
CREATE TABLE events (id int, at timestamptz NOT NULL, stamp timestamptz, title text, sv tsvector)
  PARTITION BY RANGE (id);
CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100);
CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (100) TO (200);
SELECT pgdb_tools.updated_at('events', 'stamp', on_insert => true);
-- a partition may carry a managed trigger of its own
SELECT pgdb_tools.search_vector('events_2', 'sv', '{"title": "A"}');
ALTER TABLE events RENAME COLUMN stamp TO stamped_at;
ALTER TABLE events RENAME COLUMN title TO headline;
SELECT tbl, trigger_name, status, args FROM status WHERE tbl LIKE 'public.events%';
SELECT tbl, tgname, args FROM trigger_args WHERE tbl::text LIKE 'events%';
INSERT INTO events VALUES (1, now(), NULL, 'one'), (150, now(), NULL, 'hundred fifty');
SELECT id, stamped_at IS NOT NULL AS stamped, sv FROM events ORDER BY id;
ALTER TABLE events DROP COLUMN stamped_at;
ALTER TABLE events DROP COLUMN headline;
ALTER TABLE events RENAME TO happenings;
SELECT tbl, trigger_name, status FROM status WHERE tbl LIKE 'public.%';
DROP TABLE happenings;

-- == A renamed partition set is still maintained, and its triggers stay installed ==
CREATE TABLE metrics (at timestamptz NOT NULL, v int, changed timestamptz) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('metrics', 'at', '1 day', premake => 2) > 0 AS created;
SELECT pgdb_tools.updated_at('metrics', 'changed');
ALTER TABLE metrics RENAME TO measurements;
SELECT parent::text, partitions FROM pgdb_tools.partition_status;
SELECT pgdb_tools.update_partitioned('measurements', premake => 3);
SELECT count(*) > 0 AS created_ahead FROM pgdb_tools.run_maintenance('measurements') WHERE action = 'create';
SELECT parent::text, partitions, last_error FROM pgdb_tools.partition_status;
SELECT tbl, trigger_name, status FROM status WHERE tbl LIKE '%measurements%';
DROP TABLE measurements;

-- == Roles: the owner renames, a superuser renames an app role's table, strangers cannot ==
CREATE ROLE pgdb_tools_test_app;
CREATE ROLE pgdb_tools_test_stranger;
CREATE SCHEMA follow_app AUTHORIZATION pgdb_tools_test_app;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_app;
GRANT USAGE ON SCHEMA follow_app TO pgdb_tools_test_stranger;
SET ROLE pgdb_tools_test_app;
CREATE TABLE follow_app.orders (id int, changed timestamptz, state text DEFAULT 'new');
GRANT SELECT, UPDATE ON follow_app.orders TO pgdb_tools_test_stranger;
INSERT INTO follow_app.orders (id) VALUES (1);
SELECT pgdb_tools.updated_at('follow_app.orders', 'changed');
SELECT pgdb_tools.fsm('follow_app.orders', 'state', '{"new": ["paid"]}');
ALTER TABLE follow_app.orders RENAME COLUMN changed TO changed_at;
ALTER TABLE follow_app.orders RENAME TO purchases;
UPDATE follow_app.purchases SET state = 'paid';
SELECT changed_at IS NOT NULL AS stamped, state FROM follow_app.purchases;
RESET ROLE;
-- a superuser renames the app's column and table
ALTER TABLE follow_app.purchases RENAME COLUMN state TO status;
ALTER TABLE follow_app.purchases RENAME TO sales;
SELECT tbl, trigger_name, status, args FROM status WHERE tbl LIKE 'follow_app.%';
-- a stranger can neither rename nor drop, and changes nothing trying
SET ROLE pgdb_tools_test_stranger;
\set VERBOSITY sqlstate
ALTER TABLE follow_app.sales RENAME COLUMN status TO state;
ALTER TABLE follow_app.sales RENAME TO mine;
ALTER TABLE follow_app.sales DROP COLUMN changed_at;
ALTER SCHEMA follow_app RENAME TO follow_mine;
\set VERBOSITY default
UPDATE follow_app.sales SET status = 'new';
RESET ROLE;
SELECT tbl, trigger_name, status, args FROM status WHERE tbl LIKE 'follow_app.%';
-- a role without USAGE on pgdb_tools still renames its own tables and columns: the registry is
-- written and the trigger re-created with the extension's rights
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_app;
SET ROLE pgdb_tools_test_app;
CREATE TABLE follow_app.plain (id int);
ALTER TABLE follow_app.plain RENAME TO simple;
ALTER TABLE follow_app.sales RENAME TO deals;
ALTER TABLE follow_app.deals RENAME COLUMN changed_at TO changed;
UPDATE follow_app.deals SET changed = NULL;
SELECT changed IS NOT NULL AS stamped FROM follow_app.deals;
RESET ROLE;
SELECT tbl, trigger_name, status, args FROM status WHERE tbl LIKE 'follow_app.%';
SELECT tbl, tgname, args FROM trigger_args WHERE tbl::text LIKE 'follow_app.%';

-- == Renames through other statements than ALTER TABLE ==
-- PostgreSQL renames a table by ALTER INDEX ... RENAME TO, and its columns by ALTER VIEW /
-- MATERIALIZED VIEW / FOREIGN TABLE ... RENAME COLUMN and ALTER TYPE ... RENAME ATTRIBUTE ...
-- CASCADE (typed tables): the records follow as they do for ALTER TABLE.
CREATE TABLE a1 (id int PRIMARY KEY, updated_at timestamptz);
INSERT INTO a1 (id) VALUES (1);
SELECT pgdb_tools.updated_at('a1');
ALTER INDEX a1 RENAME TO a1_renamed;
UPDATE a1_renamed SET id = 1;
SELECT updated_at IS NOT NULL AS stamped FROM a1_renamed;
SELECT tbl, trigger_name, status, args, spec_tbl FROM status WHERE tbl LIKE 'public.a1%';
CREATE TABLE a2 (id int PRIMARY KEY, updated_at timestamptz);
INSERT INTO a2 (id) VALUES (1);
SELECT pgdb_tools.updated_at('a2');
ALTER VIEW a2 RENAME COLUMN updated_at TO changed_at;
ALTER MATERIALIZED VIEW a2 RENAME COLUMN changed_at TO touched_at;
ALTER FOREIGN TABLE a2 RENAME COLUMN touched_at TO stamped_at;
UPDATE a2 SET id = 1;
SELECT stamped_at IS NOT NULL AS stamped FROM a2;
SELECT tbl, trigger_name, status, args FROM status WHERE tbl = 'public.a2';
SELECT tbl, tgname, args FROM trigger_args WHERE tbl = 'a2'::regclass;
-- the forms PostgreSQL refuses on a table change nothing
ALTER VIEW a1_renamed RENAME TO a1_view;
ALTER VIEW a1_renamed SET SCHEMA follow_app;
SELECT tbl, trigger_name, status FROM status WHERE tbl LIKE '%a1%';
-- typed tables: without CASCADE PostgreSQL refuses; with it, the typed tables' columns (and
-- their partitions') are renamed, and their managed triggers follow
CREATE TYPE row_t AS (id int, updated_at timestamptz);
CREATE TABLE typed OF row_t;
INSERT INTO typed (id) VALUES (1);
SELECT pgdb_tools.updated_at('typed');
CREATE TABLE typed_p OF row_t PARTITION BY RANGE (id);
CREATE TABLE typed_p1 PARTITION OF typed_p FOR VALUES FROM (0) TO (10);
INSERT INTO typed_p (id) VALUES (1);
SELECT pgdb_tools.updated_at('typed_p');
ALTER TYPE row_t RENAME ATTRIBUTE updated_at TO changed_at;
ALTER TYPE row_t RENAME ATTRIBUTE updated_at TO changed_at CASCADE;
UPDATE typed SET id = 1;
UPDATE typed_p SET id = 1;
SELECT changed_at IS NOT NULL AS stamped FROM typed UNION ALL
SELECT changed_at IS NOT NULL FROM typed_p;
SELECT tbl, trigger_name, status, args FROM status WHERE tbl LIKE 'public.typed%';
SELECT tbl, tgname, args FROM trigger_args WHERE tbl::text LIKE 'typed%';
-- a rollback takes the registry's change back with the rename
BEGIN;
ALTER TYPE row_t RENAME ATTRIBUTE changed_at TO other_at CASCADE;
SELECT tbl, args FROM status WHERE tbl = 'public.typed';
ROLLBACK;
SELECT tbl, args FROM status WHERE tbl = 'public.typed';
-- unrelated statements under the same tags pass untouched
CREATE TYPE mood AS ENUM ('ok');
ALTER TYPE mood ADD VALUE 'good';
ALTER TYPE mood RENAME TO mood2;
CREATE TYPE pair AS (x int, y int);
ALTER TYPE pair RENAME ATTRIBUTE x TO z;
ALTER TYPE pair RENAME ATTRIBUTE y TO w CASCADE;
CREATE VIEW a2_view AS SELECT id FROM a2;
ALTER VIEW a2_view RENAME COLUMN id TO ident;
ALTER VIEW a2_view RENAME TO a2_view2;
ALTER INDEX a2_pkey RENAME TO a2_key;
DROP VIEW a2_view2;
DROP TYPE mood2, pair;
-- a partition set follows its parent through ALTER INDEX ... RENAME TO
CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('ev', 'at', '1 day', premake => 1) IS NOT NULL AS made;
ALTER INDEX ev RENAME TO ev_renamed;
SELECT parent_schema, parent_name FROM pgdb_tools.partition_sets ORDER BY 2;
SELECT parent FROM pgdb_tools.partition_status;
DROP TABLE ev_renamed;

-- == A condition naming the renamed column many times is rewritten entirely ==
CREATE TABLE many (id int PRIMARY KEY, v int, updated_at timestamptz);
SELECT pgdb_tools.updated_at('many', condition => (
  SELECT string_agg('OLD.v IS DISTINCT FROM NEW.v', ' OR ') FROM generate_series(1, 80)));
ALTER TABLE many RENAME COLUMN v TO w;
SELECT status,
       (length(spec ->> 'condition') - length(replace(spec ->> 'condition', 'OLD.v ', ''))) / 6
         AS old_v,
       (length(spec ->> 'condition') - length(replace(spec ->> 'condition', 'OLD.w ', ''))) / 6
         AS old_w
  FROM pgdb_tools.triggers WHERE table_name = 'many';
DROP TABLE many;

-- == A record left by another table of the same name never blocks this one's DDL ==
CREATE SCHEMA follow_shared;
GRANT USAGE, CREATE ON SCHEMA follow_shared TO pgdb_tools_test_app, pgdb_tools_test_stranger;
GRANT USAGE ON SCHEMA pgdb_tools TO pgdb_tools_test_stranger;
SET ROLE pgdb_tools_test_stranger;
CREATE TABLE follow_shared.orders (id int, updated_at timestamptz);
SELECT pgdb_tools.updated_at('follow_shared.orders');
DROP TABLE follow_shared.orders;
RESET ROLE;
SELECT tbl, trigger_name, status FROM status WHERE tbl = 'follow_shared.orders';
SET ROLE pgdb_tools_test_app;
CREATE TABLE follow_shared.orders (id int, updated_at timestamptz);
ALTER TABLE follow_shared.orders DROP COLUMN updated_at;
RESET ROLE;
-- a trigger of this table still guards its column, also when the statement drops the trigger
CREATE TABLE guarded (id int, updated_at timestamptz);
SELECT pgdb_tools.updated_at('guarded', condition => 'NEW.updated_at IS NULL');
ALTER TABLE guarded DROP COLUMN updated_at CASCADE;
SELECT tbl, trigger_name, status FROM status WHERE tbl = 'public.guarded';
DROP TABLE guarded;
DROP SCHEMA follow_shared CASCADE;
REVOKE USAGE ON SCHEMA pgdb_tools FROM pgdb_tools_test_stranger;

-- the event trigger functions are not for calling
SELECT pgdb_tools._follow_renames_end();
SELECT pgdb_tools._guard_trigger_columns();

SET client_min_messages = warning;
DROP SCHEMA follow_app CASCADE;
DROP ROLE pgdb_tools_test_app;
DROP ROLE pgdb_tools_test_stranger;
DROP VIEW status, trigger_args;
DROP TABLE IF EXISTS docs, a1_renamed, a2, typed, typed_p;
DROP TYPE IF EXISTS row_t;
DROP EXTENSION pgdb_tools;
