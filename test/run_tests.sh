#!/usr/bin/env bash
# `make test`: installs what is missing, runs the unit tests (ctest: PG-free, so once), then for
# each server builds and installs the extension (in build/pgMAJOR), starts a throwaway cluster
# with pg_cron, runs every pg_regress suite and end-to-end script against it and stops it. Plain
# `make test` tests PostgreSQL 15 and then 18 (installed from ../shared/postgres when missing);
# `make test PG_CONFIG=/path/to/pg_config` tests that server only. Each server's block ends with
# "== PostgreSQL 18.6: N passed, N failed"; the last line is the total over everything run,
# unit tests included: "N passed, N failed".
#   --unit-only   only the PG-free unit tests
# Results: build/pgMAJOR/regress/ (regression.diffs, results/) and build/pgMAJOR/e2e-NAME.log.
# Environment: PGDB_ONLY (shell globs separated by spaces, e.g. 'triggers_* upgrade') runs only
# the pg_regress suites and end-to-end scripts whose names match one of them; PGDB_TEST_PORT /
# PGDB_TEST_CLUSTER_DIR move the throwaway cluster and PGDB_INSTALL_ROOT (test/lib.sh) the
# installation, so that several checkouts can test at once (PGDB_TEST_SIDE_PORT, default the port
# + 30: the second cluster, in which the scripts that mostly wait run; see SIDE_E2E below).
# PGDB_SKIP_UNIT=1 leaves the unit tests out (a development loop over SQL suites; make test in CI
# always runs them).
set -u
source "$(dirname "$0")/lib.sh"

CLUSTER_DIR=${PGDB_TEST_CLUSTER_DIR:-/tmp/pgdb_tools_test}
PORT=${PGDB_TEST_PORT:-54329}
DB=pgdb_regress
passed=0
failed=0

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

ensure_packages "${BUILD_PACKAGES[@]}" || { failed=1; echo "package installation failed"; finish; }
bash "$REPO/test/format_check.sh" && passed=$((passed + 1)) || failed=$((failed + 1))
bash "$REPO/test/shape_check.sh" && passed=$((passed + 1)) || failed=$((failed + 1))

# --- unit tests (PG-free core): a plain build, and one under ASan + UBSan ---
# run_ctest LABEL BUILD_DIR CMAKE_ARGS...: builds, runs ctest and adds its counts to the totals.
run_ctest() {
  local label=$1 dir=$2; shift 2
  local unit_log="$dir.ctest.log" summary total unit_failed
  echo "== Unit tests (ctest, $label)"
  if cmake -S "$REPO" -B "$dir" "$@" >/dev/null &&
     cmake --build "$dir" -j"$(nproc)" >"$dir.build.log" 2>&1; then
    # each case is a process of its own (a sanitizer report ends only that one): as many at once
    # as there are cores
    (cd "$dir" && ctest --output-on-failure -j"$(nproc)") >"$unit_log" 2>&1
    summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$unit_log")
    if [ -n "$summary" ]; then
      total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
      unit_failed=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$summary")
      passed=$((passed + total - unit_failed))
      failed=$((failed + unit_failed))
      echo "   $summary"
      [ "$unit_failed" -gt 0 ] && cat "$unit_log"
    else
      cat "$unit_log"; failed=$((failed + 1))
    fi
  else
    cat "$dir.build.log"; echo "unit test build ($label) failed"; failed=$((failed + 1))
  fi
}
mkdir -p "$REPO/build"
if [ -n "${PGDB_SKIP_UNIT:-}" ] && [ -z "${CI:-}" ]; then
  echo "== Unit tests skipped (PGDB_SKIP_UNIT)"
else
# The plain build is configured as the Makefile configures pgdb-archive's (-O2, no debug
# information: the same code as with -g): make test's extension builds take their pgdb-archive
# from it (test/lib.sh) instead of building it again.
run_ctest plain "$REPO/build/cmake" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE='-O2 -DNDEBUG' -DPGDB_TESTS=ON
# Any sanitizer report aborts the test binary (-fno-sanitize-recover=all, halt_on_error), so the
# case fails in ctest; leaks count too.
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest "ASan+UBSan" "$REPO/build/cmake-asan" -DCMAKE_BUILD_TYPE=Debug -DPGDB_SANITIZE=ON -DPGDB_TESTS=ON
# The archive decoder's libFuzzer target for a bounded time (test/fuzz/run.sh): one test.
echo "== Fuzz (archive decoder)"; if bash "$REPO/test/fuzz/run.sh" >"$REPO/build/fuzz.log" 2>&1
then echo "   fuzz ok"; passed=$((passed + 1)); else tail -40 "$REPO/build/fuzz.log"; echo "   fuzz FAILED (build/fuzz.log)"; failed=$((failed + 1)); fi
fi
[ "${1:-}" = "--unit-only" ] && finish

# --- the extension against each server ---
set -f; read -r -a ONLY <<<"${PGDB_ONLY:-*}"; set +f
# only_match NAME: whether NAME matches one of the PGDB_ONLY globs.
only_match() {
  local pattern
  # shellcheck disable=SC2053
  for pattern in "${ONLY[@]}"; do [[ $1 == $pattern ]] && return 0; done
  return 1
}

# run_regress: every (selected) pg_regress suite against the running cluster. An expected/NAME_1.out
# is pg_regress's alternative for output that differs between PostgreSQL versions.
run_regress() {
  local tests outdir ok bad expected_count
  echo "== pg_regress ($PG_VERSION)"
  tests=$(cd "$REPO/sql" && for f in *.sql; do only_match "${f%.sql}" && echo "${f%.sql}"; done)
  outdir="$BUILD_DIR/regress"
  rm -rf "$outdir"; mkdir -p "$outdir"
  "$PGXS_DIR/src/test/regress/pg_regress" --inputdir="$REPO" --outputdir="$outdir" \
    --bindir="$PGBIN" --host="$CLUSTER_DIR" --port="$PORT" --user=postgres \
    --use-existing --dbname="$DB" $tests >"$outdir/pg_regress.log" 2>&1
  # PostgreSQL 15 prints "test NAME ... ok"; 16 and later print TAP ("ok 1 - NAME", "not ok 2 - NAME").
  grep -E '^(test| ) .* \.\.\. |^(ok|not ok) [0-9]' "$outdir/pg_regress.log"
  ok=$(grep -cE '\.\.\. ok|^ok [0-9]' "$outdir/pg_regress.log")
  bad=$(grep -cE '\.\.\. FAILED|^not ok [0-9]' "$outdir/pg_regress.log")
  expected_count=$(wc -w <<<"$tests")
  passed=$((passed + ok))
  failed=$((failed + bad))
  if [ $((ok + bad)) -ne "$expected_count" ]; then
    echo "pg_regress ran $((ok + bad)) of $expected_count suites:"; cat "$outdir/pg_regress.log"
    failed=$((failed + expected_count - ok - bad))
  fi
  [ -f "$outdir/regression.diffs" ] && cat "$outdir/regression.diffs"
}

# The end-to-end scripts that mostly wait (pg_cron 1.4 starts jobs on minute boundaries; a worker
# gives up after a 30 s timeout; the crash scripts wait for their own clusters to restart) run one
# after another in a second throwaway cluster of their own (SIDE_DIR, port SIDE_PORT: its own
# pg_cron database), beside the pg_regress suites and the other scripts. upgrade replaces the
# installed library, so it runs alone, after the side ones ended.
SIDE_E2E=" archives_cron archives_crash partitions_crash partitions_cron scheduling_cron scheduling_limits snapshots_cron "
SIDE_DIR=${CLUSTER_DIR}_side
SIDE_PORT=${PGDB_TEST_SIDE_PORT:-$((PORT + 30))}
side_pid=""
release_pid=""

# release_prebuild: when upgrade is selected with other suites, builds the earlier releases'
# libraries it needs in the background, niced (the suites before it leave a core mostly idle).
release_prebuild() {
  only_match upgrade && [ "${ONLY[*]}" != upgrade ] || return 0
  nice -n 15 bash "$REPO/test/e2e/upgrade.sh" --build-only \
    >"$BUILD_DIR/upgrade-prebuild.log" 2>&1 &
  release_pid=$!
}

# e2e_env DIR PORT: the environment of the end-to-end scripts: the cluster in PGHOST/PGPORT and
# the server's version in PG_MAJOR (for the scripts that differ by version).
e2e_env() {
  export PGHOST="$1" PGPORT="$2" PGUSER=postgres PGDATABASE="$DB" REPO PGBIN PG_MAJOR
  export PATH="$PGBIN:$PATH"
}

# e2e_one SCRIPT: runs it (log in build/pgMAJOR/e2e-NAME.log) and prints its result line(s).
e2e_one() {
  local name log started seconds
  name=$(basename "$1" .sh)
  log="$BUILD_DIR/e2e-$name.log"
  started=$SECONDS
  if bash "$1" >"$log" 2>&1; then
    seconds=$((SECONDS - started))
    printf 'e2e  %-32s ... ok %8s s\n' "$name" "$seconds"
    grep -m1 '^SKIPPED' "$log" | sed 's/^/     /'
  else
    printf 'e2e  %-32s ... FAILED\n' "$name"; sed 's/^/    /' "$log"; return 1
  fi
}

# e2e_scripts SIDE: the selected scripts of the side lane (SIDE=side) or of the main one (main).
e2e_scripts() {
  local script name
  shopt -s nullglob
  for script in "$REPO"/test/e2e/*.sh; do
    name=$(basename "$script" .sh)
    only_match "$name" || continue
    if [[ $SIDE_E2E == *" $name "* ]]; then [ "$1" = side ] && echo "$script"
    else [ "$1" = main ] && echo "$script"; fi
  done
}

# side_start: the side lane in the background (its result lines go to build/pgMAJOR/e2e-side.out).
side_start() {
  local scripts
  scripts=$(e2e_scripts side)
  [ -n "$scripts" ] || return 0
  (
    trap 'cluster_stop "$SIDE_DIR"' EXIT
    if cluster_start "$SIDE_DIR" "$SIDE_PORT" "$DB" >"$BUILD_DIR/e2e-side-cluster.log" 2>&1; then
      e2e_env "$SIDE_DIR" "$SIDE_PORT"
      for script in $scripts; do e2e_one "$script"; done
    else
      for script in $scripts; do
        printf 'e2e  %-32s ... FAILED\n' "$(basename "$script" .sh)"
      done
      sed 's/^/    side cluster: /' "$BUILD_DIR/e2e-side-cluster.log"
    fi
  ) >"$BUILD_DIR/e2e-side.out" 2>&1 &
  side_pid=$!
}

# side_join: waits for the side lane, prints its lines and counts them.
side_join() {
  [ -n "$side_pid" ] || return 0
  wait "$side_pid"; side_pid=""
  echo "== End-to-end ($PG_VERSION), beside in $SIDE_DIR (port $SIDE_PORT)"
  cat "$BUILD_DIR/e2e-side.out"
  passed=$((passed + $(grep -cE '^e2e  .* \.\.\. ok ' "$BUILD_DIR/e2e-side.out")))
  failed=$((failed + $(grep -cE '^e2e  .* \.\.\. FAILED$' "$BUILD_DIR/e2e-side.out")))
}

# run_e2e: every (selected) end-to-end script of the main lane against the running cluster, then
# the side lane's results.
run_e2e() {
  local script
  echo "== End-to-end ($PG_VERSION)"
  e2e_env "$CLUSTER_DIR" "$PORT"
  for script in $(e2e_scripts main); do
    if [ "$(basename "$script" .sh)" = upgrade ]; then
      side_join
      # what failed to build is built again by upgrade itself, which then shows why
      [ -n "$release_pid" ] && { wait "$release_pid"; release_pid=""; }
    fi
    if e2e_one "$script"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  side_join
}

# server_tests PG_CONFIG: builds, installs and runs the suites against that server; prints its
# counts.
server_tests() {
  local passed_before=$passed failed_before=$failed
  echo "=== PostgreSQL from $1"
  if ! ensure_postgres "$1"; then
    failed=$((failed + 1)); echo "PostgreSQL from $1 could not be installed"; return
  fi
  if ! build_and_install; then
    failed=$((failed + 1)); echo "build or install for $PG_VERSION failed"; return
  fi
  if ! bash "$REPO/test/selftest/install.sh"; then
    failed=$((failed + 1)); echo "test module build or install for $PG_VERSION failed"; return
  fi
  echo "== Starting a throwaway $PG_VERSION cluster in $CLUSTER_DIR (port $PORT)"
  trap 'cluster_stop "$CLUSTER_DIR"; kill $side_pid $release_pid 2>/dev/null; cluster_stop "$SIDE_DIR"' EXIT
  if cluster_start "$CLUSTER_DIR" "$PORT" "$DB"; then
    e2e_env "$CLUSTER_DIR" "$PORT"
    release_prebuild
    side_start
    run_regress
    run_e2e
  else
    failed=$((failed + 1)); echo "cluster start failed"
  fi
  cluster_stop "$CLUSTER_DIR"
  [ -n "$release_pid" ] && { wait "$release_pid"; release_pid=""; }
  trap - EXIT
  echo "== $PG_VERSION: $((passed - passed_before)) passed, $((failed - failed_before)) failed"
}

if [ -n "${PG_CONFIG:-}" ]; then
  server_tests "$PG_CONFIG"
else
  server_tests "$PG15_CONFIG"
  server_tests "$PG18_CONFIG"
fi
finish
