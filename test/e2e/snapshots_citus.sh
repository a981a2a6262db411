# On Citus, the coordinator's table of a distributed, reference or Citus-local table is an empty
# shell (the rows live in shards): snapshot_create, snapshot_restore (in place and into another
# schema), snapshot_diff and snapshot_verify refuse such tables with 0A000 and a HINT, instead of
# storing 0 rows that verify as ok or truncating the shards and reloading nothing. Plain tables
# still work with Citus installed.
# Runs its own single-node Citus cluster (port PGPORT+20, under /tmp), with Citus 13.2.2 from
# ../shared/citus installed into the PostgreSQL tree of $PGBIN when missing. Skipped (exit 0) when
# that folder is absent.
# Citus 13.2.2 here is built for PostgreSQL 15 only: on another version the script is skipped.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
if [ "${PG_MAJOR:-15}" != 15 ]; then
  echo "SKIPPED: the Citus package in ../shared/citus is built for PostgreSQL 15 only (this is PostgreSQL $PG_MAJOR)"
  exit 0
fi
as_owner() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

citus_dir=""
for d in "$REPO/../shared/citus" "$REPO/../../shared/citus"; do
  [ -f "$d/citus-13.2.2-pg15-amd64.tar.gz" ] && { citus_dir=$(cd "$d" && pwd); break; }
done
if [ -z "$citus_dir" ]; then
  echo "SKIPPED: no Citus package in ../shared/citus (relative to $REPO)"
  exit 0
fi

# Install Citus into the PostgreSQL tree these tests run against: the system one through its
# installer, a private copy (PGDB_INSTALL_ROOT) by unpacking the binary tarball's usr/ into it.
root=$(cd "$PGBIN/../../../../.." && pwd)
pkglib=$(cd "$PGBIN/../lib" && pwd)
share=$root/usr/share/postgresql/15
if [ ! -f "$pkglib/citus.so" ] || [ ! -f "$share/extension/citus.control" ]; then
  if [ "$root" = / ]; then
    if [ "$(id -u)" = 0 ]; then "$citus_dir/install.sh"; else sudo "$citus_dir/install.sh"; fi
  else
    tar -xzf "$citus_dir/citus-13.2.2-pg15-amd64.tar.gz" -C "$root" --no-same-owner usr/
    chmod -R a+rX "$root/usr"
  fi
fi
if ldd "$pkglib/citus.so" | grep -q "not found"; then
  ldd "$pkglib/citus.so" | grep "not found"
  fail "citus.so misses libraries (run $citus_dir/install.sh as root)"
fi

port=$((PGPORT + 20))
dir=/tmp/pgdb_citus_$PGPORT
cleanup() {
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT
cleanup
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses='' -c fsync=off -c shared_preload_libraries=citus" start >/dev/null ||
  { cat "$dir/server.log"; fail "the Citus cluster did not start"; }
c() { timeout 60 psql -X -At -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"; }

c <<SQL
SET client_min_messages = error;
CREATE EXTENSION citus;
-- a single node: the coordinator holds the shards
SELECT citus_set_coordinator_host('$dir', $port);
SELECT citus_set_node_property('$dir', $port, 'shouldhaveshards', true);
CREATE EXTENSION pgdb_tools;
CREATE TABLE t_dist (id integer PRIMARY KEY, v text);
CREATE TABLE t_ref (id integer PRIMARY KEY, v text);
CREATE TABLE t_local (id integer PRIMARY KEY, v text);
CREATE TABLE t_plain (id integer PRIMARY KEY, v text);
INSERT INTO t_dist SELECT g, 'd' || g FROM generate_series(1, 20) g;
INSERT INTO t_ref SELECT g, 'r' || g FROM generate_series(1, 5) g;
INSERT INTO t_local SELECT g, 'l' || g FROM generate_series(1, 7) g;
INSERT INTO t_plain SELECT g, 'p' || g FROM generate_series(1, 3) g;
-- taken while the tables were still plain PostgreSQL tables
SELECT pgdb_tools.snapshot_create('before', ARRAY['t_dist', 't_ref', 't_local']::regclass[]) > 0;
SELECT create_distributed_table('t_dist', 'id');
SELECT create_reference_table('t_ref');
SELECT citus_add_local_table_to_metadata('t_local');
SELECT truncate_local_data_after_distributing_table('t_dist');
SELECT truncate_local_data_after_distributing_table('t_ref');
SQL

# Each call's outcome on one line (test/e2e/snapshots_outcomes.sql).
out=$(c -f "$REPO/test/e2e/snapshots_outcomes.sql" -f - <<'SQL'
SET client_min_messages = error;
SELECT pg_temp.outcomes(ARRAY[
  'SELECT pgdb_tools.snapshot_create(''x'', ARRAY[''t_dist'']::regclass[])::text',
  'SELECT pgdb_tools.snapshot_create(''x'', ARRAY[''t_ref'']::regclass[])::text',
  'SELECT pgdb_tools.snapshot_create(''x'', ARRAY[''t_local'']::regclass[])::text',
  'SELECT pgdb_tools.snapshot_create(''x'', schemas => ''{public}'')::text',
  'SELECT count(*)::text FROM pgdb_tools.snapshot_restore(''before'')',
  'SELECT count(*)::text FROM pgdb_tools.snapshot_restore(''before'', ARRAY[''t_local'']::regclass[])',
  'SELECT count(*)::text FROM pgdb_tools.snapshot_restore(''before'', target_schema => ''copy'')',
  'SELECT count(*)::text FROM pgdb_tools.snapshot_diff(''before'', ''t_dist'')',
  'SELECT count(*)::text FROM pgdb_tools.snapshot_diff(''before'', ''t_ref'')',
  'SELECT count(*)::text FROM pgdb_tools.snapshot_diff(''before'', ''t_local'')',
  'SELECT count(*)::text FROM pgdb_tools.snapshot_verify(''before'')',
  -- plain tables are not affected by Citus being installed
  'SELECT (pgdb_tools.snapshot_create(''plain'', ARRAY[''t_plain'']::regclass[]) > 0)::text',
  'SELECT string_agg(source || '' '' || rows || '' '' || ok, '','') FROM pgdb_tools.snapshot_verify(''plain'')',
  'SELECT string_agg(source || '' '' || rows, '','') FROM pgdb_tools.snapshot_restore(''plain'')',
  'SELECT (SELECT count(*) FROM t_dist) || '' '' || (SELECT count(*) FROM t_ref) || '' '' || (SELECT count(*) FROM t_local)']);
SQL
)
echo "$out"
expected='0A000 cannot snapshot public.t_dist: it is a Citus distributed table
0A000 cannot snapshot public.t_ref: it is a Citus reference table
0A000 cannot snapshot public.t_local: it is a Citus local table
0A000 cannot snapshot public.t_dist: it is a Citus distributed table
0A000 cannot restore public.t_dist: it is a Citus distributed table
0A000 cannot restore public.t_local: it is a Citus local table
0A000 cannot restore public.t_dist: it is a Citus distributed table
0A000 cannot compare public.t_dist: it is a Citus distributed table
0A000 cannot compare public.t_ref: it is a Citus reference table
0A000 cannot compare public.t_local: it is a Citus local table
0A000 cannot verify the snapshot of public.t_dist: it is a Citus distributed table
true
public.t_plain 3 true
public.t_plain 3
20 5 7'
[ "$out" = "$expected" ] || fail "unexpected outcomes"
# the HINT is there too
hint=$(c -c "\\set VERBOSITY verbose" -c "SELECT pgdb_tools.snapshot_create('x', ARRAY['t_ref']::regclass[])" 2>&1 || true)
echo "$hint"
grep -q "HINT:  Copy its rows into a local table first" <<<"$hint" || fail "no HINT"
echo ok
