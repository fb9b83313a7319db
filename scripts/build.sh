#!/usr/bin/env bash
# Configures and builds gridmq into build/ (the broker lands at build/gridmq).
set -euo pipefail
cd "$(dirname "$0")/.."
build_type=${GRIDMQ_BUILD_TYPE:-RelWithDebInfo}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build -j"$(nproc)"
