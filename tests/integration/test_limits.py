"""Limits: the client's own limits the broker must respect (spec), and the
broker's configured limits (gridmq's TOML [limits] / [auth], see the
repository README) with the reason codes the spec names for them."""

import time

import pytest

import mqtt_raw as m
from harness import VERSIONS, assert_broker_alive, expect_protocol_close


def _toml(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return f'"{v}"' if isinstance(v, str) else str(v)


def _limits(**kv):
    """A gridmq config file with these [limits] keys."""
    return "[limits]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in kv.items())


# ------------------------------------------------------------- client limits (spec)


def test_v5_client_receive_maximum_respected_MQTT_3_3_4_9(broker):
    # [MQTT-3.3.4-9] the server sends no more unacknowledged QoS 1/2 PUBLISH
    # packets than the client's Receive Maximum (2 here).
    with broker.connected("slow", m.V5, props=[(m.RECEIVE_MAXIMUM, 2)]) as sub, \
            broker.connected("pub", m.V5) as pub:
        sub.subscribe(1, [("rm/t", 1)])
        pub.publish_many("rm/t", [b"%d" % i for i in range(5)], qos=1)
        first = [sub.recv_publish(ack=False) for _ in range(2)]
        sub.expect_no_packet(0.5)  # window full: nothing more may come
        got = list(first)
        for p in first:
            sub.send(m.puback(p.packet_id, m.V5))
        while len(got) < 5:
            p = sub.recv_publish(ack=False)
            got.append(p)
            sub.send(m.puback(p.packet_id, m.V5))
        assert [p.payload for p in got] == [b"%d" % i for i in range(5)]


def test_v5_client_maximum_packet_size_respected_MQTT_3_1_2_25(broker):
    # [MQTT-3.1.2-25] no packet larger than the client's Maximum Packet Size
    # (100 here); [MQTT-3.1.2-26] a too-large message is discarded for that
    # client as if it had been sent, and the ones that fit still flow.
    # The subscriber's PUBLISH for topic "mps/e" at QoS 1 is 12 bytes + payload
    # (no Subscription Identifier, no Topic Alias), so 88 bytes of payload make
    # a packet of exactly 100 bytes and 89 one of 101.
    with broker.connected("tiny", m.V5, props=[(m.MAXIMUM_PACKET_SIZE, 100)]) as sub, \
            broker.connected("pub", m.V5) as pub:
        sub.subscribe(1, [("mps/e", 1)])
        pub.publish("mps/e", b"A" * 89, qos=1, packet_id=1)   # 101 bytes: dropped
        pub.publish("mps/e", b"B" * 88, qos=1, packet_id=2)   # 100 bytes: fits exactly
        pub.publish("mps/e", b"c", qos=1, packet_id=3)        # small
        first = sub.recv_publish()
        assert first.payload == b"B" * 88 and len(first.raw) == 100, first
        assert sub.recv_publish().payload == b"c"
        sub.expect_no_packet(0.5)


def test_v5_inbound_receive_maximum_exceeded_gets_0x93(broker):
    # MQTT 5.0 3.3.4: more unacknowledged QoS 2 PUBLISH packets (PUBREC sent,
    # no PUBREL yet) than the server's Receive Maximum -> DISCONNECT 0x93.
    with broker.raw(m.V5, name="flood") as c:
        ack = c.connect("flood")
        rm = ack.prop(m.RECEIVE_MAXIMUM, 65535)
        assert rm <= 1000, f"Receive Maximum {rm} too large for this test"
        for i in range(rm + 1):
            c.send(m.publish("rmx/t", b"x", qos=2, packet_id=i + 1, version=m.V5), tolerate_close=True)
        before = c.expect_closed(timeout=10)
        recs = [p for p in before if p.type == m.PUBREC]
        assert len(recs) <= rm, f"{len(recs)} PUBREC for a Receive Maximum of {rm}"
        assert before and before[-1].type == m.DISCONNECT and before[-1].reason == 0x93, before[-3:]
    assert_broker_alive(broker, m.V5)


# ------------------------------------------------------------- broker limits (config)

gridmq_config = pytest.mark.gridmq_only  # gridmq's TOML keys


@gridmq_config
def test_maximum_qos_1_caps_granted_qos_and_refuses_qos2_MQTT_3_2_2_11(broker_factory):
    b = broker_factory(config_text=_limits(maximum_qos=1))
    with b.raw(m.V5) as c:
        ack = c.connect("q")
        assert ack.prop(m.MAXIMUM_QOS) == 1, ack
        # [MQTT-3.9.3-...] granted QoS = min(requested, server maximum).
        c.subscribe(1, [("mq/0", 0), ("mq/1", 1), ("mq/2", 2)], expect_codes=[0, 1, 1])
        # [MQTT-3.2.2-11] a PUBLISH above the announced Maximum QoS: 0x9B.
        c.send(m.publish("mq/2", b"x", qos=2, packet_id=1, version=m.V5), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x9B,))
    with b.connected("q311") as c:
        c.subscribe(1, [("mq/2", 2)], expect_codes=[1])


@gridmq_config
def test_retain_unavailable_MQTT_3_2_2_14(broker_factory):
    b = broker_factory(config_text=_limits(retain_available=False))
    with b.raw(m.V5) as c:
        ack = c.connect("r")
        assert ack.prop(m.RETAIN_AVAILABLE) == 0, ack
        # [MQTT-3.2.2-14] a retained PUBLISH then gets DISCONNECT 0x9A.
        c.send(m.publish("ret/t", b"x", retain=True, version=m.V5), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x9A,))


@gridmq_config
@pytest.mark.parametrize("version", VERSIONS)
def test_configured_max_packet_size(broker_factory, version):
    b = broker_factory(config_text=_limits(max_packet_size=1024))
    with b.raw(version) as c:
        ack = c.connect("mps")
        if version == m.V5:
            assert ack.prop(m.MAXIMUM_PACKET_SIZE) == 1024, ack
        c.publish("mps/ok", b"o" * 900, qos=1, packet_id=1)
        c.send(m.publish("mps/big", b"b" * 2000, version=version), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x95,))
    assert_broker_alive(b, version)


@gridmq_config
def test_configured_topic_alias_maximum(broker_factory):
    b = broker_factory(config_text=_limits(topic_alias_maximum=2))
    with b.raw(m.V5) as c:
        assert c.connect("ta").prop(m.TOPIC_ALIAS_MAXIMUM) == 2
        c.publish("ta/x", b"x", qos=1, packet_id=1, props=[(m.TOPIC_ALIAS, 2)])
        c.send(m.publish("ta/y", b"y", version=m.V5, props=[(m.TOPIC_ALIAS, 3)]), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x94,))


@gridmq_config
def test_configured_max_session_expiry(broker_factory):
    b = broker_factory(config_text=_limits(max_session_expiry=5))
    with b.raw(m.V5) as c:
        ack = c.connect("se", props=[(m.SESSION_EXPIRY, 60)])
        assert ack.prop(m.SESSION_EXPIRY) == 5, ack


@gridmq_config
@pytest.mark.parametrize("version", VERSIONS)
def test_configured_max_client_id_length(broker_factory, version):
    b = broker_factory(config_text=_limits(max_client_id_length=23))
    with b.raw(version) as c:
        c.connect("c" * 23)
    with b.raw(version) as c:
        c.send(m.connect("c" * 24, version=version))
        before = c.expect_closed()
        assert [(p.type, p.reason) for p in before] == [(m.CONNACK, 0x85 if version == m.V5 else 0x02)]


@gridmq_config
def test_configured_connect_timeout(broker_factory):
    b = broker_factory(config_text=_limits(connect_timeout=1))
    with b.raw() as c:
        t0 = time.monotonic()
        assert c.expect_closed(timeout=4) == []
        assert 0.8 <= time.monotonic() - t0 <= 2.5


def _offline_burst(b, n, payload_size=1, version=m.V311):
    """A persistent subscriber goes offline, n QoS 1 messages are published,
    the subscriber comes back. Returns (session_present, payloads)."""
    props = [(m.SESSION_EXPIRY, 60)] if version == m.V5 else None
    sub = b.connected("queued", version, clean=False, props=props)
    sub.subscribe(1, [("q/t", 1)])
    sub.disconnect()
    with b.connected("pub", version) as pub:
        pub.publish_many("q/t", [b"%d:" % i + b"p" * payload_size for i in range(n)], qos=1)
        pub.disconnect()
    with b.raw(version, name="queued-2") as sub:
        ack = sub.connect("queued", clean=False, props=props)
        got = []
        try:
            while True:
                got.append(sub.recv_publish(timeout=0.5).payload.split(b":")[0])
        except TimeoutError:
            pass
        sub.disconnect()
    return ack.session_present, [int(x) for x in got]


@gridmq_config
def test_offline_queue_drop_new(broker_factory):
    b = broker_factory(config_text=_limits(max_queued_messages=5, session_overflow="drop_new"))
    sp, got = _offline_burst(b, 8)
    assert sp and got == [0, 1, 2, 3, 4]


@gridmq_config
def test_offline_queue_drop_oldest(broker_factory):
    b = broker_factory(config_text=_limits(max_queued_messages=5, session_overflow="drop_oldest"))
    sp, got = _offline_burst(b, 8)
    assert sp and got == [3, 4, 5, 6, 7]


@gridmq_config
def test_offline_queue_terminate_ends_session(broker_factory):
    b = broker_factory(config_text=_limits(max_queued_messages=5, session_overflow="terminate"))
    sp, got = _offline_burst(b, 8)
    assert (sp, got) == (False, [])


@gridmq_config
def test_offline_queue_byte_limit(broker_factory):
    b = broker_factory(config_text=_limits(max_queued_bytes=1000, session_overflow="drop_new"))
    sp, got = _offline_burst(b, 5, payload_size=300)
    assert sp and got == [0, 1, 2]


@gridmq_config
def test_default_offline_queue_is_100_messages(broker):
    # Embedded default: 100 messages, overflow = terminate.
    sp, got = _offline_burst(broker, 100)
    assert sp and got == list(range(100))
    sp, got = _offline_burst(broker, 101)
    assert (sp, got) == (False, [])


@gridmq_config
def test_slow_online_consumer_terminated_with_0x97(broker_factory):
    # A connected v5 subscriber that stops acknowledging: its window
    # (Receive Maximum 2) fills, then the queue (3); the next message ends the
    # session with DISCONNECT 0x97 Quota exceeded instead of growing memory.
    b = broker_factory(config_text=_limits(max_queued_messages=3, session_overflow="terminate"))
    sub = b.connected("stuck", m.V5, props=[(m.RECEIVE_MAXIMUM, 2), (m.SESSION_EXPIRY, 60)], clean=False)
    sub.subscribe(1, [("slow/t", 1)])
    with b.connected("pub", m.V5) as pub:
        pub.publish_many("slow/t", [b"%d" % i for i in range(6)], qos=1)
    before = sub.expect_closed()
    assert [p.type for p in before[:2]] == [m.PUBLISH, m.PUBLISH], before
    assert before[-1].type == m.DISCONNECT and before[-1].reason == 0x97, before
    with b.raw(m.V5) as again:
        assert again.connect("stuck", clean=False).session_present is False
    assert_broker_alive(b, m.V5)


@gridmq_config
def test_max_retained_messages(broker_factory):
    b = broker_factory(config_text=_limits(max_retained_messages=2))
    with b.connected("r", m.V5) as c:
        c.publish("rm/1", b"1", qos=1, retain=True, packet_id=1)
        c.publish("rm/2", b"2", qos=1, retain=True, packet_id=2)
        ack = c.publish("rm/3", b"3", qos=1, retain=True, packet_id=3)
        assert ack.reason == 0x97, f"a third retained topic past the limit of 2: {ack!r}"
        ack = c.publish("rm/1", b"1b", qos=1, retain=True, packet_id=4)
        assert ack.reason in (0, 0x10), f"replacing a retained topic stays allowed: {ack!r}"


@gridmq_config
@pytest.mark.parametrize("version", VERSIONS)
def test_anonymous_refused_when_disabled(broker_factory, version):
    b = broker_factory(config_text="[auth]\nallow_anonymous = false\n")
    with b.raw(version) as c:
        c.send(m.connect("anon", version=version))
        before = c.expect_closed()
        allowed = (0x86, 0x87) if version == m.V5 else (0x04, 0x05)
        assert len(before) == 1 and before[0].type == m.CONNACK and before[0].reason in allowed, before
