-- pgdb_tools 0.1.0 -> 0.2.0 (ALTER EXTENSION pgdb_tools UPDATE). test/e2e/upgrade.sh checks that
-- the result is the same, object for object, as a fresh install of 0.2.0.
\echo Use "ALTER EXTENSION pgdb_tools UPDATE" to load this file. \quit
