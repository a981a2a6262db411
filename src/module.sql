-- pgdb_tools install script, assembled by the Makefile from the .sql files beside the C++ sources.
\echo Use "CREATE EXTENSION pgdb_tools" to load this file. \quit

CREATE FUNCTION version() RETURNS text
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
  AS 'MODULE_PATHNAME', 'pgdb_tools_version';
COMMENT ON FUNCTION version() IS 'The version of the pgdb_tools extension library';
