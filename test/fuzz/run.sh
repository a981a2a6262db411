#!/usr/bin/env bash
# Builds the archive decoder's libFuzzer target with Debian's clang (ASan + UBSan) and runs it for
# FUZZ_SECONDS (default 30) from the seed corpus in test/fuzz/corpus/; new inputs go to a scratch
# directory, never into the committed corpus. Exit status 0: no finding. Called by
# test/run_tests.sh, where it counts as one test; a finding's input is left in build/fuzz/.
set -u
source "$(dirname "$0")/../lib.sh"
ensure_packages clang libclang-rt-dev libssl-dev libzstd-dev liblz4-dev libxxhash-dev || exit 1

out="$REPO/build/fuzz"
mkdir -p "$out/new"
sources=("$REPO"/src/snapshots/archive_*.cpp "$REPO/src/core/error.cpp" "$REPO/test/fuzz/archive_reader_fuzz.cpp")
# Each source compiled on its own, as many at once as there are cores, then linked.
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
rm -rf "$out/obj" && mkdir -p "$out/obj"
objects=()
for f in "${sources[@]}"; do objects+=("$out/obj/$(basename "$f" .cpp).o"); done
printf '%s\n' "${sources[@]}" |
  xargs -P "$(nproc)" -I{} bash -c 'src=$1 obj=$2; shift 2; clang++ "$@" -c "$src" -o "$obj/$(basename "$src" .cpp).o"' \
    _ {} "$out/obj" "${flags[@]}" -I"$REPO/src" &&
  clang++ "${flags[@]}" "${objects[@]}" -lzstd -llz4 -lcrypto -o "$out/archive_reader_fuzz" ||
  { echo "fuzz target build failed"; exit 1; }
cd "$out" || exit 1
# -malloc_limit_mb: the largest allocation a file may cause is one 16 MB chunk (and its stored
# bytes); anything far beyond is an unbounded allocation.
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
"$out/archive_reader_fuzz" -max_total_time="${FUZZ_SECONDS:-30}" -malloc_limit_mb=96 \
  -rss_limit_mb=1024 -max_len=65536 -timeout=10 -print_final_stats=1 \
  "$out/new" "$REPO/test/fuzz/corpus"
