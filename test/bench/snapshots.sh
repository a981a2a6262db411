# Snapshots of one table shaped like the issue's reference table (3M rows, 361 MB of heap: about
# 126 bytes a row on disk), SNAPSHOT_ROWS rows (default 1000000, about 120 MB, so the default run
# stays at a few minutes on 2 cores; SNAPSHOT_ROWS=3000000 gives the reference size):
#   snapshot_create against CREATE TABLE ... AS SELECT * (the copy without the hash),
#   snapshot_restore in place against TRUNCATE + INSERT ... SELECT from a CREATE TABLE AS copy,
#   snapshot_verify (a rescan and rehash of the copy) against that same CREATE TABLE AS time, an
#   extra line for scale only: verify writes nothing, CREATE TABLE AS reads and writes.
# Each figure is the median of BENCH_REPS runs; in each repetition the variants run in an order
# rotated by one, so neither always runs first. Untimed between runs: the previous run's copy or
# snapshot dropped, VACUUM ANALYZE of the table, CHECKPOINT. SNAPSHOT_VERBOSE=1 also prints every
# run's milliseconds (on stderr). Sourced by run.sh.
rows=${SNAPSHOT_ROWS:-1000000}
t=bench_snap_t

snap_cleanup() {
  bench_sql "SELECT pgdb_tools.snapshot_drop(n) FROM unnest('{bench_snap_c,bench_snap_r}'::text[]) n;
             DROP TABLE IF EXISTS $t, bench_snap_ctas, bench_snap_copy;"
}
snap_fail() { echo "snapshots: $1" >&2; snap_cleanup; exit 1; }

# snap_settle: the untimed pause between two timed runs.
snap_settle() {
  bench_sql "VACUUM ANALYZE $t" || snap_fail "VACUUM failed"
  bench_sql "CHECKPOINT" || snap_fail "CHECKPOINT failed"
}

# snap_order REP NAME...: the names, one a line, rotated left by REP.
snap_order() {
  local r=$1 i
  shift
  for ((i = 0; i < $#; i++)); do
    local k=$(( (i + r) % $# + 1 ))
    echo "${!k}"
  done
}

# snap_time SQL: bench_time, failing the benchmark when the SQL fails (psql prints a time for a
# failed statement too, so only its exit status tells).
snap_time() {
  local ms
  if ! ms=$(set -o pipefail; bench_time "$1") || [ -z "$ms" ]; then snap_fail "failed: $1"; fi
  echo "$ms"
}

# snap_runs WHAT MS...: every run's time, when SNAPSHOT_VERBOSE is set.
snap_runs() {
  [ -n "${SNAPSHOT_VERBOSE:-}" ] || return 0
  local what=$1
  shift
  echo "snapshots: $what runs (ms): $*" >&2
}

snap_cleanup
bench_sql "
CREATE TABLE $t (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, amount numeric(12,2) NOT NULL,
                 status text NOT NULL, note text, payload jsonb);
INSERT INTO $t
SELECT g, timestamptz '2024-01-01' + g * interval '7 seconds', (g % 100000) / 100.0 + 0.01,
       (ARRAY['new','paid','shipped','refunded'])[1 + g % 4],
       left(md5(g::text) || md5((g + 1)::text), 36), jsonb_build_object('v', g % 1000)
  FROM generate_series(1, $rows) g;" || snap_fail "could not create $t"
snap_settle
echo "snapshots: table $t, $rows rows, heap $("${PSQL[@]}" -At -c "SELECT pg_size_pretty(pg_relation_size('$t'))")" \
     "(the issue's reference: 3000000 rows, 361 MB)"

# 1. snapshot_create against CREATE TABLE AS.
declare -A create_sql=(
  [ours]="SELECT pgdb_tools.snapshot_create('bench_snap_c', ARRAY['$t']::regclass[])"
  [anchor]="CREATE TABLE bench_snap_ctas AS SELECT * FROM $t")
declare -A create_undo=(
  [ours]="SELECT pgdb_tools.snapshot_drop('bench_snap_c')"
  [anchor]="DROP TABLE bench_snap_ctas")
create_ours=() create_anchor=()
for rep in $(seq 0 $((BENCH_REPS - 1))); do
  for v in $(snap_order "$rep" ours anchor); do
    snap_settle
    ms=$(snap_time "${create_sql[$v]}") || exit 1
    if [ "$v" = ours ]; then create_ours+=("$ms"); else create_anchor+=("$ms"); fi
    bench_sql "${create_undo[$v]}" || snap_fail "could not drop the copy"
  done
done
snap_runs "snapshot_create" "${create_ours[@]}"
snap_runs "CREATE TABLE AS" "${create_anchor[@]}"
ctas=$(median "${create_anchor[@]}")
bench_report "snapshot_create, 1 table, $rows rows" "pgdb_tools snapshot_create" \
  "$(median "${create_ours[@]}")" "CREATE TABLE AS SELECT *" "$ctas"

# 2. snapshot_restore in place against TRUNCATE + INSERT ... SELECT, both into the same table (its
# primary key maintained by both), from copies of the same rows.
bench_sql "SELECT pgdb_tools.snapshot_create('bench_snap_r', ARRAY['$t']::regclass[]);
           CREATE TABLE bench_snap_copy AS SELECT * FROM $t;" || snap_fail "could not set up the restore"
# Database-wide, so that the snapshot's copy is vacuumed (hint bits set) like bench_snap_copy.
bench_sql "VACUUM ANALYZE" || snap_fail "VACUUM failed"
declare -A restore_sql=(
  [ours]="SELECT count(*) FROM pgdb_tools.snapshot_restore('bench_snap_r')"
  [anchor]="BEGIN; TRUNCATE $t; INSERT INTO $t SELECT * FROM bench_snap_copy; COMMIT")
restore_ours=() restore_anchor=()
for rep in $(seq 0 $((BENCH_REPS - 1))); do
  for v in $(snap_order "$rep" ours anchor); do
    snap_settle
    ms=$(snap_time "${restore_sql[$v]}") || exit 1
    if [ "$v" = ours ]; then restore_ours+=("$ms"); else restore_anchor+=("$ms"); fi
  done
done
snap_runs "snapshot_restore" "${restore_ours[@]}"
snap_runs "TRUNCATE + INSERT SELECT" "${restore_anchor[@]}"
bench_report "snapshot_restore in place, $rows rows" "pgdb_tools snapshot_restore" \
  "$(median "${restore_ours[@]}")" "TRUNCATE + INSERT SELECT" "$(median "${restore_anchor[@]}")"
restored=$("${PSQL[@]}" -At -c "SELECT count(*) FROM $t")
[ "$restored" = "$rows" ] || snap_fail "after the restores $t has $restored rows, not $rows"

# 3. snapshot_verify: no like-for-like anchor (count(*) on the copy neither hashes nor writes);
# shown against the CREATE TABLE AS median of part 1, for scale only.
ok=$("${PSQL[@]}" -At -c "SELECT bool_and(ok) FROM pgdb_tools.snapshot_verify('bench_snap_r')")
[ "$ok" = t ] || snap_fail "snapshot_verify did not report ok (got '$ok')"
verify=()
for _ in $(seq "$BENCH_REPS"); do
  snap_settle
  ms=$(snap_time "SELECT bool_and(ok) FROM pgdb_tools.snapshot_verify('bench_snap_r')") || exit 1
  verify+=("$ms")
done
snap_runs "snapshot_verify" "${verify[@]}"
bench_report "verify (rescan+hash) vs CTAS" "pgdb_tools snapshot_verify" \
  "$(median "${verify[@]}")" "CREATE TABLE AS (from 1.)" "$ctas"

snap_cleanup
