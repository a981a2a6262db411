-- Generates the calls of test/e2e/hostile_executors.sh (psql -At -F '\t', after fixtures.sql):
--   id, mode, setup, sql, title, ''
-- Each call is one DO block on a fresh copy of app.docs (app.ex, created in the call's own
-- transaction): it attaches or installs a trigger, maybe alters the table, then runs INSERT,
-- UPDATE (every column the kinds use), DELETE and TRUNCATE, each in its own sub-block. A clean
-- error from one statement is swallowed (the others still run); an internal, system, resource or
-- cancel error (XX, 58, 53, 57) is re-raised, so the call reports it; a crash is a crash.
--
-- A: every trigger function of the extension attached by hand (not through the API) with
--    hostile trigger arguments, as BEFORE/AFTER and ROW/STATEMENT triggers.
-- B: every kind installed through its API function, then each column it uses (and one it does not)
--    changed: to every other type, dropped, renamed.
WITH fn AS (
  SELECT p.proname FROM pg_proc p
   WHERE p.pronamespace = 'pgdb_tools'::regnamespace AND p.prorettype = 'trigger'::regtype
),
argsets (label, args) AS (
  VALUES ('no arguments', ''),
         ('empty', $$''$$),
         ('missing column', $$'nope'$$),
         ('integer column', $$'id'$$),
         ('text column', $$'title'$$),
         ('tsvector column', $$'tsv'$$),
         ('boolean column', $$'deleted'$$),
         ('timestamptz column', $$'updated_at'$$),
         ('state column', $$'state'$$),
         ('version column', $$'version'$$),
         ('search_vector into an integer column (issue 1)', $$'id', 'pg_catalog.simple', 'title', 'A'$$),
         ('search_vector from an integer column', $$'tsv', 'pg_catalog.simple', 'id', 'A'$$),
         ('search_vector odd arguments', $$'tsv', 'pg_catalog.simple', 'title'$$),
         ('search_vector bad config', $$'tsv', 'pg_catalog.nope', 'title', 'A'$$),
         ('search_vector bad weight', $$'tsv', 'pg_catalog.simple', 'title', 'Z'$$),
         ('fsm bad json', $$'state', '{"draft": "published"'$$),
         ('fsm not an object', $$'state', '[1, 2]'$$),
         ('many arguments', $$'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'$$),
         ('10000-byte argument', $$'$$ || repeat('x', 10000) || $$'$$),
         ('quotes', $$'a"b''c', ''''$$),
         ('ops', $$'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'$$)
),
timings (label, clause) AS (
  VALUES ('BEFORE ROW', 'BEFORE INSERT OR UPDATE OR DELETE ON app.ex FOR EACH ROW'),
         ('AFTER ROW', 'AFTER INSERT OR UPDATE OR DELETE ON app.ex FOR EACH ROW'),
         ('BEFORE STATEMENT', 'BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON app.ex FOR EACH STATEMENT'),
         ('AFTER STATEMENT', 'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON app.ex FOR EACH STATEMENT')
),
-- the kinds, installed through the API, and the columns each one reads or writes
kinds (kind, install, cols) AS (
  VALUES ('protect', $$PERFORM pgdb_tools.protect('app.ex', '{UPDATE}', condition => 'OLD.id < 0')$$, '{id}'::text[]),
         ('read_only', $$PERFORM pgdb_tools.read_only('app.ex', '{title}')$$, '{title}'),
         ('read_only except', $$PERFORM pgdb_tools.read_only('app.ex', except_columns => '{state,updated_at,version,tsv}')$$, '{title,body}'),
         ('soft_delete', $$PERFORM pgdb_tools.soft_delete('app.ex', 'deleted')$$, '{deleted}'),
         ('soft_delete timestamp', $$PERFORM pgdb_tools.soft_delete('app.ex', 'updated_at')$$, '{updated_at}'),
         ('fsm', $$PERFORM pgdb_tools.fsm('app.ex', 'state', '{"draft": ["published"], "published": ["draft"]}')$$, '{state}'),
         ('updated_at', $$PERFORM pgdb_tools.updated_at('app.ex', 'updated_at', on_insert => true)$$, '{updated_at}'),
         ('row_version', $$PERFORM pgdb_tools.row_version('app.ex', 'version', check_stale => false)$$, '{version}'),
         ('search_vector', $$PERFORM pgdb_tools.search_vector('app.ex', 'tsv', '{"title": "A", "body": "B"}')$$, '{tsv,title,body}'),
         ('manage_trigger', $$PERFORM pgdb_tools.manage_trigger('app.ex', 'app.audit()', events => '{INSERT,UPDATE,DELETE}')$$, '{id}')
),
-- what a column is changed to: (label, ALTER TABLE action with %I for the column)
changes (label, action) AS (
  VALUES ('TYPE integer', 'ALTER COLUMN %I TYPE integer USING 0'),
         ('TYPE bigint', 'ALTER COLUMN %I TYPE bigint USING 9000000000000000000'),
         ('TYPE text', 'ALTER COLUMN %I TYPE text USING ''x'''),
         ('TYPE varchar(3)', 'ALTER COLUMN %I TYPE varchar(3) USING ''abc'''),
         ('TYPE boolean', 'ALTER COLUMN %I TYPE boolean USING false'),
         ('TYPE timestamptz', 'ALTER COLUMN %I TYPE timestamptz USING now()'),
         ('TYPE date', 'ALTER COLUMN %I TYPE date USING current_date'),
         ('TYPE tsvector', 'ALTER COLUMN %I TYPE tsvector USING ''''::tsvector'),
         ('TYPE jsonb', 'ALTER COLUMN %I TYPE jsonb USING ''{}'''),
         ('TYPE text[]', 'ALTER COLUMN %I TYPE text[] USING ''{}'''),
         ('TYPE numeric', 'ALTER COLUMN %I TYPE numeric USING 0'),
         ('DROP', 'DROP COLUMN %I CASCADE'),
         ('RENAME', 'RENAME COLUMN %I TO renamed'),
         ('DROP NOT NULL + NULL default', 'ALTER COLUMN %I DROP NOT NULL, ALTER COLUMN %I SET DEFAULT NULL')
),
dml (body) AS (
  SELECT string_agg(format($b$
  BEGIN %s; EXCEPTION WHEN OTHERS THEN IF SQLSTATE ~ '^(XX|58|53|57)' THEN RAISE; END IF; END;$b$, s), '' ORDER BY o)
    FROM (VALUES (1, 'INSERT INTO app.ex (id, title, body) VALUES (1000, ''new'', ''new body'')'),
                 (2, 'INSERT INTO app.ex DEFAULT VALUES'),
                 (3, 'UPDATE app.ex SET title = ''changed'' WHERE id = 1'),
                 (4, 'UPDATE app.ex SET body = ''changed'' WHERE id = 2'),
                 (5, 'UPDATE app.ex SET state = ''published'' WHERE id = 3'),
                 (6, 'UPDATE app.ex SET version = 1 WHERE id = 4'),
                 (7, 'UPDATE app.ex SET id = id WHERE id = 5'),
                 (8, 'DELETE FROM app.ex WHERE id = 6'),
                 (9, 'TRUNCATE app.ex')) d(o, s)
),
-- a fresh table like app.docs (no triggers, no FK), per call
fresh (sql) AS (
  VALUES ($f$CREATE TABLE app.ex (LIKE app.docs INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
  INSERT INTO app.ex SELECT * FROM app.docs;$f$)
),
-- must refuse: a search_vector trigger whose target column is no longer tsvector must not write
-- into it (issue 11); an INSERT that succeeds raises HX001, which the harness reports
refuse (body) AS (
  VALUES ($r$
  BEGIN INSERT INTO app.ex (id, title, body) VALUES (2000, 'refuse', 'refuse');
    RAISE EXCEPTION 'the trigger wrote a tsvector into a column that is no longer tsvector' USING ERRCODE = 'HX001';
  EXCEPTION WHEN SQLSTATE 'HX001' THEN RAISE;
    WHEN OTHERS THEN IF SQLSTATE ~ '^(XX|58|53|57)' THEN RAISE; END IF; END;$r$)
),
calls AS (
  SELECT 1 AS part, f.proname || ' attached by hand: ' || t.label || ', ' || a.label AS title,
         format($c$DO $x$
BEGIN
  %s
  CREATE TRIGGER hostile_x %s EXECUTE FUNCTION pgdb_tools.%I(%s);
  %s
END $x$$c$, fr.sql, t.clause, f.proname, a.args, d.body) AS sql
    FROM fn f CROSS JOIN argsets a CROSS JOIN timings t CROSS JOIN fresh fr CROSS JOIN dml d
  UNION ALL
  SELECT 2, k.kind || ': ' || col || ' ' || c.label,
         format($c$DO $x$
BEGIN
  %s
  %s;
  EXECUTE %L;
  %s
END $x$$c$, fr.sql, k.install, format('ALTER TABLE app.ex ' || c.action, col, col),
         d.body || CASE WHEN k.kind = 'search_vector' AND col = 'tsv' AND c.label LIKE 'TYPE %'
                             AND c.label <> 'TYPE tsvector' THEN r.body ELSE '' END)
    FROM kinds k CROSS JOIN LATERAL unnest(k.cols || '{created_at}'::text[]) col
    CROSS JOIN changes c CROSS JOIN fresh fr CROSS JOIN dml d CROSS JOIN refuse r
)
SELECT row_number() OVER (ORDER BY part, title), 'tx', '', replace(sql, E'\n', ' '), title, ''
  FROM calls
 ORDER BY 1;
