#!/usr/bin/env bash
# Builds the test-only extension pgdb_tools_selftest (test/selftest/Makefile) and installs it
# beside pgdb_tools: into the private copy of PostgreSQL when PGDB_INSTALL_ROOT is set (as
# test/lib.sh's build_and_install does), into the system otherwise. Run by test/run_tests.sh and
# test/bench/run.sh; before `make installcheck` against a server of your own, run it once.
set -u
source "$(dirname "$0")/../lib.sh"
dir=$REPO/test/selftest
echo "== Building and installing the test-only extension (test/selftest)"
if [ -n "$INSTALL_ROOT" ]; then
  make -C "$dir" -s -j"$(nproc)" >/dev/null && make -C "$dir" -s install DESTDIR="$INSTALL_ROOT" >/dev/null
else
  make -C "$dir" -s -j"$(nproc)" >/dev/null && as_root make -C "$dir" -s install >/dev/null
fi
