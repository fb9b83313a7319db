"""bench/compare.sh --smoke: every benchmark scenario (fan-in, fan-out, p2p,
shared, latency, latency under load, drain, conn-scale, 2 workers) runs
against gridmq, and against Mosquitto when it is installed, and delivers
exactly what it sent. Timing is never asserted: this only keeps the
benchmark tooling (tools/bench, bench/) working. About 10 s.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import harness

pytestmark = pytest.mark.gridmq_only

BUILD = Path(harness.GRIDMQ_BIN).parent
BENCH = BUILD / "gridmq-bench"
COMPARE = harness.REPO / "bench" / "compare.sh"


def test_compare_smoke_every_scenario_delivers_what_it_sent():
    if not BENCH.exists():
        pytest.skip(f"{BENCH} not built (cmake --build {BUILD} --target gridmq-bench)")
    brokers = "gridmq,mosquitto" if shutil.which("mosquitto") else "gridmq"
    proc = subprocess.run(
        ["bash", str(COMPARE), "--smoke", "--build", str(BUILD), "--brokers", brokers],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=120, env={**os.environ, "LC_ALL": "C"})
    out = proc.stdout.decode(errors="replace")
    assert proc.returncode == 0, f"compare.sh --smoke failed ({proc.returncode}):\n{out}"
    assert "smoke passed" in out, out
    for scenario in ("fan-in-q0", "fan-out-q0", "fan-in-q1", "p2p-q1", "shared-q1", "latency-q1",
                     "latency-load", "drain", "conn-scale", "workers"):
        assert any(line.startswith(scenario) for line in out.splitlines()), f"{scenario} missing:\n{out}"


def test_bench_check_fails_when_nothing_is_delivered(broker):
    """--check must fail a run whose messages go nowhere: a subscriber on a
    topic nobody publishes to expects deliveries that never come."""
    if not BENCH.exists():
        pytest.skip(f"{BENCH} not built")
    proc = subprocess.run(
        [str(BENCH), "fan-out", "-p", str(broker.port), "-c", "2", "-n", "50", "-f", "elsewhere",
         "--drain-timeout", "0.5", "--check", "--quiet"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    out = proc.stdout.decode(errors="replace")
    assert proc.returncode == 3, out
    assert "delivered 0 of 100" in out, out
