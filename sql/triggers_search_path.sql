-- Objects planted in public never run inside the trigger functions, their executors or the
-- triggers they install, even for a superuser whose search_path puts public before pg_catalog:
-- operators on types where pg_catalog has an exact match (public first wins) and where it has none,
-- and functions shadowing pg_catalog's. Every planted object raises a WARNING and logs its name.
-- (Before: fsm installed WHEN (OLD.col IS DISTINCT FROM NEW.col), whose = was public's.)
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS planted_app CASCADE;
DROP TABLE IF EXISTS public.planted_log;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA planted_app;

CREATE TABLE public.planted_log (what text);
CREATE FUNCTION public.planted(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.planted_log VALUES (what);
  RAISE WARNING 'planted code ran: %', what;
END $$;
-- operators that answer correctly, so nothing but the warning shows they ran
CREATE FUNCTION public.eq_text(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('text = text'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE FUNCTION public.eq_name(a name, b name) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('name = name'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE FUNCTION public.eq_name_text(a name, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('name = text'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE FUNCTION public.eq_oid(a oid, b oid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('oid = oid'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE FUNCTION public.eq_oid_regclass(a oid, b regclass) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('oid = regclass'); RETURN a OPERATOR(pg_catalog.=) b::oid; END $$;
CREATE FUNCTION public.eq_jsonb(a jsonb, b jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('jsonb = jsonb'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE FUNCTION public.eq_tid(a tid, b tid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('tid = tid'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE FUNCTION public.concat_text(a text, b text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('text || text'); RETURN a OPERATOR(pg_catalog.||) b; END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.eq_text);
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = name, FUNCTION = public.eq_name);
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = text, FUNCTION = public.eq_name_text);
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = public.eq_oid);
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.eq_oid_regclass);
CREATE OPERATOR public.= (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = public.eq_jsonb);
CREATE OPERATOR public.= (LEFTARG = tid, RIGHTARG = tid, FUNCTION = public.eq_tid);
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = public.concat_text);
-- functions shadowing pg_catalog's (a trigger function among them)
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('now()'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION public.quote_ident(t text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('quote_ident()'); RETURN pg_catalog.quote_ident(t); END $$;
CREATE FUNCTION public.format_type(t oid, m integer) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('format_type()'); RETURN pg_catalog.format_type(t, m); END $$;
CREATE FUNCTION public.pg_get_triggerdef(t oid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('pg_get_triggerdef()'); RETURN pg_catalog.pg_get_triggerdef(t); END $$;
CREATE FUNCTION public.to_tsvector(c regconfig, t text) RETURNS tsvector LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('to_tsvector()'); RETURN pg_catalog.to_tsvector(c, t); END $$;
CREATE FUNCTION public.has_function_privilege(f oid, p text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('has_function_privilege()'); RETURN true; END $$;
CREATE FUNCTION public.audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM public.planted('public.audit()'); RETURN NEW; END $$;
CREATE FUNCTION planted_app.audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RETURN NEW; END $$;

CREATE TABLE planted_app.docs (id int PRIMARY KEY, title text, state text, version int NOT NULL DEFAULT 1,
                               changed timestamptz, sv tsvector, active boolean NOT NULL DEFAULT true,
                               code text, status text);
INSERT INTO planted_app.docs (id, title, state, code) VALUES (1, 'first', 'draft', 'D1'), (2, 'second', 'draft', 'D2');

-- == A superuser with public first, calling every trigger function ==
SET search_path = public, pg_catalog;
SELECT pgdb_tools.protect('planted_app.docs', '{DELETE}', condition => 'OLD.active IS NOT TRUE');
SELECT pgdb_tools.updated_at('planted_app.docs', 'changed');
SELECT pgdb_tools.read_only('planted_app.docs', '{code}');
SELECT pgdb_tools.soft_delete('planted_app.docs', 'status', 'deleted', name => 'docs_soft');
SELECT pgdb_tools.soft_delete('planted_app.docs', 'active', name => 'docs_soft_flag',
                              condition => 'OLD.id IS NULL');
SELECT pgdb_tools.fsm('planted_app.docs', 'state', '{"draft": ["published"]}');
SELECT pgdb_tools.row_version('planted_app.docs', check_stale => false);
SELECT pgdb_tools.search_vector('planted_app.docs', 'sv', '{"title": "A"}', 'english');
SELECT pgdb_tools.manage_trigger('planted_app.docs', 'planted_app.audit()', 'BEFORE', '{INSERT,UPDATE}');
SELECT action, trigger_name FROM pgdb_tools.apply_triggers(
  '[{"kind": "protect", "tbl": "planted_app.docs", "operations": ["DELETE"], "condition": "OLD.active IS NOT TRUE"}]',
  prune => true, dry_run => true) ORDER BY trigger_name COLLATE "C";
SELECT action, trigger_name FROM pgdb_tools.apply_triggers(
  '[{"kind": "updated_at", "tbl": "planted_app.docs", "column_name": "changed"}]');
SELECT pgdb_tools.trigger_ddl('[{"kind": "fsm", "tbl": "planted_app.docs", "column_name": "state", "transitions": {"draft": ["published"]}, "name": "docs_states"}]');
SELECT trigger_name, status FROM pgdb_tools.triggers ORDER BY trigger_name COLLATE "C";
SELECT pgdb_tools.enable_trigger('planted_app.docs', 'pgdb_read_only_docs', false);
SELECT pgdb_tools.enable_trigger('planted_app.docs', 'pgdb_read_only_docs');

-- every trigger fires
UPDATE planted_app.docs SET state = 'published', title = 'First' WHERE id = 1;
INSERT INTO planted_app.docs (id, title, state, code) VALUES (3, 'third', 'draft', 'D3');
DELETE FROM planted_app.docs WHERE id = 2;
-- (docs is not in this search_path: its qualified name is needed)
SELECT pgdb_tools.ignore('docs.pgdb_read_only_docs');
BEGIN;
SELECT pgdb_tools.ignore('pgdb_protect_docs', 'planted_app.docs.pgdb_read_only_docs', 'planted_app.docs.docs_soft');
UPDATE planted_app.docs SET code = 'changed' WHERE id = 3;
SELECT pgdb_tools.ignore('*');
ROLLBACK;
-- and the refusals' messages are built
UPDATE planted_app.docs SET code = 'X' WHERE id = 1;
UPDATE planted_app.docs SET state = 'archived' WHERE id = 1;
SELECT pgdb_tools.drop_trigger('planted_app.docs', 'docs_soft_flag');
SELECT pgdb_tools.prune_triggers();
SELECT pgdb_tools.prune_triggers('planted_app.docs');

-- == Back to a trusted path: what ran, and what the triggers did ==
RESET search_path;
SELECT count(*) AS planted_calls FROM public.planted_log;
SELECT id, title, state, version, changed IS NOT NULL AS stamped, sv, active, code, status
  FROM planted_app.docs ORDER BY id;

-- the trap was armed: the same path runs the planted operator for a plain comparison
SET search_path = public, pg_catalog;
SELECT 'a'::text = 'a'::text AS planted_equal;
RESET search_path;
SELECT what FROM public.planted_log;

DROP SCHEMA planted_app CASCADE;
DROP OPERATOR public.= (text, text), public.= (name, name), public.= (name, text),
              public.= (oid, oid), public.= (oid, regclass), public.= (jsonb, jsonb),
              public.= (tid, tid), public.|| (text, text);
DROP FUNCTION public.eq_text(text, text), public.eq_name(name, name), public.eq_name_text(name, text),
              public.eq_oid(oid, oid), public.eq_oid_regclass(oid, regclass),
              public.eq_jsonb(jsonb, jsonb), public.eq_tid(tid, tid), public.concat_text(text, text),
              public.now(), public.quote_ident(text), public.format_type(oid, integer),
              public.pg_get_triggerdef(oid), public.to_tsvector(regconfig, text),
              public.has_function_privilege(oid, text), public.audit(), public.planted(text);
DROP TABLE public.planted_log;
DROP EXTENSION pgdb_tools;
