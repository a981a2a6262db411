# pg_dump keeps in-database snapshots: the catalog is registered with pg_extension_config_dump and
# the copies are ordinary tables in the extension's schema, so a dump restored into a new database
# has the same snapshots, they verify (also with enum columns, whose OIDs the restore renumbers),
# restore, and new snapshot ids do not collide.
set -eu
src=$PGDATABASE
dst=${PGDATABASE}_dump_copy
cleanup() {
  dropdb --if-exists "$dst" >/dev/null 2>&1 || true
  psql -X -q -d "$src" -c "DROP TABLE IF EXISTS dumped" -c "DROP TYPE IF EXISTS dumped_state" \
    -c "DROP EXTENSION IF EXISTS pgdb_tools CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$src" <<'SQL'
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
CREATE EXTENSION pgdb_tools;
DROP TABLE IF EXISTS dumped;
DROP TYPE IF EXISTS dumped_state;
-- an enum: its values are OIDs, which the restore renumbers; the hash must not change
CREATE TYPE dumped_state AS ENUM ('new', 'done');
CREATE TABLE dumped (id integer PRIMARY KEY, v text, state dumped_state, states dumped_state[]);
INSERT INTO dumped SELECT g, md5(g::text), 'done', '{new,done}' FROM generate_series(1, 1000) g;
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
