\echo Use "CREATE EXTENSION pgdb_bench_floor" to load this file. \quit
CREATE FUNCTION bench_empty_trigger() RETURNS trigger
  LANGUAGE C AS 'MODULE_PATHNAME', 'bench_empty_trigger';
