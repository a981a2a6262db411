#!/usr/bin/env bash
# `make bench`: starts a throwaway cluster, installs pgdb_tools and the anchors it is compared with
# (contrib moddatetime, pg_partman 4.7 from Debian on PostgreSQL 15) and the floor (an empty C
# trigger, test/bench/floor), runs every test/bench/*.sh benchmark and the core micro-benchmarks,
# and prints per benchmark our time, the anchor's time and the ratio. PostgreSQL 15 by default;
# `make bench PG_CONFIG=/opt/pgdb_tools/pg18/bin/pg_config` runs on 18.
#
# Parameters (environment): BENCH_ROWS (default 500000), BENCH_REPS (default 3; the median is
# reported), BENCH_ONLY (run only the benchmark scripts whose name contains this).
# Benchmarks are not tests: nothing here passes or fails on timing.
set -u
source "$(dirname "$0")/../lib.sh"

DIR=${PGDB_BENCH_DIR:-/tmp/pgdb_tools_bench}
PORT=${PGDB_BENCH_PORT:-54331}
DB=pgdb_bench
export BENCH_ROWS=${BENCH_ROWS:-500000}
export BENCH_REPS=${BENCH_REPS:-3}
export PGOPTIONS="-c client_min_messages=warning"

# bench_sql SQL: runs SQL untimed (set-up, clean-up, VACUUM between runs).
bench_sql() { "${PSQL[@]}" -c "$1" >/dev/null; }

# bench_time SQL: runs SQL in its own session and prints the server-reported milliseconds.
bench_time() {
  "${PSQL[@]}" -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1
}

# median MS...: the middle value (lower middle for an even count).
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

# bench_report NAME OURS_LABEL OURS_MS ANCHOR_LABEL ANCHOR_MS
bench_report() {
  local ratio
  ratio=$(awk -v o="$3" -v a="$5" 'BEGIN { if (a > 0) printf "%.2fx", o / a; else print "n/a" }')
  printf '%-40s %-28s %10.1f   %-28s %10.1f   %7s\n' "$1" "$2" "$3" "$4" "$5" "$ratio"
}

# PostgreSQL 15, or the server of PG_CONFIG (make bench PG_CONFIG=...). pg_partman comes from
# Debian, for 15 only: on another version the partition benchmarks compare with plain DDL alone.
ensure_packages "${BUILD_PACKAGES[@]}" && ensure_postgres "${PG_CONFIG:-$PG15_CONFIG}" || exit 1
HAVE_PARTMAN=
if [ "$PG_MAJOR" = 15 ]; then ensure_packages postgresql-15-partman || exit 1; HAVE_PARTMAN=1; fi
PSQL=("$PGBIN/psql" -X -q -h "$DIR" -p "$PORT" -U postgres -d "$DB" -v ON_ERROR_STOP=1)
build_and_install || exit 1
echo "== Building and installing the benchmark floor (test/bench/floor) in ${BUILD_DIR#"$REPO"/}/bench-floor"
floor_make=(make -C "$BUILD_DIR/bench-floor" -f "$REPO/test/bench/floor/Makefile" -s PG_CONFIG="$PG_CONFIG")
mkdir -p "$BUILD_DIR/bench-floor" && "${floor_make[@]}" >/dev/null || exit 1
if [ -n "$INSTALL_ROOT" ]; then
  "${floor_make[@]}" install DESTDIR="$INSTALL_ROOT" >/dev/null || exit 1
else
  as_root "${floor_make[@]}" install >/dev/null || exit 1
fi
bash "$REPO/test/selftest/install.sh" || exit 1  # _selftest_noop_trigger, the guard's own cost
echo "== Starting a throwaway $PG_VERSION cluster in $DIR (port $PORT)"
trap 'cluster_stop "$DIR"' EXIT
# Retiring thousands of partitions in one transaction takes a lock on each.
PGDB_CLUSTER_EXTRA_CONF="max_locks_per_transaction = 1024" cluster_start "$DIR" "$PORT" "$DB" || exit 1
bench_sql "CREATE EXTENSION pgdb_tools; CREATE EXTENSION pgdb_tools_selftest; CREATE EXTENSION pgdb_bench_floor; CREATE EXTENSION moddatetime;"
if [ -n "$HAVE_PARTMAN" ]; then
  bench_sql "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;"
else
  echo "== pg_partman is packaged for PostgreSQL 15 only: on $PG_VERSION the partition benchmarks compare with plain DDL (the floor) alone"
fi

echo "== Benchmarks on $PG_VERSION (rows: $BENCH_ROWS, median of $BENCH_REPS runs; ratio = ours / anchor, below 1 is faster)"
printf '%-40s %-28s %10s   %-28s %10s   %7s\n' benchmark ours ms anchor ms ratio
for script in "$REPO"/test/bench/*.sh; do
  name=$(basename "$script" .sh)
  [ "$name" = run ] && continue
  case "$name" in *"${BENCH_ONLY:-}"*) ;; *) continue ;; esac
  # shellcheck source=/dev/null
  (source "$script") || echo "benchmark $name failed"
done

echo "== Core micro-benchmarks (Google Benchmark)"
# configured as make test configures it (test/run_tests.sh), so neither rebuilds the other's
if cmake -S "$REPO" -B "$REPO/build/cmake" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE='-O2 -DNDEBUG' \
     -DPGDB_TESTS=ON >/dev/null &&
   cmake --build "$REPO/build/cmake" --target micro_bench -j"$(nproc)" >/dev/null; then
  "$REPO/build/cmake/micro_bench" --benchmark_min_time=0.1 2>/dev/null
fi
