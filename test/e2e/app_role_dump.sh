# pg_dump and pg_restore as the application's role: a LOGIN role that owns its database and its
# tables and is not a superuser, in a database where a superuser created the extension, using all
# three features. Its `pg_dump -Fc` succeeds; the archive restores, as that role, into a fresh
# database where a superuser created the extension first (pg_restore --no-owner with a list that
# leaves out the two entries of the extension itself and the snapshot id counter:
# docs/snapshots.md, "pg_dump and pg_restore"); there the triggers fire, the partition set is
# maintained, and after snapshot_adopt() the role's snapshot verifies and restores, in place and
# into a schema. Restored by a superuser, the same archive brings the snapshot at once. A
# superuser's snapshot of a table the role cannot read makes the plain dump fail as any unreadable
# table does; the documented exclusions leave it out and its data is nowhere in the archive.
# Then the role turns on the others with what a crafted dump would load (forged catalog rows: a
# definition whose texts are SQL, another creator, a superuser's copy as its own) and relations
# planted in the copies' schema: none of it runs code as anyone else or reaches another's copy.
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

# 3. Restore as the role into a fresh database where a superuser created the extension: the
# snapshot catalog's rows go to the role's restored snapshots, the copies are its own tables
# until it adopts them.
createdb -O "$app" "$dst"
su_sql -d "$dst" -c "CREATE EXTENSION pgdb_tools"
pg_restore -l "$work/app.dump" |
  grep -v -E '^[0-9]+; [0-9]+ [0-9]+ (SCHEMA - pgdb_tools |COMMENT - EXTENSION pgdb_tools |SEQUENCE SET pgdb_tools snapshot_ids |TABLE DATA pgdb_tools snapshot_schedules )' >"$work/app.list"
pg_restore -U "$app" --no-owner -d "$dst" -L "$work/app.list" "$work/app.dump" 2>"$work/restore.err" ||
  { cat "$work/restore.err"; fail "pg_restore as the role"; }
[ -s "$work/restore.err" ] && { cat "$work/restore.err"; fail "pg_restore printed errors"; }
echo "pg_restore --no-owner as $app: ok"

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
SELECT 'snapshots before adopting ' || count(*) FROM pgdb_tools.snapshots;
SELECT snapshot_name || ' ' || tables || ' ' || rows || ': ' || detail FROM pgdb_tools.snapshot_adopt();
SELECT string_agg(name || ' ' || created_by || ' ' || tags::text || ' ' || total_rows, ', ') FROM pgdb_tools.snapshots;
SELECT source || ' ' || ok || ' ' || detail FROM pgdb_tools.snapshot_verify('before_dump');
UPDATE orders SET note = 'changed' WHERE id <= 3;
SELECT string_agg(source || ' ' || target || ' ' || rows || ' ' || removed, ', ') FROM pgdb_tools.snapshot_restore('before_dump');
SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE note = 'changed') || ' changed' FROM orders;
SELECT source || ' ' || target || ' ' || rows FROM pgdb_tools.snapshot_restore('before_dump', target_schema => 'yesterday');
SELECT count(*) || ' rows, state default ' || (SELECT column_default FROM information_schema.columns
  WHERE table_schema = 'yesterday' AND table_name = 'orders' AND column_name = 'state') FROM yesterday.orders;
-- left: the copy of the superuser's snapshot of the role's table (its catalog row is not in the
-- role's dump), a table of the role's that no snapshot uses
SELECT 'restored tables left: ' || string_agg(relname, ' ' ORDER BY relname) FROM pg_class
 WHERE relnamespace = 'pgdb_tools_snapshots'::regnamespace AND relowner = current_user::regrole;
SELECT 'pending ' || count(*) FROM pgdb_tools.snapshot_adopt();
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
snapshots before adopting 0
before_dump 1 20: adopted; rows and content hashes are as recorded
before_dump app_dump_owner {keep} 20
public.orders true rows and content hash match
public.orders public.orders 20 3
20 rows, 0 changed
public.orders yesterday.orders 20
20 rows, state default 'new'::text
restored tables left: s2_1 s2_1_read
pending 0
t
EOF
)
[ "$out" = "$expected" ] || fail "the restored database as the role"

# 4. The same archive restored by a superuser: the role's snapshots come back at once. Into a
# database the superuser owns until the restore is done (docs/snapshots.md): were it the role's
# already, the role could put a table of its own with a trigger under a copy's name (it may create
# in pgdb_tools_snapshots), which the restore would fill, running the trigger as the superuser.
dst2=${dst}_su
dropdb --if-exists "$dst2"
createdb "$dst2"
su_sql -d "$dst2" -c "CREATE EXTENSION pgdb_tools"
staged=$(app_at -d "$src" -c "SELECT i.storage_name FROM pgdb_tools.snapshot_items i
  JOIN pgdb_tools.snapshot_catalog c USING (snapshot_id) WHERE c.name = 'before_dump'")
app_sql -d "$dst2" 2>/dev/null <<SQL || true
CREATE FUNCTION public.staged() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN EXECUTE 'ALTER ROLE $app SUPERUSER'; RETURN NEW; END \$\$;
CREATE TABLE pgdb_tools_snapshots.$staged (id integer, state text, note text,
  updated_at timestamptz, version integer);
CREATE TRIGGER staged BEFORE INSERT ON pgdb_tools_snapshots.$staged
  FOR EACH ROW EXECUTE FUNCTION public.staged();
SQL
pg_restore -l "$work/app.dump" |
  grep -v -E '^[0-9]+; [0-9]+ [0-9]+ (SCHEMA - pgdb_tools |COMMENT - EXTENSION pgdb_tools )' >"$work/all.list"
pg_restore -1 -d "$dst2" -L "$work/all.list" "$work/app.dump" 2>"$work/restore2.err" ||
  { cat "$work/restore2.err"; dropdb "$dst2"; fail "pg_restore as a superuser"; }
su_sql -d "$dst2" -c "ALTER DATABASE \"$dst2\" OWNER TO $app"
[ "$(su_sql -At -d "$dst2" -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$app'")" = f ] ||
  fail "a table the role staged under a copy's name ran its trigger as the superuser restoring"
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

# 5. The role as an attacker in the restored database, loading what a crafted dump would hold.
# The superuser has a snapshot of a table the role cannot read.
su_sql -d "$dst" <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE dba_secret (id integer PRIMARY KEY, secret text);
INSERT INTO dba_secret VALUES (1, 'launch-code-7731');
SELECT pgdb_tools.snapshot_create('dba_secret', ARRAY['dba_secret']::regclass[]);
SQL
secret_copy=$(su_sql -At -d "$dst" -c "SELECT storage_name FROM pgdb_tools.snapshot_items JOIN pgdb_tools.snapshot_catalog USING (snapshot_id) WHERE name = 'dba_secret'")
out=$(app_at -d "$dst" -v secret_copy="$secret_copy" <<'SQL' 2>&1
SET client_min_messages = warning;
-- What the role's code does when a superuser runs it: makes the role a superuser.
CREATE FUNCTION public.escalate() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'ALTER ROLE app_dump_owner SUPERUSER';
  RETURN 1;
END $$;
-- (a) A snapshot "taken by postgres" whose recorded texts are SQL: a column type, a key, an index
-- and a sequence's type that end their clause and go on, a default and a CHECK
-- calling escalate(), and owner postgres so that a superuser's restore into a schema would take
-- all of it as trusted.
CREATE TABLE pgdb_tools_snapshots.s900_1 (id integer, v text);
INSERT INTO pgdb_tools_snapshots.s900_1 VALUES (1, 'planted');
INSERT INTO pgdb_tools.snapshot_catalog (snapshot_id, name, created_at, created_by, created_by_oid, note, tags, created_on)
  VALUES (900, 'forged', now(), 'postgres', 10, 'from a crafted dump', '{}', NULL);
INSERT INTO pgdb_tools.snapshot_items (snapshot_id, ordinal, source_relid, source_schema, source_name, storage_name, rows, bytes, content_hash, definition)
  VALUES (900, 1, 0, 'public', 'forged', 's900_1', 1, 0, repeat('0', 32), $${
    "relkind": "r", "owner": "postgres",
    "columns": [{"name": "id", "type": "integer", "not_null": true, "default": "public.escalate()"},
                {"name": "v", "type": "text, y integer DEFAULT public.escalate()"}],
    "constraints": [{"name": "k", "type": "p", "definition": "PRIMARY KEY (id); SELECT public.escalate(); --"},
                    {"name": "c", "type": "c", "definition": "CHECK (public.escalate() = 1)"}],
    "indexes": [{"name": "i", "unique": false, "expressions": false, "definition": "USING btree (id); SELECT public.escalate()"}],
    "sequences": [{"column": "id", "name": "s", "identity": false, "data_type": "integer; SELECT public.escalate(); --",
                   "options": "INCREMENT BY 1", "recorded": true, "last_value": 1}]}$$);
-- (b) A snapshot of its own whose copy is the superuser's copy of dba_secret.
INSERT INTO pgdb_tools.snapshot_catalog (snapshot_id, name, created_at, created_by, created_by_oid, tags)
  VALUES (901, 'stolen', now(), 'app_dump_owner', 0, '{}');
INSERT INTO pgdb_tools.snapshot_items (snapshot_id, ordinal, source_relid, source_schema, source_name, storage_name, rows, bytes, content_hash, definition)
  VALUES (901, 1, 0, 'public', 'dba_secret', :'secret_copy', 1, 0, repeat('0', 32), '{"columns": []}');
SELECT 'catalog rows the role loaded ' || count(*) FROM pgdb_tools.snapshot_catalog WHERE snapshot_id IN (900, 901);
SELECT snapshot_name || ': ' || detail FROM pgdb_tools.snapshot_adopt() ORDER BY 1;
SELECT string_agg(name, ', ' ORDER BY name) FROM pgdb_tools.snapshots;
SQL
)
echo "$out"
expected=$(cat <<EOF
catalog rows the role loaded 0
forged: adopted; 1 of its tables differ from what was recorded (snapshot_verify shows which); left out of its definition: forged: constraint k; forged: the sequence of column id
stolen: not adopted: its copy of public.dba_secret, pgdb_tools_snapshots.$secret_copy, is not a table of yours (restore it with the snapshot, pg_restore --no-owner)
after_restore, before_dump, forged
EOF
)
[ "$out" = "$expected" ] || fail "the forged catalog rows"

# A superuser restores the forged snapshot into a schema: no text of it runs, the role stays
# what it was. And the superuser's own snapshot: the role plants a view calling escalate() under
# the name of its copy's view (as if that view had gone) and relations under the names the next
# copies would get; the superuser's restore refuses the planted view, its next snapshot passes
# the planted names by, its drop leaves the role's relations alone.
su_sql -d "$dst" -c "DROP VIEW pgdb_tools_snapshots.${secret_copy}_read" >/dev/null
next_id=$(su_sql -At -d "$dst" -c "SELECT last_value + 1 FROM pgdb_tools.snapshot_ids")
app_sql -d "$dst" -v secret_copy="$secret_copy" -v next_id="$next_id" <<'SQL' >/dev/null
SELECT format('CREATE VIEW pgdb_tools_snapshots.%I AS SELECT public.escalate() AS id, %L::text AS secret',
              :'secret_copy' || '_read', 'planted') \gexec
SELECT format('CREATE TABLE pgdb_tools_snapshots.%I (id integer)', 's' || :next_id || '_1') \gexec
SELECT format('CREATE VIEW pgdb_tools_snapshots.%I AS SELECT public.escalate() AS id', 's' || :next_id + 1 || '_1_read') \gexec
SQL
out=$(su_sql -At -d "$dst" -v next_id="$next_id" <<'SQL' 2>&1
SET client_min_messages = notice;
SELECT created_by FROM pgdb_tools.snapshots WHERE name = 'forged';
SELECT source || ' ' || target || ' ' || rows FROM pgdb_tools.snapshot_restore('forged', target_schema => 'su_forged');
SELECT string_agg(column_name || ' ' || data_type || ' ' || coalesce(column_default, '-'), ', ' ORDER BY ordinal_position)
  FROM information_schema.columns WHERE table_schema = 'su_forged';
SELECT 'constraints ' || count(*) FROM pg_constraint WHERE conrelid = 'su_forged.forged'::regclass
   AND contype <> 'n';  -- 18 records NOT NULL in pg_constraint too
\set ON_ERROR_STOP 0
\set VERBOSITY sqlstate
SELECT * FROM pgdb_tools.snapshot_restore('dba_secret', target_schema => 'su_secret');
\set VERBOSITY default
\set ON_ERROR_STOP 1
SELECT pgdb_tools.snapshot_create('dba_again', ARRAY['dba_secret']::regclass[]) > :next_id + 1;
SELECT source || ' ' || target || ' ' || rows FROM pgdb_tools.snapshot_restore('dba_again', target_schema => 'su_again');
SELECT source || ' ' || ok FROM pgdb_tools.snapshot_verify('dba_again');
SELECT pgdb_tools.snapshot_drop('dba_secret');
SELECT 'planted relations left ' || count(*) FROM pg_class
 WHERE relnamespace = 'pgdb_tools_snapshots'::regnamespace AND relowner = 'app_dump_owner'::regrole;
SELECT 'role is superuser: ' || rolsuper FROM pg_roles WHERE rolname = 'app_dump_owner';
SQL
)
echo "$out"
expected=$(cat <<EOF
app_dump_owner
NOTICE:  su_forged.forged was recreated without what runs as code, since its owner app_dump_owner lacks some of your rights: default of column id, constraint c, index i
public.forged su_forged.forged 1
id integer -, v text -
constraints 0
ERROR:  55000
t
public.dba_secret su_again.dba_secret 1
public.dba_secret true
t
planted relations left 5
role is superuser: false
EOF
)
[ "$out" = "$expected" ] || fail "the superuser's restores after the role's attacks"
echo ok
