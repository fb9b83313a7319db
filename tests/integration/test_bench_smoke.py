"""bench/compare.sh --smoke: every benchmark scenario (fan-in, fan-out, TLS fan-in, p2p,
shared, latency, latency under load, drain, conn-scale, 2 workers) runs
against gridmq, and against Mosquitto when it is installed, and delivers
exactly what it sent. Timing is never asserted: this only keeps the
benchmark tooling (tools/bench, bench/) working. About 10 s.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import harness
from tls_support import pki, tls_section  # noqa: F401 (pki is a fixture)

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
    for scenario in ("fan-in-q0", "fan-out-q0", "fan-in-q1", "fan-in-q0-tls", "p2p-q1", "shared-q1", "latency-q1",
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


def _bench_json(args, timeout=60):
    proc = subprocess.run([str(BENCH), *args, "--json", "--quiet"], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


@pytest.mark.parametrize("qos", [0, 1])
def test_bench_over_tls_delivers_what_it_sent(broker_factory, pki, qos):
    """gridmq-bench --tls: the generator's own TLS (verifying the broker's
    certificate for localhost) carries fan-in traffic to an mqtts://
    listener; --check fails the run unless everything arrived."""
    if not BENCH.exists():
        pytest.skip(f"{BENCH} not built")
    # The generator may run 20,000 deliveries ahead of its subscriber; the
    # default queue limit (100, then terminate) would end a loaded run.
    limits = "[limits]\nmax_queued_messages = 100000\n"
    b = broker_factory(config_text=tls_section(pki) + limits, listen=("mqtt://127.0.0.1:0", "mqtts://127.0.0.1:0"))
    port = b.port_of("mqtts")
    rc, out, err = _bench_json(["fan-in", "-p", str(port), "-c", "5", "-n", "2000", "-q", str(qos),
                                "--tls", "--cafile", str(pki.ca), "--sni", "localhost", "--check"])
    assert rc == 0, err
    r = json.loads(out)
    assert r["complete"] and r["received"] == 2000 and r["connected"] == 6, r


def test_bench_tls_mutual_and_refused_without_trust(broker_factory, pki):
    """With a listener that requires client certificates, --cert/--key get
    in; a CA that did not sign the broker's certificate fails the handshake
    and the run reports connect failures instead of traffic."""
    if not BENCH.exists():
        pytest.skip(f"{BENCH} not built")
    b = broker_factory(config_text=tls_section(pki, client_cert="required"), listen=("mqtt://127.0.0.1:0", "mqtts://127.0.0.1:0"))
    port = b.port_of("mqtts")
    cert, key = pki.client
    rc, out, err = _bench_json(["p2p", "-p", str(port), "-c", "3", "-n", "300", "--tls", "--cafile", str(pki.ca),
                                "--cert", str(cert), "--key", str(key), "--check"])
    assert rc == 0, err
    assert json.loads(out)["received"] == 300
    # Without a client certificate the broker refuses the handshake.
    rc, out, err = _bench_json(["conn", "-p", str(port), "-c", "2", "-d", "0.2", "--tls", "--cafile", str(pki.ca),
                                "--connect-timeout", "5"])
    assert json.loads(out)["connect_failed"] == 2, (out, err)
    # Trusting only another CA, the generator refuses the broker.
    other_ca = pki.root / "other-ca.pem"
    rc, out, err = _bench_json(["conn", "-p", str(port), "-c", "1", "-d", "0.2", "--tls", "--cafile", str(other_ca),
                                "--cert", str(cert), "--key", str(key), "--connect-timeout", "5"])
    assert json.loads(out)["connect_failed"] == 1, (out, err)
    assert "certificate verify failed" in err, err


def test_bench_tls_options_need_tls():
    if not BENCH.exists():
        pytest.skip(f"{BENCH} not built")
    proc = subprocess.run([str(BENCH), "conn", "--cafile", "x.pem"], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=10)
    assert proc.returncode == 1 and b"need --tls" in proc.stderr, proc.stderr
