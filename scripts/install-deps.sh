#!/usr/bin/env bash
# Installs everything gridmq needs to build, run and test, from Debian 12's
# packages only. Safe to run again; run as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
  # build
  build-essential cmake ninja-build g++ pkg-config git
  libboost1.74-dev libssl-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev librocksdb-dev libmimalloc-dev
  # tests and fuzzing
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  # real peers for integration tests and benchmarks
  mosquitto mosquitto-clients python3 python3-paho-mqtt python3-pytest
  # TLS, WebSocket and HTTP tests: certificates and s_client, curl, MQTT.js
  openssl curl nodejs
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The Debian mosquitto package starts a broker on port 1883 when installed;
# gridmq's default port is 1883 too, so stop that service (the benchmarks run
# their own mosquitto on a port of their own).
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi
if [ -x /etc/init.d/mosquitto ]; then /etc/init.d/mosquitto stop >/dev/null 2>&1 || true; fi

# npm: Debian's package, unless a Node.js build that brings its own is installed.
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends npm
fi
# MQTT.js for the WebSocket tests, pinned by the committed package-lock.json,
# into tests/integration/js/node_modules (not committed).
repo=$(cd "$(dirname "$0")/.." && pwd)
if ! (cd "$repo/tests/integration/js" && npm ci --no-audit --no-fund --loglevel=error); then
  echo "install-deps: npm ci failed; the MQTT.js integration tests will be skipped" >&2
fi
