-- The extension installs into its own schema, reports its version, and DROP EXTENSION removes
-- everything it created.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;

SELECT e.name, e.default_version, v.version, v.schema, v.relocatable, v.superuser, v.requires
  FROM pg_available_extensions e JOIN pg_available_extension_versions v USING (name)
 WHERE e.name = 'pgdb_tools' ORDER BY v.version;
-- Every earlier release upgrades to the current one (test/e2e/upgrade.sh runs the upgrades).
SELECT source, target, path FROM pg_extension_update_paths('pgdb_tools')
 WHERE target = (SELECT default_version FROM pg_available_extensions WHERE name = 'pgdb_tools')
 ORDER BY source;

CREATE EXTENSION pgdb_tools;
SELECT pgdb_tools.version();
SELECT extversion = pgdb_tools.version() AS version_matches_catalog
  FROM pg_extension WHERE extname = 'pgdb_tools';

-- Everything lives in schema pgdb_tools.
SELECT n.nspname AS extension_schema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgdb_tools';

-- Not relocatable.
ALTER EXTENSION pgdb_tools SET SCHEMA public;

-- Creating it twice is refused; IF NOT EXISTS is a no-op.
CREATE EXTENSION pgdb_tools;
CREATE EXTENSION IF NOT EXISTS pgdb_tools;

-- Every object of the schema is a member of the extension, so DROP EXTENSION leaves nothing.
SELECT count(*) AS objects_not_in_extension
  FROM pg_proc p
 WHERE p.pronamespace = 'pgdb_tools'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e');
DROP EXTENSION pgdb_tools;
SELECT count(*) AS functions_left FROM pg_proc WHERE probin LIKE '%pgdb_tools%';
SELECT pgdb_tools.version();
-- CREATE EXTENSION itself (not the install script) created the schema named in the control file,
-- so, as for every extension with a fixed schema, PostgreSQL leaves it behind: empty, which DROP
-- SCHEMA without CASCADE proves.
DROP SCHEMA pgdb_tools;

-- And it comes back cleanly.
CREATE EXTENSION pgdb_tools;
SELECT pgdb_tools.version();
DROP EXTENSION pgdb_tools;
