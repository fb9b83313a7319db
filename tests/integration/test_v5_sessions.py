"""MQTT 5 sessions against configured limits (issue 3, "Sessions"): Session
Expiry capped by limits.max_session_expiry and announced, DISCONNECT changing
the expiry, 3.1.1 persistent sessions, offline queue limits at and past the
limit, Server Keep Alive, will properties and will delay vs session expiry.

Config keys: README "Configuration reference". The few fixed sleeps let a
configured 1 s expiry pass (the broker checks expiries every 250 ms)."""

import time

import pytest

import mqtt_raw as m
from harness import collect_publishes, config_toml, expect_protocol_close

pytestmark = pytest.mark.gridmq_only  # gridmq's TOML keys

# A 1 s expiry plus the broker's 250 ms expiry tick plus a margin; still
# shorter than any 2 s interval a test uses to show "not yet expired".
PAST_ONE_SECOND = 1.7


def _session_present(b, client_id, version=m.V5):
    """Reconnects with Clean Start 0 (no expiry: the session ends again at
    the DISCONNECT) and returns the CONNACK's Session Present flag."""
    with b.raw(version, name=f"{client_id}-probe") as c:
        sp = c.connect(client_id, clean=False).session_present
        c.disconnect()
    return sp


# ------------------------------------------------------------- session expiry


def test_session_expiry_above_max_lowered_and_announced_3_2_2_3_2(broker_factory):
    # 5.0 3.2.2.3.2: a server that uses another Session Expiry Interval than
    # the client asked for says so in CONNACK. max_session_expiry = 1: a
    # request of 1 (at the limit) is used as is, 2 (one past) becomes 1.
    b = broker_factory(config_toml(limits={"max_session_expiry": 1}))
    with b.raw(m.V5) as c:
        ack = c.connect("at", props=[(m.SESSION_EXPIRY, 1)])
        assert ack.prop(m.SESSION_EXPIRY) is None, ack
        c.disconnect()
    c = b.raw(m.V5, name="past")
    ack = c.connect("past", props=[(m.SESSION_EXPIRY, 2)])
    assert ack.prop(m.SESSION_EXPIRY) == 1, ack
    c.subscribe(1, [("se/t", 1)])
    c.disconnect()
    # The lowered value is the one in force: gone before the requested 2 s.
    time.sleep(PAST_ONE_SECOND)
    assert _session_present(b, "past") is False


def test_disconnect_raising_expiry_from_zero_is_protocol_error_MQTT_3_14_2_2(broker):
    # [MQTT-3.14.2-2] Session Expiry Interval 0 in CONNECT, non-zero on
    # DISCONNECT: Protocol Error -> the server's DISCONNECT 0x82.
    c = broker.connected("zero", m.V5)
    c.subscribe(1, [("z/t", 1)])
    c.send(m.disconnect(m.V5, props=[(m.SESSION_EXPIRY, 30)]), tolerate_close=True)
    try:
        expect_protocol_close(c, reasons=(0x82,), timeout=2)
    except AssertionError:
        broker.proc.kill()  # a deadlocked worker never finishes a SIGTERM stop
        broker.stop()
        raise
    c.close()
    assert _session_present(broker, "zero") is False, "the session had expiry 0: it ends with the connection"


def test_disconnect_changes_session_expiry_3_14_2_2_2(broker_factory):
    # 5.0 3.14.2.2.2: DISCONNECT may set a new Session Expiry Interval (from
    # a non-zero one). Three sessions, one wait:
    #   lower:  60 -> 1 on DISCONNECT: gone after 1 s;
    #   raise:   1 -> 30: still there after 1 s;
    #   capped:  1 -> 30 on a broker with max_session_expiry = 1: gone.
    # And 60 -> 0 ends the session at once.
    free = broker_factory()
    capped = broker_factory(config_toml(limits={"max_session_expiry": 1}))
    cases = [(free, "lower", 60, 1), (free, "raise", 1, 30), (capped, "capped", 1, 30), (free, "now", 60, 0)]
    for b, cid, at_connect, at_disconnect in cases:
        c = b.connected(cid, m.V5, props=[(m.SESSION_EXPIRY, at_connect)])
        c.subscribe(1, [("dx/t", 1)])
        c.disconnect(props=[(m.SESSION_EXPIRY, at_disconnect)])
    assert _session_present(free, "now") is False
    time.sleep(PAST_ONE_SECOND)
    assert _session_present(free, "lower") is False
    assert _session_present(free, "raise") is True
    assert _session_present(capped, "capped") is False


def test_v311_persistent_session_gets_max_session_expiry(broker_factory):
    # Issue 3: a 3.1.1 Clean Session 0 session lives max_session_expiry
    # seconds after the connection closes (here 1), not forever.
    b = broker_factory(config_toml(limits={"max_session_expiry": 1}))
    c = b.connected("old", m.V311, clean=False)
    c.subscribe(1, [("v3/t", 1)])
    c.disconnect()
    with b.raw(m.V311) as again:
        assert again.connect("old", clean=False).session_present is True
        again.disconnect()
    time.sleep(PAST_ONE_SECOND)
    with b.raw(m.V311) as late:
        assert late.connect("old", clean=False).session_present is False
        late.disconnect()


# ------------------------------------------------------------- offline queue limits


def _offline_session(b, client_id="q", topic="oq/t"):
    c = b.connected(client_id, m.V5, clean=False, props=[(m.SESSION_EXPIRY, 60)])
    c.subscribe(1, [(topic, 1)])
    c.disconnect()


def _publish(b, payloads, topic="oq/t"):
    with b.connected("oq-pub", m.V5) as pub:
        pub.publish_many(topic, payloads, qos=1)
        pub.disconnect()


def _resume(b, client_id="q"):
    """Reconnects the session; returns (session present, payloads)."""
    with b.raw(m.V5, name=f"{client_id}-back") as c:
        sp = c.connect(client_id, clean=False, props=[(m.SESSION_EXPIRY, 60)]).session_present
        got = [p.payload for p in collect_publishes(c)]
        c.disconnect()
    return sp, got


def test_max_queued_messages_at_and_past_limit_terminate(broker_factory):
    # max_queued_messages = 5, session_overflow = terminate (Event Grid: the
    # session ends): 5 queued messages are kept; a 6th ends the session and
    # its queue, so the reconnect finds no session.
    b = broker_factory(config_toml(limits={"max_queued_messages": 5, "session_overflow": "terminate"}))
    _offline_session(b, "at")
    _publish(b, [b"%d" % i for i in range(5)])
    assert _resume(b, "at") == (True, [b"%d" % i for i in range(5)])
    _offline_session(b, "past")
    _publish(b, [b"%d" % i for i in range(6)])
    assert _resume(b, "past") == (False, [])


def test_max_queued_bytes_at_and_past_limit_drop_new(broker_factory):
    # max_queued_bytes counts payload bytes: 3 x 300 = 900 fits a limit of
    # 900 exactly; with drop_new a 4th 300-byte message is dropped and the
    # first three are kept in order.
    b = broker_factory(config_toml(limits={"max_queued_bytes": 900, "session_overflow": "drop_new"}))
    payloads = [bytes([0x41 + i]) * 300 for i in range(4)]
    _offline_session(b, "at")
    _publish(b, payloads[:3])
    assert _resume(b, "at") == (True, payloads[:3])
    _offline_session(b, "past")
    _publish(b, payloads)
    assert _resume(b, "past") == (True, payloads[:3])


def test_max_queued_bytes_drop_oldest_keeps_newest_in_order(broker_factory):
    # drop_oldest: the oldest queued messages make room for the new one; the
    # survivors stay in publish order.
    b = broker_factory(config_toml(limits={"max_queued_bytes": 900, "session_overflow": "drop_oldest"}))
    payloads = [bytes([0x41 + i]) * 300 for i in range(5)]
    _offline_session(b)
    _publish(b, payloads)
    assert _resume(b) == (True, payloads[2:])


def test_max_queued_bytes_past_limit_terminate(broker_factory):
    b = broker_factory(config_toml(limits={"max_queued_bytes": 900, "session_overflow": "terminate"}))
    _offline_session(b)
    _publish(b, [b"x" * 300 for _ in range(4)])
    assert _resume(b) == (False, [])


# ------------------------------------------------------------- server keep alive


def test_server_keep_alive_replaces_larger_request_MQTT_3_2_2_21(broker_factory):
    # max_keep_alive = 60: 60 (at the limit) is used as asked, no property;
    # 61 and 120 get Server Keep Alive 60, which the client must use
    # ([MQTT-3.2.2-21]).
    b = broker_factory(config_toml(limits={"max_keep_alive": 60}))
    for asked, announced in [(60, None), (61, 60), (120, 60)]:
        with b.raw(m.V5) as c:
            ack = c.connect(f"ka{asked}", keepalive=asked)
            assert ack.prop(m.SERVER_KEEP_ALIVE) == announced, (asked, ack)
            c.disconnect()


def test_server_keep_alive_is_enforced_MQTT_3_1_2_24(broker_factory):
    # The announced Server Keep Alive is the one the broker enforces:
    # max_keep_alive = 1, the client asks 10 and falls silent -> closed after
    # 1.5 x 1 s ([MQTT-3.1.2-24]) with DISCONNECT 0x8D Keep Alive timeout.
    b = broker_factory(config_toml(limits={"max_keep_alive": 1}))
    with b.raw(m.V5) as c:
        ack = c.connect("lazy", keepalive=10)
        assert ack.prop(m.SERVER_KEEP_ALIVE) == 1, ack
        t0 = time.monotonic()
        before = c.expect_closed(timeout=5)
        elapsed = time.monotonic() - t0
        assert [(p.type, p.reason) for p in before] == [(m.DISCONNECT, 0x8D)], before
        assert 1.2 <= elapsed <= 3.0, f"closed after {elapsed:.2f}s"


# ------------------------------------------------------------- will


def _watch(b, filt="will/#"):
    sub = b.connected("watcher", m.V5)
    sub.subscribe(1, [(filt, m.sub_options(1))])
    return sub


WILL_PROPS = [
    (m.PAYLOAD_FORMAT, 1), (m.MESSAGE_EXPIRY, 60), (m.CONTENT_TYPE, "text/plain"),
    (m.RESPONSE_TOPIC, "will/reply"), (m.CORRELATION_DATA, b"\x00\xffcorr"),
    (m.USER_PROPERTY, ("b", "2")), (m.USER_PROPERTY, ("a", "1")), (m.USER_PROPERTY, ("b", "3")),
]


def _assert_will_props(p):
    assert p.prop(m.PAYLOAD_FORMAT) == 1, p
    assert p.prop(m.CONTENT_TYPE) == "text/plain", p
    assert p.prop(m.RESPONSE_TOPIC) == "will/reply", p
    assert p.prop(m.CORRELATION_DATA) == b"\x00\xffcorr", p
    exp = p.prop(m.MESSAGE_EXPIRY)
    assert exp is not None and 55 <= exp <= 60, p
    # Order and duplicates kept ([MQTT-3.3.2-18]).
    assert p.prop_all(m.USER_PROPERTY) == [("b", "2"), ("a", "1"), ("b", "3")], p
    assert p.prop(m.WILL_DELAY) is None


def test_will_properties_carried_3_1_3_2(broker):
    # 5.0 3.1.3.2: the will's Payload Format Indicator, Message Expiry,
    # Content Type, Response Topic, Correlation Data and User Properties
    # (order and duplicates kept) are sent with the Will Message.
    with _watch(broker) as sub:
        c = broker.connected("dying", m.V5, will={"topic": "will/p", "payload": "adiós".encode(),
                                                  "qos": 1, "props": WILL_PROPS})
        c.abort()
        p = sub.recv_publish()
        assert (p.topic, p.payload) == ("will/p", "adiós".encode()), p
        _assert_will_props(p)


def test_retained_will_keeps_properties(broker):
    # A retained will is stored with its properties: a later subscriber gets
    # them (user properties in order, duplicates kept).
    c = broker.connected("dying-ret", m.V5, will={"topic": "will/r", "payload": b"kept", "qos": 1,
                                                  "retain": True, "props": WILL_PROPS})
    c.disconnect(reason=0x04)
    deadline = time.monotonic() + 5
    while True:
        with broker.connected("late", m.V5) as late:
            late.subscribe(1, [("will/r", m.sub_options(1))])
            got = collect_publishes(late, quiet=0.3, limit=1)
            late.disconnect()
        if got or time.monotonic() > deadline:
            break
    assert got and got[0].retain, got
    _assert_will_props(got[0])


def test_will_delay_longer_than_session_expiry_sent_when_session_ends_3_1_3_2_2(broker):
    # 5.0 3.1.3.2.2: the will is published when the Will Delay Interval
    # passes or the session ends, whichever is first: delay 30 s, session
    # expiry 1 s -> published after about 1 s.
    with _watch(broker) as sub:
        c = broker.connected("short-session", m.V5, props=[(m.SESSION_EXPIRY, 1)],
                             will={"topic": "will/min", "payload": b"min", "props": [(m.WILL_DELAY, 30)]})
        c.abort()
        t0 = time.monotonic()
        p = sub.recv_publish(timeout=5)
        elapsed = time.monotonic() - t0
        assert p.payload == b"min"
        assert 0.7 <= elapsed <= 3.0, f"will after {elapsed:.2f}s; expected about 1 s (the session expiry)"


def test_disconnect_0x04_honours_will_delay(broker):
    # 3.14.2.1 0x04 Disconnect with Will Message: the will is published as on
    # an abnormal close, so its Will Delay Interval (1 s) applies.
    with _watch(broker) as sub:
        c = broker.connected("polite-will", m.V5, props=[(m.SESSION_EXPIRY, 10)],
                             will={"topic": "will/d", "payload": b"delayed", "props": [(m.WILL_DELAY, 1)]})
        c.disconnect(reason=0x04)
        t0 = time.monotonic()
        p = sub.recv_publish(timeout=5)
        assert p.payload == b"delayed"
        assert time.monotonic() - t0 >= 0.7
