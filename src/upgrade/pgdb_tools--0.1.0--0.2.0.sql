-- pgdb_tools 0.1.0 -> 0.2.0 (ALTER EXTENSION pgdb_tools UPDATE). test/e2e/upgrade.sh checks that
-- the result is the same, object for object, as a fresh install of 0.2.0.
\echo Use "ALTER EXTENSION pgdb_tools UPDATE" to load this file. \quit

-- Triggers: the kind functions are one C entry point (the caller's search_path only for the
-- condition and the names given).
CREATE OR REPLACE FUNCTION protect(tbl regclass, operations text[] DEFAULT '{UPDATE,DELETE}',
                        message text DEFAULT NULL, condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION updated_at(tbl regclass, column_name text DEFAULT 'updated_at',
                           on_insert boolean DEFAULT false, condition text DEFAULT NULL,
                           name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION read_only(tbl regclass, columns text[] DEFAULT NULL,
                          except_columns text[] DEFAULT NULL, condition text DEFAULT NULL,
                          name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION soft_delete(tbl regclass, column_name text, value text DEFAULT NULL,
                            condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION fsm(tbl regclass, column_name text, transitions jsonb,
                    condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION row_version(tbl regclass, column_name text DEFAULT 'version',
                            check_stale boolean DEFAULT true, condition text DEFAULT NULL,
                            name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION search_vector(tbl regclass, column_name text, columns jsonb,
                              config regconfig DEFAULT 'simple', condition text DEFAULT NULL,
                              name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

CREATE OR REPLACE FUNCTION manage_trigger(tbl regclass, function regprocedure, timing text DEFAULT 'AFTER',
                               events text[] DEFAULT '{INSERT,UPDATE,DELETE}',
                               level text DEFAULT 'ROW', args text[] DEFAULT '{}',
                               condition text DEFAULT NULL, name text DEFAULT NULL)
  RETURNS text LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'pgdb_tools_kind_function';

