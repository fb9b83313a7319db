"""MQTT 5 negative acknowledgements and Reason Strings (issue 3, "Errors"):
PUBACK/PUBREC 0x10, 0x91, 0x97; PUBCOMP 0x92; a Reason String on error acks
unless Request Problem Information = 0; failure codes from the client
tolerated.

Covered elsewhere: SUBACK codes (test_v5_subscriptions.py), UNSUBACK 0x11
(test_subscribe.py), DISCONNECT 0x8B on SIGTERM (test_cli.py), 0x8E
(test_takeover.py), 0x93/0x94/0x95 (test_v5_flow.py, test_v5_messages.py)."""

import pytest

import mqtt_raw as m
from harness import assert_broker_alive, collect_publishes, config_toml, expect_protocol_close


# ------------------------------------------------------------- 0x10 No matching subscribers


def test_no_matching_subscribers_0x10_3_4_2_1(broker):
    # 5.0 3.4.2.1 / 3.5.2.1: 0x10 No matching subscribers (a success code) on
    # PUBACK and PUBREC while nobody is subscribed; 0x00 once somebody is.
    # A subscriber that excludes its own messages (No Local) does not count.
    with broker.connected("lonely", m.V5) as c:
        assert c.publish("nm/t", b"x", qos=1, packet_id=1).reason == 0x10
        assert c.publish("nm/t", b"x", qos=2, packet_id=2).reason == 0
        c.send(m.publish("nm/t", b"x", qos=2, packet_id=3, version=m.V5))
        assert c.expect_ack(m.PUBREC, 3).reason == 0x10
        c.send(m.pubrel(3, m.V5))
        assert c.expect_ack(m.PUBCOMP, 3).reason == 0
        c.subscribe(1, [("nm/t", m.sub_options(1, no_local=True))])
        assert c.publish("nm/t", b"x", qos=1, packet_id=4).reason == 0x10
        with broker.connected("listener", m.V5) as other:
            other.subscribe(1, [("nm/#", m.sub_options(0))])
            assert c.publish("nm/t", b"x", qos=1, packet_id=5).reason == 0
    with broker.connected("lonely311") as c:  # 3.1.1: the plain PUBACK
        assert c.publish("nm/none", b"x", qos=1, packet_id=1).raw == b"\x40\x02\x00\x01"


# ------------------------------------------------------------- 0x91 / 0x92 packet identifiers


def test_qos1_publish_with_id_awaiting_pubrel_0x91(broker):
    # 0x91 Packet Identifier in use: a QoS 1 PUBLISH reusing the id of a QoS 2
    # message still awaiting its PUBREL is refused (and not forwarded); after
    # the PUBREL the id is free again.
    with broker.connected("s", m.V5) as sub, broker.connected("ids", m.V5) as c:
        sub.subscribe(1, [("id/t", m.sub_options(1))])
        c.send(m.publish("id/t", b"q2", qos=2, packet_id=7, version=m.V5))
        assert c.expect_ack(m.PUBREC, 7).reason == 0
        c.send(m.publish("id/t", b"clash", qos=1, packet_id=7, version=m.V5))
        nack = c.expect_ack(m.PUBACK, 7)
        assert nack.reason == 0x91 and nack.prop(m.REASON_STRING), nack
        c.send(m.pubrel(7, m.V5))
        assert c.expect_ack(m.PUBCOMP, 7).reason == 0
        assert c.publish("id/t", b"q1", qos=1, packet_id=7).reason == 0
        assert [p.payload for p in collect_publishes(sub)] == [b"q2", b"q1"]


def test_v311_qos1_publish_with_id_awaiting_pubrel_closes_MQTT_4_8_0_1(broker):
    # 3.1.1 has no 0x91: reusing an id still in use ([MQTT-2.3.1-1]) is a
    # protocol violation and the server closes the connection ([MQTT-4.8.0-1]).
    c = broker.connected("v3ids")
    c.send(m.publish("id/t", b"q2", qos=2, packet_id=7))
    c.expect_ack(m.PUBREC, 7)
    c.send(m.publish("id/t", b"clash", qos=1, packet_id=7), tolerate_close=True)
    try:
        expect_protocol_close(c, timeout=2)
    except AssertionError:
        broker.proc.kill()  # a deadlocked worker never finishes a SIGTERM stop
        broker.stop()
        raise
    assert_broker_alive(broker)


def test_pubrel_for_unknown_id_gets_pubcomp_0x92_MQTT_4_3_3_11(broker):
    # A PUBREL for an id the server does not know: PUBCOMP anyway
    # ([MQTT-4.3.3-11]), v5 with 0x92 Packet Identifier not found.
    with broker.connected("rel", m.V5) as c:
        c.send(m.pubrel(99, m.V5))
        assert c.expect_ack(m.PUBCOMP, 99).reason == 0x92
        c.ping()


# ------------------------------------------------------------- 0x97 Quota exceeded (retained store)


@pytest.mark.gridmq_only
def test_max_retained_messages_at_and_past_limit_0x97(broker_factory):
    # max_retained_messages = 2: the 2nd retained topic fits (at the limit),
    # a 3rd gets PUBACK / PUBREC 0x97 Quota exceeded and is not forwarded;
    # deleting one (empty retained payload) makes room again.
    b = broker_factory(config_toml(limits={"max_retained_messages": 2}))
    with b.connected("s", m.V5) as sub, b.connected("r", m.V5) as c:
        sub.subscribe(1, [("rq/#", m.sub_options(1))])
        assert c.publish("rq/1", b"1", qos=1, retain=True, packet_id=1).reason == 0
        assert c.publish("rq/2", b"2", qos=1, retain=True, packet_id=2).reason == 0
        nack = c.publish("rq/3", b"3", qos=1, retain=True, packet_id=3)
        assert nack.reason == 0x97 and nack.prop(m.REASON_STRING), nack
        c.send(m.publish("rq/3", b"3", qos=2, retain=True, packet_id=4, version=m.V5))
        assert c.expect_ack(m.PUBREC, 4).reason == 0x97
        assert [p.payload for p in collect_publishes(sub)] == [b"1", b"2"]
        assert c.publish("rq/1", b"", qos=1, retain=True, packet_id=5).reason == 0
        assert c.publish("rq/3", b"3", qos=1, retain=True, packet_id=6).reason == 0
        assert [p.payload for p in collect_publishes(sub)] == [b"", b"3"]


# ------------------------------------------------------------- Reason String


@pytest.mark.gridmq_only
def test_reason_string_on_error_acks_unless_problem_info_0_MQTT_3_1_2_29(broker_factory):
    # Error acks carry a Reason String (3.4.2.2.2, 3.9.2.1.2);
    # [MQTT-3.1.2-29] with Request Problem Information = 0 the server MUST
    # NOT send one on any packet but PUBLISH, CONNACK and DISCONNECT.
    b = broker_factory(config_toml(limits={"max_topic_levels": 2}))
    for rpi, expect_reason in [(None, True), (1, True), (0, False)]:
        props = None if rpi is None else [(m.REQUEST_PROBLEM_INFO, rpi)]
        with b.raw(m.V5, name=f"rpi-{rpi}") as c:
            c.connect(f"rpi{rpi}", props=props)
            ack = c.subscribe(1, [("a/b/c", 1)], expect_codes=[0x8F])
            assert (ack.prop(m.REASON_STRING) is not None) == expect_reason, ack
            nack = c.publish("a/b/c", b"x", qos=1, packet_id=1)
            assert nack.reason == 0x90 and (nack.prop(m.REASON_STRING) is not None) == expect_reason, nack
            c.send(m.publish("a/b/c", b"x", qos=2, packet_id=2, version=m.V5))
            rec = c.expect_ack(m.PUBREC, 2)
            assert rec.reason == 0x90 and (rec.prop(m.REASON_STRING) is not None) == expect_reason, rec
            c.disconnect()


@pytest.mark.gridmq_only
@pytest.mark.parametrize("packet", [
    pytest.param("SUBACK_MQTT_3_9_2_1"),
    pytest.param("PUBACK_MQTT_3_4_2_2"),
    pytest.param("PUBREC_MQTT_3_5_2_2"),
    pytest.param("DISCONNECT_MQTT_3_14_2_3"),
    pytest.param("CONNACK_MQTT_3_2_2_19"),
])
def test_reason_string_omitted_past_client_maximum_packet_size(broker_factory, packet):
    # The server MUST NOT send a Reason String that would make the packet
    # larger than the client's Maximum Packet Size (the rule of each packet
    # is in the test id; [MQTT-3.1.2-25] for every packet). Maximum Packet
    # Size 20: the bare acks (3 to 6 bytes) fit, the ones with gridmq's
    # Reason Strings (40 to 63 bytes) do not.
    b = broker_factory(config_toml(limits={"max_topic_levels": 2, "max_client_id_length": 23}))
    mps = [(m.MAXIMUM_PACKET_SIZE, 20)]
    deep = "a/b/c/d/e/f/g/h"
    with b.raw(m.V5) as c:
        kind = packet.split("_")[0]
        if kind == "CONNACK":
            c.send(m.connect("x" * 30, version=m.V5, props=mps))
            got = c.expect_closed()
            assert [p.reason for p in got] == [0x85], got
            got = got[0]
        else:
            c.connect("small", props=mps)
        if kind == "SUBACK":
            got = c.subscribe(1, [(deep, 1)], expect_codes=[0x8F])
        elif kind == "PUBACK":
            got = c.publish(deep, b"x", qos=1, packet_id=1)
        elif kind == "PUBREC":
            c.send(m.publish(deep, b"x", qos=2, packet_id=1, version=m.V5))
            got = c.expect_ack(m.PUBREC, 1)
        elif kind == "DISCONNECT":
            c.send(m.publish(deep, b"x", version=m.V5), tolerate_close=True)
            got = expect_protocol_close(c, reasons=(0x90,))[0]
        assert got.name == kind and (got.reason == 0x90 or got.reasons == [0x8F] or kind == "CONNACK"), got
        assert len(got.raw) <= 20, f"{len(got.raw)}-byte {kind} to a client with Maximum Packet Size 20: {got!r}"


# ------------------------------------------------------------- failure codes from the client


def test_client_puback_failure_code_tolerated(broker):
    # A PUBACK with a failure code ends that delivery (5.0 4.3.2: the
    # message is acknowledged either way); gridmq logs and counts it and
    # keeps the connection (Event Grid closes it; README "Behaviour worth
    # knowing"). Later messages flow; the refused one is not resent.
    props = [(m.SESSION_EXPIRY, 60)]
    sub = broker.connected("picky", m.V5, clean=False, props=props)
    sub.subscribe(1, [("pf/t", m.sub_options(2))])
    with broker.connected("pub", m.V5) as pub:
        pub.publish("pf/t", b"refused", qos=1, packet_id=1)
        p = sub.recv_publish(ack=False)
        sub.send(m.puback(p.packet_id, m.V5, reason=0x80, props=[(m.REASON_STRING, "no thanks")]))
        pub.publish("pf/t", b"refused-q2", qos=2, packet_id=2)
        q = sub.recv_publish(ack=False)
        sub.send(m.pubrec(q.packet_id, m.V5, reason=0x83))
        sub.ping()  # no PUBREL for a failed PUBREC ([MQTT-4.3.3] the flow ends), connection alive
        pub.publish("pf/t", b"next", qos=1, packet_id=3)
        assert sub.recv_publish().payload == b"next"
        sub.disconnect()
        with broker.raw(m.V5, name="picky-2") as again:
            assert again.connect("picky", clean=False, props=props).session_present
            again.expect_no_packet(0.5)
            again.disconnect()
