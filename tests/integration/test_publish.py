"""PUBLISH and the QoS 0/1/2 flows in both directions (MQTT 3.1.1 3.3-3.7,
4.3, 4.4, 4.6; MQTT 5.0 the same sections)."""

import pytest

import harness
import mqtt_raw as m

VERSIONS = harness.VERSIONS


def _ok_ack(p, ptype, pid):
    # v5 acks may carry 0x00 or 0x10 No matching subscribers.
    assert p.type == ptype and p.packet_id == pid, p
    assert p.reason in (0, 0x10), f"ack reason {p.reason:#04x}: {p!r}"


# ------------------------------------------------------------- raw flows


def test_v311_qos1_inbound_puback_exact_bytes_MQTT_4_3_2_2(broker):
    # 3.1.1 [MQTT-4.3.2-2] / 5.0 [MQTT-4.3.2-4]: PUBACK with the packet id.
    with broker.connected("p1") as c:
        c.send(m.publish("q/1", b"one", qos=1, packet_id=0x1234))
        c.expect_raw(b"\x40\x02\x12\x34")


def test_v311_qos2_inbound_pubrec_pubcomp_exact_bytes_MQTT_4_3_3_8(broker):
    # 3.1.1 [MQTT-4.3.3-2] / 5.0 [MQTT-4.3.3-8]: PUBREC, then PUBCOMP on PUBREL.
    with broker.connected("p2") as c:
        c.send(m.publish("q/2", b"two", qos=2, packet_id=0x0102))
        c.expect_raw(b"\x50\x02\x01\x02")
        c.send(m.pubrel(0x0102))
        c.expect_raw(b"\x70\x02\x01\x02")


def test_v5_qos_acks_carry_packet_id_and_success(broker):
    with broker.connected("p5", m.V5) as c:
        c.send(m.publish("q/5", b"x", qos=1, packet_id=77, version=m.V5))
        _ok_ack(c.recv_packet(), m.PUBACK, 77)
        c.send(m.publish("q/5", b"y", qos=2, packet_id=78, version=m.V5))
        _ok_ack(c.recv_packet(), m.PUBREC, 78)
        c.send(m.pubrel(78, m.V5))
        comp = c.recv_packet()
        assert comp.type == m.PUBCOMP and comp.packet_id == 78 and comp.reason == 0, comp


@pytest.mark.parametrize("version", VERSIONS)
def test_qos1_outbound_flow_MQTT_4_3_2_1(broker, version):
    # [MQTT-4.3.2-1] outbound QoS 1 PUBLISH has a fresh non-zero packet id and
    # DUP 0; after our PUBACK it is not sent again.
    with broker.connected("sub", version) as sub, broker.connected("pub", version) as pub:
        sub.subscribe(1, [("out/1", 1)], expect_codes=[1])
        pub.publish("out/1", b"hello", qos=1, packet_id=9)
        p = sub.recv_publish(ack=False)
        assert (p.qos, p.dup, p.retain, p.payload) == (1, False, False, b"hello")
        assert p.packet_id != 0
        sub.send(m.puback(p.packet_id, version))
        sub.expect_no_packet(0.5)


@pytest.mark.parametrize("version", VERSIONS)
def test_qos2_outbound_flow_MQTT_4_3_3_1(broker, version):
    # [MQTT-4.3.3-1] outbound QoS 2: PUBLISH -> our PUBREC -> PUBREL (flags
    # 0010, [MQTT-3.6.1-1]) -> our PUBCOMP; then nothing more.
    with broker.connected("sub", version) as sub, broker.connected("pub", version) as pub:
        sub.subscribe(1, [("out/2", 2)], expect_codes=[2])
        pub.publish("out/2", b"exactly", qos=2, packet_id=10)
        p = sub.recv_publish(ack=False)
        assert (p.qos, p.dup, p.payload) == (2, False, b"exactly")
        sub.send(m.pubrec(p.packet_id, version))
        rel = sub.expect(m.PUBREL)
        assert rel.flags == 0x2 and rel.packet_id == p.packet_id, rel
        if version == m.V311:
            assert rel.raw == b"\x62\x02" + m.u16(p.packet_id)
        sub.send(m.pubcomp(p.packet_id, version))
        sub.expect_no_packet(0.5)


@pytest.mark.parametrize("version", VERSIONS)
def test_qos2_inbound_duplicate_delivered_once_MQTT_4_3_3_9(broker, version):
    # 5.0 [MQTT-4.3.3-9/10] (3.1.1 [MQTT-4.3.3-2]): until PUBREL, a PUBLISH with
    # the same packet id (DUP=1) is answered with PUBREC again and must not be
    # forwarded a second time.
    with broker.connected("sub", version) as sub, broker.connected("pub", version) as pub:
        sub.subscribe(1, [("eo/#", 0)])
        pub.send(m.publish("eo/x", b"once", qos=2, packet_id=5, version=version))
        _ok_ack(pub.recv_packet(), m.PUBREC, 5)
        pub.send(m.publish("eo/x", b"once", qos=2, dup=True, packet_id=5, version=version))
        _ok_ack(pub.recv_packet(), m.PUBREC, 5)
        pub.send(m.pubrel(5, version))
        comp = pub.recv_packet()
        assert comp.type == m.PUBCOMP and comp.packet_id == 5
        got = sub.recv_publish()
        assert got.payload == b"once"
        sub.expect_no_packet(1.0)  # proving there is no second copy
        # The id is free again: a new message with id 5 is a new message.
        pub.publish("eo/x", b"second", qos=2, packet_id=5)
        assert sub.recv_publish().payload == b"second"


@pytest.mark.parametrize("pub_qos", [0, 1, 2])
@pytest.mark.parametrize("sub_qos", [0, 1, 2])
def test_delivered_qos_is_min_of_pub_and_sub_MQTT_3_8_4_8(broker, pub_qos, sub_qos):
    # 3.1.1 [MQTT-3.8.4-6] / 5.0 [MQTT-3.8.4-8]: delivered QoS = min(pub, granted).
    with broker.connected("sub") as sub, broker.connected("pub") as pub:
        sub.subscribe(1, [("dg/t", sub_qos)], expect_codes=[sub_qos])
        pub.publish("dg/t", b"m", qos=pub_qos, packet_id=3)
        p = sub.recv_publish()
        assert p.qos == min(pub_qos, sub_qos), p
        if p.qos == 0:
            assert p.packet_id is None
        if p.qos == 2:
            sub.recv_packet()  # PUBREL
            sub.send(m.pubcomp(p.packet_id))


@pytest.mark.parametrize("qos", [0, 1, 2])
@pytest.mark.parametrize("version", VERSIONS)
def test_messages_from_one_publisher_arrive_in_order_MQTT_4_6_0_5(broker, version, qos):
    # [MQTT-4.6.0-5/6]: an ordered topic keeps the publisher's order
    # (same QoS, one subscription).
    n = 200
    with broker.connected("sub", version) as sub, broker.connected("pub", version) as pub:
        sub.subscribe(1, [("ord/t", 2)])
        payloads = [b"%05d" % i for i in range(n)]
        pub.publish_many("ord/t", payloads, qos=qos, window=20)
        got = sub.recv_publishes(n, timeout=20.0)
        assert [p.payload for p in got] == payloads
        assert all(p.qos == qos for p in got)
        if qos > 0:
            ids = [p.packet_id for p in got[:50]]
            assert 0 not in ids


# ------------------------------------------------------------- session resend


@pytest.mark.parametrize("qos", [1, 2])
@pytest.mark.parametrize("version", VERSIONS)
def test_unacked_publish_resent_with_dup_on_reconnect_MQTT_4_4_0_1(broker, version, qos):
    # [MQTT-4.4.0-1] on reconnect of a persistent session the server resends
    # unacknowledged PUBLISH packets with their original packet id and
    # [MQTT-3.3.1-1] DUP=1.
    props = [(m.SESSION_EXPIRY, 60)] if version == m.V5 else None
    sub = broker.connected("resend", version, clean=False, props=props)
    sub.subscribe(1, [("rs/t", qos)])
    with broker.connected("pub", version) as pub:
        pub.publish("rs/t", b"again", qos=qos, packet_id=44)
    first = sub.recv_publish(ack=False)
    assert (first.qos, first.dup, first.payload) == (qos, False, b"again")
    sub.abort()
    sub = broker.raw(version, name="resend-2")
    ack = sub.connect("resend", clean=False, props=props)
    assert ack.session_present, ack
    again = sub.recv_publish(ack=False)
    assert again.dup, f"resent PUBLISH must have DUP=1: {again!r}"
    assert (again.packet_id, again.qos, again.topic, again.payload) == \
        (first.packet_id, qos, "rs/t", b"again")
    if qos == 1:
        sub.send(m.puback(again.packet_id, version))
    else:
        sub.send(m.pubrec(again.packet_id, version))
        rel = sub.expect(m.PUBREL)
        assert rel.packet_id == again.packet_id
        sub.send(m.pubcomp(again.packet_id, version))
    sub.expect_no_packet(0.5)
    sub.disconnect()


@pytest.mark.parametrize("version", VERSIONS)
def test_pubrel_resent_on_reconnect_MQTT_4_4_0_1(broker, version):
    # [MQTT-4.4.0-1] a QoS 2 flow in the PUBREC-received state resumes with
    # PUBREL (not the PUBLISH) after reconnect.
    props = [(m.SESSION_EXPIRY, 60)] if version == m.V5 else None
    sub = broker.connected("rel", version, clean=False, props=props)
    sub.subscribe(1, [("rel/t", 2)])
    with broker.connected("pub", version) as pub:
        pub.publish("rel/t", b"q2", qos=2, packet_id=8)
    p = sub.recv_publish(ack=False)
    sub.send(m.pubrec(p.packet_id, version))
    rel = sub.expect(m.PUBREL)
    assert rel.packet_id == p.packet_id
    sub.abort()
    sub = broker.raw(version, name="rel-2")
    assert sub.connect("rel", clean=False, props=props).session_present
    rel2 = sub.recv_packet()
    assert rel2.type == m.PUBREL and rel2.packet_id == p.packet_id and rel2.flags == 0x2, rel2
    sub.send(m.pubcomp(p.packet_id, version))
    sub.expect_no_packet(0.5)  # the PUBLISH itself must not come back
    sub.disconnect()


# ------------------------------------------------------------- real clients


@pytest.mark.parametrize("qos", [0, 1, 2])
@pytest.mark.parametrize("version", VERSIONS)
def test_paho_publish_subscribe(broker, clients, version, qos):
    sub = clients.add(harness.PahoClient(broker, "paho-sub", version))
    pub = clients.add(harness.PahoClient(broker, "paho-pub", version))
    sub.connect()
    pub.connect()
    sub.subscribe("paho/#", qos)
    for i in range(20):
        pub.publish(f"paho/{i % 3}", f"msg{i}".encode(), qos)
    got = sub.recv(20, timeout=10)
    assert [mm.payload for mm in got] == [f"msg{i}".encode() for i in range(20)]
    assert {mm.qos for mm in got} == {qos}
    sub.expect_none(0.3)
    sub.stop()
    pub.stop()


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_mosquitto_clients_publish_subscribe(broker, clients, qos):
    s = clients.add(harness.MosquittoSub(broker, "mc/#", qos=qos, count=3, wait=10))
    s.wait_subscribed()
    for i in range(3):
        harness.mosquitto_pub(broker, f"mc/{i}", f"v{i}", qos=qos)
    rc, lines = s.result()
    assert rc == 0, (rc, lines)
    assert lines == [f"{qos} 0 mc/{i} v{i}" for i in range(3)]


# ------------------------------------------------------------- payloads, v5 properties


@pytest.mark.parametrize("size", [0, 1, 65535, 256 * 1024])
def test_payload_sizes_delivered_intact(broker, size):
    payload = bytes(i % 251 for i in range(size))
    with broker.connected("sub") as sub, broker.connected("pub") as pub:
        sub.subscribe(1, [("big", 1)])
        pub.publish("big", payload, qos=1, packet_id=2)
        p = sub.recv_publish(timeout=10)
        assert p.payload == payload


def test_v5_publish_properties_forwarded_MQTT_3_3_2_17(broker):
    # 5.0: Payload Format Indicator, Content Type, Response Topic, Correlation
    # Data and User Properties are forwarded unaltered ([MQTT-3.3.2-4], -15,
    # -17, -18, -20); User Properties keep their order ([MQTT-3.3.2-18]).
    props = [(m.PAYLOAD_FORMAT, 1), (m.CONTENT_TYPE, "text/plain"),
             (m.RESPONSE_TOPIC, "reply/here"), (m.CORRELATION_DATA, b"\x00\x01corr"),
             (m.USER_PROPERTY, ("b", "2")), (m.USER_PROPERTY, ("a", "1")),
             (m.USER_PROPERTY, ("b", "3"))]
    with broker.connected("sub", m.V5) as sub, broker.connected("pub", m.V5) as pub:
        sub.subscribe(1, [("props/t", 1)])
        pub.publish("props/t", "héllo".encode(), qos=1, packet_id=1, props=props)
        p = sub.recv_publish()
        assert p.prop(m.PAYLOAD_FORMAT) == 1
        assert p.prop(m.CONTENT_TYPE) == "text/plain"
        assert p.prop(m.RESPONSE_TOPIC) == "reply/here"
        assert p.prop(m.CORRELATION_DATA) == b"\x00\x01corr"
        assert p.prop_all(m.USER_PROPERTY) == [("b", "2"), ("a", "1"), ("b", "3")]
        assert p.prop(m.TOPIC_ALIAS) is None, "no alias: the subscriber set no Topic Alias Maximum"


def test_v5_inbound_topic_alias_MQTT_3_3_2_12(broker):
    # 5.0 3.3.2.3.4: PUBLISH with topic + alias 1 sets the alias; a later
    # PUBLISH with an empty topic + alias 1 means the same topic.
    with broker.connected("sub", m.V5) as sub, broker.connected("pub", m.V5) as pub:
        sub.subscribe(1, [("alias/#", 1)])
        pub.publish("alias/long/topic", b"first", qos=1, packet_id=1, props=[(m.TOPIC_ALIAS, 1)])
        pub.publish("", b"second", qos=1, packet_id=2, props=[(m.TOPIC_ALIAS, 1)])
        pub.publish("alias/other", b"third", qos=1, packet_id=3, props=[(m.TOPIC_ALIAS, 1)])
        pub.publish("", b"fourth", qos=1, packet_id=4, props=[(m.TOPIC_ALIAS, 1)])
        got = [(p.topic, p.payload) for p in sub.recv_publishes(4)]
        assert got == [("alias/long/topic", b"first"), ("alias/long/topic", b"second"),
                       ("alias/other", b"third"), ("alias/other", b"fourth")]


def test_v5_message_expiry_forwarded_MQTT_3_3_2_6(broker):
    # [MQTT-3.3.2-6] the forwarded Message Expiry Interval is the received
    # value minus the time the message waited (so at most the original).
    with broker.connected("sub", m.V5) as sub, broker.connected("pub", m.V5) as pub:
        sub.subscribe(1, [("exp/t", 1)])
        pub.publish("exp/t", b"e", qos=1, packet_id=1, props=[(m.MESSAGE_EXPIRY, 60)])
        p = sub.recv_publish()
        exp = p.prop(m.MESSAGE_EXPIRY)
        assert exp is not None and 58 <= exp <= 60, p


def test_v5_outbound_topic_aliases_MQTT_3_3_2_10(broker):
    # A subscriber announcing Topic Alias Maximum 2 may get aliases from the
    # server; [MQTT-3.3.2-10] none above 2, and every alias must resolve to
    # the topic it was last set to (3.3.2.3.4).
    topics = ["ta/one", "ta/two", "ta/three"]
    with broker.connected("s", m.V5, props=[(m.TOPIC_ALIAS_MAXIMUM, 2)]) as sub, \
            broker.connected("p", m.V5) as pub:
        sub.subscribe(1, [("ta/#", 1)])
        sent = [topics[i % 3] for i in range(12)]
        for i, t in enumerate(sent):
            pub.publish(t, b"%d" % i, qos=1, packet_id=i + 1)
        aliases = {}
        got = []
        for p in sub.recv_publishes(len(sent)):
            alias = p.prop(m.TOPIC_ALIAS)
            if alias is not None:
                assert 1 <= alias <= 2, f"alias {alias} above the client's maximum 2"
                if p.topic:
                    aliases[alias] = p.topic
                else:
                    assert alias in aliases, f"alias {alias} used before it was set"
            else:
                assert p.topic, "empty topic without an alias"
            got.append(p.topic or aliases[alias])
        assert got == sent
