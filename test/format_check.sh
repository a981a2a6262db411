#!/usr/bin/env bash
# The C++ of src/ and test/ formatted as .clang-format says: lists the files that are not and
# fails (make test counts it as one check); with --fix (make format) formats them in place.
# clang-format is the Debian package's (installed here when missing): another version may format
# differently.
set -u
source "$(dirname "$0")/lib.sh"
ensure_packages clang-format || { echo "clang-format could not be installed"; exit 1; }
mapfile -t files < <(cd "$REPO" && find src test -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort)
if [ "${1:-}" = "--fix" ]; then
  (cd "$REPO" && clang-format -i "${files[@]}")
  exit
fi
echo "== clang-format (${#files[@]} files)"
unformatted=()
for f in "${files[@]}"; do
  clang-format "$REPO/$f" | cmp -s - "$REPO/$f" || unformatted+=("$f")
done
if [ ${#unformatted[@]} -eq 0 ]; then
  printf 'fmt  %-32s ... ok\n' clang-format
else
  printf 'fmt  %-32s ... FAILED\n' clang-format
  printf '    not formatted: %s\n' "${unformatted[@]}"
  echo "    run: make format"
  exit 1
fi
