-- Test-only functions that prove the C++/PostgreSQL boundary (docs/boundary.md): the extension
-- pgdb_tools_selftest, installed by the test harness only, in schema pgdb_tools beside what it
-- tests. Not part of the API: superusers only.
\echo Use "CREATE EXTENSION pgdb_tools_selftest" to load this file. \quit

CREATE FUNCTION _selftest_throw(kind text, sqlstate text DEFAULT 'XX000',
                                message text DEFAULT 'selftest', detail text DEFAULT NULL,
                                hint text DEFAULT NULL) RETURNS void
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_throw';

CREATE FUNCTION _selftest_run_with_objects(sql text) RETURNS bigint
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_run_with_objects';

CREATE FUNCTION _selftest_live_objects() RETURNS bigint
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_live_objects';

CREATE FUNCTION _selftest_catch_pg_error(sql text) RETURNS text
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_catch_pg_error';

CREATE FUNCTION _selftest_spin(seconds float8) RETURNS bigint
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_spin';

CREATE FUNCTION _selftest_xact_note(note text) RETURNS void
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_xact_note';

CREATE FUNCTION _selftest_xact_notes() RETURNS text[]
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_xact_notes';

CREATE FUNCTION _selftest_quote_ident(ident text) RETURNS text
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_quote_ident';

CREATE FUNCTION _selftest_quote_literal(value text) RETURNS text
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_quote_literal';

CREATE FUNCTION _selftest_spi_roundtrip(t text, n bigint, b boolean) RETURNS text
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_spi_roundtrip';

CREATE FUNCTION _selftest_noop_trigger() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_noop_trigger';

CREATE FUNCTION _selftest_isolated_errors(sqls text[]) RETURNS text
  LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_isolated_errors';

CREATE FUNCTION _selftest_cpp_error_with_spi() RETURNS text
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_selftest_cpp_error_with_spi';

-- EXECUTE for superusers only. Every name and operator is qualified so nothing a caller planted
-- can be picked up.
DO $$
DECLARE f pg_catalog.regprocedure;
BEGIN
  FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
           WHERE p.pronamespace OPERATOR(pg_catalog.=) 'pgdb_tools'::pg_catalog.regnamespace
             AND p.proname OPERATOR(pg_catalog.~~) '\_selftest\_%'::pg_catalog.text
  LOOP
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END $$;
