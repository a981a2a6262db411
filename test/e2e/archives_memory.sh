# Memory of archive export and import (issue 12: "hold at most a few chunks"): archive_create,
# archive_verify, snapshot_import and snapshot_export, each in a fresh backend, of a table with
# one 100 MB text, of one with one 50 MB bytea (100 MB of COPY text, as hex), of one with both
# kinds (two 100 MB texts and a 50 MB bytea) and of one with a million small rows (~300 MB of
# COPY text). The backend reads its own /proc/self/status with pg_read_file (as the server's
# user, so the same whether this script runs as root or as the cluster's owner); its peak is
# VmHWM less the shared memory and mapped files it holds at the end (pages of shared_buffers a
# scan touched stay mapped, so what remains is at most its private memory at the peak), less
# its private memory (RssAnon) after a trivial call of the library.
# The bound follows from the design: the codec holds a few chunks (1 MiB each; 8 MiB allowed for
# them, the compressor's state and COPY's buffers), and a row longer than a chunk is held whole
# only as PostgreSQL needs it, a fixed number of times per operation, counted in V, the largest
# row's COPY text: archive_create and snapshot_export 2.5 (the datum, half of V for a bytea, its
# output text and its COPY text; a text has no separate output), archive_verify 3 (the row's
# COPY text, its field decoded, the datum its input function makes), snapshot_import 4 (COPY
# FROM's line and field buffers, the datum and the heap tuple: PostgreSQL's own COPY FROM holds
# the same). Nothing grows with the number of rows: the table with three large rows costs what
# its costliest row alone does, and a million small rows what a few chunks do.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
db=${PGDATABASE}_archives_memory
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
dir=$(psql -X -At -c "SHOW data_directory")/pgdb_snapshots
cleanup() {
  psql -X -q -c "COPY (SELECT 1) TO PROGRAM 'rm -f $dir/archives_memory_*.pgdbsnap'" >/dev/null 2>&1 || true
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
createdb "$db"
started=$SECONDS
q -q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools;
-- private memory in kB: the peak (VmHWM less shared memory and mapped files now) and now
CREATE FUNCTION memory_kb(OUT peak bigint, OUT private bigint) LANGUAGE sql AS $$
  SELECT m[1]::bigint - m[3]::bigint - m[4]::bigint, m[2]::bigint
    FROM pg_read_file('/proc/self/status') s,
         regexp_match(s, 'VmHWM:\s+(\d+) kB.*RssAnon:\s+(\d+) kB\s+RssFile:\s+(\d+) kB\s+RssShmem:\s+(\d+) kB') m
$$;
-- stored as they are (no pglz), so that loading them stays quick
CREATE TABLE one_text (id int, t text, b bytea);
ALTER TABLE one_text ALTER t SET STORAGE EXTERNAL;
INSERT INTO one_text VALUES (1, repeat('a', 100000000), NULL);
CREATE TABLE one_bytea (id int, t text, b bytea);
ALTER TABLE one_bytea ALTER b SET STORAGE EXTERNAL;
INSERT INTO one_bytea VALUES (1, NULL, convert_to(repeat('e', 50000000), 'UTF8'));
CREATE TABLE both_kinds (id int, t text, b bytea);
ALTER TABLE both_kinds ALTER t SET STORAGE EXTERNAL, ALTER b SET STORAGE EXTERNAL;
INSERT INTO both_kinds VALUES (1, repeat('b', 100000000), NULL), (2, repeat('c', 100000000), NULL),
  (3, NULL, convert_to(repeat('d', 50000000), 'UTF8'));
CREATE TABLE small_rows (id int, t text, b bytea);
INSERT INTO small_rows SELECT g, repeat(md5(g::text), 9), NULL FROM generate_series(1, 1000000) g;
SQL
echo "tables loaded in $((SECONDS - started)) s"

mib() { echo "$(($1 / 1024)).$(($1 % 1024 * 10 / 1024))"; }
# measure SQL: "GROWN RESULT": the private memory (kB) a fresh backend adds, while it runs SQL
# (one value), to what it holds after a trivial call that loads the library, and SQL's value.
measure() {
  local out
  out=$(q -q <<SQL
SET client_min_messages = warning;
SELECT count(*) FROM pgdb_tools.archives() WHERE false;
SELECT private FROM memory_kb();
$1;
SELECT peak FROM memory_kb();
SQL
  ) || fail "$1 failed"
  echo "$(($(tail -n1 <<<"$out") - $(sed -n 2p <<<"$out"))) $(sed '1,2d;$d' <<<"$out")"
}

chunk_kb=1024  # limits::chunk_size_default, the writer's chunk (src/snapshots/archive_format.hpp)
few_chunks_kb=$((8 * chunk_kb))
# Tenths of V an operation may hold (see above).
declare -A tenths=([archive_create]=25 [archive_verify]=30 [snapshot_import]=40 [snapshot_export]=25)
declare -A peak
for table in one_text one_bytea both_kinds small_rows; do
  # V: the largest row's COPY text, in kB (octet_length does not detoast)
  v_kb=$(q -c "SELECT max(coalesce(octet_length(t), 0) + coalesce(2 * octet_length(b) + 2, 0)) / 1024 FROM $table")
  file=archives_memory_$table.pgdbsnap
  rows=$(q -c "SELECT count(*) FROM $table")
  for op in archive_create archive_verify snapshot_import snapshot_export; do
    case $op in
      archive_create) sql="SELECT pgdb_tools.archive_create('$file', ARRAY['$table']::regclass[]) IS NOT NULL" want=t ;;
      archive_verify) sql="SELECT rows || ' ' || ok FROM pgdb_tools.archive_verify('$file')" want="$rows true" ;;
      snapshot_import) sql="SELECT pgdb_tools.snapshot_import('$file', 'imported_$table') > 0" want=t ;;
      snapshot_export) sql="SELECT pgdb_tools.snapshot_export('imported_$table', 'archives_memory_exported.pgdbsnap') IS NOT NULL" want=t ;;
    esac
    t0=$SECONDS
    read -r grown result < <(measure "$sql")
    [ "$result" = "$want" ] || fail "$op of $table gave \"$result\", not \"$want\""
    bound=$((few_chunks_kb + tenths[$op] * v_kb / 10))
    peak[$table.$op]=$grown
    printf '%-16s %-11s peak +%6s MiB  bound %6s MiB (8 chunks + %s x V, V = %s MiB)  %d s\n' "$op" \
      "$table" "$(mib "$grown")" "$(mib "$bound")" "${tenths[$op]:0:1}.${tenths[$op]:1}" "$(mib "$v_kb")" $((SECONDS - t0))
    [ "$grown" -le "$bound" ] ||
      fail "$op of $table grew the backend's private memory by $(mib "$grown") MiB, more than $(mib "$bound") MiB: 8 chunks of $(mib "$chunk_kb") MiB plus ${tenths[$op]:0:1}.${tenths[$op]:1} times its largest row's COPY text ($(mib "$v_kb") MiB)"
  done
done

# Three large rows cost what the costliest alone does: nothing grows with the number of rows.
for op in archive_create archive_verify snapshot_import snapshot_export; do
  alone=$((peak[one_text.$op] > peak[one_bytea.$op] ? peak[one_text.$op] : peak[one_bytea.$op]))
  more=$((peak[both_kinds.$op] - alone))
  [ "$more" -le "$few_chunks_kb" ] ||
    fail "$op of three large rows grew the backend by $(mib "$more") MiB more than of its costliest row alone: memory grows with the table"
done
read -r grown _ < <(measure "COPY both_kinds TO '/dev/null'")
echo "for comparison, PostgreSQL's COPY both_kinds TO '/dev/null': peak +$(mib "$grown") MiB"
echo "ok in $((SECONDS - started)) s"
