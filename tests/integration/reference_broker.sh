#!/bin/sh
# Stand-in for build/gridmq that runs Mosquitto, to check the test harness
# itself against a known broker (not part of a normal run):
#   GRIDMQ_REFERENCE=1 GRIDMQ_BIN=tests/integration/reference_broker.sh \
#     /usr/bin/python3 -m pytest -q tests/integration
# It accepts gridmq's --listen/--threads/--config, ignores them, picks a free
# port, prints gridmq's "listening on" line and execs mosquitto (so SIGTERM
# reaches it directly).
set -e
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
conf=$(mktemp /tmp/gridmq-ref-XXXXXX.conf)
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_keepalive 1160\n' "$port" > "$conf"
echo "listening on mqtt://127.0.0.1:$port" >&2
exec mosquitto -c "$conf"
