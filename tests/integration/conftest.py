"""Fixtures for the gridmq integration tests.

`broker`          a fresh gridmq on 127.0.0.1:<ephemeral>, defaults, per test.
`broker_factory`  start(config_text=None, threads=None, args=(), **kw) for tests
                  that need options (kw: BrokerProcess's, e.g. listen=()); every broker started is stopped at teardown.
`clients`         registry that closes raw clients / paho / mosquitto_sub
                  processes at teardown (use clients.add(x)).

A broker that dies during a test, or does not stop on SIGTERM, fails the
test at teardown. On failure the broker's log is attached to the report.
"""

import logging

import pytest

import harness

logging.getLogger("mqtt_raw").setLevel(logging.DEBUG)


def pytest_configure(config):
    config.addinivalue_line("markers", "gridmq_only: checks gridmq's own defaults/CLI; "
                            "skipped when GRIDMQ_REFERENCE is set (reference broker run)")


def pytest_collection_modifyitems(config, items):
    if not harness.REFERENCE:
        return
    skip = pytest.mark.skip(reason="gridmq-specific (defaults/CLI); GRIDMQ_REFERENCE run against another broker")
    for item in items:
        if "gridmq_only" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for b in getattr(item, "_gridmq_brokers", []):
            rep.sections.append((f"broker log (pid {b.pid}, {' '.join(b.cmd)})", b.log() or "<empty>"))


@pytest.fixture
def broker_factory(request):
    started = []
    request.node._gridmq_brokers = started

    def start(config_text=None, threads=None, args=(), **kw):
        b = harness.BrokerProcess(args=args, config_text=config_text, threads=threads, **kw)
        started.append(b)
        return b

    yield start
    problems = []
    for b in started:
        if b.stopped:
            continue
        died = not b.alive()
        rc = b.stop()
        if died:
            problems.append(f"broker pid {b.pid} died during the test with rc={rc}")
        elif b.hung:
            problems.append(f"broker pid {b.pid} did not exit within {harness.STOP_DEADLINE}s of SIGTERM")
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


@pytest.fixture
def broker(broker_factory):
    return broker_factory()


class _Clients:
    def __init__(self):
        self.items = []

    def add(self, x):
        self.items.append(x)
        return x

    def close_all(self):
        for x in reversed(self.items):
            try:
                if isinstance(x, harness.PahoClient):
                    x.c.loop_stop()
                    x.c.socket() and x.c.socket().close()
                elif isinstance(x, harness.MosquittoSub):
                    x.kill()
                else:
                    x.close()
            except Exception:  # teardown must reach every item
                pass


@pytest.fixture
def clients():
    reg = _Clients()
    yield reg
    reg.close_all()
