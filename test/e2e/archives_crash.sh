# A crash in the middle of writing an archive (issue 12), in a throwaway cluster of its own (port
# PGPORT+24): archive_create of a large table over an existing archive of that name is stopped
# with `pg_ctl stop -m immediate` while its temporary file grows. After the restart the final
# name still holds the old, complete archive (it verifies), the cut-short temporary file
# (.pgdb_tmp_<pid>_<name>) is not listed by archives(), and the next archive written into the
# directory removes it (its backend is gone); a file of a live export is never removed that way.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
port2=$((PGPORT + 24))
dir2=/tmp/pgdb_archives_crash_$PGPORT
archives=$dir2/data/pgdb_snapshots
q2() { psql -X -At -v ON_ERROR_STOP=1 -h "$dir2" -p "$port2" -U postgres -d crash "$@"; }
cleanup() {
  [ -n "${writer:-}" ] && kill "$writer" 2>/dev/null
  wait 2>/dev/null || true
  [ -f "$dir2/data/postmaster.pid" ] && as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$dir2"
}
trap cleanup EXIT
cleanup

mkdir -p "$dir2"
[ "$(id -u)" = 0 ] && chown postgres "$dir2"
chmod 700 "$dir2"
as_owner "$PGBIN/initdb" -D "$dir2/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
cat >>"$dir2/data/postgresql.conf" <<CONF
port = $port2
listen_addresses = ''
unix_socket_directories = '$dir2'
fsync = off
CONF
start() { as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -l "$dir2/server.log" -w -t 60 start >/dev/null; }
crash() { as_owner "$PGBIN/pg_ctl" -D "$dir2/data" -m immediate -w stop >/dev/null; }
start
psql -X -q -h "$dir2" -p "$port2" -U postgres -d postgres -c "CREATE DATABASE crash"
q2 -q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools;
CREATE TABLE small (id int PRIMARY KEY, label text);
INSERT INTO small SELECT g, 'row ' || g FROM generate_series(1, 100) g;
-- incompressible enough that writing it takes a while
CREATE TABLE big (id int, a text, b text);
INSERT INTO big SELECT g, md5(g::text), md5((g * 7)::text) FROM generate_series(1, 1500000) g;
SQL
q2 -c "SELECT pgdb_tools.archive_create('crash.pgdbsnap', ARRAY['small']::regclass[])" >/dev/null
ls_archives() { as_owner ls -A "$archives"; }
echo "before: $(ls_archives | tr '\n' ' ')"

echo "-- pg_ctl stop -m immediate while archive_create writes over crash.pgdbsnap"
q2 -c "SELECT pgdb_tools.archive_create('crash.pgdbsnap', ARRAY['small', 'big']::regclass[], compression => 'lz4')" \
  >"$dir2/writer.out" 2>&1 &
writer=$!
grown=""
for _ in $(seq 600); do
  grown=$(as_owner find "$archives" -maxdepth 1 -name '.pgdb_tmp_*_crash.pgdbsnap' -size +64k 2>/dev/null)
  [ -n "$grown" ] && break
  kill -0 "$writer" 2>/dev/null || break
  sleep 0.05
done
[ -n "$grown" ] || { cat "$dir2/writer.out"; fail "no temporary file grew before the write ended"; }
crash
wait "$writer" && fail "the interrupted archive_create succeeded"
writer=""
echo "crashed with $(basename "$grown") growing"
start

left=$(ls_archives | tr '\n' ' ')
echo "after the restart: $left"
tmp=$(basename "$grown")
as_owner test -f "$archives/$tmp" || fail "the temporary file $tmp is gone before any sweep"
[ "$(q2 -c "SELECT string_agg(source || ' ' || rows || ' ' || ok, ',') FROM pgdb_tools.archive_verify('crash.pgdbsnap')")" = \
  "public.small 100 true" ] || fail "crash.pgdbsnap is not the old, complete archive"
[ "$(q2 -c "SELECT string_agg(path, ' ') FROM pgdb_tools.archives()")" = crash.pgdbsnap ] ||
  fail "archives() lists more than crash.pgdbsnap"

# A temporary file of a live backend stays (one planted under the pid of a connected session);
# the stale one goes with the next archive written into the directory.
q2 -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
sleeper=$!
sleep 0.5
sleeper_pid=$(q2 -c "SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'")
as_owner cp "$archives/crash.pgdbsnap" "$archives/.pgdb_tmp_${sleeper_pid}_planted.pgdbsnap"
q2 -c "SELECT pgdb_tools.archive_create('after.pgdbsnap', ARRAY['small']::regclass[])" >/dev/null
now=$(ls_archives | tr '\n' ' ')
echo "after the next archive_create: $now"
as_owner test -f "$archives/$tmp" && fail "the stale temporary file $tmp was not removed"
as_owner test -f "$archives/.pgdb_tmp_${sleeper_pid}_planted.pgdbsnap" ||
  fail "the temporary file of a live backend was removed"
kill "$sleeper" 2>/dev/null || true
wait "$sleeper" 2>/dev/null || true

# Written again, complete: the big archive verifies.
q2 -c "SELECT pgdb_tools.archive_create('crash.pgdbsnap', ARRAY['small', 'big']::regclass[], compression => 'lz4')" >/dev/null
[ "$(q2 -c "SELECT string_agg(source || ' ' || rows || ' ' || ok, ',') FROM pgdb_tools.archive_verify('crash.pgdbsnap')")" = \
  "public.small 100 true,public.big 1500000 true" ] || fail "the rewritten crash.pgdbsnap does not verify"
echo "rewritten: crash.pgdbsnap verifies"
