#!/usr/bin/env bash
# Command one of the README: install, build, start the broker on its
# embedded defaults (MQTT on 127.0.0.1:1883), durable: sessions, queued
# messages and retained messages are kept in GRIDMQ_DATA_DIR (default
# /var/lib/gridmq) and survive kill -9. Extra arguments go to gridmq.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
data_dir=${GRIDMQ_DATA_DIR:-/var/lib/gridmq}
mkdir -p "$data_dir"
exec ./build/gridmq --data-dir "$data_dir" "$@"
