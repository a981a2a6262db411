#!/usr/bin/env bash
# Builds the test-only extension pgdb_tools_selftest (test/selftest/Makefile) for the server of
# PG_CONFIG (PostgreSQL 15's when unset), in that major version's build directory
# (build/pgMAJOR/selftest: objects are never shared between versions), and installs it beside
# pgdb_tools: into the private copy of PostgreSQL when PGDB_INSTALL_ROOT is set (as test/lib.sh's
# build_and_install does), into the system otherwise. Run by test/run_tests.sh and
# test/bench/run.sh; before `make installcheck` against a server of your own, run it once.
set -u
source "$(dirname "$0")/../lib.sh"
use_postgres "${PG_CONFIG:-$PG15_CONFIG}" || exit 1
dir=$BUILD_DIR/selftest
echo "== Building and installing the test-only extension (test/selftest) for $PG_VERSION in ${dir#"$REPO"/}"
mk=(make -C "$dir" -f "$REPO/test/selftest/Makefile" VPATH="$REPO/test/selftest" -s PG_CONFIG="$PG_CONFIG")
mkdir -p "$dir" || exit 1
if [ -n "$INSTALL_ROOT" ]; then
  "${mk[@]}" -j"$(nproc)" >/dev/null && "${mk[@]}" install DESTDIR="$INSTALL_ROOT" >/dev/null
else
  "${mk[@]}" -j"$(nproc)" >/dev/null && as_root "${mk[@]}" install >/dev/null
fi
