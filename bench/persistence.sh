#!/usr/bin/env bash
# Issue 5's persistence rows: gridmq --data-dir vs Mosquitto with persistence on.
#
#  1. QoS 1 persistent throughput: a persistent session (Clean Session 0) goes
#     offline, one QoS 1 publisher fills its queue, it comes back and drains
#     (gridmq-bench drain). Publish-phase and drain msgs/s. gridmq with
#     durability sync (default) and batched; Mosquitto persistence true,
#     autosave_interval default, queues large enough that nothing is dropped.
#  2. Recovery of N (1,000,000) queued 64 B QoS 1 messages: fill an offline
#     session, stop the broker (gridmq SIGKILL: sync acks are durable;
#     Mosquitto SIGTERM: it only persists when it saves), restart on the same
#     data; time from launch to the port accepting and to the first queued
#     message reaching the reconnected subscriber; size on disk.
#
#   bench/persistence.sh [--build DIR] [--rounds N (1)] [--msgs N (200000)]
#                        [--recovery N (1000000)] [--out FILE|-] [--brokers gridmq,mosquitto]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3 probe="$repo/bench/persistence_probe.py"
build=${GRIDMQ_BUILD:-$repo/build} rounds=1 msgs=200000 recovery=1000000 out="$repo/bench/PERSISTENCE.md"
brokers=gridmq,mosquitto
command_line="bench/persistence.sh $*"
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift ;; --rounds) rounds=$2; shift ;; --msgs) msgs=$2; shift ;;
    --recovery) recovery=$2; shift ;; --out) out=$2; shift ;; --brokers) brokers=$2; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "persistence.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
build=$(cd "$build" && pwd)
gridmq="$build/gridmq" bench="$build/gridmq-bench"
work=$(mktemp -d /tmp/gridmq-persist.XXXXXX)
chmod 0755 "$work"  # see start(): Mosquitto must reach its data dir
results="$work/results.txt"; : > "$results"
broker_pid=""
cleanup() {
  if [[ -n $broker_pid ]]; then kill -KILL "$broker_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
port=$($py -c 'import random; print(random.randrange(20000, 32000))')

cat > "$work/gridmq.toml" <<EOF
[limits]
max_queued_messages = 10000000
max_queued_bytes = 1073741824
session_overflow = "drop_new"
EOF
mosq_conf() {  # $1 = data dir
  cat <<EOF
listener $port 127.0.0.1
allow_anonymous true
max_queued_messages 10000000
max_queued_bytes 0
max_inflight_messages 1000
max_packet_size 524288
persistence true
persistence_location $1/
log_dest stderr
log_type error
log_type warning
connection_messages false
EOF
}

wait_port() {
  local i
  for i in $(seq 1 2000); do
    kill -0 "$broker_pid" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.01
  done
  return 1
}
# start NAME DATA_DIR [durability]: launches the broker pinned to core 0
start() {
  local name=$1 data=$2 dur=${3:-sync}
  mkdir -p "$data"
  chmod 0777 "$data"  # Mosquitto run as root drops to user mosquitto: it must be able to save here
  if [[ $name == gridmq ]]; then
    { cat "$work/gridmq.toml"; printf '[storage]\ndurability = "%s"\n' "$dur"; } > "$work/g-$dur.toml"
    taskset -c 0 "$gridmq" --threads 1 --config "$work/g-$dur.toml" --data-dir "$data" \
      --listen "mqtt://127.0.0.1:$port" >>"$work/$name.log" 2>&1 &
  else
    mosq_conf "$data" > "$work/mosquitto.conf"
    taskset -c 0 mosquitto -c "$work/mosquitto.conf" >>"$work/$name.log" 2>&1 &
  fi
  broker_pid=$!
}
stop() {  # $1 = signal
  local i
  kill -"$1" "$broker_pid" 2>/dev/null || true
  for i in $(seq 1 6000); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.01; done
  kill -KILL "$broker_pid" 2>/dev/null || true
  wait "$broker_pid" 2>/dev/null || true
  broker_pid=""
}

throughput() {  # label broker durability round
  local label=$1 name=$2 dur=$3 r=$4 data="$work/data-$1-$4"
  start "$name" "$data" "$dur"
  wait_port || { echo "persistence.sh: $name did not start" >&2; cat "$work/$name.log" >&2; return 1; }
  taskset -c 1 "$bench" drain -q 1 -c "$msgs" -p "$port" --broker-pid "$broker_pid" --json --check \
    --drain-timeout 20 >"$work/t.json" 2>"$work/t.err" || echo "persistence.sh: $label drain exited $?" >&2
  stop TERM
  $py - "$work/t.json" "$work/t.err" "$label" "$r" >> "$results" <<'PY'
import json, re, sys
j = json.load(open(sys.argv[1]))
m = re.search(r"queued (\d+) messages for the offline session in ([\d.]+) s", open(sys.argv[2]).read())
fill = int(m.group(1)) / float(m.group(2)) if m else 0.0
print(json.dumps({"row": "throughput", "label": sys.argv[3], "round": int(sys.argv[4]), "fill_rate": fill,
                  "drain_rate": j["delivery_rate"], "complete": j["complete"], "problems": j["problems"]}))
PY
  rm -rf "$data"
}

recover_row() {  # broker round
  local name=$1 r=$2 data="$work/data-rec-$1-$2" cid="persist-$2" t0 sig=KILL size
  start "$name" "$data" sync
  wait_port || { echo "persistence.sh: $name did not start" >&2; return 1; }
  $py "$probe" session "$port" "$cid" bench/recover
  taskset -c 1 "$bench" pub -q 1 -c 1 -n "$recovery" -t bench/recover -p "$port" --json --quiet \
    >"$work/fill.json" 2>"$work/fill.err" || echo "persistence.sh: $name fill exited $?" >&2
  if [[ $name == mosquitto ]]; then sig=TERM; fi
  stop "$sig"
  size=$(du -sb "$data" | cut -f1)
  t0=$($py -c 'import time; print(repr(time.time()))')
  start "$name" "$data" sync
  taskset -c 1 $py "$probe" recover "$port" "$cid" "$t0" > "$work/rec.json" || echo '{}' > "$work/rec.json"
  stop KILL
  $py - "$work/rec.json" "$work/fill.json" "$name" "$r" "$size" >> "$results" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); f = json.load(open(sys.argv[2]))
j.update(row="recovery", label=sys.argv[3], round=int(sys.argv[4]), disk_bytes=int(sys.argv[5]),
         acked=f.get("acked"), fill_seconds=f.get("window_seconds"))
print(json.dumps(j))
PY
  rm -rf "$data"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
echo "persistence.sh: port $port, work dir $work"
for r in $(seq 1 "$rounds"); do
  if [[ $brokers == *gridmq* ]]; then throughput gridmq-sync gridmq sync "$r"; throughput gridmq-batched gridmq batched "$r"; fi
  if [[ $brokers == *mosquitto* ]]; then throughput mosquitto mosquitto - "$r"; fi
  tail -n 3 "$results"
done
for r in $(seq 1 "$rounds"); do
  for b in ${brokers//,/ }; do recover_row "$b" "$r"; tail -n 1 "$results"; done
done
elapsed=$(( $(date +%s) - started ))
echo "persistence.sh: $elapsed s"

[[ $out == - ]] && exit 0
$py - "$results" "$out" <<EOF
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(row, label, key):
    v = [r[key] for r in rows if r["row"] == row and r["label"] == label and r.get(key) is not None]
    return statistics.median(v) if v else None
def f(v, unit=""):
    if v is None: return "n/a"
    return f"{v/1e3:,.1f} k msg/s" if unit == "msg/s" else f"{v:.2f} s" if unit == "s" else f"{v/2**20:,.1f} MiB"
def ratio(a, b, higher_better=True):
    if not a or not b: return "n/a"
    return f"{a/b:.2f}x" if higher_better else f"{b/a:.2f}x"
L = ["# Persistence benchmark (issue 5)", "",
     "gridmq \`--data-dir\` vs Mosquitto \`persistence true\`. Written by \`bench/persistence.sh\`; see bench/NOTES.md.",
     "Ratio = gridmq's advantage over Mosquitto (>1 = gridmq better); medians over rounds.", "",
     "| row | gridmq (sync) | gridmq (batched) | mosquitto | ratio sync | ratio batched |",
     "|---|---|---|---|---|---|"]
for key, name in (("fill_rate", "QoS 1 persistent, $msgs msgs: publish phase (subscriber offline)"),
                  ("drain_rate", "QoS 1 persistent, $msgs msgs: drain on reconnect")):
    g, gb, m = med("throughput", "gridmq-sync", key), med("throughput", "gridmq-batched", key), med("throughput", "mosquitto", key)
    L.append(f"| {name} | {f(g,'msg/s')} | {f(gb,'msg/s')} | {f(m,'msg/s')} | {ratio(g,m)} | {ratio(gb,m)} |")
for key, name in (("port_s", "recovery of $recovery queued msgs: launch to port accepting"),
                  ("first_msg_s", "recovery of $recovery queued msgs: launch to first message received")):
    g, m = med("recovery", "gridmq", key), med("recovery", "mosquitto", key)
    L.append(f"| {name} | {f(g,'s')} | | {f(m,'s')} | {ratio(g,m,False)} | |")
g, m = med("recovery", "gridmq", "disk_bytes"), med("recovery", "mosquitto", "disk_bytes")
L.append(f"| on-disk size, $recovery queued msgs of 64 B | {f(g)} | | {f(m)} | {ratio(g,m,False)} | |")
L += ["", "Raw runs:", "", "\`\`\`"] + [json.dumps(r) for r in rows] + ["\`\`\`", "",
      "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r); brokers taskset -c 0, generator taskset -c 1; load before $load_before; run took $elapsed s",
      "- versions: $("$gridmq" --version 2>&1 | head -1) (commit $(git -C "$repo" rev-parse --short HEAD), build $build), mosquitto $(mosquitto -h 2>&1 | head -1 | sed 's/mosquitto version //')",
      "- date: $(date -u +%Y-%m-%dT%H:%MZ), rounds: $rounds",
      "- command: \`$command_line\`"]
open(sys.argv[2], "w").write("\n".join(L) + "\n")
EOF
echo "persistence.sh: wrote $out"
