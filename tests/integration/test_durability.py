"""Durability: the broker with a data directory (`--data-dir`) keeps
persistent sessions, subscriptions, queued and in-flight QoS 1/2 messages,
inbound QoS 2 ids, retained messages and pending wills across a restart,
and after kill -9 loses no acknowledged message (DESIGN.md "Durability").

The kill -9 tests publish a numbered stream, count the broker's PUBACKs
(or PUBRECs), SIGKILL the broker half-way, restart it on the same data
directory and check what the subscriber gets: every acknowledged message,
in order, a repeat only with DUP (QoS 1) and never a repeat (QoS 2).
Only the broker processes started here are killed, by their pid.
"""

from __future__ import annotations

import subprocess
import threading
import time

import pytest

import harness
import mqtt_raw
from mqtt_raw import (PUBACK, PUBCOMP, PUBLISH, PUBREC, PUBREL, SESSION_EXPIRY, SUBSCRIPTION_ID, V5, V311,
                      WILL_DELAY, ConnectionClosed)


pytestmark = [
    pytest.mark.gridmq_only,
    pytest.mark.skipif(not harness.supports_data_dir(), reason="this gridmq binary has no --data-dir"),
]

TOPIC = "dur/stream"


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


# Room for a whole stream in an offline session's queue.
CONFIG = """
[limits]
max_queued_messages = 100000
max_queued_bytes = 100000000
"""


@pytest.fixture
def durable(broker_factory, data_dir):
    """start(config_extra="") -> a broker on `data_dir` (the same directory
    every time)."""
    def start(config_extra=""):
        return broker_factory(config_text=CONFIG + config_extra, args=["--data-dir", str(data_dir)])
    return start


def graceful(b):
    rc = b.stop()
    assert rc == 0 and not b.hung, f"broker did not stop cleanly (rc={rc})"


def payload(i):
    return b"m%06d" % i


def index_of(p):
    assert p.payload.startswith(b"m"), p
    return int(p.payload[1:])


# ---------------------------------------------------------------- clients


class StreamPublisher(threading.Thread):
    """Publishes payload(0..n-1) at `qos` with up to `window` flows open and
    records, in arrival order, the index of every message the broker
    acknowledged (PUBACK for QoS 1, PUBREC for QoS 2). Stops quietly when the
    broker goes away."""

    def __init__(self, b, n, qos, window=50, client_id="dur-pub"):
        super().__init__(daemon=True)
        self.n, self.qos, self.window = n, qos, window
        self.acked: list[int] = []
        self.error = None
        self.c = b.raw(name="pub", timeout=10)
        self.c.connect(client_id)

    def run(self):
        c, qos = self.c, self.qos
        open_ids: dict[int, int] = {}  # packet id -> index
        nxt = 0
        try:
            while nxt < self.n or open_ids:
                while nxt < self.n and len(open_ids) < self.window:
                    pid = nxt % 65535 + 1
                    open_ids[pid] = nxt
                    c.send(mqtt_raw.publish(TOPIC, payload(nxt), qos, packet_id=pid))
                    nxt += 1
                p = c.recv_packet(10)
                if p.type == PUBACK and qos == 1:
                    self.acked.append(open_ids.pop(p.packet_id))
                elif p.type == PUBREC and qos == 2:
                    self.acked.append(open_ids[p.packet_id])
                    c.send(mqtt_raw.pubrel(p.packet_id))
                elif p.type == PUBCOMP and qos == 2:
                    open_ids.pop(p.packet_id)
                else:
                    raise AssertionError(f"publisher: unexpected {p!r}")
        except (ConnectionClosed, OSError):
            pass  # the broker was killed
        except Exception as e:  # reported by the test
            self.error = e
        finally:
            self.c.close()


class Subscriber:
    """A persistent-session subscriber that keeps its QoS 2 receiver state
    (packet ids PUBREC'd, PUBREL not yet seen) across connections, as a
    client with a session must. `deliveries` is what reached the
    application: (index, dup) in order; a QoS 2 resend of a held id is not a
    delivery."""

    def __init__(self, client_id="dur-sub", version=V311):
        self.client_id, self.version = client_id, version
        self.deliveries: list[tuple[int, bool]] = []
        self.held: set[int] = set()
        self.c = None

    def connect(self, b, expect_present=None, **kw):
        self.c = b.raw(self.version, name=self.client_id, timeout=10)
        props = {SESSION_EXPIRY: 3600} if self.version == V5 else None
        ack = self.c.connect(self.client_id, clean=False, props=props, **kw)
        if expect_present is not None:
            assert ack.session_present == expect_present, ack
        return ack

    def pump(self, timeout):
        """Handles one packet; False on timeout."""
        try:
            p = self.c.recv_packet(timeout)
        except TimeoutError:
            return False
        if p.type == PUBREL:
            self.held.discard(p.packet_id)
            self.c.send(mqtt_raw.pubcomp(p.packet_id, self.version))
            return True
        assert p.type == PUBLISH, f"subscriber: unexpected {p!r}"
        if p.qos == 1:
            self.deliveries.append((index_of(p), p.dup))
            self.c.send(mqtt_raw.puback(p.packet_id, self.version))
        elif p.qos == 2:
            if p.packet_id not in self.held:
                self.deliveries.append((index_of(p), p.dup))
                self.held.add(p.packet_id)
            self.c.send(mqtt_raw.pubrec(p.packet_id, self.version))
        else:
            self.deliveries.append((index_of(p), p.dup))
        return True

    def collect(self, want: set[int], timeout=30.0, quiet=0.5):
        """Pumps until every index in `want` was delivered, then for `quiet`
        more seconds (to catch repeats), or raises after `timeout`."""
        deadline = time.monotonic() + timeout
        while not want <= {i for i, _ in self.deliveries}:
            if time.monotonic() > deadline:
                missing = sorted(want - {i for i, _ in self.deliveries})
                raise AssertionError(f"{len(missing)} acknowledged messages never delivered, first {missing[:10]}")
            self.pump(0.5)
        while self.pump(quiet):
            pass


def check_stream(deliveries, acked, qos):
    """No acknowledged message lost; first deliveries in publish order; a
    repeat only with DUP (QoS 1) or never (QoS 2)."""
    got = [i for i, _ in deliveries]
    assert set(acked) <= set(got), f"lost: {sorted(set(acked) - set(got))[:10]}"
    firsts, seen = [], set()
    for i, dup in deliveries:
        if i in seen:
            if qos == 2:
                raise AssertionError(f"QoS 2 message {i} delivered twice")
            assert dup, f"message {i} repeated without DUP"
            continue
        seen.add(i)
        firsts.append(i)
    assert firsts == sorted(firsts), f"out of order: {firsts[:50]}"


def kill9_round(durable, n, qos, online, sub=None, config_extra=""):
    """One round: publish n, SIGKILL after about n/2 acks, restart, check."""
    b = durable(config_extra)
    sub = sub or Subscriber()
    sub.connect(b)
    sub.c.subscribe(1, [(TOPIC, qos)], expect_codes=[qos])
    if not online:
        sub.c.disconnect()
    pub = StreamPublisher(b, n, qos)
    pub.start()
    deadline = time.monotonic() + 30
    while len(pub.acked) < n // 2 and pub.is_alive():
        assert time.monotonic() < deadline, f"only {len(pub.acked)} acks in 30 s"
        if online:
            sub.pump(0.001)
        else:
            time.sleep(0.001)
    b.kill9()
    pub.join(10)
    assert pub.error is None, pub.error
    acked = list(pub.acked)
    if qos == 1:
        # [MQTT-4.6.0-2] PUBACKs in the order of the PUBLISHes.
        assert acked == sorted(acked), "PUBACKs out of order"
    if online:
        try:
            while sub.pump(0.05):  # whatever reached the socket before the kill
                pass
        except (ConnectionClosed, OSError):
            pass
        sub.c.close()
    b2 = durable()
    sub.connect(b2, expect_present=True)
    sub.collect(set(acked))
    check_stream(sub.deliveries, acked, qos)
    sub.c.disconnect()
    return b2, acked, sub


# ---------------------------------------------------------------- restart


def test_restart_keeps_sessions_subscriptions_and_retained(durable):
    b = durable()
    with b.connected("keep", clean=False) as s:  # 3.1.1 persistent session
        s.subscribe(1, [("keep/#", 1)], expect_codes=[1])
        s.disconnect()
    with b.connected("v5keep", version=V5, clean=True, props={SESSION_EXPIRY: 600}) as s5:
        s5.subscribe(1, [("five/+", 2)], props={SUBSCRIPTION_ID: 7}, expect_codes=[2])
        s5.disconnect()
    with b.connected("pub") as p:
        p.publish("keep/a", b"queued before restart", qos=1)
        p.publish("ret/x", b"retained", qos=1, retain=True)
        p.disconnect()
    graceful(b)

    b2 = durable()
    with b2.connected("pub2") as p:
        p.publish("keep/b", b"after restart", qos=1)
        p.publish("five/x", b"to v5", qos=2)
        p.disconnect()
    with b2.raw(name="keep") as s:
        assert s.connect("keep", clean=False).session_present
        got = s.recv_publishes(2)
        assert [(m.topic, m.payload) for m in got] == [("keep/a", b"queued before restart"),
                                                      ("keep/b", b"after restart")]
        s.disconnect()
    with b2.raw(V5, name="v5keep") as s5:
        assert s5.connect("v5keep", clean=False, props={SESSION_EXPIRY: 600}).session_present
        m = s5.recv_publish()
        assert (m.topic, m.payload, m.qos) == ("five/x", b"to v5", 2)
        assert m.prop_all(SUBSCRIPTION_ID) == [7]  # the subscription identifier came back too
        s5.disconnect()
    with b2.connected("late") as s:
        s.subscribe(1, [("ret/#", 1)])
        m = s.recv_publish()
        assert (m.topic, m.payload, m.retain) == ("ret/x", b"retained", True)
        s.disconnect()


def test_session_expired_while_down_is_gone(durable):
    b = durable()
    with b.connected("brief", version=V5, props={SESSION_EXPIRY: 1}) as s:
        s.subscribe(1, [("gone/#", 1)])
        s.disconnect()
    graceful(b)
    time.sleep(1.3)  # the session's expiry passes while the broker is down
    b2 = durable()
    with b2.raw(V5, name="brief") as s:
        assert not s.connect("brief", clean=False, props={SESSION_EXPIRY: 60}).session_present
        s.disconnect()


def test_delayed_will_survives_a_restart(durable):
    b = durable()
    watcher = Subscriber("will-watcher", V5)
    watcher.connect(b)
    watcher.c.subscribe(1, [("wills/#", 1)])
    watcher.c.disconnect()
    will = {"topic": "wills/w1", "payload": b"m000042", "qos": 1, "props": {WILL_DELAY: 2}}
    w = b.connected("w1", version=V5, props={SESSION_EXPIRY: 60}, will=will)
    w.abort()  # no DISCONNECT: the will is due 2 s later (or 2 s after the shutdown)
    graceful(b)
    b2 = durable()
    started = time.monotonic()
    watcher.connect(b2, expect_present=True)
    watcher.collect({42}, timeout=10)
    assert time.monotonic() - started < 5
    # Sent once, and not again after another restart.
    graceful(b2)
    b3 = durable()
    watcher.connect(b3, expect_present=True)
    while watcher.pump(1.0):
        pass
    assert [i for i, _ in watcher.deliveries] == [42]
    watcher.c.disconnect()


def test_will_of_a_session_cut_by_the_crash_is_sent_after_recovery(durable):
    b = durable()
    watcher = Subscriber("crash-watcher", V5)
    watcher.connect(b)
    watcher.c.subscribe(1, [("wills/#", 1)])
    watcher.c.disconnect()
    will = {"topic": "wills/c1", "payload": b"m000007", "qos": 1, "props": {WILL_DELAY: 1}}
    c = b.connected("c1", version=V5, props={SESSION_EXPIRY: 60}, will=will)
    b.kill9()  # c1 was connected: after recovery it counts as disconnected now
    c.close()
    b2 = durable()
    started = time.monotonic()
    watcher.connect(b2, expect_present=True)
    watcher.collect({7}, timeout=10)
    assert time.monotonic() - started >= 0.8, "the Will Delay Interval counts from recovery"


def test_inbound_qos2_id_survives_kill9(durable):
    """A QoS 2 PUBLISH whose PUBREC the client got is not routed again when
    the client resends it (DUP) after a crash ([MQTT-4.3.3-10])."""
    b = durable()
    sub = Subscriber("q2-sub")
    sub.connect(b)
    sub.c.subscribe(1, [("q2/#", 2)])
    sub.c.disconnect()
    with b.connected("q2-pub", clean=False) as p:
        p.send(mqtt_raw.publish("q2/t", payload(5), qos=2, packet_id=9))
        p.expect_ack(PUBREC, 9)
        b.kill9()
    b2 = durable()
    with b2.raw(name="q2-pub") as p:
        assert p.connect("q2-pub", clean=False).session_present
        p.send(mqtt_raw.publish("q2/t", payload(5), qos=2, packet_id=9, dup=True))
        p.expect_ack(PUBREC, 9)
        p.send(mqtt_raw.pubrel(9))
        p.expect_ack(PUBCOMP, 9)
        p.disconnect()
    sub.connect(b2, expect_present=True)
    sub.collect({5}, timeout=10, quiet=1.0)
    assert [i for i, _ in sub.deliveries] == [5]


# ---------------------------------------------------------------- kill -9


@pytest.mark.parametrize("qos", [1, 2])
def test_kill9_offline_subscriber_gets_every_acknowledged_message(durable, qos):
    _, acked, sub = kill9_round(durable, 2000, qos, online=False)
    assert len(acked) >= 1000


@pytest.mark.parametrize("qos", [1, 2])
def test_kill9_online_subscriber_gets_every_acknowledged_message(durable, qos):
    """The subscriber is connected and acknowledging when the broker dies:
    in-flight PUBLISHes come back with DUP, released QoS 2 ones only as
    PUBREL, nothing twice at QoS 2."""
    kill9_round(durable, 2000, qos, online=True)


def fill_offline(b, sub, n, qos=1):
    """Subscribes `sub`, leaves it offline and publishes n messages; all acked."""
    sub.connect(b)
    sub.c.subscribe(1, [(TOPIC, qos)], expect_codes=[qos])
    sub.c.disconnect()
    pub = StreamPublisher(b, n, qos)
    pub.run()
    assert pub.error is None, pub.error
    assert sorted(pub.acked) == list(range(n))


@pytest.mark.parametrize("second_crash", [False, True])
def test_kill9_in_the_middle_of_a_drain_redelivers_with_dup(durable, second_crash):
    """The broker writes nothing when it sends a queued QoS 1 message and
    deletes acknowledged ones in batches (persistence.cpp): a kill -9 in the
    middle of a drain may send some again, always with DUP
    ([MQTT-3.3.1-1]), in order, and loses none. With `second_crash` the
    restarted broker is killed again before the subscriber returns: the
    "may have been sent" mark survives that too."""
    n = 3000
    b = durable()
    sub = Subscriber("drain-sub")
    fill_offline(b, sub, n)
    sub.connect(b, expect_present=True)
    deadline = time.monotonic() + 30
    while len(sub.deliveries) < n // 2:
        assert time.monotonic() < deadline, f"only {len(sub.deliveries)} delivered in 30 s"
        sub.pump(1.0)
    b.kill9()
    try:
        while sub.pump(0.05):
            pass
    except (ConnectionClosed, OSError):
        pass
    sub.c.close()
    first_run = len(sub.deliveries)
    assert first_run < n, "the drain ended before the kill; make n larger"
    b2 = durable()
    if second_crash:
        time.sleep(0.3)
        b2.kill9()
        b2 = durable()
    sub.connect(b2, expect_present=True)
    sub.collect(set(range(n)))
    check_stream(sub.deliveries, range(n), 1)
    again = sub.deliveries[first_run:]
    assert again and all(dup for _, dup in again[:1]), "the first message after the crash was not marked DUP"
    repeated = [i for i, _ in again if i in {j for j, _ in sub.deliveries[:first_run]}]
    assert all(dup for i, dup in again if i in repeated)
    sub.c.disconnect()


def test_acknowledged_messages_are_not_sent_again_after_a_clean_restart(durable):
    """Deferred deletions are written when the connection goes: after a
    drain, a disconnect and a restart nothing comes back."""
    n = 500
    b = durable()
    sub = Subscriber("clean-sub")
    fill_offline(b, sub, n)
    sub.connect(b, expect_present=True)
    sub.collect(set(range(n)), quiet=0.3)
    sub.c.disconnect()
    time.sleep(0.2)
    b.kill9()
    b2 = durable()
    sub.connect(b2, expect_present=True)
    assert not sub.pump(1.0), "an acknowledged message came back"
    assert sorted(i for i, _ in sub.deliveries) == list(range(n))
    sub.c.disconnect()


@pytest.mark.parametrize("level", ["batched", "none"])
def test_kill9_loses_nothing_acknowledged_at_weaker_levels(durable, level):
    """kill -9 is not a power loss: what reached the write-ahead log is kept
    whether or not it was fsynced (store/README.md)."""
    kill9_round(durable, 1000, 1, online=False, config_extra=f'[storage]\ndurability = "{level}"\n')


def test_corrupt_store_stops_the_start(tmp_path):
    """A data directory the store cannot read: the broker names it and exits
    1, and leaves it as it was."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "CURRENT").write_text("not a manifest\n")
    r = subprocess.run([harness.GRIDMQ_BIN, "--listen", "mqtt://127.0.0.1:0", "--data-dir", str(bad)],
                       capture_output=True, timeout=20)
    out = (r.stdout + r.stderr).decode(errors="replace")
    assert r.returncode == 1, out
    assert str(bad) in out, out
    assert "listening on" not in out
    assert (bad / "CURRENT").read_text() == "not a manifest\n"


def test_kill9_twenty_rounds_in_a_row(durable):
    """20 crash rounds on one data directory, QoS 1 and 2 in turn, the
    subscriber alternately offline and online: zero acknowledged messages
    lost in any round."""
    sub = Subscriber("rounds-sub")
    for r in range(20):
        sub.deliveries.clear()
        b, acked, sub = kill9_round(durable, 300, 1 + r % 2, online=r % 4 >= 2, sub=sub)
        assert acked, f"round {r}: nothing acknowledged"
        b.kill9()  # the restarted broker of this round; the next round starts its own
