# ALTER EXTENSION pgdb_tools UPDATE from every earlier release (src/upgrade/releases), on a
# database set up with that release's own library (built from its commit) that uses every
# feature; then the current library is put back and the upgrade runs. What the old version
# recorded keeps working (triggers fire and show as installed, the
# partition set is maintained, the snapshot verifies and restores), and the upgraded extension is
# the same, object for object, as a fresh install of the current version (functions with their
# bodies and settings, tables with columns, defaults, constraints and indexes, views, grants,
# policies, event triggers, config-dump registrations).
set -eu
current=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$REPO/pgdb_tools.control")
fresh=${PGDATABASE}_upgrade_fresh
upgraded=${PGDATABASE}_upgrade_old
libdir=$("$PGBIN/pg_config" --pkglibdir)
library=$libdir/pgdb_tools.so
saved=$REPO/build/upgrade-current-pgdb_tools.so
as_installer() { if [ -w "$libdir" ]; then "$@"; else sudo "$@"; fi; }
# put_library FILE: installs FILE as the library under a new inode (copy beside it, then rename):
# copying over the file itself would change pages that running backends have mapped (SIGBUS).
put_library() {
  as_installer cp "$1" "$library.new.$$" && as_installer mv -f "$library.new.$$" "$library"
}
# release_library VERSION COMMIT: builds that release's library once for the server under test
# (build/pgMAJOR/release-VERSION). The releases were written for PostgreSQL 15: for 16 and later,
# test/e2e/release_compat.hpp maps the APIs 16 replaced onto their successors. Built with the
# server's CXXFLAGS and -O0 -g0 (the old library is only the fixture the upgrade starts from: what
# it does does not depend on optimisation), which takes less than half the time of -O2 -g.
pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
pg_major=$("$pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
pg_cxxflags=$(sed -n 's/^CXXFLAGS = //p' "$(dirname "$(dirname "$("$pg_config" --pgxs)")")/Makefile.global")
release_library() {
  local dir=$REPO/build/pg$pg_major/release-$1
  if [ ! -f "$dir/pgdb_tools.so" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    git -C "$REPO" archive "$2" | tar -x -C "$dir"
    [ "$pg_major" -ge 16 ] && cat "$REPO/test/e2e/release_compat.hpp" >>"$dir/src/pg/postgres.hpp"
    local flags=()
    [ -n "$pg_cxxflags" ] && flags=(CXXFLAGS="$pg_cxxflags -O0 -g0")
    make -C "$dir" -s -j"$(nproc)" PG_CONFIG="$pg_config" "${flags[@]}" >"$dir.log" 2>&1 ||
      { cat "$dir.log"; return 1; }
  fi
  echo "$dir/pgdb_tools.so"
}

# --build-only: only builds the releases' libraries (test/run_tests.sh does, in the background,
# while the suites before this one run).
if [ "${1:-}" = --build-only ]; then
  grep -v '^#' "$REPO/src/upgrade/releases" | while read -r old commit; do
    release_library "$old" "$commit" >/dev/null || exit 1
  done
  exit
fi

cp "$library" "$saved"
cleanup() {
  put_library "$saved"  # the current library, whatever happened
  dropdb --if-exists "$fresh" >/dev/null 2>&1 || true
  dropdb --if-exists "$upgraded" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Every member of the extension, described without OIDs, one line each, sorted.
describe() {
  psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
WITH members AS (
  SELECT d.classid, d.objid, d.objsubid
    FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
   WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'pgdb_tools' AND d.deptype = 'e'
)
SELECT 'member ' || pg_describe_object(classid, objid, objsubid) FROM members
UNION ALL
SELECT 'function ' || p.oid::regprocedure || ' acl=' || coalesce(p.proacl::text, '-') || E'\n' ||
       CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END
  FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
UNION ALL
SELECT 'relation ' || c.oid::regclass || ' kind=' || c.relkind::text || ' acl=' || coalesce(c.relacl::text, '-') ||
       ' options=' || coalesce(c.reloptions::text, '-') || ' rls=' || c.relrowsecurity ||
       coalesce(E'\nview ' || pg_get_viewdef(c.oid), '')
  FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
UNION ALL
SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' ||
       format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull ||
       ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text ||
       ' default=' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '-') ||
       ' acl=' || coalesce(a.attacl::text, '-')
  FROM members m JOIN pg_attribute a ON m.classid = 'pg_class'::regclass AND a.attrelid = m.objid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
 WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || co.conrelid::regclass || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
  FROM members m JOIN pg_constraint co ON m.classid = 'pg_class'::regclass AND co.conrelid = m.objid
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM members m JOIN pg_index i ON m.classid = 'pg_class'::regclass AND i.indrelid = m.objid
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid)
  FROM members m JOIN pg_trigger t ON m.classid = 'pg_class'::regclass AND t.tgrelid = m.objid
 WHERE NOT t.tgisinternal
UNION ALL
SELECT 'policy ' || pol.polrelid::regclass || ' ' || pol.polname || ' ' || pol.polcmd::text || ' ' ||
       coalesce(pg_get_expr(pol.polqual, pol.polrelid), '-') || ' ' ||
       coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '-')
  FROM members m JOIN pg_policy pol ON m.classid = 'pg_class'::regclass AND pol.polrelid = m.objid
UNION ALL
SELECT 'schema ' || n.nspname || ' acl=' || coalesce(n.nspacl::text, '-')
  FROM pg_namespace n WHERE n.nspname LIKE 'pgdb\_tools%'
UNION ALL
SELECT 'event trigger ' || et.evtname || ' ' || et.evtevent || ' ' || et.evtfoid::regproc ||
       ' tags=' || coalesce(et.evttags::text, '-') || ' enabled=' || et.evtenabled::text
  FROM members m JOIN pg_event_trigger et ON m.classid = 'pg_event_trigger'::regclass AND et.oid = m.objid
UNION ALL
SELECT 'config dump ' || c.oid::regclass || ' where ' || coalesce(cond, '-')
  FROM pg_extension e,
       LATERAL unnest(e.extconfig, e.extcondition) AS x(cfg, cond)
       JOIN pg_class c ON c.oid = x.cfg
 WHERE e.extname = 'pgdb_tools'
UNION ALL
SELECT 'role ' || rolname FROM pg_roles WHERE rolname LIKE 'pgdb\_tools%'
ORDER BY 1;
SQL
}

createdb "$fresh"
psql -X -q -v ON_ERROR_STOP=1 -d "$fresh" -c "CREATE EXTENSION pgdb_tools"
describe "$fresh" >"$REPO/build/upgrade-fresh.txt"

grep -v '^#' "$REPO/src/upgrade/releases" | while read -r old commit; do
  echo "== from $old to $current"
  old_library=$(release_library "$old" "$commit")
  put_library "$old_library"
  dropdb --if-exists "$upgraded"
  createdb "$upgraded"
  # The old release's objects, in use: one trigger of every kind, a partition set with a run
  # behind it, and a snapshot.
  psql -X -q -v ON_ERROR_STOP=1 -d "$upgraded" >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools VERSION '$old';
CREATE TABLE docs (id int PRIMARY KEY, title text, body text, status text NOT NULL DEFAULT 'draft',
                   alive boolean NOT NULL DEFAULT true, version int NOT NULL DEFAULT 1,
                   updated_at timestamptz, search tsvector, locked text);
CREATE FUNCTION docs_audit() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN RETURN NULL; END\$\$;
SELECT pgdb_tools.updated_at('docs');
SELECT pgdb_tools.row_version('docs', check_stale => false);
SELECT pgdb_tools.read_only('docs', ARRAY['locked']);
SELECT pgdb_tools.soft_delete('docs', 'alive');
SELECT pgdb_tools.fsm('docs', 'status', '{"draft": ["published"], "published": ["archived"]}');
SELECT pgdb_tools.search_vector('docs', 'search', '{"title": "A", "body": "B"}');
SELECT pgdb_tools.protect('docs', '{TRUNCATE}');
SELECT pgdb_tools.manage_trigger('docs', 'docs_audit()');
INSERT INTO docs (id, title, body) VALUES (1, 'hello', 'world'), (2, 'second', 'doc');
CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('events', 'at', '1 day', premake => 2, retention => '30 days');
INSERT INTO events VALUES (1, now());
SELECT count(*) FROM pgdb_tools.run_maintenance();
SELECT pgdb_tools.snapshot_create('before_upgrade', ARRAY['docs', 'events']::regclass[]);
-- a set whose table was dropped: 0.1.0 kept it registered
CREATE TABLE dropped_events (id bigint NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('dropped_events', 'id', '100', premake => 1);
DROP TABLE dropped_events;
-- an application's own view of the extension's view
CREATE VIEW my_snapshots AS SELECT name, total_rows FROM pgdb_tools.snapshots;
SQL
  # The current library from here on: new sessions load it.
  put_library "$saved"
  # Between installing the new files and ALTER EXTENSION ... UPDATE, the new library serves the
  # old functions: they may fail, cleanly, but must not take the server down.
  log_lines=$(wc -l <"$PGHOST/server.log")
  echo "-- the $old functions served by the $current library (errors allowed, crashes not):"
  psql -X -q -At -v ON_ERROR_ROLLBACK=on -d "$upgraded" 2>&1 <<'SQL' | grep -E '^(ERROR|psql)' || true
BEGIN;
UPDATE docs SET body = 'before the update' WHERE id = 1;
DELETE FROM docs WHERE id = 2;
SELECT * FROM pgdb_tools.triggers;
SELECT * FROM pgdb_tools.run_maintenance();
SELECT * FROM pgdb_tools.partition_status;
SELECT * FROM pgdb_tools.snapshot_verify('before_upgrade');
SELECT * FROM pgdb_tools.snapshots;
SELECT pgdb_tools.snapshot_create('in_between', ARRAY['docs']::regclass[]);
SELECT pgdb_tools.updated_at('docs');
ROLLBACK;
SQL
  if tail -n +"$((log_lines + 1))" "$PGHOST/server.log" | grep -E "terminated by signal|was terminated"; then
    echo "the $current library crashed serving the $old functions"; exit 1
  fi
  update_messages=$(psql -X -q -v ON_ERROR_STOP=1 -d "$upgraded" -c "ALTER EXTENSION pgdb_tools UPDATE" 2>&1)
  echo "$update_messages"
  # 0.1.0 kept the set of the dropped table: the update forgets it and says so (later releases
  # forget it at DROP TABLE, and their fsm triggers have no WHEN clause to outdate)
  if [ "$old" = 0.1.0 ]; then
    grep -q 'WARNING:  forgot the partition sets of tables that no longer exist: public.dropped_events' \
      <<<"$update_messages"
    outdated="outdated:fsm"
  else
    if grep -q 'forgot the partition sets' <<<"$update_messages"; then
      echo "the update from $old forgot partition sets it should not have"; exit 1
    fi
    outdated="none"
  fi
  out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$upgraded" <<'SQL'
SELECT 'version ' || pgdb_tools.version() || ' ' || extversion FROM pg_extension WHERE extname = 'pgdb_tools';
SELECT 'sets ' || string_agg(parent_name, ',') FROM pgdb_tools.partition_sets;
SELECT 'my view ' || string_agg(name || ':' || total_rows, ',') FROM my_snapshots;
SELECT 'statuses ' || coalesce(string_agg(status || ':' || kind, ',' ORDER BY kind) FILTER (WHERE status <> 'installed'), 'none') ||
       ' ' || count(*) FROM pgdb_tools.triggers;
-- 0.2.0 installs fsm triggers without a WHEN clause: 0.1.0's are outdated until applied again
SELECT 'reapplied ' || pgdb_tools.fsm('docs', 'status', '{"draft": ["published"], "published": ["archived"]}');
SELECT 'statuses ' || string_agg(DISTINCT status, ',') || ' ' || count(*) FROM pgdb_tools.triggers;
UPDATE docs SET status = 'published', body = 'changed' WHERE id = 1;
SELECT 'updated ' || version || ' ' || (updated_at IS NOT NULL) || ' ' || search::text FROM docs WHERE id = 1;
DELETE FROM docs WHERE id = 2;
SELECT 'soft deleted ' || alive FROM docs WHERE id = 2;
SELECT 'maintenance ' || count(*) FILTER (WHERE action = 'error') FROM pgdb_tools.run_maintenance();
SELECT 'verify ' || string_agg(ok::text, ',' ORDER BY source) FROM pgdb_tools.snapshot_verify('before_upgrade');
SELECT 'restore ' || string_agg(source || '=' || rows, ',' ORDER BY source) FROM pgdb_tools.snapshot_restore('before_upgrade');
SELECT 'restored ' || string_agg(id || ':' || status || ':' || alive, ',' ORDER BY id) FROM docs;
SQL
  )
  echo "$out"
  expected="version $current $current
sets events
my view before_upgrade:3
statuses $outdated 8
reapplied pgdb_fsm_docs
statuses installed 8
updated 2 true 'changed':2B 'hello':1A
soft deleted false
maintenance 0
verify true,true
restore public.docs=2,public.events=1
restored 1:draft:true,2:draft:true"
  [ "$out" = "$expected" ] || { echo "unexpected results after the upgrade from $old"; exit 1; }
  describe "$upgraded" >"$REPO/build/upgrade-from-$old.txt"
  if ! diff -u "$REPO/build/upgrade-fresh.txt" "$REPO/build/upgrade-from-$old.txt"; then
    echo "the extension upgraded from $old differs from a fresh install of $current (above: - fresh, + upgraded)"
    exit 1
  fi
  echo "upgraded from $old: same as a fresh install ($(wc -l <"$REPO/build/upgrade-fresh.txt") lines compared)"
done
