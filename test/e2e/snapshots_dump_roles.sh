# Snapshots restored from a dump into another cluster, where the creator's old OID now belongs
# to another role: that role must not become the snapshot's creator (see it, drop it, read the
# sequence values only the creator sees). The creator is recorded by name, OID and cluster: in
# another cluster the role of the recorded name is the creator (as pg_dump binds owners by name).
# A second throwaway cluster (port PGPORT+21) is made with pg_resetwal -o so that the next role
# created there gets the old OID.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
src=${PGDATABASE}_roles_src
port2=$((PGPORT + 21))
dir2=/tmp/pgdb_dump_roles_$PGPORT
dump=$dir2.sql
cleanup() {
  [ -f "$dir2/data/postmaster.pid" ] && as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$dir2" "$dump"
  dropdb --if-exists "$src" >/dev/null 2>&1 || true
  psql -X -q -c "DROP ROLE IF EXISTS dump_roles_alice" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
createdb "$src"

psql -X -q -v ON_ERROR_STOP=1 -d "$src" <<'SQL'
CREATE EXTENSION pgdb_tools;
CREATE ROLE dump_roles_alice;
GRANT USAGE ON SCHEMA pgdb_tools TO dump_roles_alice;
CREATE TABLE dump_roles_t (id serial PRIMARY KEY, v text);
ALTER TABLE dump_roles_t OWNER TO dump_roles_alice;
SET ROLE dump_roles_alice;
INSERT INTO dump_roles_t (v) SELECT 'row ' || g FROM generate_series(1, 5) g;
SELECT pgdb_tools.snapshot_create('alice_snap', ARRAY['dump_roles_t']::regclass[]);
RESET ROLE;
SQL
alice_oid=$(psql -X -At -d "$src" -c "SELECT oid FROM pg_roles WHERE rolname = 'dump_roles_alice'")
echo "dump_roles_alice has OID $alice_oid in the source cluster"
pg_dump -d "$src" -f "$dump"
chmod a+r "$dump"

# The other cluster: the next OID it hands out is alice's old one.
mkdir -p "$dir2"
[ "$(id -u)" = 0 ] && chown postgres "$dir2"
as_owner "$PGBIN/initdb" -D "$dir2/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
as_owner "$PGBIN/pg_resetwal" -o "$alice_oid" "$dir2/data" >/dev/null
as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -l "$dir2/server.log" -w -t 60 \
  -o "-p $port2 -k $dir2 -c listen_addresses='' -c fsync=off" start >/dev/null
q2() { psql -X -At -v ON_ERROR_STOP=1 -h "$dir2" -p "$port2" -U postgres "$@"; }
q2 -d postgres -c "CREATE ROLE dump_roles_mallory" >/dev/null
mallory_oid=$(q2 -d postgres -c "SELECT oid FROM pg_roles WHERE rolname = 'dump_roles_mallory'")
[ "$mallory_oid" = "$alice_oid" ] || fail "could not give dump_roles_mallory the old OID ($mallory_oid, not $alice_oid)"
q2 -d postgres -c "CREATE ROLE dump_roles_alice" -c "CREATE DATABASE restored" >/dev/null
q2 -d restored -q -f "$dump" >/dev/null 2>"$dir2/restore.err" || { cat "$dir2/restore.err"; fail "restore"; }
q2 -d restored -c "GRANT USAGE ON SCHEMA pgdb_tools TO dump_roles_mallory, dump_roles_alice" >/dev/null

# Each call's outcome as one line, run as role $1 (test/e2e/snapshots_outcomes.sql).
calls() {
  q2 -q -d restored -c "SET client_min_messages = warning" -c "SET ROLE $1" \
    -f "$REPO/test/e2e/snapshots_outcomes.sql" -c "SELECT pg_temp.outcomes(ARRAY[$2])"
}

# The role holding the old OID: the snapshot does not exist for it.
out=$(calls dump_roles_mallory "'SELECT count(*) FROM pgdb_tools.snapshots',
  'SELECT pgdb_tools.snapshot_drop(''alice_snap'')',
  'SELECT count(*) FROM pgdb_tools.snapshot_tables(''alice_snap'')',
  'SELECT count(*) FROM pgdb_tools.snapshot_verify(''alice_snap'')',
  'SELECT count(*) FROM pgdb_tools.snapshot_restore(''alice_snap'', target_schema => ''loot'')'")
echo "$out"
expected='0
false
42704 snapshot "alice_snap" does not exist
42704 snapshot "alice_snap" does not exist
42704 snapshot "alice_snap" does not exist'
[ "$out" = "$expected" ] || fail "the role holding the old OID got at the snapshot"

# The role of the recorded name is the creator there: she sees it (with the sequence value),
# verifies, restores and drops it.
q2 -d restored -c "DELETE FROM dump_roles_t WHERE id > 2" >/dev/null
out=$(calls dump_roles_alice "'SELECT string_agg(name || '' by '' || created_by, '','') FROM pgdb_tools.snapshots',
  'SELECT string_agg(source || '' '' || rows, '','') FROM pgdb_tools.snapshot_tables(''alice_snap'')',
  'SELECT string_agg(definition -> ''sequences'' -> 0 ->> ''recorded'', '','') FROM pgdb_tools._snapshot_contents',
  'SELECT string_agg(source || '' '' || ok, '','') FROM pgdb_tools.snapshot_verify(''alice_snap'')',
  'SELECT string_agg(source || '' '' || rows || '' '' || removed || '' '' || reinstated, '','') FROM pgdb_tools.snapshot_restore(''alice_snap'')',
  'SELECT count(*) FROM dump_roles_t'")
echo "$out"
expected='alice_snap by dump_roles_alice
public.dump_roles_t 5
true
public.dump_roles_t true
public.dump_roles_t 5 0 3
5'
[ "$out" = "$expected" ] || fail "the role of the recorded name"

# The calls that write bound the snapshot to her OID in this cluster: from now on a rename keeps
# it hers (the recorded name follows), and a role taking her old name gets nothing.
bound=$(q2 -d restored -c "SELECT created_by_oid = 'dump_roles_alice'::regrole::oid AND created_on = pgdb_tools._system_identifier() FROM pgdb_tools.snapshot_catalog")
[ "$bound" = t ] || fail "the snapshot was not bound to the role's OID in this cluster ($bound)"
q2 -d restored -c "ALTER ROLE dump_roles_alice RENAME TO dump_roles_alice_new" -c "CREATE ROLE dump_roles_alice" \
  -c "GRANT USAGE ON SCHEMA pgdb_tools TO dump_roles_alice" >/dev/null
out=$(calls dump_roles_alice "'SELECT count(*) FROM pgdb_tools.snapshots',
  'SELECT pgdb_tools.snapshot_drop(''alice_snap'')',
  'SELECT pgdb_tools.snapshot_create(''alice_snap'', ARRAY[''pg_temp.nothing'']::regclass[])'")
echo "$out"
expected='0
false
42P01 relation "pg_temp.nothing" does not exist'
[ "$out" = "$expected" ] || fail "a new role of the old name got at the snapshot"
out=$(calls dump_roles_alice_new "'SELECT string_agg(name || '' by '' || created_by, '','') FROM pgdb_tools.snapshots',
  'SELECT string_agg(definition -> ''sequences'' -> 0 ->> ''recorded'', '','') FROM pgdb_tools._snapshot_contents',
  'SELECT pgdb_tools.snapshot_drop(''alice_snap'')',
  'SELECT count(*) FROM pgdb_tools.snapshots'")
echo "$out"
expected='alice_snap by dump_roles_alice_new
true
true
0'
[ "$out" = "$expected" ] || fail "the renamed creator"

# Within one cluster, a dropped creator's snapshot belongs to nobody, also when its OID is handed
# out again (pg_resetwal -o here; OID wraparound in life) once a call that writes has run since the
# drop.
q2 -d restored -c "CREATE ROLE dump_roles_dave" -c "GRANT USAGE ON SCHEMA pgdb_tools TO dump_roles_dave" \
  -c "GRANT SELECT ON dump_roles_t TO dump_roles_dave" >/dev/null
calls dump_roles_dave "'SELECT pgdb_tools.snapshot_create(''dave_snap'', ARRAY[''dump_roles_t'']::regclass[]) > 0'" >/dev/null
dave_oid=$(q2 -d postgres -c "SELECT oid FROM pg_roles WHERE rolname = 'dump_roles_dave'")
q2 -d restored -c "REVOKE ALL ON SCHEMA pgdb_tools FROM dump_roles_dave" -c "REVOKE ALL ON dump_roles_t FROM dump_roles_dave" \
  -c "DROP OWNED BY dump_roles_dave" -c "DROP ROLE dump_roles_dave" -c "SELECT pgdb_tools.snapshot_drop('no_such_snapshot')" >/dev/null
# A dead pg_authid row still holds its OID until vacuumed.
q2 -d postgres -c "VACUUM pg_catalog.pg_authid" >/dev/null
as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -m fast -w stop >/dev/null
as_owner "$PGBIN/pg_resetwal" -o "$dave_oid" "$dir2/data" >/dev/null
as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -l "$dir2/server.log" -w -t 60 \
  -o "-p $port2 -k $dir2 -c listen_addresses='' -c fsync=off" start >/dev/null
q2 -d postgres -c "CREATE ROLE dump_roles_erin" >/dev/null
erin_oid=$(q2 -d postgres -c "SELECT oid FROM pg_roles WHERE rolname = 'dump_roles_erin'")
[ "$erin_oid" = "$dave_oid" ] || fail "could not give dump_roles_erin dave's old OID ($erin_oid, not $dave_oid)"
q2 -d restored -c "GRANT USAGE ON SCHEMA pgdb_tools TO dump_roles_erin" >/dev/null
out=$(calls dump_roles_erin "'SELECT count(*) FROM pgdb_tools.snapshots',
  'SELECT pgdb_tools.snapshot_drop(''dave_snap'')',
  'SELECT count(*) FROM pgdb_tools.snapshot_tables(''dave_snap'')'")
echo "$out"
expected='0
false
42704 snapshot "dave_snap" does not exist'
[ "$out" = "$expected" ] || fail "the role holding a dropped creator's OID got at its snapshot"
nobody=$(q2 -d restored -c "SELECT created_by || ' ' || created_by_oid FROM pgdb_tools.snapshot_catalog WHERE name = 'dave_snap'")
[ "$nobody" = "dump_roles_dave 0" ] || fail "the dropped creator's snapshot is not nobody's ($nobody)"
echo "ok"
