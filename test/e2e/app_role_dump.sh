# pg_dump and pg_restore as the application's role: a LOGIN role that owns its database and its
# tables and is not a superuser, in a database where a superuser created the extension, using all
# three features. Its `pg_dump -Fc` succeeds; the archive restores, as that role, into a fresh
# database where a superuser created the extension first (pg_restore --no-owner with a list that
# leaves out the two entries of the extension itself and the snapshots: docs/snapshots.md,
# "pg_dump and pg_restore"); there the triggers fire and the partition set is maintained, and the
# role cannot load rows into the snapshot catalog. Restored by a superuser, the same archive
# brings the role's snapshot too, which verifies and restores. A superuser's snapshot of a table
# the role cannot read makes the plain dump fail as any unreadable table does; the documented
# exclusions leave it out and its data is nowhere in the archive.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
app=app_dump_owner
src=${PGDATABASE}_app_dump_src
dst=${PGDATABASE}_app_dump_dst
work=
cleanup() {
  dropdb --if-exists "$src" >/dev/null 2>&1 || true
  dropdb --if-exists "$dst" >/dev/null 2>&1 || true
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS $app" >/dev/null 2>&1 || true
  if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
cleanup
work=$(mktemp -d)
chmod 777 "$work"
su_sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
app_sql() { psql -X -q -v ON_ERROR_STOP=1 -U "$app" "$@"; }
app_at() { psql -X -q -At -v ON_ERROR_STOP=1 -U "$app" "$@"; }

su_sql -d postgres -c "CREATE ROLE $app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
createdb -O "$app" "$src"
su_sql -d "$src" -c "CREATE EXTENSION pgdb_tools"

app_sql -d "$src" <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE orders (id serial PRIMARY KEY, state text NOT NULL DEFAULT 'new', note text,
                     updated_at timestamptz, version integer NOT NULL DEFAULT 1);
SELECT pgdb_tools.protect('orders', ARRAY['DELETE']);
SELECT pgdb_tools.updated_at('orders');
SELECT pgdb_tools.row_version('orders', check_stale => false);
SELECT pgdb_tools.fsm('orders', 'state', '{"new":["paid"],"paid":["shipped"]}');
INSERT INTO orders (note) SELECT 'order ' || g FROM generate_series(1, 20) g;
CREATE TABLE events (at timestamptz NOT NULL, payload text) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('events', 'at', '1 day', premake => 2);
INSERT INTO events VALUES (now(), 'today');
SELECT pgdb_tools.snapshot_create('before_dump', ARRAY['orders']::regclass[], tags => ARRAY['keep']);
SQL

# 1. The plain dump, as the role, with every feature in use.
pg_dump -U "$app" -d "$src" -Fc -f "$work/plain.dump" 2>"$work/plain.err" ||
  { cat "$work/plain.err"; fail "pg_dump -Fc as the database owner"; }
echo "plain pg_dump -Fc as $app: ok"

# 2. A superuser's snapshots in the same database: one of the role's table (the role can read its
# copy: the table is its own), one of a table the role cannot read, dropped since (were it still
# there, the role's dump would fail on the table itself, as PostgreSQL's always does).
su_sql -d "$src" <<'SQL' >/dev/null
SET client_min_messages = warning;
SELECT pgdb_tools.snapshot_create('dba_orders', ARRAY['orders']::regclass[]);
CREATE TABLE dba_secret (id integer PRIMARY KEY, secret text);
INSERT INTO dba_secret VALUES (1, 'launch-code-7731');
SELECT pgdb_tools.snapshot_create('dba_secret', ARRAY['dba_secret']::regclass[]);
DROP TABLE dba_secret;
SQL
if pg_dump -U "$app" -d "$src" -Fc -f "$work/refused.dump" 2>"$work/refused.err"; then
  fail "the role dumped a copy it cannot read"
fi
grep -q 'permission denied for table s[0-9]*_1' "$work/refused.err" || { cat "$work/refused.err"; fail "the refusal"; }
echo "plain pg_dump with a copy the role cannot read: refused as documented"

# The exclusions docs/snapshots.md gives: the copies the dumping role cannot read, with their views.
excludes=$(app_at -d "$src" -c "
  SELECT format('--exclude-table=pgdb_tools_snapshots.%s --exclude-table=pgdb_tools_snapshots.%s_read',
                c.relname, c.relname)
    FROM pg_class c
   WHERE c.relnamespace = 'pgdb_tools_snapshots'::regnamespace AND c.relkind = 'r'
     AND NOT has_table_privilege(c.oid, 'SELECT')")
[ -n "$excludes" ] || fail "no copy to exclude"
# shellcheck disable=SC2086
pg_dump -U "$app" -d "$src" -Fc $excludes -f "$work/app.dump" 2>"$work/app.err" ||
  { cat "$work/app.err"; fail "pg_dump with the exclusions"; }
pg_restore -f "$work/app.sql" "$work/app.dump"
if grep -q 'launch-code-7731\|dba_secret' "$work/app.sql"; then fail "the superuser's snapshot is in the role's dump"; fi
grep -q 'before_dump' "$work/app.sql" || fail "the role's snapshot is not in its dump"
if grep -q 'dba_orders' "$work/app.sql"; then fail "another role's snapshot name is in the role's dump"; fi
echo "pg_dump -Fc with the exclusions as $app: ok, no trace of the superuser's snapshots"

# 3. Restore as the role into a fresh database where a superuser created the extension:
# everything but the snapshots (the snapshot catalog takes rows from the extension's code only).
createdb -O "$app" "$dst"
su_sql -d "$dst" -c "CREATE EXTENSION pgdb_tools"
pg_restore -l "$work/app.dump" |
  grep -v -E '^[0-9]+; [0-9]+ [0-9]+ (SCHEMA - pgdb_tools |COMMENT - EXTENSION pgdb_tools |[A-Z ]+ pgdb_tools_snapshots |TABLE DATA pgdb_tools snapshot_|SEQUENCE SET pgdb_tools snapshot_ids )' >"$work/app.list"
pg_restore -U "$app" --no-owner -d "$dst" -L "$work/app.list" "$work/app.dump" 2>"$work/restore.err" ||
  { cat "$work/restore.err"; fail "pg_restore as the role"; }
[ -s "$work/restore.err" ] && { cat "$work/restore.err"; fail "pg_restore printed errors"; }
echo "pg_restore --no-owner as $app: ok"
# Without the list, the role's load of the snapshot catalog is refused, whatever the rows.
if pg_restore -U "$app" --no-owner -d "$dst" --data-only -t snapshot_catalog "$work/app.dump" 2>"$work/refused.err"; then
  fail "the role loaded rows into the snapshot catalog"
fi
grep -q 'permission denied for table snapshot_catalog' "$work/refused.err" ||
  { cat "$work/refused.err"; fail "the refused load of the snapshot catalog"; }
echo "loading the snapshot catalog as $app: refused"

out=$(app_at -d "$dst" <<'SQL' 2>&1
\set ON_ERROR_STOP 0
SET client_min_messages = warning;
DELETE FROM orders WHERE id = 1;
UPDATE orders SET state = 'shipped' WHERE id = 1;
\set ON_ERROR_STOP 1
UPDATE orders SET state = 'paid' WHERE id = 1;
SELECT 'updated_at ' || (updated_at IS NOT NULL) || ', version ' || version FROM orders WHERE id = 1;
SELECT string_agg(kind || ' ' || status, ', ' ORDER BY kind) FROM pgdb_tools.triggers;
SELECT 'partitions ' || partitions FROM pgdb_tools.partition_status;
SELECT pgdb_tools.update_partitioned('events', premake => 3);
SELECT count(*) FILTER (WHERE action = 'create') || ' created, ' || count(*) FILTER (WHERE action = 'error') || ' errors'
  FROM pgdb_tools.run_maintenance('events');
SELECT 'partitions ' || partitions FROM pgdb_tools.partition_status;
SELECT 'snapshots ' || count(*) FROM pgdb_tools.snapshots;
SELECT pgdb_tools.snapshot_create('after_restore', ARRAY['orders']::regclass[]) > 0;
SQL
)
echo "$out"
expected=$(cat <<'EOF'
ERROR:  trigger pgdb_protect_orders forbids DELETE on table public.orders
HINT:  To allow it for the rest of this transaction only: SELECT pgdb_tools.ignore('pgdb_protect_orders');
ERROR:  trigger pgdb_fsm_orders forbids changing column state of table public.orders from 'new' to 'shipped'
DETAIL:  From 'new' the allowed states are 'paid'.
HINT:  To allow it for the rest of this transaction only: SELECT pgdb_tools.ignore('pgdb_fsm_orders');
updated_at true, version 2
fsm installed, protect installed, row_version installed, updated_at installed
partitions 4
t
1 created, 0 errors
partitions 5
snapshots 0
t
EOF
)
[ "$out" = "$expected" ] || fail "the restored database as the role"

# 4. The same archive restored by a superuser: the role's snapshots too, which it then uses.
dst2=${dst}_su
dropdb --if-exists "$dst2"
createdb -O "$app" "$dst2"
su_sql -d "$dst2" -c "CREATE EXTENSION pgdb_tools"
pg_restore -l "$work/app.dump" |
  grep -v -E '^[0-9]+; [0-9]+ [0-9]+ (SCHEMA - pgdb_tools |COMMENT - EXTENSION pgdb_tools )' >"$work/all.list"
pg_restore -d "$dst2" -L "$work/all.list" "$work/app.dump" 2>"$work/restore2.err" ||
  { cat "$work/restore2.err"; dropdb "$dst2"; fail "pg_restore as a superuser"; }
out=$(app_at -d "$dst2" <<'SQL' 2>&1
SET client_min_messages = warning;
SELECT string_agg(name || ' ' || tags::text || ' ' || total_rows, ', ') FROM pgdb_tools.snapshots;
SELECT source || ' ' || ok FROM pgdb_tools.snapshot_verify('before_dump');
UPDATE orders SET note = 'changed' WHERE id <= 3;
SELECT string_agg(source || ' ' || target || ' ' || rows, ', ') FROM pgdb_tools.snapshot_restore('before_dump');
SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE note = 'changed') || ' changed' FROM orders;
SELECT pgdb_tools.snapshot_create('after_restore', ARRAY['orders']::regclass[]) > 0;
SELECT pgdb_tools.snapshot_drop('before_dump');
SQL
)
dropdb "$dst2"
echo "$out"
expected=$(cat <<'EOF'
before_dump {keep} 20
public.orders true
public.orders public.orders 20
20 rows, 0 changed
t
t
EOF
)
[ "$out" = "$expected" ] || fail "the snapshots restored by a superuser, used by the role"
echo ok
