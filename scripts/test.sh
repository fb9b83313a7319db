#!/usr/bin/env bash
# Command two of the README: install, build, and run every test: unit tests
# and the include-rule check (ctest), the integration suite against the real
# binary (pytest), and the decoder fuzz target for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

echo "== unit tests (ctest)"
ctest --test-dir build --output-on-failure -j"$(nproc)"

echo "== fuzz: decoder, ${GRIDMQ_FUZZ_SECONDS:-60} s"
bash tests/fuzz/run.sh "${GRIDMQ_FUZZ_SECONDS:-60}"

echo "== integration tests (pytest, real broker, real clients)"
GRIDMQ_BIN="$PWD/build/gridmq" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
