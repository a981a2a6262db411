-- Planted objects for test/e2e/hostile_privileges.sh: operators, functions and aggregates in schema
-- public that shadow what the extension's SQL and C++ use unqualified (grep src/ for SQL text),
-- each logging its own execution. Run by the owner of schema public (the database owner in
-- PostgreSQL 15: any role a DBA lets own a database can do this).
--
-- A planted object that runs calls hostile.note(what): it raises WARNING "HIJACK: ..." (which the
-- server log keeps, whatever the transaction does), bumps public.hijack_seq (not rolled back either)
-- and inserts a row into public.hijack_log (kept when the call commits). All planted functions are
-- SECURITY INVOKER: they run as whoever the extension made them run as, and log current_user and
-- the top-level statement (which carries the fuzz call's /*hostile:N*/ tag).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE TABLE public.hijack_log (at timestamptz NOT NULL DEFAULT clock_timestamp(), who name NOT NULL,
                                what text NOT NULL, query text);
GRANT SELECT, INSERT ON public.hijack_log TO PUBLIC;
CREATE SEQUENCE public.hijack_seq;
GRANT USAGE, UPDATE, SELECT ON SEQUENCE public.hijack_seq TO PUBLIC;

CREATE FUNCTION public.hijack_note(what text) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
  key text := what || ' @ ' || statement_timestamp()::text;
BEGIN
  -- once per object and statement (an aggregate's step runs once per row)
  IF current_setting('hostile.last_hijack', true) IS NOT DISTINCT FROM key THEN
    RETURN;
  END IF;
  PERFORM set_config('hostile.last_hijack', key, false);
  RAISE WARNING 'HIJACK: % ran as % in: %', what, current_user, left(current_query(), 300);
  PERFORM nextval('public.hijack_seq');
  BEGIN
    INSERT INTO public.hijack_log (who, what, query) VALUES (current_user, what, current_query());
  EXCEPTION WHEN OTHERS THEN
    NULL;  -- e.g. a read-only transaction: the warning and the sequence still tell
  END;
END $$;

-- Operators: (operator, left type, right type, result type). Each planted one returns what
-- pg_catalog's would, so the extension goes on as if nothing happened.
CREATE TEMP TABLE planted_ops (op text, l text, r text, res text);
INSERT INTO planted_ops
SELECT op, l, r, 'boolean'
  FROM unnest(ARRAY['=', '<>']) op,
       (VALUES ('oid', 'oid'), ('oid', 'regclass'), ('regclass', 'oid'), ('regclass', 'regclass'),
               ('oid', 'regnamespace'), ('regnamespace', 'oid'), ('oid', 'regrole'), ('regrole', 'oid'),
               ('oid', 'regproc'), ('regproc', 'oid'), ('oid', 'regprocedure'), ('regprocedure', 'oid'),
               ('name', 'name'), ('name', 'text'), ('text', 'name'), ('text', 'text'),
               ('integer', 'integer'), ('bigint', 'bigint'), ('integer', 'bigint'), ('bigint', 'integer'),
               ('smallint', 'smallint'), ('smallint', 'integer'), ('integer', 'smallint'),
               ('"char"', '"char"'), ('boolean', 'boolean'), ('jsonb', 'jsonb'),
               ('timestamptz', 'timestamptz'), ('xid', 'xid'), ('xid8', 'xid8'),
               ('anyenum', 'anyenum'), ('anyarray', 'anyarray')) t(l, r)
UNION ALL
SELECT op, l, r, 'boolean'
  FROM unnest(ARRAY['<', '>', '<=', '>=']) op,
       (VALUES ('integer', 'integer'), ('bigint', 'bigint'), ('integer', 'bigint'), ('bigint', 'integer'),
               ('smallint', 'smallint'), ('smallint', 'integer'), ('text', 'text'), ('name', 'name'),
               ('timestamptz', 'timestamptz'), ('oid', 'oid')) t(l, r)
UNION ALL
VALUES ('||', 'text', 'text', 'text'), ('||', 'text', 'name', 'text'), ('||', 'name', 'text', 'text'),
       ('||', 'text', 'anynonarray', 'text'), ('||', 'anynonarray', 'text', 'text'),
       ('||', 'jsonb', 'jsonb', 'jsonb'), ('||', 'anyarray', 'anyarray', 'anyarray'),
       ('||', 'anyarray', 'anyelement', 'anyarray'),
       ('~~', 'text', 'text', 'boolean'), ('~~', 'name', 'text', 'boolean'),
       ('!~~', 'text', 'text', 'boolean'), ('!~~', 'name', 'text', 'boolean'),
       ('~', 'text', 'text', 'boolean'), ('~', 'name', 'text', 'boolean'),
       ('!~', 'text', 'text', 'boolean'), ('!~', 'name', 'text', 'boolean'),
       ('->', 'jsonb', 'text', 'jsonb'), ('->', 'jsonb', 'integer', 'jsonb'),
       ('->>', 'jsonb', 'text', 'text'), ('->>', 'jsonb', 'integer', 'text'),
       ('#>', 'jsonb', 'text[]', 'jsonb'), ('#>>', 'jsonb', 'text[]', 'text'),
       ('?', 'jsonb', 'text', 'boolean'), ('@>', 'jsonb', 'jsonb', 'boolean'),
       ('@>', 'anyarray', 'anyarray', 'boolean'), ('<@', 'anyarray', 'anyarray', 'boolean'),
       ('&&', 'anyarray', 'anyarray', 'boolean'), ('-', 'jsonb', 'text', 'jsonb'),
       ('+', 'integer', 'integer', 'integer'), ('+', 'bigint', 'bigint', 'bigint'),
       ('-', 'integer', 'integer', 'integer'), ('-', 'bigint', 'bigint', 'bigint'),
       ('+', 'timestamptz', 'interval', 'timestamptz'), ('-', 'timestamptz', 'interval', 'timestamptz'),
       ('-', 'timestamptz', 'timestamptz', 'interval'), ('*', 'interval', 'double precision', 'interval');

DO $do$
DECLARE o record; n integer := 0; fname text;
BEGIN
  FOR o IN SELECT * FROM planted_ops LOOP
    n := n + 1;
    fname := 'public.hijack_op_' || n;
    EXECUTE pg_catalog.format($f$CREATE FUNCTION %s(a %s, b %s) RETURNS %s LANGUAGE plpgsql
                      SET search_path = pg_catalog AS $b$
                      BEGIN PERFORM public.hijack_note(%L); RETURN a OPERATOR(pg_catalog.%s) b; END $b$$f$,
                   fname, o.l, o.r, o.res,
                   format('operator %s (%s, %s)', o.op, o.l, o.r), o.op);
    EXECUTE pg_catalog.format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %s)',
                   o.op, o.l, o.r, fname);
  END LOOP;
END $do$;

-- Functions: (signature, result type, body). The body returns what pg_catalog's function would.
CREATE TEMP TABLE planted_fns (sig text, res text, body text);
INSERT INTO planted_fns VALUES
  ('format(a text)', 'text', 'pg_catalog.format(a)'),
  ('format(a text, b text)', 'text', 'pg_catalog.format(a, b)'),
  ('format(a text, b text, c text)', 'text', 'pg_catalog.format(a, b, c)'),
  ('format(a text, b text, c text, d text)', 'text', 'pg_catalog.format(a, b, c, d)'),
  ('format(a text, b name)', 'text', 'pg_catalog.format(a, b)'),
  ('format(a text, b name, c name)', 'text', 'pg_catalog.format(a, b, c)'),
  ('format(a text, b regclass)', 'text', 'pg_catalog.format(a, b)'),
  ('format(a text, VARIADIC b text[])', 'text', 'pg_catalog.format(a, VARIADIC b)'),
  ('quote_ident(a text)', 'text', 'pg_catalog.quote_ident(a)'),
  ('quote_ident(a name)', 'text', 'pg_catalog.quote_ident(a)'),
  ('quote_literal(a text)', 'text', 'pg_catalog.quote_literal(a)'),
  ('quote_literal(a anyelement)', 'text', 'pg_catalog.quote_literal(a)'),
  ('quote_nullable(a text)', 'text', 'pg_catalog.quote_nullable(a)'),
  ('lower(a text)', 'text', 'pg_catalog.lower(a)'),
  ('upper(a text)', 'text', 'pg_catalog.upper(a)'),
  ('length(a text)', 'integer', 'pg_catalog.length(a)'),
  ('btrim(a text, b text)', 'text', 'pg_catalog.btrim(a, b)'),
  ('substr(a text, b integer)', 'text', 'pg_catalog.substr(a, b)'),
  ('substr(a text, b integer, c integer)', 'text', 'pg_catalog.substr(a, b, c)'),
  ('replace(a text, b text, c text)', 'text', 'pg_catalog.replace(a, b, c)'),
  ('left(a text, b integer)', 'text', 'pg_catalog.left(a, b)'),
  ('split_part(a text, b text, c integer)', 'text', 'pg_catalog.split_part(a, b, c)'),
  ('regexp_match(a text, b text)', 'text[]', 'pg_catalog.regexp_match(a, b)'),
  ('regexp_replace(a text, b text, c text)', 'text', 'pg_catalog.regexp_replace(a, b, c)'),
  ('string_to_array(a text, b text)', 'text[]', 'pg_catalog.string_to_array(a, b)'),
  ('array_to_string(a anyarray, b text)', 'text', 'pg_catalog.array_to_string(a, b)'),
  ('array_length(a anyarray, b integer)', 'integer', 'pg_catalog.array_length(a, b)'),
  ('cardinality(a anyarray)', 'integer', 'pg_catalog.cardinality(a)'),
  ('array_position(a anyarray, b anyelement)', 'integer', 'pg_catalog.array_position(a, b)'),
  ('now()', 'timestamptz', 'pg_catalog.now()'),
  ('clock_timestamp()', 'timestamptz', 'pg_catalog.clock_timestamp()'),
  ('statement_timestamp()', 'timestamptz', 'pg_catalog.statement_timestamp()'),
  ('transaction_timestamp()', 'timestamptz', 'pg_catalog.transaction_timestamp()'),
  ('to_char(a timestamptz, b text)', 'text', 'pg_catalog.to_char(a, b)'),
  ('date_trunc(a text, b timestamptz)', 'timestamptz', 'pg_catalog.date_trunc(a, b)'),
  ('date_trunc(a text, b timestamptz, c text)', 'timestamptz', 'pg_catalog.date_trunc(a, b, c)'),
  ('justify_hours(a interval)', 'interval', 'pg_catalog.justify_hours(a)'),
  ('current_database()', 'name', 'pg_catalog.current_database()'),
  ('current_setting(a text)', 'text', 'pg_catalog.current_setting(a)'),
  ('current_setting(a text, b boolean)', 'text', 'pg_catalog.current_setting(a, b)'),
  ('set_config(a text, b text, c boolean)', 'text', 'pg_catalog.set_config(a, b, c)'),
  ('to_regclass(a text)', 'regclass', 'pg_catalog.to_regclass(a)'),
  ('to_regproc(a text)', 'regproc', 'pg_catalog.to_regproc(a)'),
  ('to_regnamespace(a text)', 'regnamespace', 'pg_catalog.to_regnamespace(a)'),
  ('to_regrole(a text)', 'regrole', 'pg_catalog.to_regrole(a)'),
  ('to_jsonb(a anyelement)', 'jsonb', 'pg_catalog.to_jsonb(a)'),
  ('jsonb_build_object(a text, b text)', 'jsonb', 'pg_catalog.jsonb_build_object(a, b)'),
  ('jsonb_build_object(VARIADIC a text[])', 'jsonb', 'pg_catalog.jsonb_build_object(VARIADIC a)'),
  ('jsonb_build_array(VARIADIC a text[])', 'jsonb', 'pg_catalog.jsonb_build_array(VARIADIC a)'),
  ('jsonb_typeof(a jsonb)', 'text', 'pg_catalog.jsonb_typeof(a)'),
  ('jsonb_array_length(a jsonb)', 'integer', 'pg_catalog.jsonb_array_length(a)'),
  ('jsonb_set(a jsonb, b text[], c jsonb)', 'jsonb', 'pg_catalog.jsonb_set(a, b, c)'),
  ('jsonb_strip_nulls(a jsonb)', 'jsonb', 'pg_catalog.jsonb_strip_nulls(a)'),
  ('pg_get_expr(a pg_node_tree, b oid)', 'text', 'pg_catalog.pg_get_expr(a, b)'),
  ('pg_get_expr(a pg_node_tree, b oid, c boolean)', 'text', 'pg_catalog.pg_get_expr(a, b, c)'),
  ('pg_get_triggerdef(a oid)', 'text', 'pg_catalog.pg_get_triggerdef(a)'),
  ('pg_get_triggerdef(a oid, b boolean)', 'text', 'pg_catalog.pg_get_triggerdef(a, b)'),
  ('pg_get_constraintdef(a oid)', 'text', 'pg_catalog.pg_get_constraintdef(a)'),
  ('pg_get_indexdef(a oid)', 'text', 'pg_catalog.pg_get_indexdef(a)'),
  ('pg_get_userbyid(a oid)', 'name', 'pg_catalog.pg_get_userbyid(a)'),
  ('pg_get_serial_sequence(a text, b text)', 'text', 'pg_catalog.pg_get_serial_sequence(a, b)'),
  ('format_type(a oid, b integer)', 'text', 'pg_catalog.format_type(a, b)'),
  ('pg_total_relation_size(a regclass)', 'bigint', 'pg_catalog.pg_total_relation_size(a)'),
  ('pg_relation_size(a regclass)', 'bigint', 'pg_catalog.pg_relation_size(a)'),
  ('pg_has_role(a oid, b text)', 'boolean', 'pg_catalog.pg_has_role(a, b)'),
  ('pg_has_role(a name, b text)', 'boolean', 'pg_catalog.pg_has_role(a, b)'),
  ('has_table_privilege(a oid, b text)', 'boolean', 'pg_catalog.has_table_privilege(a, b)'),
  ('has_table_privilege(a text, b text)', 'boolean', 'pg_catalog.has_table_privilege(a, b)'),
  ('has_column_privilege(a oid, b smallint, c text)', 'boolean', 'pg_catalog.has_column_privilege(a, b, c)'),
  ('has_schema_privilege(a oid, b text)', 'boolean', 'pg_catalog.has_schema_privilege(a, b)'),
  ('has_schema_privilege(a name, b text)', 'boolean', 'pg_catalog.has_schema_privilege(a, b)'),
  ('row_security_active(a oid)', 'boolean', 'pg_catalog.row_security_active(a)'),
  ('setval(a regclass, b bigint)', 'bigint', 'pg_catalog.setval(a, b)'),
  ('setval(a regclass, b bigint, c boolean)', 'bigint', 'pg_catalog.setval(a, b, c)'),
  ('nextval(a regclass)', 'bigint', 'pg_catalog.nextval(a)'),
  ('pg_advisory_xact_lock(a bigint)', 'void', 'pg_catalog.pg_advisory_xact_lock(a)'),
  ('pg_try_advisory_xact_lock(a bigint)', 'boolean', 'pg_catalog.pg_try_advisory_xact_lock(a)'),
  ('hashtext(a text)', 'integer', 'pg_catalog.hashtext(a)'),
  ('md5(a text)', 'text', 'pg_catalog.md5(a)'),
  ('pg_extension_config_dump(a regclass, b text)', 'void', 'pg_catalog.pg_extension_config_dump(a, b)');

-- Set-returning ones: (signature, result, query)
CREATE TEMP TABLE planted_srfs (sig text, res text, query text);
INSERT INTO planted_srfs VALUES
  ('unnest(a anyarray)', 'SETOF anyelement', 'SELECT pg_catalog.unnest(a)'),
  ('generate_series(a integer, b integer)', 'SETOF integer', 'SELECT pg_catalog.generate_series(a, b)'),
  ('generate_series(a bigint, b bigint)', 'SETOF bigint', 'SELECT pg_catalog.generate_series(a, b)'),
  ('jsonb_array_elements(a jsonb)', 'SETOF jsonb', 'SELECT pg_catalog.jsonb_array_elements(a)'),
  ('jsonb_array_elements_text(a jsonb)', 'SETOF text', 'SELECT pg_catalog.jsonb_array_elements_text(a)'),
  ('jsonb_object_keys(a jsonb)', 'SETOF text', 'SELECT pg_catalog.jsonb_object_keys(a)'),
  ('jsonb_each_text(a jsonb, OUT key text, OUT value text)', 'SETOF record', 'SELECT * FROM pg_catalog.jsonb_each_text(a)'),
  ('jsonb_each(a jsonb, OUT key text, OUT value jsonb)', 'SETOF record', 'SELECT * FROM pg_catalog.jsonb_each(a)'),
  ('pg_partition_tree(a regclass, OUT relid regclass, OUT parentrelid regclass, OUT isleaf boolean, OUT level integer)',
   'SETOF record', 'SELECT * FROM pg_catalog.pg_partition_tree(a)'),
  ('aclexplode(a aclitem[], OUT grantor oid, OUT grantee oid, OUT privilege_type text, OUT is_grantable boolean)',
   'SETOF record', 'SELECT * FROM pg_catalog.aclexplode(a)');

DO $do$
DECLARE f record;
BEGIN
  FOR f IN SELECT * FROM planted_fns LOOP
    EXECUTE pg_catalog.format($f$CREATE FUNCTION public.%s RETURNS %s LANGUAGE plpgsql SET search_path = pg_catalog AS $b$
                      BEGIN PERFORM public.hijack_note(%L); RETURN %s; END $b$$f$,
                   f.sig, f.res, 'function ' || f.sig, CASE WHEN f.res = 'void' THEN '' ELSE f.body END);
    IF f.res = 'void' THEN
      EXECUTE pg_catalog.format($f$CREATE OR REPLACE FUNCTION public.%s RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $b$
                        BEGIN PERFORM public.hijack_note(%L); PERFORM %s; END $b$$f$,
                     f.sig, 'function ' || f.sig, f.body);
    END IF;
  END LOOP;
  FOR f IN SELECT * FROM planted_srfs LOOP
    EXECUTE pg_catalog.format($f$CREATE FUNCTION public.%s RETURNS %s LANGUAGE plpgsql SET search_path = pg_catalog AS $b$
                      BEGIN PERFORM public.hijack_note(%L); RETURN QUERY %s; END $b$$f$,
                   f.sig, f.res, 'function ' || f.sig, f.query);
  END LOOP;
END $do$;

-- Aggregates the extension's queries use unqualified.
CREATE FUNCTION public.hijack_count_step(s bigint) RETURNS bigint LANGUAGE plpgsql
  SET search_path = pg_catalog AS $$ BEGIN PERFORM public.hijack_note('aggregate count(*)'); RETURN s + 1; END $$;
CREATE AGGREGATE public.count(*) (SFUNC = public.hijack_count_step, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION public.hijack_count_any_step(s bigint, a anyelement) RETURNS bigint LANGUAGE plpgsql
  SET search_path = pg_catalog AS $$ BEGIN PERFORM public.hijack_note('aggregate count(anyelement)'); RETURN s + 1; END $$;
CREATE AGGREGATE public.count(anyelement) (SFUNC = public.hijack_count_any_step, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION public.hijack_string_agg_step(s text, a text, sep text) RETURNS text LANGUAGE plpgsql
  SET search_path = pg_catalog AS $$
BEGIN PERFORM public.hijack_note('aggregate string_agg(text, text)');
  RETURN CASE WHEN s IS NULL THEN a ELSE s || sep || a END; END $$;
CREATE AGGREGATE public.string_agg(text, text) (SFUNC = public.hijack_string_agg_step, STYPE = text);
CREATE FUNCTION public.hijack_array_agg_step(s anyarray, a anynonarray) RETURNS anyarray LANGUAGE plpgsql
  SET search_path = pg_catalog AS $$
BEGIN PERFORM public.hijack_note('aggregate array_agg(anynonarray)'); RETURN array_append(s, a); END $$;
CREATE AGGREGATE public.array_agg(anynonarray) (SFUNC = public.hijack_array_agg_step, STYPE = anyarray);
CREATE FUNCTION public.hijack_jsonb_agg_step(s jsonb, a anyelement) RETURNS jsonb LANGUAGE plpgsql
  SET search_path = pg_catalog AS $$
BEGIN PERFORM public.hijack_note('aggregate jsonb_agg(anyelement)');
  RETURN coalesce(s, '[]') || jsonb_build_array(a); END $$;
CREATE AGGREGATE public.jsonb_agg(anyelement) (SFUNC = public.hijack_jsonb_agg_step, STYPE = jsonb);
CREATE FUNCTION public.hijack_max_step(s bigint, a bigint) RETURNS bigint LANGUAGE plpgsql
  SET search_path = pg_catalog AS $$
BEGIN PERFORM public.hijack_note('aggregate max/min/sum(bigint)'); RETURN greatest(s, a); END $$;
CREATE AGGREGATE public.max(bigint) (SFUNC = public.hijack_max_step, STYPE = bigint);
CREATE AGGREGATE public.min(bigint) (SFUNC = public.hijack_max_step, STYPE = bigint);
CREATE AGGREGATE public.sum(bigint) (SFUNC = public.hijack_max_step, STYPE = bigint);
