# Archive files (issue 12) of one table shaped like snapshots.sh's reference table (the issue's
# reference: 3M rows, 361 MB of heap), ARCHIVE_ROWS rows (default 1000000, so the default run stays
# at a few minutes on 2 cores; ARCHIVE_ROWS=3000000 gives the reference size), against pg_dump -Fc:
#   snapshot_export of a snapshot of the table (zstd, lz4, none) and archive_create of the live
#   table (zstd) against pg_dump -Fc -t of the table, and the file sizes (archive MB vs dump MB);
#   snapshot_import of the zstd archive (a new snapshot in the same database) against pg_restore of
#   the dump into an empty database (created untimed before each run);
#   archive_verify against reading the whole dump (pg_restore -f /dev/null), for scale only.
# All times are taken on the client side (date around psql -c, pg_dump, pg_restore), so both sides
# include a connection and the client's start-up. Each figure is the median of BENCH_REPS runs; in
# each repetition the variants run in an order rotated by one. Untimed between runs: the previous
# run's file, snapshot or database removed, VACUUM ANALYZE of the table, CHECKPOINT.
# ARCHIVE_VERBOSE=1 also prints every run's milliseconds (on stderr). The archive directory
# (pgdb_tools.archive_directory) is set to $DIR/archives for the run with ALTER SYSTEM and reset
# afterwards; the dump is written to a temporary directory of the client. Sourced by run.sh.
rows=${ARCHIVE_ROWS:-1000000}
t=bench_arch_t
adir=$DIR/archives
rdb=bench_arch_restore
dumpdir='' dump=''
PGCONN=(-h "$DIR" -p "$PORT" -U postgres)

arch_cleanup() {
  bench_sql "SELECT pgdb_tools.snapshot_drop(n) FROM unnest('{bench_arch_s,bench_arch_i}'::text[]) n;
             DROP TABLE IF EXISTS $t;"
  "$PGBIN/dropdb" "${PGCONN[@]}" --if-exists "$rdb"
  rm -f "$adir"/bench_arch_*.pgdbsnap
  [ -n "$dumpdir" ] && rm -rf "$dumpdir"
  arch_setting "ALTER SYSTEM RESET pgdb_tools.archive_directory"
}
# arch_setting ALTER_SYSTEM: ALTER SYSTEM runs alone (not in psql's implicit transaction), after
# the module is loaded in that session (so that the custom setting is known), then a reload.
arch_setting() {
  "${PSQL[@]}" -c "LOAD 'pgdb_tools'" -c "$1" -c "SELECT pg_reload_conf()" >/dev/null
}
arch_fail() { echo "archives: $1" >&2; arch_cleanup; exit 1; }

arch_settle() {
  bench_sql "VACUUM ANALYZE $t" || arch_fail "VACUUM failed"
  bench_sql "CHECKPOINT" || arch_fail "CHECKPOINT failed"
}

# arch_order REP NAME...: the names, one a line, rotated left by REP.
arch_order() {
  local r=$1 i
  shift
  for ((i = 0; i < $#; i++)); do
    local k=$(( (i + r) % $# + 1 ))
    echo "${!k}"
  done
}

# arch_clock CMD...: runs CMD (its output discarded) and prints its wall-clock milliseconds;
# fails the benchmark when CMD fails.
arch_clock() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null || arch_fail "failed: $*"
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }'
}

arch_runs() {
  [ -n "${ARCHIVE_VERBOSE:-}" ] || return 0
  local what=$1
  shift
  echo "archives: $what runs (ms): $*" >&2
}

# arch_mb FILE: its size in MB (10^6 bytes).
arch_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.2f\n", b / 1e6 }'; }

arch_cleanup
dumpdir=$(mktemp -d /tmp/bench_arch_dump.XXXXXX) || { echo "archives: mktemp failed" >&2; exit 1; }
dump=$dumpdir/$t.dump
arch_setting "ALTER SYSTEM SET pgdb_tools.archive_directory = '$adir'" ||
  arch_fail "could not set the archive directory"
sleep 1
[ "$("${PSQL[@]}" -At -c "LOAD 'pgdb_tools'" -c "SHOW pgdb_tools.archive_directory")" = "$adir" ] ||
  arch_fail "pgdb_tools.archive_directory is not $adir after the reload"
bench_sql "
CREATE TABLE $t (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, amount numeric(12,2) NOT NULL,
                 status text NOT NULL, note text, payload jsonb);
INSERT INTO $t
SELECT g, timestamptz '2024-01-01' + g * interval '7 seconds', (g % 100000) / 100.0 + 0.01,
       (ARRAY['new','paid','shipped','refunded'])[1 + g % 4],
       left(md5(g::text) || md5((g + 1)::text), 36), jsonb_build_object('v', g % 1000)
  FROM generate_series(1, $rows) g;
SELECT pgdb_tools.snapshot_create('bench_arch_s', ARRAY['$t']::regclass[]);" || arch_fail "could not create $t"
bench_sql "VACUUM ANALYZE" || arch_fail "VACUUM failed"  # the snapshot's copy too
arch_settle
echo "archives: table $t, $rows rows, heap $("${PSQL[@]}" -At -c "SELECT pg_size_pretty(pg_relation_size('$t'))")," \
     "archive directory $adir (the issue's reference: 3000000 rows, 361 MB)"

# 1. snapshot_export (zstd, lz4, none) and archive_create (zstd) against pg_dump -Fc -t.
declare -A out_file=(
  [export_zstd]="bench_arch_zstd.pgdbsnap" [export_lz4]="bench_arch_lz4.pgdbsnap"
  [export_none]="bench_arch_none.pgdbsnap" [create_zstd]="bench_arch_live.pgdbsnap")
declare -A out_sql=(
  [export_zstd]="SELECT pgdb_tools.snapshot_export('bench_arch_s', 'bench_arch_zstd.pgdbsnap', 'zstd')"
  [export_lz4]="SELECT pgdb_tools.snapshot_export('bench_arch_s', 'bench_arch_lz4.pgdbsnap', 'lz4')"
  [export_none]="SELECT pgdb_tools.snapshot_export('bench_arch_s', 'bench_arch_none.pgdbsnap', 'none')"
  [create_zstd]="SELECT pgdb_tools.archive_create('bench_arch_live.pgdbsnap', ARRAY['$t']::regclass[])")
declare -A out_ms=()
for rep in $(seq 0 $((BENCH_REPS - 1))); do
  for v in $(arch_order "$rep" export_zstd export_lz4 export_none create_zstd pg_dump); do
    if [ "$v" = pg_dump ]; then
      rm -f "$dump"
      arch_settle
      ms=$(arch_clock "$PGBIN/pg_dump" "${PGCONN[@]}" -d "$DB" -Fc -t "$t" -f "$dump") || exit 1
    else
      rm -f "$adir/${out_file[$v]}"
      arch_settle
      ms=$(arch_clock "${PSQL[@]}" -c "${out_sql[$v]}") || exit 1
    fi
    out_ms[$v]="${out_ms[$v]:-} $ms"
  done
done
for v in export_zstd export_lz4 export_none create_zstd pg_dump; do
  # shellcheck disable=SC2086
  arch_runs "$v" ${out_ms[$v]}
done
# shellcheck disable=SC2086
dump_ms=$(median ${out_ms[pg_dump]})
dump_mb=$(arch_mb "$dump")
for v in export_zstd export_lz4 export_none create_zstd; do
  case $v in
    export_*) what="snapshot_export ${v#export_}" label="pgdb_tools export ${v#export_}" ;;
    create_*) what="archive_create ${v#create_} (live)" label="pgdb_tools archive_create" ;;
  esac
  # shellcheck disable=SC2086
  bench_report "$what, $rows rows" "$label" "$(median ${out_ms[$v]})" \
    "pg_dump -Fc -t" "$dump_ms"
  bench_report "  file MB, $what" "archive MB" "$(arch_mb "$adir/${out_file[$v]}")" \
    "pg_dump -Fc MB" "$dump_mb"
done

# The archives are what they claim: verify ok, and the live archive's content hash is the
# snapshot's (the export's hash is checked again by each import below).
ok=$("${PSQL[@]}" -At -c "SELECT bool_and(ok) FROM pgdb_tools.archive_verify('bench_arch_zstd.pgdbsnap')")
[ "$ok" = t ] || arch_fail "archive_verify of bench_arch_zstd.pgdbsnap did not report ok (got '$ok')"
ok=$("${PSQL[@]}" -At -c "SELECT bool_and(ok) FROM pgdb_tools.archive_verify('bench_arch_live.pgdbsnap')")
[ "$ok" = t ] || arch_fail "archive_verify of bench_arch_live.pgdbsnap did not report ok (got '$ok')"

# 2. snapshot_import of the zstd archive against pg_restore of the dump into an empty database.
declare -A in_ms=()
for rep in $(seq 0 $((BENCH_REPS - 1))); do
  for v in $(arch_order "$rep" import pg_restore); do
    if [ "$v" = pg_restore ]; then
      "$PGBIN/dropdb" "${PGCONN[@]}" --if-exists "$rdb" || arch_fail "dropdb failed"
      "$PGBIN/createdb" "${PGCONN[@]}" "$rdb" || arch_fail "createdb failed"
      arch_settle
      ms=$(arch_clock "$PGBIN/pg_restore" "${PGCONN[@]}" -d "$rdb" "$dump") || exit 1
      restored=$("$PGBIN/psql" -X -At "${PGCONN[@]}" -d "$rdb" -c "SELECT count(*) FROM $t")
      [ "$restored" = "$rows" ] || arch_fail "pg_restore gave $restored rows, not $rows"
    else
      bench_sql "SELECT pgdb_tools.snapshot_drop('bench_arch_i')" || arch_fail "snapshot_drop failed"
      arch_settle
      ms=$(arch_clock "${PSQL[@]}" -c "SELECT pgdb_tools.snapshot_import('bench_arch_zstd.pgdbsnap', 'bench_arch_i')") || exit 1
      same=$("${PSQL[@]}" -At -c "SELECT a.rows = $rows AND a.content_hash = b.content_hash
        FROM pgdb_tools.snapshot_tables('bench_arch_s') a, pgdb_tools.snapshot_tables('bench_arch_i') b")
      [ "$same" = t ] || arch_fail "the imported snapshot does not have the exported rows (got '$same')"
    fi
    in_ms[$v]="${in_ms[$v]:-} $ms"
  done
done
# shellcheck disable=SC2086
arch_runs "snapshot_import" ${in_ms[import]}
# shellcheck disable=SC2086
arch_runs "pg_restore" ${in_ms[pg_restore]}
# shellcheck disable=SC2086
bench_report "snapshot_import (zstd), $rows rows" "pgdb_tools snapshot_import" "$(median ${in_ms[import]})" \
  "pg_restore into empty db" "$(median ${in_ms[pg_restore]})"
"$PGBIN/dropdb" "${PGCONN[@]}" --if-exists "$rdb"

# 3. archive_verify (every checksum, the SHA-256, the content hash recomputed from the parsed rows)
# against pg_restore -f /dev/null (reads and decompresses the dump, checks nothing): scale only.
declare -A ver_ms=()
for rep in $(seq 0 $((BENCH_REPS - 1))); do
  for v in $(arch_order "$rep" verify read_dump); do
    arch_settle
    if [ "$v" = read_dump ]; then
      ms=$(arch_clock "$PGBIN/pg_restore" -f /dev/null "$dump") || exit 1
    else
      ms=$(arch_clock "${PSQL[@]}" -c "SELECT bool_and(ok) FROM pgdb_tools.archive_verify('bench_arch_zstd.pgdbsnap')") || exit 1
    fi
    ver_ms[$v]="${ver_ms[$v]:-} $ms"
  done
done
# shellcheck disable=SC2086
arch_runs "archive_verify" ${ver_ms[verify]}
# shellcheck disable=SC2086
arch_runs "pg_restore -f /dev/null" ${ver_ms[read_dump]}
# shellcheck disable=SC2086
bench_report "archive_verify (zstd) vs reading dump" "pgdb_tools archive_verify" "$(median ${ver_ms[verify]})" \
  "pg_restore -f /dev/null" "$(median ${ver_ms[read_dump]})"

arch_cleanup
