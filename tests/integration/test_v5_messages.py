"""MQTT 5 message features (issue 3, "Messages"): user properties on
retained messages, request/response (Response Information with a configured
prefix, Response Topic + Correlation Data untouched), Message Expiry counted
down and applied to retained messages, Payload Format Indicator validation,
topic aliases both ways at and past the limits.

Plain forwarding of PUBLISH properties is in test_publish.py; user
properties on wills in test_v5_sessions.py."""

import time

import pytest

import mqtt_raw as m
from harness import assert_broker_alive, collect_publishes, config_toml, expect_protocol_close

# ------------------------------------------------------------- user properties


def test_retained_message_keeps_properties_MQTT_3_3_2_18(broker):
    # [MQTT-3.3.2-17/18] User Properties forwarded in order, duplicates kept,
    # also when the message is delivered later from the retained store;
    # Payload Format Indicator and Content Type likewise ([MQTT-3.3.2-4], 3.3.2.3.9).
    props = [(m.USER_PROPERTY, ("k", "1")), (m.USER_PROPERTY, ("a", "x")), (m.USER_PROPERTY, ("k", "1")),
             (m.USER_PROPERTY, ("k", "2")), (m.PAYLOAD_FORMAT, 1), (m.CONTENT_TYPE, "application/json")]
    with broker.connected("ret-pub", m.V5) as pub:
        pub.publish("up/r", b'{"v":1}', qos=1, retain=True, packet_id=1, props=props)
        pub.disconnect()
    with broker.connected("ret-sub", m.V5) as sub:
        sub.subscribe(1, [("up/#", m.sub_options(1))])
        p = sub.recv_publish()
        assert p.retain and p.payload == b'{"v":1}', p
        assert p.prop_all(m.USER_PROPERTY) == [("k", "1"), ("a", "x"), ("k", "1"), ("k", "2")], p
        assert (p.prop(m.PAYLOAD_FORMAT), p.prop(m.CONTENT_TYPE)) == (1, "application/json"), p


def test_user_properties_accepted_on_every_packet_that_may_carry_them_2_2_2_2(broker):
    # 5.0 2.2.2.2: User Property is allowed on CONNECT, PUBLISH, PUBACK,
    # PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, UNSUBSCRIBE, DISCONNECT (and the
    # will); gridmq accepts them everywhere (Event Grid refuses some).
    up = [(m.USER_PROPERTY, ("trace", "1")), (m.USER_PROPERTY, ("trace", "2"))]
    c = broker.raw(m.V5, name="props-everywhere")
    c.connect("props-everywhere", props=up, will={"topic": "upw/t", "payload": b"w", "props": up})
    c.subscribe(1, [("up/t", m.sub_options(2))], props=up, expect_codes=[2])
    c.send(m.publish("up/t", b"q2", qos=2, packet_id=1, version=m.V5, props=up))
    rec = c.expect_ack(m.PUBREC, 1)
    c.send(m.pubrel(1, m.V5, props=up))
    c.expect_ack(m.PUBCOMP, 1)
    p = c.recv_publish(ack=False)
    assert p.prop_all(m.USER_PROPERTY) == [("trace", "1"), ("trace", "2")], p
    c.send(m.pubrec(p.packet_id, m.V5, props=up))
    c.expect(m.PUBREL)
    c.send(m.pubcomp(p.packet_id, m.V5, props=up))
    c.send(m.publish("up/t", b"q1", qos=1, packet_id=2, version=m.V5))
    c.expect_ack(m.PUBACK, 2)
    p = c.recv_publish(ack=False)
    c.send(m.puback(p.packet_id, m.V5, props=up))
    c.send(m.unsubscribe(3, ["up/t"], version=m.V5, props=up))
    assert c.expect(m.UNSUBACK).reasons == [0]
    c.ping()
    assert rec.reason == 0
    c.disconnect(props=up)


# ------------------------------------------------------------- request / response


@pytest.mark.gridmq_only
def test_response_information_uses_configured_prefix_3_2_2_3_15(broker_factory):
    # 3.1.2.11.6 / 3.2.2.3.15: Request Response Information 1 -> CONNACK
    # Response Information = [mqtt] response_information_prefix + client id;
    # 0 or absent -> none ([MQTT-3.1.2-28] it MUST NOT be sent then).
    b = broker_factory(config_toml(mqtt={"response_information_prefix": "rsp/v1/"}))
    with b.raw(m.V5) as c:
        assert c.connect("asker", props=[(m.REQUEST_RESPONSE_INFO, 1)]).prop(m.RESPONSE_INFO) == "rsp/v1/asker"
        c.disconnect()
    with b.raw(m.V5) as c:
        assert c.connect("quiet", props=[(m.REQUEST_RESPONSE_INFO, 0)]).prop(m.RESPONSE_INFO) is None
        c.disconnect()
    with b.raw(m.V5) as c:  # with an assigned client identifier
        ack = c.connect("", props=[(m.REQUEST_RESPONSE_INFO, 1)])
        assigned = ack.prop(m.ASSIGNED_CLIENT_ID)
        assert assigned and ack.prop(m.RESPONSE_INFO) == "rsp/v1/" + assigned, ack
        c.disconnect()


def test_request_response_round_trip_4_10(broker):
    # 4.10 Request / Response: the requester subscribes to the topic it got
    # as Response Information and names it as Response Topic; the responder
    # answers there with the request's Correlation Data, which reaches the
    # requester byte for byte ([MQTT-3.3.2-15/16]).
    corr = bytes(range(256))
    req = broker.raw(m.V5, name="requester")
    reply_to = req.connect("requester", props=[(m.REQUEST_RESPONSE_INFO, 1)]).prop(m.RESPONSE_INFO)
    assert reply_to, "no Response Information"
    with req, broker.connected("responder", m.V5) as rsp:
        req.subscribe(1, [(reply_to, m.sub_options(1))])
        rsp.subscribe(1, [("svc/echo", m.sub_options(1))])
        req.publish("svc/echo", b"ping", qos=1, packet_id=1,
                    props=[(m.RESPONSE_TOPIC, reply_to), (m.CORRELATION_DATA, corr)])
        request = rsp.recv_publish()
        assert request.prop(m.RESPONSE_TOPIC) == reply_to and request.prop(m.CORRELATION_DATA) == corr, request
        rsp.publish(request.prop(m.RESPONSE_TOPIC), b"pong", qos=1, packet_id=1,
                    props=[(m.CORRELATION_DATA, request.prop(m.CORRELATION_DATA))])
        answer = req.recv_publish()
        assert (answer.topic, answer.payload, answer.prop(m.CORRELATION_DATA)) == (reply_to, b"pong", corr), answer


# ------------------------------------------------------------- message expiry


def test_message_expiry_counts_down_while_queued_MQTT_3_3_2_6(broker):
    # [MQTT-3.3.2-6] the forwarded Message Expiry Interval is the received
    # one minus the time spent waiting in the server: 10 s, queued for an
    # offline session for 1.5 s -> 8 or 9 s left (rounded up).
    sub = broker.connected("late", m.V5, clean=False, props=[(m.SESSION_EXPIRY, 60)])
    sub.subscribe(1, [("mx/t", m.sub_options(1))])
    sub.disconnect()
    with broker.connected("pub", m.V5) as pub:
        pub.publish("mx/t", b"aging", qos=1, packet_id=1, props=[(m.MESSAGE_EXPIRY, 10)])
        pub.disconnect()
    time.sleep(1.5)
    with broker.raw(m.V5) as sub:
        assert sub.connect("late", clean=False).session_present
        p = sub.recv_publish()
        assert p.payload == b"aging" and p.prop(m.MESSAGE_EXPIRY) in (8, 9), p
        sub.disconnect()


def test_expired_retained_message_not_delivered_MQTT_3_3_2_5(broker):
    # [MQTT-3.3.2-5] once its Message Expiry Interval has passed the server
    # must not deliver the message, retained ones included. Before that a
    # new subscriber gets it with the remaining interval.
    with broker.connected("ret", m.V5) as pub:
        pub.publish("mx/ret", b"short-lived", qos=1, retain=True, packet_id=1, props=[(m.MESSAGE_EXPIRY, 1)])
        pub.publish("mx/keep", b"forever", qos=1, retain=True, packet_id=2)
        pub.disconnect()
    with broker.connected("early", m.V5) as early:
        early.subscribe(1, [("mx/ret", m.sub_options(1))])
        p = early.recv_publish()
        assert p.retain and p.prop(m.MESSAGE_EXPIRY) == 1, p
        early.disconnect()
    time.sleep(1.3)
    with broker.connected("too-late", m.V5) as late:
        late.subscribe(1, [("mx/#", m.sub_options(1))])
        got = collect_publishes(late)
        assert [(p.topic, p.payload) for p in got] == [("mx/keep", b"forever")], got
        late.disconnect()


# ------------------------------------------------------------- payload format validation


BAD_UTF8 = b"\xc3\x28 not utf-8 \xff"


@pytest.mark.gridmq_only
def test_validate_utf8_payload_nacks_bad_payload_MQTT_3_3_2_4(broker_factory):
    # [mqtt] validate_utf8_payload = true: a payload marked UTF-8 (Payload
    # Format Indicator 1) that is not UTF-8 gets 0x99 Payload format invalid
    # on PUBACK (QoS 1) or PUBREC (QoS 2), the connection stays and nothing
    # is forwarded; valid UTF-8, or the same bytes marked 0, go through.
    b = broker_factory(config_toml(mqtt={"validate_utf8_payload": True}))
    with b.connected("sub", m.V5) as sub, b.connected("pub", m.V5) as pub:
        sub.subscribe(1, [("pf/#", m.sub_options(2))])
        assert pub.publish("pf/t", BAD_UTF8, qos=1, packet_id=1, props=[(m.PAYLOAD_FORMAT, 1)]).reason == 0x99
        assert pub.publish("pf/t", BAD_UTF8, qos=2, packet_id=2, props=[(m.PAYLOAD_FORMAT, 1)]).reason == 0x99
        assert pub.publish("pf/t", "ünïcode".encode(), qos=1, packet_id=3, props=[(m.PAYLOAD_FORMAT, 1)]).reason == 0
        assert pub.publish("pf/t", BAD_UTF8, qos=1, packet_id=4, props=[(m.PAYLOAD_FORMAT, 0)]).reason == 0
        assert pub.publish("pf/t", BAD_UTF8, qos=1, packet_id=5).reason == 0
        got = [p.payload for p in collect_publishes(sub)]
        assert got == ["ünïcode".encode(), BAD_UTF8, BAD_UTF8], got


@pytest.mark.gridmq_only
def test_validate_utf8_payload_qos0_disconnects_0x99(broker_factory):
    # QoS 0 has no acknowledgement to carry 0x99: DISCONNECT 0x99.
    b = broker_factory(config_toml(mqtt={"validate_utf8_payload": True}))
    with b.connected("pub0", m.V5) as pub:
        pub.send(m.publish("pf/t", BAD_UTF8, version=m.V5, props=[(m.PAYLOAD_FORMAT, 1)]), tolerate_close=True)
        expect_protocol_close(pub, reasons=(0x99,))
    assert_broker_alive(b, m.V5)


def test_utf8_payload_not_validated_by_default(broker):
    # Validation off (the default): the receiver is the one to check
    # ([MQTT-3.3.2-4] the server MAY validate); the message is delivered.
    with broker.connected("sub", m.V5) as sub, broker.connected("pub", m.V5) as pub:
        sub.subscribe(1, [("pf/t", m.sub_options(1))])
        assert pub.publish("pf/t", BAD_UTF8, qos=1, packet_id=1, props=[(m.PAYLOAD_FORMAT, 1)]).reason == 0
        p = sub.recv_publish()
        assert p.payload == BAD_UTF8 and p.prop(m.PAYLOAD_FORMAT) == 1, p


# ------------------------------------------------------------- topic aliases, inbound


def _alias_broker(broker_factory):
    b = broker_factory(config_toml(limits={"topic_alias_maximum": 2}))
    sub = b.connected("alias-sub", m.V5)
    sub.subscribe(1, [("al/#", m.sub_options(1))])
    return b, sub


@pytest.mark.gridmq_only
def test_inbound_topic_alias_at_maximum_MQTT_3_3_2_9(broker_factory):
    # topic_alias_maximum = 2, announced in CONNACK; alias 2 (the maximum)
    # works: set with a topic, then used with an empty topic.
    b, sub = _alias_broker(broker_factory)
    with sub, b.raw(m.V5) as pub:
        assert pub.connect("alias-pub").prop(m.TOPIC_ALIAS_MAXIMUM) == 2
        pub.publish("al/two", b"set", qos=1, packet_id=1, props=[(m.TOPIC_ALIAS, 2)])
        pub.publish("", b"used", qos=1, packet_id=2, props=[(m.TOPIC_ALIAS, 2)])
        got = [(p.topic, p.payload, p.prop(m.TOPIC_ALIAS)) for p in sub.recv_publishes(2)]
        # An inbound alias is never forwarded (the subscriber set no maximum).
        assert got == [("al/two", b"set", None), ("al/two", b"used", None)], got


@pytest.mark.gridmq_only
@pytest.mark.parametrize("alias", [3, 0], ids=["past-maximum", "zero"])
def test_inbound_topic_alias_invalid_disconnect_0x94_MQTT_3_3_2_8(broker_factory, alias):
    # One past the maximum (3) -> DISCONNECT 0x94 Topic Alias invalid
    # ([MQTT-3.2.2-17]: the client must not send one above it); alias 0 is
    # never allowed ([MQTT-3.3.2-8]) -> 0x94 too.
    b, sub = _alias_broker(broker_factory)
    with sub, b.connected("alias-pub", m.V5) as pub:
        pub.send(m.publish("al/x", b"x", version=m.V5, props=[(m.TOPIC_ALIAS, alias)]), tolerate_close=True)
        expect_protocol_close(pub, reasons=(0x94,))
        sub.expect_no_packet(0.3)


@pytest.mark.gridmq_only
def test_inbound_unknown_topic_alias_without_topic_closes(broker_factory):
    # 3.3.2.3.4: an empty topic with an alias the server has no mapping for
    # is an error. Issue 3 names 0x94 for it; a Protocol Error (0x82) is also
    # a spec-conforming answer, so both are accepted here.
    b, sub = _alias_broker(broker_factory)
    with sub, b.connected("alias-pub", m.V5) as pub:
        pub.send(m.publish("", b"x", version=m.V5, props=[(m.TOPIC_ALIAS, 1)]), tolerate_close=True)
        expect_protocol_close(pub, reasons=(0x94, 0x82))


# ------------------------------------------------------------- topic aliases, outbound


def test_outbound_topic_aliases_lru_MQTT_3_3_2_10(broker):
    # A subscriber with Topic Alias Maximum 2 gets server-assigned aliases:
    # the first PUBLISH of a topic carries topic + alias, later ones an empty
    # topic + alias; a third topic replaces the least recently used one
    # (gridmq's documented policy); never an alias above 2 ([MQTT-3.3.2-10]).
    sent = ["ta/a", "ta/b", "ta/a", "ta/c", "ta/b", "ta/c", "ta/a"]
    expected = [  # (topic on the wire, alias)
        ("ta/a", 1), ("ta/b", 2), ("", 1),
        ("ta/c", 2),   # b was used less recently than a: alias 2 goes to c
        ("ta/b", 1),   # now a is the least recently used: alias 1 goes to b
        ("", 2),
        ("ta/a", 1),   # b (alias 1, sent 5th) is older than c (alias 2, sent 6th)
    ]
    with broker.connected("s", m.V5, props=[(m.TOPIC_ALIAS_MAXIMUM, 2)]) as sub, \
            broker.connected("p", m.V5) as pub:
        sub.subscribe(1, [("ta/#", m.sub_options(1))])
        for i, t in enumerate(sent):
            pub.publish(t, b"%d" % i, qos=1, packet_id=i + 1)
        got = sub.recv_publishes(len(sent))
        assert [(p.topic, p.prop(m.TOPIC_ALIAS)) for p in got] == expected, got
        assert [p.payload for p in got] == [b"%d" % i for i in range(len(sent))]


def test_outbound_topic_aliases_not_used_without_client_maximum_MQTT_3_3_2_9(broker):
    # [MQTT-3.3.2-9] no Topic Alias Maximum in CONNECT (0): the server sends
    # no alias at all, whatever it receives with aliases.
    with broker.connected("s", m.V5) as sub, broker.connected("p", m.V5) as pub:
        sub.subscribe(1, [("tn/#", m.sub_options(1))])
        pub.publish("tn/x", b"1", qos=1, packet_id=1, props=[(m.TOPIC_ALIAS, 1)])
        pub.publish("", b"2", qos=1, packet_id=2, props=[(m.TOPIC_ALIAS, 1)])
        pub.publish("tn/x", b"3", qos=1, packet_id=3)
        got = sub.recv_publishes(3)
        assert [(p.topic, p.prop(m.TOPIC_ALIAS)) for p in got] == [("tn/x", None)] * 3, got


def test_outbound_topic_aliases_reset_per_connection_MQTT_3_3_2_10(broker):
    # [MQTT-3.3.2-10/11] alias mappings last one network connection: after a
    # reconnect the first PUBLISH of a topic carries the topic again.
    props = [(m.TOPIC_ALIAS_MAXIMUM, 2), (m.SESSION_EXPIRY, 60)]
    sub = broker.connected("s", m.V5, clean=False, props=props)
    sub.subscribe(1, [("tr/#", m.sub_options(1))])
    with broker.connected("p", m.V5) as pub:
        pub.publish("tr/x", b"1", qos=1, packet_id=1)
        first = sub.recv_publish()
        assert (first.topic, first.prop(m.TOPIC_ALIAS)) == ("tr/x", 1), first
        sub.disconnect()
        sub = broker.raw(m.V5, name="s-2")
        sub.connect("s", clean=False, props=props)
        pub.publish("tr/x", b"2", qos=1, packet_id=2)
        again = sub.recv_publish()
        assert (again.topic, again.prop(m.TOPIC_ALIAS)) == ("tr/x", 1), again
        sub.disconnect()
