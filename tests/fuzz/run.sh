#!/usr/bin/env bash
# Builds fuzz_decode if needed and fuzzes it for DURATION seconds (default 60)
# on a copy of the seed corpus. Exits non-zero on a finding; the crashing
# input is kept in $BUILD/fuzz-artifacts/.
#   tests/fuzz/run.sh 60
# Environment: GRIDMQ_FUZZ_BUILD (default <repo>/build-fuzz), CXX (default clang++).
set -euo pipefail

duration="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${GRIDMQ_FUZZ_BUILD:-$root/build-fuzz}"

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  CXX="${CXX:-clang++}" cmake -S "$root" -B "$build" -DGRIDMQ_FUZZ=ON -DGRIDMQ_TESTS=OFF
fi
# Only the fuzz target: other modules need not build with clang.
cmake --build "$build" --target fuzz_decode -j2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/tests/fuzz/corpus/decode/"* "$work/"
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"

"$build/tests/fuzz/fuzz_decode" -max_total_time="$duration" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$work"
