-- What new partitions carry (issue 14 item 7): storage parameters (heap and TOAST), tablespace
-- and replica identity from the set's template_table, or else from its newest partition; the
-- parent's tablespace and replica identity where the source has none; the parent's publications.
-- Integer sets, so nothing here depends on the date.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS props CASCADE;
DROP PUBLICATION IF EXISTS props_pub;
DROP TABLESPACE IF EXISTS props_space;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA props;
SET search_path = props, public;
-- an in-place tablespace (a directory inside the data directory), for tests
SET allow_in_place_tablespaces = true;
CREATE TABLESPACE props_space LOCATION '';
CREATE VIEW props.shown AS
  SELECT c.relname, c.reloptions, t.reloptions AS toast_options,
         coalesce(s.spcname, '(default)') AS tablespace, c.relreplident AS identity
    FROM pg_class c LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
    LEFT JOIN pg_tablespace s ON s.oid = c.reltablespace
   WHERE c.relnamespace = 'props'::regnamespace AND c.relkind = 'r'
   ORDER BY length(c.relname), c.relname;

-- the newest partition's settings go on: here the owner tuned p100 and made it REPLICA IDENTITY FULL
CREATE TABLE ev (id int NOT NULL, body text) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('ev', 'id', '100', premake => 1, start_at => '0',
                                     default_partition => false);
ALTER TABLE ev_p100 SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01,
                         toast.autovacuum_enabled = false);
ALTER TABLE ev_p100 REPLICA IDENTITY FULL;
INSERT INTO ev VALUES (150, 'x');
SELECT * FROM pgdb_tools.run_maintenance('ev');
SELECT * FROM props.shown WHERE relname LIKE 'ev%';

-- REPLICA IDENTITY USING INDEX: the new partition uses its own index of the same parent index
CREATE TABLE ri (id int NOT NULL, code text NOT NULL) PARTITION BY RANGE (id);
CREATE UNIQUE INDEX ri_code ON ri (code, id);
SELECT pgdb_tools.create_partitioned('ri', 'id', '100', premake => 1, start_at => '0',
                                     default_partition => false);
SELECT c.relname AS index_name FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
 WHERE h.inhparent = 'ri_code'::regclass ORDER BY 1;
DO $$BEGIN EXECUTE 'ALTER TABLE ri_p100 REPLICA IDENTITY USING INDEX '
  || (SELECT quote_ident(c.relname) FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
       JOIN pg_index x ON x.indexrelid = c.oid
      WHERE h.inhparent = 'ri_code'::regclass AND x.indrelid = 'ri_p100'::regclass); END$$;
INSERT INTO ri VALUES (150, 'a');
SELECT action, partition_name FROM pgdb_tools.run_maintenance('ri');
SELECT t.relname, t.relreplident, (SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                                   WHERE x.indrelid = t.oid AND x.indisreplident) AS identity_index
  FROM pg_class t WHERE t.relname LIKE 'ri_p%' AND t.relkind = 'r' ORDER BY t.relname;
-- a template's USING INDEX points at none of the parent's indexes: new partitions keep the default
CREATE TABLE ri_template (LIKE ri);
CREATE UNIQUE INDEX ri_template_code ON ri_template (code, id);
ALTER TABLE ri_template REPLICA IDENTITY USING INDEX ri_template_code;
SELECT pgdb_tools.update_partitioned('ri', template_table => 'ri_template');
INSERT INTO ri VALUES (250, 'b');
SELECT action, partition_name FROM pgdb_tools.run_maintenance('ri');
SELECT relname, relreplident FROM pg_class WHERE relname = 'ri_p300';
DROP TABLE ri, ri_template;

-- a template table instead: its settings and tablespace, whatever the newest partition has
CREATE TABLE ev_template (LIKE ev);
ALTER TABLE ev_template SET (fillfactor = 90, autovacuum_enabled = false) , SET TABLESPACE props_space;
ALTER TABLE ev_template REPLICA IDENTITY NOTHING;
SELECT pgdb_tools.update_partitioned('ev', template_table => 'ev_template');
SELECT template_table FROM pgdb_tools.partition_sets WHERE parent_name = 'ev';
SELECT pgdb_tools.update_partitioned('ev', template_table => 'ev_template');  -- unchanged
INSERT INTO ev VALUES (250, 'y');
SELECT * FROM pgdb_tools.run_maintenance('ev');
SELECT * FROM props.shown WHERE relname IN ('ev_p300', 'ev_p400');
-- a template that is not a plain table, or the parent itself, is refused
CREATE VIEW ev_view AS SELECT * FROM ev;
SELECT pgdb_tools.update_partitioned('ev', template_table => 'ev_view');
SELECT pgdb_tools.update_partitioned('ev', template_table => 'ev');
SELECT pgdb_tools.update_partitioned('ev', template_table => 'ev_p100');  -- a partition is a table
SELECT pgdb_tools.update_partitioned('ev', template_table => 'ev_template');
-- a dropped template stops creation with an error row that says what to do
DROP TABLE ev_template;
INSERT INTO ev VALUES (350, 'z');
SELECT parent, action, partition_name, regexp_replace(detail, 'OID [0-9]+', 'OID n') AS detail
  FROM pgdb_tools.run_maintenance('ev');
-- '-' clears it: the newest partition's settings again (ev_p300's, which came from the template)
SELECT pgdb_tools.update_partitioned('ev', template_table => '-');
SELECT template_table FROM pgdb_tools.partition_sets WHERE parent_name = 'ev';
SELECT * FROM pgdb_tools.run_maintenance('ev');
SELECT * FROM props.shown WHERE relname = 'ev_p400';

-- the parent's tablespace and replica identity, when the newest partition has neither, including
-- partitions built beside the set for rows that leave the default; and the parent's publication
CREATE TABLE logs (id int NOT NULL, body text) PARTITION BY RANGE (id) TABLESPACE props_space;
ALTER TABLE logs REPLICA IDENTITY FULL;
SELECT pgdb_tools.create_partitioned('logs', 'id', '100', premake => 0, start_at => '0');
SET client_min_messages = error;  -- wal_level is not logical in tests
CREATE PUBLICATION props_pub FOR TABLE logs;
RESET client_min_messages;
INSERT INTO logs VALUES (50, 'a'), (150, 'b'), (250, 'c');
SELECT * FROM pgdb_tools.run_maintenance('logs');
SELECT * FROM props.shown WHERE relname LIKE 'logs%';
SELECT tablename FROM pg_publication_tables WHERE pubname = 'props_pub' ORDER BY tablename;
SELECT count(*) AS rows_kept FROM logs;

-- create_partitioned takes the template too (twelfth argument)
CREATE TABLE metrics_template (id int);
ALTER TABLE metrics_template SET (autovacuum_enabled = false);
CREATE TABLE metrics (id int NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('metrics', 'id', '100', premake => 1, start_at => '0',
                                     template_table => 'metrics_template');
SELECT * FROM props.shown WHERE relname LIKE 'metrics%' AND relname <> 'metrics_template';
-- the same call again is a no-op; another template is other settings
SELECT pgdb_tools.create_partitioned('metrics', 'id', '100', premake => 1, start_at => '0',
                                     template_table => 'metrics_template');
SELECT pgdb_tools.create_partitioned('metrics', 'id', '100', premake => 1, start_at => '0');

SET client_min_messages = warning;
DROP PUBLICATION props_pub;
DROP SCHEMA props CASCADE;
DROP TABLESPACE props_space;
RESET client_min_messages;
RESET search_path;
