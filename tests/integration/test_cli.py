"""The gridmq command line: --version, --help, config errors, SIGTERM."""

import re
import signal
import subprocess

import pytest

import harness
import mqtt_raw as m
import raw_client

pytestmark = pytest.mark.gridmq_only


def _run(*args, timeout=10):
    return subprocess.run([harness.GRIDMQ_BIN, *args], capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def _text(r):
    return (r.stdout + r.stderr).decode("utf-8", errors="replace")


def test_version_prints_version_and_exits_0():
    r = _run("--version")
    assert r.returncode == 0, _text(r)
    assert re.search(r"\d+\.\d+\.\d+", _text(r)), f"no version number in: {_text(r)!r}"


def test_help_exits_0_and_documents_options():
    r = _run("--help")
    assert r.returncode == 0, _text(r)
    out = _text(r)
    for opt in ("--listen", "--threads", "--config"):
        assert opt in out, f"{opt} missing from --help:\n{out}"


def test_unknown_option_exits_nonzero():
    r = _run("--no-such-option")
    assert r.returncode != 0, _text(r)


def test_config_unknown_key_names_file_line_and_key(tmp_path):
    # DESIGN: config errors name the file, line and key; the broker does
    # not start.
    cfg = tmp_path / "bad-key.toml"
    cfg.write_text("# gridmq test config\n# line 2\n\nno_such_key_xyz = 1\n")
    r = _run("--listen", "mqtt://127.0.0.1:0", "--config", str(cfg))
    err = _text(r)
    assert r.returncode != 0, f"broker started with an unknown key:\n{err}"
    assert "listening on" not in err
    assert cfg.name in err, f"file name missing: {err!r}"
    assert re.search(r"(:|line\s*)4\b", err), f"line 4 missing: {err!r}"
    assert "no_such_key_xyz" in err, f"key missing: {err!r}"


def test_config_syntax_error_names_file_and_line(tmp_path):
    cfg = tmp_path / "broken.toml"
    cfg.write_text("# ok\n\n= not toml\n")
    r = _run("--listen", "mqtt://127.0.0.1:0", "--config", str(cfg))
    err = _text(r)
    assert r.returncode != 0, err
    assert cfg.name in err and re.search(r"(:|line\s*)3\b", err), err


def test_missing_config_file_exits_nonzero(tmp_path):
    cfg = tmp_path / "absent.toml"
    r = _run("--listen", "mqtt://127.0.0.1:0", "--config", str(cfg))
    assert r.returncode != 0 and cfg.name in _text(r), _text(r)


def test_empty_config_file_starts(broker_factory):
    b = broker_factory(config_text="# nothing to set: embedded defaults\n")
    with b.connected("c") as c:
        c.ping()


def test_sigterm_exits_0_with_clients_connected(broker_factory):
    b = broker_factory()
    c5 = b.connected("c5", m.V5)
    c3 = b.connected("c3", m.V311)
    rc = b.stop()
    assert not b.hung, "broker ignored SIGTERM"
    assert rc == 0, f"exit code {rc} after SIGTERM (-{signal.SIGTERM} means it died of the signal)"
    for c in (c5, c3):
        c.expect_closed()


def test_sigterm_sends_v5_disconnect_0x8b(broker_factory):
    # Documented: on SIGINT/SIGTERM v5 clients get DISCONNECT 0x8B Server
    # shutting down (MQTT 5.0 3.14.2.1), 3.1.1 clients a close.
    b = broker_factory()
    c5 = b.connected("c5", m.V5)
    b.proc.send_signal(signal.SIGTERM)
    before = c5.expect_closed()
    assert [(p.type, p.reason) for p in before] == [(m.DISCONNECT, 0x8B)], before
    assert b.stop() == 0


def test_two_listeners(broker_factory):
    b = broker_factory(args=["--listen", "mqtt://127.0.0.1:0"])
    harness.wait_until(lambda: len(harness.LISTEN_RE.findall(b.log())) >= 2, 5, what="two listening lines")
    ports = [int(p) for _, p in harness.LISTEN_RE.findall(b.log())]
    assert len(set(ports)) == 2, ports
    for port in ports:
        with raw_client.RawClient("127.0.0.1", port) as c:
            c.connect(f"on-{port}")
            c.ping()
