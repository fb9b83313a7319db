"""Resend order after kill -9 when a persistent session mixes QoS 1 and
QoS 2 ([MQTT-4.6.0-1]: PUBLISH packets are re-sent "in the order in which
the original PUBLISH packets were sent (this applies to QoS 1 and QoS 2
messages)").

The store keeps no in-flight state for a QoS 1 send (the `sent_through`
lease, docs/architecture.md "Durability"): a sent QoS 1 message comes back
queued and maybe-sent, a sent QoS 2 one in flight with its packet id. The
subscriber here receives and acknowledges nothing (but one PUBREC), the
broker is killed with SIGKILL, restarted on the same data directory, and the
resends must come in the original order, each PUBLISH with DUP=1, the QoS 2
ones under their original packet ids ([MQTT-4.4.0-1]) and a PUBREL for the
message PUBREC'd ([MQTT-4.6.0-4]) in its place. Only the broker processes
started here are killed, by their pid.
"""

from __future__ import annotations


import pytest

import harness
import mqtt_raw
from mqtt_raw import PUBLISH, PUBREL, RECEIVE_MAXIMUM, SESSION_EXPIRY, V5, V311


pytestmark = [
    pytest.mark.gridmq_only,
    pytest.mark.skipif(not harness.supports_data_dir(), reason="this gridmq binary has no --data-dir"),
]

TOPIC = "order/t"
# A, C, E at QoS 1; B, D at QoS 2 (B gets a PUBREC, D nothing).
STREAM = [(b"A", 1), (b"B", 2), (b"C", 1), (b"D", 2), (b"E", 1)]


@pytest.fixture
def durable(broker_factory, tmp_path):
    data = tmp_path / "data"
    return lambda: broker_factory(args=["--data-dir", str(data)])


def connect_sub(b, version, receive_maximum=None):
    c = b.raw(version, name="order-sub", timeout=10)
    props = None
    if version == V5:
        props = {SESSION_EXPIRY: 3600}
        if receive_maximum is not None:
            props[RECEIVE_MAXIMUM] = receive_maximum
    return c, c.connect("order-sub", clean=False, props=props)


def send_stream_unacknowledged(b, version):
    """Subscribes at QoS 2, publishes STREAM (each fully acknowledged to the
    publisher, so durable), and has the subscriber receive all of it without
    acknowledging any but B (PUBREC; its PUBREL is received and left without
    PUBCOMP). Returns {payload: packet id} as first sent."""
    sub, _ = connect_sub(b, version)
    sub.subscribe(1, [(TOPIC, 2)], expect_codes=[2])
    ids = {}
    with b.connected("order-pub", name="order-pub", timeout=10) as pub:
        for n, (body, qos) in enumerate(STREAM):
            pub.publish(TOPIC, body, qos=qos, packet_id=n + 1)
            p = sub.expect(PUBLISH)
            assert (p.payload, p.qos, p.dup) == (body, qos, False), p
            ids[body] = p.packet_id
            if body == b"B":
                sub.send(mqtt_raw.pubrec(p.packet_id, version))
                assert sub.expect_ack(PUBREL, p.packet_id)
    return sub, ids


def resends(sub, count):
    """The next `count` packets as (what, packet id, dup): what is the
    payload of a PUBLISH or "PUBREL"."""
    got = []
    for _ in range(count):
        p = sub.recv_packet(10)
        if p.type == PUBREL:
            got.append(("PUBREL", p.packet_id, None))
        else:
            assert p.type == PUBLISH, p
            assert p.qos == dict(STREAM)[p.payload], p
            got.append((p.payload, p.packet_id, p.dup))
    return got


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_kill9_resends_mixed_qos1_qos2_in_original_order_mqtt_4_6_0_1(durable, version):
    b = durable()
    sub, ids = send_stream_unacknowledged(b, version)
    b.kill9()
    sub.close()

    b2 = durable()
    sub, ack = connect_sub(b2, version)
    assert ack.session_present
    got = resends(sub, len(STREAM))
    # [MQTT-4.6.0-1] A (QoS 1, maybe sent) before D (QoS 2 in flight): the
    # original order, not "window first, then queue".
    assert [w for w, _, _ in got] == [b"A", "PUBREL", b"C", b"D", b"E"], got
    assert all(dup for w, _, dup in got if w != "PUBREL"), "a resent PUBLISH without DUP=1"
    by_what = {w: pid for w, pid, _ in got}
    # [MQTT-4.4.0-1] the QoS 2 flows keep their packet ids.
    assert by_what["PUBREL"] == ids[b"B"]
    assert by_what[b"D"] == ids[b"D"]
    assert len(set(by_what.values())) == len(by_what), f"a packet id used twice: {got}"
    sub.expect_no_packet(0.5)

    # Completing every flow leaves nothing to send again.
    sub.send(mqtt_raw.puback(by_what[b"A"], version))
    sub.send(mqtt_raw.pubcomp(by_what["PUBREL"], version))
    sub.send(mqtt_raw.puback(by_what[b"C"], version))
    sub.send(mqtt_raw.pubrec(by_what[b"D"], version))
    assert sub.expect_ack(PUBREL, by_what[b"D"])
    sub.send(mqtt_raw.pubcomp(by_what[b"D"], version))
    sub.send(mqtt_raw.puback(by_what[b"E"], version))
    sub.ping()
    sub.disconnect()
    sub, ack = connect_sub(b2, version)
    assert ack.session_present
    sub.expect_no_packet(1.0)
    sub.disconnect()


def test_kill9_resends_in_order_within_a_smaller_receive_maximum(durable):
    """[MQTT-4.9.0-2] resent PUBLISHes count in the new connection's send
    quota: with Receive Maximum 1 they come one per acknowledgement, still
    in the original order ([MQTT-4.6.0-1])."""
    b = durable()
    sub, ids = send_stream_unacknowledged(b, V5)
    b.kill9()
    sub.close()

    b2 = durable()
    sub, ack = connect_sub(b2, V5, receive_maximum=1)
    assert ack.session_present
    order = []
    for _ in range(len(STREAM) + 1):  # bounded: 4 PUBLISHes, B's PUBREL, D's PUBREL
        p = sub.recv_packet(10)
        # One flow in the window at a time (B's PUBREL holds the place it
        # had): nothing more comes until this one is acknowledged.
        sub.expect_no_packet(0.3)
        if p.type == PUBREL:
            order.append("PUBREL")
            sub.send(mqtt_raw.pubcomp(p.packet_id, V5))
            continue
        assert p.type == PUBLISH and p.dup, p
        order.append(p.payload)
        if p.qos == 1:
            sub.send(mqtt_raw.puback(p.packet_id, V5))
        else:
            sub.send(mqtt_raw.pubrec(p.packet_id, V5))
    publishes = [w for w in order if w != "PUBREL"]
    assert publishes == [b"A", b"C", b"D", b"E"], order
    assert order.count("PUBREL") == 2, order
    sub.expect_no_packet(0.5)
    sub.disconnect()
