"""MQTT 5 flow control and capability limits (issue 3, "Messages"): the
client's Receive Maximum (QoS 1 and 2), the broker's receive_maximum, the
Maximum Packet Size both ways at and past the limit, Maximum QoS and Retain
Available for wills, and QoS 1 ordering across a reconnect.

Basic cases are in test_limits.py (client Receive Maximum 2, Maximum Packet
Size 100 online, PUBLISH past Maximum QoS / Retain Available)."""

import threading

import pytest

import mqtt_raw as m
from harness import assert_broker_alive, collect_publishes, config_toml, expect_protocol_close

gridmq_config = pytest.mark.gridmq_only  # gridmq's TOML keys


# ------------------------------------------------------------- client Receive Maximum


def test_client_receive_maximum_3_qos1_MQTT_3_3_4_9(broker):
    # [MQTT-3.3.4-9] at most Receive Maximum (3) unacknowledged QoS 1
    # PUBLISH packets towards the client; each PUBACK lets exactly one more
    # out, in publish order ([MQTT-4.6.0-6]).
    with broker.connected("rm3", m.V5, props=[(m.RECEIVE_MAXIMUM, 3)]) as sub, \
            broker.connected("pub", m.V5) as pub:
        sub.subscribe(1, [("rm/t", m.sub_options(1))])
        pub.publish_many("rm/t", [b"%d" % i for i in range(10)], qos=1)
        window = [sub.recv_publish(ack=False) for _ in range(3)]
        assert [p.payload for p in window] == [b"0", b"1", b"2"]
        sub.expect_no_packet(0.5)
        sub.send(m.puback(window[0].packet_id, m.V5))
        fourth = sub.recv_publish(ack=False)
        assert fourth.payload == b"3", fourth
        sub.expect_no_packet(0.3)
        got = window + [fourth]
        for p in got[1:]:
            sub.send(m.puback(p.packet_id, m.V5))
        while len(got) < 10:
            p = sub.recv_publish(ack=False)
            got.append(p)
            sub.send(m.puback(p.packet_id, m.V5))
        assert [p.payload for p in got] == [b"%d" % i for i in range(10)]
        assert not any(p.dup for p in got)


def test_client_receive_maximum_counts_qos2_until_pubcomp_MQTT_3_3_4_9(broker):
    # A QoS 2 delivery uses a slot of the window until its PUBCOMP
    # ([MQTT-4.9.0-2]), not just until PUBREC: Receive Maximum 2, both
    # PUBRECed -> PUBRELs but no third PUBLISH until a PUBCOMP.
    with broker.connected("rm2", m.V5, props=[(m.RECEIVE_MAXIMUM, 2)]) as sub, \
            broker.connected("pub", m.V5) as pub:
        sub.subscribe(1, [("rq/t", m.sub_options(2))])
        pub.publish_many("rq/t", [b"%d" % i for i in range(3)], qos=2)
        a, b = sub.recv_publish(ack=False), sub.recv_publish(ack=False)
        assert (a.qos, a.payload, b.payload) == (2, b"0", b"1")
        sub.send(m.pubrec(a.packet_id, m.V5) + m.pubrec(b.packet_id, m.V5))
        rels = [sub.expect(m.PUBREL), sub.expect(m.PUBREL)]
        assert [r.packet_id for r in rels] == [a.packet_id, b.packet_id]
        sub.expect_no_packet(0.5)
        sub.send(m.pubcomp(a.packet_id, m.V5))
        c = sub.recv_publish(ack=False)
        assert (c.qos, c.payload) == (2, b"2"), c


# ------------------------------------------------------------- broker receive_maximum


@gridmq_config
def test_configured_receive_maximum_at_and_past_limit_0x93(broker_factory):
    # receive_maximum = 2, announced in CONNACK: two unreleased QoS 2
    # PUBLISHes are fine (at the limit), and after a PUBREL frees one, a new
    # one too; a third outstanding one -> DISCONNECT 0x93 Receive Maximum
    # exceeded (5.0 3.3.4).
    b = broker_factory(config_toml(limits={"receive_maximum": 2}))
    with b.raw(m.V5) as c:
        assert c.connect("q2").prop(m.RECEIVE_MAXIMUM) == 2
        for pid in (1, 2):
            c.send(m.publish("rx/t", b"x", qos=2, packet_id=pid, version=m.V5))
            assert c.expect_ack(m.PUBREC, pid).reason in (0, 0x10)
        c.send(m.pubrel(1, m.V5))
        assert c.expect_ack(m.PUBCOMP, 1).reason == 0
        c.send(m.publish("rx/t", b"x", qos=2, packet_id=3, version=m.V5))
        assert c.expect_ack(m.PUBREC, 3).reason in (0, 0x10)
        c.send(m.publish("rx/t", b"x", qos=2, packet_id=4, version=m.V5), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x93,))
    assert_broker_alive(b, m.V5)


# ------------------------------------------------------------- Maximum Packet Size


def _publish_of_size(total, topic="ps/t", qos=1, packet_id=1):
    """A v5 PUBLISH of exactly `total` bytes (fixed header included)."""
    bare = len(m.publish(topic, b"", qos=qos, packet_id=packet_id, version=m.V5))
    for payload_len in range(total - bare, total - bare - 4, -1):
        pkt = m.publish(topic, b"p" * payload_len, qos=qos, packet_id=packet_id, version=m.V5)
        if len(pkt) == total:
            return pkt
    raise AssertionError(f"no PUBLISH of exactly {total} bytes")


@gridmq_config
def test_configured_max_packet_size_at_and_past_limit_0x95_MQTT_3_2_2_15(broker_factory):
    # max_packet_size = 1024 is announced; a 1024-byte PUBLISH (at the
    # limit, the whole packet counts) is accepted, a 1025-byte one gets
    # DISCONNECT 0x95 Packet too large.
    b = broker_factory(config_toml(limits={"max_packet_size": 1024}))
    with b.raw(m.V5) as c:
        assert c.connect("big").prop(m.MAXIMUM_PACKET_SIZE) == 1024
        c.send(_publish_of_size(1024, packet_id=1))
        assert c.expect_ack(m.PUBACK, 1).reason in (0, 0x10)
        c.send(_publish_of_size(1025, packet_id=2), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x95,))
    assert_broker_alive(b, m.V5)


def test_client_maximum_packet_size_applies_to_queued_messages_MQTT_3_1_2_25(broker):
    # [MQTT-3.1.2-25] also for messages queued while the client was away: on
    # reconnect with Maximum Packet Size 100 the 101-byte PUBLISH is dropped
    # ([MQTT-3.1.2-26] as if sent) and the later, smaller ones still come, in
    # order. QoS 0 while online: the same rule.
    # A QoS 1 PUBLISH on "mps/q" is 12 bytes + payload; QoS 0 is 10 + payload.
    props = [(m.MAXIMUM_PACKET_SIZE, 100), (m.SESSION_EXPIRY, 60)]
    sub = broker.connected("tiny", m.V5, clean=False, props=props)
    sub.subscribe(1, [("mps/q", m.sub_options(1))])
    sub.disconnect()
    with broker.connected("pub", m.V5) as pub:
        pub.publish("mps/q", b"1", qos=1, packet_id=1)
        pub.publish("mps/q", b"B" * 89, qos=1, packet_id=2)   # 101 bytes
        pub.publish("mps/q", b"C" * 88, qos=1, packet_id=3)   # 100 bytes
        with broker.raw(m.V5, name="tiny-2") as sub:
            assert sub.connect("tiny", clean=False, props=props).session_present
            got = collect_publishes(sub)
            assert [p.payload for p in got] == [b"1", b"C" * 88], got
            assert max(len(p.raw) for p in got) == 100
            pub.send(m.publish("mps/q", b"D" * 91, version=m.V5))   # QoS 0, 101 bytes
            pub.send(m.publish("mps/q", b"E" * 90, version=m.V5))   # QoS 0, 100 bytes
            p = sub.recv_publish()
            assert (p.qos, p.payload, len(p.raw)) == (0, b"E" * 90, 100), p
            sub.expect_no_packet(0.3)
            sub.disconnect()


# ------------------------------------------------------------- Maximum QoS, Retain Available


@gridmq_config
def test_maximum_qos_1_at_and_past_limit_MQTT_3_2_2_11_12(broker_factory):
    # maximum_qos = 1: a QoS 1 PUBLISH (at the limit) is accepted; a will of
    # QoS 2 in CONNECT gets CONNACK 0x9B QoS not supported ([MQTT-3.2.2-12]).
    b = broker_factory(config_toml(limits={"maximum_qos": 1}))
    with b.raw(m.V5) as c:
        assert c.connect("q1").prop(m.MAXIMUM_QOS) == 1
        assert c.publish("mq/t", b"ok", qos=1, packet_id=1).reason in (0, 0x10)
        c.disconnect()
    with b.raw(m.V5) as c:
        c.send(m.connect("q2-will", version=m.V5, will={"topic": "w/t", "payload": b"x", "qos": 2}))
        expect_protocol_close(c, reasons=(0x9B,), packet=m.CONNACK)
    with b.raw(m.V5) as c:
        c.connect("q1-will", will={"topic": "w/t", "payload": b"x", "qos": 1})
        c.disconnect()


@gridmq_config
def test_retain_unavailable_will_retain_refused_MQTT_3_2_2_13(broker_factory):
    # retain_available = false: a CONNECT with Will Retain 1 gets CONNACK
    # 0x9A Retain not supported ([MQTT-3.2.2-13]); a will without retain
    # and non-retained PUBLISHes are fine.
    b = broker_factory(config_toml(limits={"retain_available": False}))
    with b.raw(m.V5) as c:
        c.send(m.connect("rw", version=m.V5, will={"topic": "w/t", "payload": b"x", "retain": True}))
        expect_protocol_close(c, reasons=(0x9A,), packet=m.CONNACK)
    with b.raw(m.V5) as c:
        assert c.connect("rw2", will={"topic": "w/t", "payload": b"x"}).prop(m.RETAIN_AVAILABLE) == 0
        assert c.publish("w/t", b"plain", qos=1, packet_id=1).reason in (0, 0x10)
        c.disconnect()


# ------------------------------------------------------------- ordering


def test_qos1_order_across_reconnect_MQTT_4_6_0_6(broker):
    # [MQTT-4.6.0-6] messages of one publisher on one topic reach the
    # subscriber in the order published; [MQTT-4.4.0-1]/[MQTT-4.6.0-1]
    # unacknowledged ones are resent first (DUP=1), in their order. The
    # persistent subscriber drops its connection in the middle of a stream
    # that goes on being published while it is away.
    n = 60
    props = [(m.SESSION_EXPIRY, 60), (m.RECEIVE_MAXIMUM, 5)]
    sub = broker.connected("ordered", m.V5, clean=False, props=props)
    sub.subscribe(1, [("ord/t", m.sub_options(1))])
    pub = broker.connected("ord-pub", m.V5)
    errors = []

    def publish_all():
        try:
            pub.publish_many("ord/t", [b"%d" % i for i in range(n)], qos=1, window=5)
        except Exception as e:  # reported by the main thread
            errors.append(e)

    t = threading.Thread(target=publish_all)
    t.start()
    got = []
    for i in range(15):
        p = sub.recv_publish(ack=False)
        got.append(p)
        if i < 12:  # the last three stay unacknowledged
            sub.send(m.puback(p.packet_id, m.V5))
    sub.abort()
    sub = broker.raw(m.V5, name="ordered-2", timeout=10)
    try:
        assert sub.connect("ordered", clean=False, props=props).session_present
        seen = {int(p.payload) for p in got}
        while len(seen) < n:
            p = sub.recv_publish(timeout=10)
            got.append(p)
            seen.add(int(p.payload))
        t.join(20)
        assert not errors, errors
        got += collect_publishes(sub, quiet=0.3)
    finally:
        sub.close()
        pub.close()
    first_seen = []
    for p in got:
        v = int(p.payload)
        if v in first_seen:
            assert p.dup, f"message {v} delivered twice without DUP: {p!r}"
            continue
        first_seen.append(v)
    assert first_seen == list(range(n)), first_seen
    resent = [int(p.payload) for p in got[15:] if p.dup]
    assert resent[:3] == [int(p.payload) for p in got[12:15]], resent


@gridmq_config
def test_max_inflight_messages_caps_client_receive_maximum(broker_factory):
    # limits.max_inflight_messages = 2 caps the outbound window below a
    # client's Receive Maximum of 10: two unacknowledged, then one per PUBACK.
    b = broker_factory(config_toml(limits={"max_inflight_messages": 2}))
    with b.connected("wide", m.V5, props=[(m.RECEIVE_MAXIMUM, 10)]) as sub, b.connected("pub", m.V5) as pub:
        sub.subscribe(1, [("mi/t", m.sub_options(1))])
        pub.publish_many("mi/t", [b"%d" % i for i in range(5)], qos=1)
        first = collect_publishes(sub, ack=False, quiet=0.5)
        assert [p.payload for p in first] == [b"0", b"1"], first
        sub.send(m.puback(first[0].packet_id, m.V5))
        assert sub.recv_publish(ack=False).payload == b"2"
        sub.expect_no_packet(0.3)
