# pg_dump keeps in-database snapshots: the catalog is registered with pg_extension_config_dump and
# the copies are ordinary tables in the extension's schema, so a dump restored into a new database
# has the same snapshots, they verify (also with enum columns and reg* columns, whose OIDs the
# restore renumbers), restore, and new snapshot ids do not collide.
set -eu
src=$PGDATABASE
dst=${PGDATABASE}_dump_copy
cleanup() {
  dropdb --if-exists "$dst" >/dev/null 2>&1 || true
  psql -X -q -d "$src" -c "DROP TABLE IF EXISTS dumped" -c "DROP TYPE IF EXISTS dumped_state" \
    -c "DROP SCHEMA IF EXISTS dumped_ns CASCADE" \
    -c "DROP EXTENSION IF EXISTS pgdb_tools CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$src" <<'SQL'
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
CREATE EXTENSION pgdb_tools;
DROP TABLE IF EXISTS dumped;
DROP TYPE IF EXISTS dumped_state;
DROP SCHEMA IF EXISTS dumped_ns CASCADE;
-- an enum: its values are OIDs, which the restore renumbers; the hash must not change
CREATE TYPE dumped_state AS ENUM ('new', 'done');
-- reg* values are OIDs too (of a table, a type, a function, an operator, a schema, a text
-- search configuration ... created here): hashed by their text, they verify after the restore
CREATE SCHEMA dumped_ns;
CREATE FUNCTION dumped_ns.plus(a integer, b integer) RETURNS integer LANGUAGE sql AS 'SELECT a + b';
CREATE OPERATOR dumped_ns.### (LEFTARG = integer, RIGHTARG = integer, FUNCTION = dumped_ns.plus);
CREATE TEXT SEARCH CONFIGURATION dumped_ns.cfg (COPY = pg_catalog.simple);
CREATE TABLE dumped (id integer PRIMARY KEY, v text, state dumped_state, states dumped_state[],
                     tbl regclass, typ regtype, fn regproc, fns regprocedure, op regoper,
                     ops regoperator, cfg regconfig, dict regdictionary, ns regnamespace,
                     who regrole, coll regcollation, tbls regclass[]);
CREATE TABLE dumped_ns.target (id integer);
INSERT INTO dumped SELECT g, md5(g::text), 'done', '{new,done}',
       'dumped_ns.target', 'dumped_state', 'dumped_ns.plus', 'dumped_ns.plus(integer, integer)',
       'dumped_ns.###', 'dumped_ns.###(integer, integer)', 'dumped_ns.cfg', 'simple',
       'dumped_ns', 'postgres', '"C"', ARRAY['dumped_ns.target', 'dumped']::regclass[]
  FROM generate_series(1, 1000) g;
SELECT pgdb_tools.snapshot_create('before_dump', ARRAY['dumped']::regclass[], tags => ARRAY['keep']);
SQL
dropdb --if-exists "$dst"
createdb "$dst"
pg_dump -d "$src" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -c "DELETE FROM dumped WHERE id > 10" >/dev/null
out=$(psql -X -At -v ON_ERROR_STOP=1 -d "$dst" <<'SQL'
SELECT name || ' ' || tags::text || ' ' || total_rows FROM pgdb_tools.snapshots;
SELECT source || ' ' || ok || ' ' || detail FROM pgdb_tools.snapshot_verify('before_dump');
SELECT source || ' ' || rows FROM pgdb_tools.snapshot_restore('before_dump');
SELECT count(*) FROM dumped;
SELECT pgdb_tools.snapshot_create('after_dump', ARRAY['dumped']::regclass[]);
SQL
)
echo "$out"
expected="before_dump {keep} 1000
public.dumped true rows and content hash match
public.dumped 1000
1000
2"
[ "$out" = "$expected" ]
