"""Malformed packets and protocol violations after a good CONNECT: the broker
closes the offending connection (3.1.1 [MQTT-4.8.0-1]: close; 5.0
[MQTT-4.13.1-1]: DISCONNECT with the reason code, then close) and keeps
serving other clients."""

import pytest

import mqtt_raw as m
from harness import VERSIONS, assert_broker_alive, expect_protocol_close

MAL, PROTO = 0x81, 0x82


def _pub_body(topic, pid=None, version=m.V311, props=b"\x00"):
    body = m.mqtt_str(topic)
    if pid is not None:
        body += m.u16(pid)
    if version == m.V5:
        body += props
    return body + b"payload"


def _sub_body(pid, filters, version, props=b"\x00"):
    body = m.u16(pid) + (props if version == m.V5 else b"")
    for f, opt in filters:
        body += m.mqtt_str(f) + bytes([opt])
    return body


# name -> (builder(version) -> bytes, v5 reason codes accepted, rule)
CASES = {
    # [MQTT-1.5.5-1] / 2.2.3: Remaining Length is at most 4 bytes.
    "remaining_length_5_bytes": (lambda v: b"\x30\xff\xff\xff\xff\x7f", (MAL, 0x95)),
    # [MQTT-3.3.1-4] both QoS bits set.
    "publish_qos3": (lambda v: m.packet(0x36, _pub_body("a/b", 1, v)), (MAL,)),
    # [MQTT-3.8.1-1] SUBSCRIBE fixed header flags must be 0010.
    "subscribe_flags_0000": (lambda v: m.subscribe(1, [("a", 0)], v, first_byte=0x80), (MAL,)),
    "subscribe_flags_0011": (lambda v: m.subscribe(1, [("a", 0)], v, first_byte=0x83), (MAL,)),
    # [MQTT-3.10.1-1] UNSUBSCRIBE flags must be 0010.
    "unsubscribe_flags_0000": (lambda v: b"\xa0" + m.unsubscribe(1, ["a"], v)[1:], (MAL,)),
    # [MQTT-3.6.1-1] PUBREL flags must be 0010.
    "pubrel_flags_0000": (lambda v: b"\x60\x02\x00\x01", (MAL,)),
    # [MQTT-2.3.1-1] QoS > 0 PUBLISH / SUBSCRIBE need a non-zero packet id.
    "publish_qos1_packet_id_0": (lambda v: m.packet(0x32, _pub_body("a/b", 0, v)), (MAL, PROTO)),
    "subscribe_packet_id_0": (lambda v: m.packet(0x82, _sub_body(0, [("a", 0)], v)), (MAL, PROTO)),
    # [MQTT-1.5.3-1] ill-formed UTF-8; [MQTT-1.5.3-2] U+0000; UTF-16 surrogates.
    "topic_invalid_utf8": (lambda v: m.publish(b"a/\xff\xfe", b"x", version=v), (MAL, 0x90)),
    "topic_contains_nul": (lambda v: m.publish(b"a\x00b", b"x", version=v), (MAL, 0x90)),
    "topic_utf16_surrogate": (lambda v: m.publish(b"a/\xed\xa0\x80", b"x", version=v), (MAL, 0x90)),
    "filter_invalid_utf8": (lambda v: m.subscribe(1, [(b"a/\xc3", 0)], v), (MAL, 0x8F)),
    # [MQTT-3.3.2-2] no wildcards in a PUBLISH topic.
    "publish_topic_plus": (lambda v: m.publish("a/+", b"x", version=v), (MAL, PROTO, 0x90)),
    "publish_topic_hash": (lambda v: m.publish("a/#", b"x", qos=1, packet_id=3, version=v),
                           (MAL, PROTO, 0x90)),
    # [MQTT-4.7.3-1] topic names are at least one character (5.0: unless a
    # Topic Alias is given).
    "publish_empty_topic": (lambda v: m.publish("", b"x", version=v), (PROTO, MAL, 0x90)),
    # [MQTT-3.8.3-3] / [MQTT-3.10.3-2] at least one filter.
    "subscribe_no_filters": (lambda v: m.packet(0x82, _sub_body(5, [], v)), (MAL, PROTO)),
    "unsubscribe_no_filters": (lambda v: m.packet(0xA2, m.u16(5) + (b"\x00" if v == m.V5 else b"")),
                               (MAL, PROTO)),
    # [MQTT-3-8.3-4] (5.0 [MQTT-3.8.3-5]) requested QoS 3 / reserved bits.
    "subscribe_qos3": (lambda v: m.subscribe(1, [("a", 3)], v), (MAL, PROTO)),
    "subscribe_reserved_option_bits": (lambda v: m.subscribe(1, [("a", 0xC0)], v), (MAL, PROTO)),
    # A PUBLISH whose topic length runs past the end of the packet.
    "publish_topic_length_past_end": (lambda v: b"\x30\x04\x00\x10ab", (MAL,)),
    # Packet type 0 is reserved; CONNACK / SUBACK only go server -> client.
    "packet_type_0": (lambda v: b"\x00\x00", (MAL, PROTO)),
    "client_sends_connack": (lambda v: b"\x20\x02\x00\x00", (MAL, PROTO)),
    "client_sends_suback": (lambda v: b"\x90\x03\x00\x01\x00", (MAL, PROTO)),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("version", VERSIONS)
def test_malformed_packet_closes_connection_broker_survives(broker, version, case):
    build, reasons = CASES[case]
    with broker.connected(f"bad-{case}"[:60], version, name="bad") as c:
        c.send(build(version), tolerate_close=True)
        expect_protocol_close(c, reasons=reasons)
    assert_broker_alive(broker, version)


def test_v311_auth_packet_is_a_protocol_violation(broker):
    # AUTH (type 15) does not exist in 3.1.1.
    with broker.connected("auth311") as c:
        c.send(b"\xf0\x00", tolerate_close=True)
        expect_protocol_close(c)
    assert_broker_alive(broker)


V5_CASES = {
    # 5.0 3.3.2.3.4: Topic Alias 0, or above the broker's Topic Alias
    # Maximum (10), is a Topic Alias invalid (0x94).
    "topic_alias_0": (lambda: m.publish("t", b"x", version=m.V5, props=[(m.TOPIC_ALIAS, 0)]), (0x94, PROTO, MAL)),
    "topic_alias_above_max": (lambda: m.publish("t", b"x", version=m.V5, props=[(m.TOPIC_ALIAS, 11)]),
                              (0x94, PROTO, MAL)),
    # An empty topic with an alias that was never set: Protocol Error.
    "topic_alias_unknown": (lambda: m.publish("", b"x", version=m.V5, props=[(m.TOPIC_ALIAS, 3)]),
                            (PROTO, 0x94)),
    # A property that does not belong to PUBLISH (Session Expiry Interval).
    "publish_with_session_expiry": (lambda: m.publish("t", b"x", version=m.V5,
                                                      props=[(m.SESSION_EXPIRY, 1)]), (MAL, PROTO)),
    # An unknown property identifier.
    "unknown_property_id": (lambda: m.packet(0x30, m.mqtt_str("t") + b"\x02\x7f\x00" + b"x"), (MAL, PROTO)),
    # Subscription Identifier 0 is a Protocol Error (3.8.2.1.2).
    "subscription_id_0": (lambda: m.subscribe(1, [("a", 0)], m.V5, props=[(m.SUBSCRIPTION_ID, 0)]),
                          (PROTO, MAL)),
    # Retain Handling 3 is a Protocol Error (3.8.3.1).
    "retain_handling_3": (lambda: m.subscribe(1, [("a", 0x30)], m.V5), (PROTO, MAL)),
    # Property length running past the packet.
    "property_length_past_end": (lambda: m.packet(0x30, m.mqtt_str("t") + b"\x7f"), (MAL,)),
}


@pytest.mark.parametrize("case", list(V5_CASES))
def test_v5_protocol_errors_disconnect_with_reason(broker, case):
    build, reasons = V5_CASES[case]
    with broker.connected(f"v5bad-{case}"[:60], m.V5, name="bad") as c:
        c.send(build(), tolerate_close=True)
        expect_protocol_close(c, reasons=reasons)
    assert_broker_alive(broker, m.V5)


def test_v5_client_publish_with_subscription_identifier_MQTT_3_3_4_6(broker):
    # [MQTT-3.3.4-6] a client PUBLISH MUST NOT carry a Subscription Identifier.
    # The spec names no server reaction, so either a Protocol Error close
    # (DISCONNECT 0x82) or ignoring it is accepted; what is not accepted is
    # forwarding the client's identifier to a subscriber that set none.
    with broker.connected("plain-sub", m.V5) as sub, broker.connected("bad", m.V5) as c:
        sub.subscribe(1, [("sid/t", m.sub_options(0))])
        c.send(m.publish("sid/t", b"x", version=m.V5, props=[(m.SUBSCRIPTION_ID, 9)]))
        c.send(m.pingreq(), tolerate_close=True)
        try:
            reply = c.recv_packet()
        except m.ConnectionClosed:
            reply = None
        if reply is not None and reply.type == m.PINGRESP:  # ignored
            p = sub.recv_publish()
            assert p.prop_all(m.SUBSCRIPTION_ID) == [], f"client's Subscription Identifier forwarded: {p!r}"
        else:
            assert reply is None or (reply.type == m.DISCONNECT and reply.reason == PROTO), reply
            c.expect_closed()
    assert_broker_alive(broker, m.V5)


@pytest.mark.gridmq_only
@pytest.mark.parametrize("version", VERSIONS)
def test_oversized_packet_rejected_MQTT_3_2_2_15(broker, version):
    # Embedded max packet size 512 KiB. 5.0: packets above the Maximum Packet
    # Size the broker announced get DISCONNECT 0x95 Packet too large
    # ([MQTT-3.2.2-15] / 4.13); 3.1.1: the connection is closed.
    size = 600 * 1024
    with broker.connected("huge", version, name="huge") as c:
        head = m.publish("big/t", b"", qos=0, version=version)
        body_len = len(head) - 2 + size
        c.send(b"\x30" + m.varint(body_len) + head[2:], tolerate_close=True)
        # Keep sending the payload in chunks until the broker closes on us.
        chunk = b"\x00" * 65536
        for _ in range(size // len(chunk) + 1):
            c.send(chunk, tolerate_close=True)
            if c.closed_by_peer:
                break
        expect_protocol_close(c, reasons=(0x95,))
    assert_broker_alive(broker, version)


@pytest.mark.parametrize("version", VERSIONS)
def test_packet_just_under_max_size_accepted(broker, version):
    # The counterpart: a 500 KiB PUBLISH is under the limit and delivered.
    payload = b"z" * (500 * 1024)
    with broker.connected("s", version) as sub, broker.connected("p", version) as pub:
        sub.subscribe(1, [("big/ok", 1)])
        pub.publish("big/ok", payload, qos=1, packet_id=1)
        assert sub.recv_publish(timeout=10).payload == payload


@pytest.mark.parametrize("version", VERSIONS)
def test_truncated_packet_then_close(broker, version):
    # Half a PUBLISH, then the client goes away: nothing is delivered, the
    # will (abnormal close) is published, and the broker carries on.
    with broker.connected("s", version) as sub:
        sub.subscribe(1, [("trunc/#", 0)])
        c = broker.connected("cut", version, will={"topic": "trunc/will", "payload": b"w"})
        full = m.publish("trunc/t", b"0123456789" * 10, version=version)
        c.send(full[:len(full) // 2])
        c.close()
        p = sub.recv_publish(timeout=5.0)
        assert (p.topic, p.payload) == ("trunc/will", b"w")
        sub.expect_no_packet(0.3)
    assert_broker_alive(broker, version)


def test_garbage_before_connect(broker):
    with broker.raw() as c:
        c.send(bytes(range(256)) * 4, tolerate_close=True)
        before = c.expect_closed()
        assert all(p.type != m.CONNACK or p.reason != 0 for p in before), before
    assert_broker_alive(broker)
