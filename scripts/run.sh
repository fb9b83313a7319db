#!/usr/bin/env bash
# Command one of the README: install, build, start the broker on its
# embedded defaults (MQTT on 127.0.0.1:1883). Extra arguments go to gridmq.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec ./build/gridmq "$@"
