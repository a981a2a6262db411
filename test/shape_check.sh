#!/usr/bin/env bash
# The shape rules of docs/contributing.md as one check of make test: no source file over ~450
# lines, no C++ function over ~80, no boundary pattern (ownership checks, syscache lookups, the
# extension's owner, arrays, PG_VERSION_NUM) outside src/pg. test/lint/shape.py lists what breaks
# them; run it by hand for the whole list.
set -u
source "$(dirname "$0")/lib.sh"
ensure_packages python3 || { echo "python3 could not be installed"; exit 1; }
echo "== shape (test/lint/shape.py)"
if out=$(/usr/bin/python3 "$REPO/test/lint/shape.py" "$REPO" 2>&1); then
  printf 'lint %-32s ... ok\n' shape
else
  printf 'lint %-32s ... FAILED\n' shape
  printf '%s\n' "$out" | sed 's/^/    /'
  exit 1
fi
