-- Partition management: the sets pgdb_tools maintains, their run history, and the functions.

CREATE TABLE partition_sets (
  parent_schema name NOT NULL,
  parent_name name NOT NULL,
  control name NOT NULL,
  partition_interval text NOT NULL,
  premake integer NOT NULL CHECK (premake >= 0),
  start_at text NOT NULL,
  retention text,
  retention_mode text NOT NULL CHECK (retention_mode IN ('drop', 'detach', 'archive')),
  archive_schema name,
  default_partition boolean NOT NULL,
  time_zone text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (parent_schema, parent_name)
);
COMMENT ON TABLE partition_sets IS 'Partition sets pgdb_tools maintains';
SELECT pg_catalog.pg_extension_config_dump('partition_sets', '');
REVOKE ALL ON partition_sets FROM PUBLIC;
GRANT SELECT ON partition_sets TO PUBLIC;

CREATE TABLE partition_runs (
  run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_schema name NOT NULL,
  parent_name name NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  actions integer NOT NULL,
  error text
);
COMMENT ON TABLE partition_runs IS 'One row per maintenance pass of a partition set';
REVOKE ALL ON partition_runs FROM PUBLIC;
GRANT SELECT ON partition_runs TO PUBLIC;

CREATE FUNCTION create_partitioned(parent regclass, control text, partition_interval text,
                                   premake integer DEFAULT 4, start_at text DEFAULT NULL,
                                   retention text DEFAULT NULL, retention_mode text DEFAULT 'drop',
                                   archive_schema name DEFAULT NULL,
                                   default_partition boolean DEFAULT true,
                                   time_zone text DEFAULT 'UTC')
  RETURNS integer LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_create_partitioned';
COMMENT ON FUNCTION create_partitioned(regclass, text, text, integer, text, text, text, name, boolean, text) IS
  'Registers a range partition set and creates its partitions; returns how many were created';

CREATE FUNCTION run_maintenance(parent regclass DEFAULT NULL, dry_run boolean DEFAULT false)
  RETURNS TABLE(parent regclass, action text, partition_name text, detail text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_run_maintenance';
COMMENT ON FUNCTION run_maintenance(regclass, boolean) IS
  'Creates missing partitions, applies retention and empties the default, per set; errors become rows';

CREATE FUNCTION update_partitioned(parent regclass, premake integer DEFAULT NULL,
                                   retention text DEFAULT NULL, retention_mode text DEFAULT NULL,
                                   archive_schema name DEFAULT NULL)
  RETURNS boolean LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_update_partitioned';
COMMENT ON FUNCTION update_partitioned(regclass, integer, text, text, name) IS
  'Changes the given settings of a partition set; retention => ''none'' clears retention';

CREATE FUNCTION forget_partitioned(parent regclass) RETURNS boolean
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_forget_partitioned';
COMMENT ON FUNCTION forget_partitioned(regclass) IS 'Stops managing the set; its partitions stay';

CREATE FUNCTION _partition_lower_key(partition oid) RETURNS bigint
  LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'pgdb_tools_partition_lower_key';

CREATE FUNCTION partitions(parent regclass)
  RETURNS TABLE(partition regclass, lower_bound text, upper_bound text, is_default boolean,
                est_rows bigint, bytes bigint)
  LANGUAGE sql STABLE AS $$
  SELECT c.oid::pg_catalog.regclass,
         pg_catalog.btrim((pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                  'FROM \((.*)\) TO \((.*)\)'))[1], ''''),
         pg_catalog.btrim((pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                  'FROM \((.*)\) TO \((.*)\)'))[2], ''''),
         pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
         GREATEST(c.reltuples, 0)::bigint,
         pg_catalog.pg_total_relation_size(c.oid)
    FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = parent
   ORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
            pgdb_tools._partition_lower_key(c.oid) NULLS FIRST
$$;
COMMENT ON FUNCTION partitions(regclass) IS 'The partitions of a set in bound order, the default last';
