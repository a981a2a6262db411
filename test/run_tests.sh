#!/usr/bin/env bash
# `make test`: installs what is missing, builds and installs the extension, runs the unit tests
# (ctest), starts a throwaway cluster with pg_cron, runs every pg_regress suite and end-to-end
# script against it, stops it, and closes with one line: "N passed, N failed".
#   --unit-only   only the PG-free unit tests
# Environment: PGDB_ONLY (shell globs separated by spaces, e.g. 'triggers_* upgrade') runs only
# the pg_regress suites and end-to-end scripts whose names match one of them; PGDB_TEST_PORT / PGDB_TEST_CLUSTER_DIR move the
# throwaway cluster and PGDB_INSTALL_ROOT (test/lib.sh) the installation, so that several
# checkouts can test at once. PGDB_SKIP_UNIT=1 leaves the unit tests out (a development loop over
# SQL suites; make test in CI always runs them).
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

# --- unit tests (PG-free core): a plain build, and one under ASan + UBSan ---
# run_ctest LABEL BUILD_DIR CMAKE_ARGS...: builds, runs ctest and adds its counts to the totals.
run_ctest() {
  local label=$1 dir=$2; shift 2
  local unit_log="$dir.ctest.log" summary total unit_failed
  echo "== Unit tests (ctest, $label)"
  if cmake -S "$REPO" -B "$dir" "$@" >/dev/null &&
     cmake --build "$dir" -j"$(nproc)" >"$dir.build.log" 2>&1; then
    (cd "$dir" && ctest --output-on-failure) >"$unit_log" 2>&1
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
run_ctest plain "$REPO/build/cmake" -DCMAKE_BUILD_TYPE=RelWithDebInfo
# Any sanitizer report aborts the test binary (-fno-sanitize-recover=all, halt_on_error), so the
# case fails in ctest; leaks count too.
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest "ASan+UBSan" "$REPO/build/cmake-asan" -DCMAKE_BUILD_TYPE=Debug -DPGDB_SANITIZE=ON
# The archive decoder's libFuzzer target for a bounded time (test/fuzz/run.sh): one test.
echo "== Fuzz (archive decoder)"; if bash "$REPO/test/fuzz/run.sh" >"$REPO/build/fuzz.log" 2>&1
then echo "   fuzz ok"; passed=$((passed + 1)); else tail -40 "$REPO/build/fuzz.log"; echo "   fuzz FAILED (build/fuzz.log)"; failed=$((failed + 1)); fi
fi
[ "${1:-}" = "--unit-only" ] && finish

# --- the extension against a real server ---
build_and_install || { failed=$((failed + 1)); echo "build or install failed"; finish; }
bash "$REPO/test/selftest/install.sh" || { failed=$((failed + 1)); echo "test module build or install failed"; finish; }

echo "== Starting a throwaway cluster in $CLUSTER_DIR (port $PORT)"
trap 'cluster_stop "$CLUSTER_DIR"' EXIT
cluster_start "$CLUSTER_DIR" "$PORT" "$DB" || { failed=$((failed + 1)); echo "cluster start failed"; finish; }

echo "== pg_regress"
set -f; read -r -a ONLY <<<"${PGDB_ONLY:-*}"; set +f
# only_match NAME: whether NAME matches one of the PGDB_ONLY globs.
only_match() {
  local pattern
  # shellcheck disable=SC2053
  for pattern in "${ONLY[@]}"; do [[ $1 == $pattern ]] && return 0; done
  return 1
}
tests=$(cd "$REPO/sql" && for f in *.sql; do only_match "${f%.sql}" && echo "${f%.sql}"; done)
outdir="$REPO/build/regress"
rm -rf "$outdir"; mkdir -p "$outdir"
"$PGXS_DIR/src/test/regress/pg_regress" --inputdir="$REPO" --outputdir="$outdir" \
  --bindir="$PGBIN" --host="$CLUSTER_DIR" --port="$PORT" --user=postgres \
  --use-existing --dbname="$DB" $tests >"$outdir/pg_regress.log" 2>&1
grep -E '^(test| ) .* \.\.\. ' "$outdir/pg_regress.log"
ok=$(grep -cE '\.\.\. ok' "$outdir/pg_regress.log")
bad=$(grep -cE '\.\.\. FAILED' "$outdir/pg_regress.log")
expected_count=$(wc -w <<<"$tests")
passed=$((passed + ok))
failed=$((failed + bad))
if [ $((ok + bad)) -ne "$expected_count" ]; then
  echo "pg_regress ran $((ok + bad)) of $expected_count suites:"; cat "$outdir/pg_regress.log"
  failed=$((failed + expected_count - ok - bad))
fi
[ -f "$outdir/regression.diffs" ] && cat "$outdir/regression.diffs"

echo "== End-to-end"
export PGHOST="$CLUSTER_DIR" PGPORT="$PORT" PGUSER=postgres PGDATABASE="$DB" REPO PGBIN
export PATH="$PGBIN:$PATH"
shopt -s nullglob
for script in "$REPO"/test/e2e/*.sh; do
  name=$(basename "$script" .sh)
  only_match "$name" || continue
  log="$REPO/build/e2e-$name.log"
  if bash "$script" >"$log" 2>&1; then
    printf 'e2e  %-32s ... ok\n' "$name"; passed=$((passed + 1))
  else
    printf 'e2e  %-32s ... FAILED\n' "$name"; failed=$((failed + 1)); sed 's/^/    /' "$log"
  fi
done

cluster_stop "$CLUSTER_DIR"
trap - EXIT
finish
