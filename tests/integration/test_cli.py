"""The gridmq command line: --version, --help, config errors, SIGTERM."""

import re
import signal
import subprocess

import pytest

import harness
import mqtt_raw as m

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
