"""CONNECT / CONNACK (MQTT 3.1.1 section 3.1-3.2, MQTT 5.0 section 3.1-3.2)."""

import time

import pytest

import mqtt_raw as m
from harness import VERSIONS, assert_broker_alive, expect_protocol_close

CONNACK_OK = b"\x20\x02\x00\x00"


def test_v311_connect_gets_exact_connack_MQTT_3_2_2_1(broker):
    # [MQTT-3.2.0-1] first packet from the server is CONNACK;
    # [MQTT-3.2.2-1] clean session 1 -> session present 0, return code 0.
    with broker.raw() as c:
        c.send(m.connect("c1", clean=True))
        c.expect_raw(CONNACK_OK)
        c.ping()


def test_v31_mqisdp_level3_accepted(broker):
    # MQTT 3.1 clients announce "MQIsdp" level 3; the broker accepts them.
    with broker.raw(m.V31) as c:
        c.send(m.connect("old-client", version=m.V31))
        c.expect_raw(CONNACK_OK)
        c.ping()


def test_v5_connect_success_MQTT_3_2_2(broker):
    with broker.raw(m.V5) as c:
        ack = c.connect("c5")
        assert ack.session_present is False
        # [MQTT-3.2.2-9..] Maximum QoS, if sent, may only be 0 or 1 (2 is the default).
        for v in ack.prop_all(m.MAXIMUM_QOS):
            assert v in (0, 1), f"Maximum QoS property {v} is a protocol error"
        for v in ack.prop_all(m.RETAIN_AVAILABLE):
            assert v == 1, "retain is available by default"
        c.ping()


@pytest.mark.gridmq_only
def test_v5_connack_announces_embedded_limits(broker):
    # The defaults the issue names: receive maximum 100, max packet 512 KiB,
    # topic alias maximum 10 ([MQTT-3.2.2-...] CONNACK properties).
    with broker.raw(m.V5) as c:
        ack = c.connect("limits")
        assert ack.prop(m.RECEIVE_MAXIMUM) == 100, ack
        assert ack.prop(m.MAXIMUM_PACKET_SIZE) == 512 * 1024, ack
        assert ack.prop(m.TOPIC_ALIAS_MAXIMUM) == 10, ack


@pytest.mark.gridmq_only
def test_v5_session_expiry_capped_at_3600(broker):
    # The server may lower the requested Session Expiry Interval; it then
    # says so in CONNACK (MQTT 5.0 3.2.2.3.2).
    with broker.raw(m.V5) as c:
        ack = c.connect("exp", clean=True, props=[(m.SESSION_EXPIRY, 7200)])
        assert ack.prop(m.SESSION_EXPIRY) == 3600, ack


@pytest.mark.parametrize("level", [0, 1, 2, 6, 7, 255])
def test_unsupported_protocol_level_gets_rc1_then_close_MQTT_3_1_2_2(broker, level):
    # [MQTT-3.1.2-2] a level the broker cannot parse as v5: the 3.1.1 answer
    # CONNACK return code 0x01 (unacceptable protocol version), then close.
    with broker.raw() as c:
        c.send(m.connect("lvl", version=m.V311, level=level))
        before = c.expect_closed()
        assert [p.raw for p in before] == [b"\x20\x02\x00\x01"], before
    assert_broker_alive(broker)


@pytest.mark.parametrize("level", [4, 5])
def test_wrong_protocol_name_closes_MQTT_3_1_2_1(broker, level):
    # [MQTT-3.1.2-1] a wrong protocol name: the server MAY disconnect and MUST
    # NOT go on processing the CONNECT under this specification.
    with broker.raw(level) as c:
        c.send(m.connect("name", version=level, proto_name="MQTX"))
        before = c.expect_closed()
        assert all(p.type == m.CONNACK and p.reason != 0 for p in before), before


def test_v5_empty_client_id_gets_assigned_identifier_MQTT_3_1_3_6_7(broker):
    # [MQTT-3.1.3-6] a zero-length ClientID is accepted and a unique one
    # assigned; [MQTT-3.2.2-16] v5 returns it as Assigned Client Identifier.
    ids = []
    for i in range(2):
        with broker.raw(m.V5) as c:
            ack = c.connect("", clean=True)
            assigned = ack.prop(m.ASSIGNED_CLIENT_ID)
            assert assigned, f"CONNACK lacks Assigned Client Identifier (0x12): {ack!r}"
            ids.append(assigned)
            c.ping()
            c.disconnect()
    assert ids[0] != ids[1], "assigned client identifiers must be unique"


def test_v311_empty_client_id_clean1_accepted_MQTT_3_1_3_6(broker):
    with broker.raw() as c:
        c.send(m.connect("", clean=True))
        c.expect_raw(CONNACK_OK)
        c.ping()


def test_v311_empty_client_id_clean0_rejected_MQTT_3_1_3_8(broker):
    # [MQTT-3.1.3-8] return code 0x02 (identifier rejected), then close.
    with broker.raw() as c:
        c.send(m.connect("", clean=False))
        before = c.expect_closed()
        assert [p.raw for p in before] == [b"\x20\x02\x00\x02"], before
    assert_broker_alive(broker)


@pytest.mark.parametrize("version", VERSIONS)
def test_second_connect_closes_MQTT_3_1_0_2(broker, version):
    # [MQTT-3.1.0-2] a second CONNECT is a protocol violation: close
    # (v5: DISCONNECT 0x82 Protocol Error first).
    with broker.raw(version) as c:
        c.connect("twice")
        c.send(m.connect("twice", version=version), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x82,))
    assert_broker_alive(broker)


@pytest.mark.parametrize("first", [
    pytest.param(m.pingreq(), id="pingreq"),
    pytest.param(m.publish("a/b", b"x"), id="publish"),
    pytest.param(m.subscribe(1, [("a/#", 0)]), id="subscribe"),
    pytest.param(m.disconnect(), id="disconnect"),
])
def test_first_packet_not_connect_closes_MQTT_3_1_0_1(broker, first):
    # [MQTT-3.1.0-1] the first packet must be CONNECT; the broker answers
    # nothing and closes.
    with broker.raw() as c:
        c.send(first, tolerate_close=True)
        before = c.expect_closed()
        assert before == [], f"no answer expected before the close, got {before}"
    assert_broker_alive(broker)


@pytest.mark.parametrize("version", VERSIONS)
def test_reserved_connect_flag_closes_MQTT_3_1_2_3(broker, version):
    # [MQTT-3.1.2-3] the reserved bit 0 of the connect flags must be 0; v5
    # calls it a Malformed Packet (CONNACK 0x81 may precede the close).
    with broker.raw(version) as c:
        c.send(m.connect("rsv", version=version, flags_or=0x01), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x81, 0x82), packet=m.CONNACK)
    assert_broker_alive(broker)


@pytest.mark.parametrize("version", VERSIONS)
def test_will_qos_without_will_flag_closes_MQTT_3_1_2_11(broker, version):
    # [MQTT-3.1.2-11] (3.1.1: -13) Will Flag 0 -> Will QoS must be 0.
    with broker.raw(version) as c:
        c.send(m.connect("wq", version=version, flags_or=0x08), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x81, 0x82), packet=m.CONNACK)
    assert_broker_alive(broker)


@pytest.mark.parametrize("version", VERSIONS)
def test_will_qos3_closes_MQTT_3_1_2_12(broker, version):
    # [MQTT-3.1.2-12] (3.1.1: -14) Will QoS 3 is not allowed.
    will = {"topic": "w", "payload": b"x", "qos": 3}
    with broker.raw(version) as c:
        c.send(m.connect("wq3", version=version, will=will), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x81, 0x82), packet=m.CONNACK)
    assert_broker_alive(broker)


def test_v311_will_retain_without_will_flag_closes_MQTT_3_1_2_15(broker):
    # [MQTT-3.1.2-15] Will Flag 0 -> Will Retain must be 0.
    with broker.raw() as c:
        c.send(m.connect("wr", flags_or=0x20), tolerate_close=True)
        expect_protocol_close(c)


def test_v311_password_without_username_closes_MQTT_3_1_2_22(broker):
    # [MQTT-3.1.2-22] 3.1.1: Password Flag 1 requires User Name Flag 1.
    with broker.raw() as c:
        c.send(m.connect("pw", password=b"secret"), tolerate_close=True)
        expect_protocol_close(c)


@pytest.mark.parametrize("version", VERSIONS)
def test_username_password_accepted_when_anonymous_allowed(broker, version):
    with broker.raw(version) as c:
        c.connect("up", username="alice", password=b"pw")
        c.ping()


@pytest.mark.gridmq_only
@pytest.mark.parametrize("version", VERSIONS)
def test_client_id_length_limit_128(broker, version):
    # Embedded default: client ids up to 128 characters. [MQTT-3.1.3-5] lets
    # the server accept longer ids; past its limit it rejects with 0x02
    # (3.1.1) / 0x85 Client Identifier not valid (5.0), then closes.
    with broker.raw(version) as c:
        c.connect("x" * 128)
        c.ping()
    with broker.raw(version) as c:
        c.send(m.connect("y" * 129, version=version))
        before = c.expect_closed()
        assert len(before) == 1 and before[0].type == m.CONNACK, before
        assert before[0].reason == (0x85 if version == m.V5 else 0x02), before


@pytest.mark.parametrize("prop", [(m.RECEIVE_MAXIMUM, 0), (m.MAXIMUM_PACKET_SIZE, 0)])
def test_v5_connect_zero_receive_max_or_packet_size_is_protocol_error(broker, prop):
    # MQTT 5.0 3.1.2.11.3/.4: Receive Maximum 0 or Maximum Packet Size 0 is a
    # Protocol Error.
    with broker.raw(m.V5) as c:
        c.send(m.connect("p0", version=m.V5, props=[prop]), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x82, 0x81), packet=m.CONNACK)
    assert_broker_alive(broker, m.V5)


def test_v5_duplicate_property_is_protocol_error(broker):
    # MQTT 5.0 3.1.2.11.2: Session Expiry Interval more than once is a
    # Protocol Error.
    with broker.raw(m.V5) as c:
        c.send(m.connect("dup", version=m.V5, props=[(m.SESSION_EXPIRY, 5), (m.SESSION_EXPIRY, 6)]),
               tolerate_close=True)
        expect_protocol_close(c, reasons=(0x82, 0x81), packet=m.CONNACK)


@pytest.mark.gridmq_only
def test_connect_timeout_closes_silent_connection(broker):
    # Embedded default connect timeout 10 s: a TCP connection that never
    # sends CONNECT is closed ([MQTT-3.1.4-1] / DoS protection).
    with broker.raw() as c:
        t0 = time.monotonic()
        before = c.expect_closed(timeout=13.0)
        elapsed = time.monotonic() - t0
        assert before == []
        assert 8.0 <= elapsed <= 12.5, f"closed after {elapsed:.1f}s, expected about 10s"


@pytest.mark.gridmq_only
def test_v5_request_response_information(broker):
    # 3.1.2.11.6 / 3.2.2.3.15: Request Response Information 1 -> CONNACK
    # Response Information (gridmq: "responses/" + client id).
    with broker.raw(m.V5) as c:
        ack = c.connect("rri", props=[(m.REQUEST_RESPONSE_INFO, 1)])
        assert ack.prop(m.RESPONSE_INFO) == "responses/rri", ack
    with broker.raw(m.V5) as c:
        assert c.connect("no-rri").prop(m.RESPONSE_INFO) is None
