"""Retained messages (MQTT 3.1.1 3.3.1.3; MQTT 5.0 3.3.1.3, 3.8.3.1)."""

import pytest

import harness
import mqtt_raw as m
from harness import VERSIONS


def _retain(broker, topic, payload, qos=1, version=m.V311, props=None):
    with broker.connected("retainer", version) as pub:
        pub.publish(topic, payload, qos=qos, retain=True, packet_id=1, props=props)
        pub.disconnect()


@pytest.mark.parametrize("version", VERSIONS)
def test_retained_sent_to_new_subscription_with_retain_1_MQTT_3_3_1_6(broker, version):
    # [MQTT-3.3.1-5] the server stores the retained message;
    # [MQTT-3.3.1-6] a new matching subscription gets it with RETAIN=1.
    _retain(broker, "r/t", b"kept", qos=1, version=version)
    with broker.connected("late", version) as sub:
        sub.subscribe(1, [("r/t", 1)])
        p = sub.recv_publish()
        assert (p.topic, p.payload, p.retain, p.qos) == ("r/t", b"kept", True, 1)


def test_retained_qos_is_min_of_message_and_subscription(broker):
    _retain(broker, "r/q", b"q2", qos=2)
    with broker.connected("late") as sub:
        sub.subscribe(1, [("r/q", 1)])
        p = sub.recv_publish()
        assert (p.qos, p.retain) == (1, True)


def test_retained_replaced_per_topic_MQTT_3_3_1_5(broker):
    # [MQTT-3.3.1-5] a new retained message replaces the old one of the topic;
    # other topics keep theirs.
    _retain(broker, "r/a", b"old")
    _retain(broker, "r/a", b"new")
    _retain(broker, "r/b", b"other")
    with broker.connected("late") as sub:
        sub.subscribe(1, [("r/+", 0)])
        got = sorted((p.topic, p.payload) for p in sub.recv_publishes(2))
        assert got == [("r/a", b"new"), ("r/b", b"other")]
        sub.expect_no_packet(0.5)


def test_empty_retained_payload_deletes_and_is_forwarded_MQTT_3_3_1_10(broker):
    # [MQTT-3.3.1-10] a retained PUBLISH with an empty payload is forwarded
    # as normal to current subscribers and [MQTT-3.3.1-11] removes the
    # retained message: a new subscriber gets nothing.
    _retain(broker, "r/del", b"soon gone")
    with broker.connected("current") as cur:
        cur.subscribe(1, [("r/del", 1)])
        assert cur.recv_publish().payload == b"soon gone"
        _retain(broker, "r/del", b"")
        p = cur.recv_publish()
        assert (p.payload, p.retain) == (b"", False)
    with broker.connected("late") as sub:
        sub.subscribe(1, [("r/del", 1)])
        sub.expect_no_packet(0.7)


def test_v311_live_forward_has_retain_0_MQTT_3_3_1_9(broker):
    # 3.1.1 [MQTT-3.3.1-9]: to an established subscription the RETAIN flag is
    # 0, even though the publisher set it.
    with broker.connected("sub") as sub:
        sub.subscribe(1, [("r/live", 1)])
        _retain(broker, "r/live", b"now")
        p = sub.recv_publish()
        assert (p.payload, p.retain) == (b"now", False)


def test_v5_retain_as_published_MQTT_3_3_1_12_13(broker):
    # [MQTT-3.3.1-12] RAP 0 -> RETAIN 0 on live forwarding;
    # [MQTT-3.3.1-13] RAP 1 -> RETAIN as published.
    with broker.connected("rap0", m.V5) as s0, broker.connected("rap1", m.V5) as s1:
        s0.subscribe(1, [("r/rap", m.sub_options(1))])
        s1.subscribe(1, [("r/rap", m.sub_options(1, retain_as_published=True))])
        _retain(broker, "r/rap", b"x", version=m.V5)
        assert s0.recv_publish().retain is False
        assert s1.recv_publish().retain is True


def test_v5_retain_handling_MQTT_3_3_1_9_10(broker):
    # 5.0 3.8.3.1: Retain Handling 0 send at subscribe, 1 only if the
    # subscription is new ([MQTT-3.3.1-10]), 2 never ([MQTT-3.3.1-11]).
    _retain(broker, "r/rh", b"x", version=m.V5)
    with broker.connected("rh", m.V5) as c:
        c.subscribe(1, [("r/rh", m.sub_options(0, retain_handling=2))])
        c.expect_no_packet(0.5)
        c.send(m.unsubscribe(2, ["r/rh"], version=m.V5))
        c.expect(m.UNSUBACK)
        c.subscribe(3, [("r/rh", m.sub_options(0, retain_handling=1))])
        assert c.recv_publish().payload == b"x"
        c.subscribe(4, [("r/rh", m.sub_options(0, retain_handling=1))])  # not new
        c.expect_no_packet(0.5)
        c.subscribe(5, [("r/rh", m.sub_options(0, retain_handling=0))])  # always
        assert c.recv_publish().retain is True


@pytest.mark.parametrize("set_v,get_v", [(m.V311, m.V5), (m.V5, m.V311)])
def test_retained_between_versions(broker, set_v, get_v):
    props = [(m.USER_PROPERTY, ("origin", "v5"))] if set_v == m.V5 else None
    _retain(broker, "r/x", b"cross", qos=1, version=set_v, props=props)
    with broker.connected("late", get_v) as sub:
        sub.subscribe(1, [("r/#", 1)])
        p = sub.recv_publish()
        assert (p.topic, p.payload, p.retain, p.qos) == ("r/x", b"cross", True, 1)


def test_retained_matched_by_wildcards(broker):
    # QoS 1 so each PUBACK proves the message reached the broker before the
    # next "retainer" connection takes the client id over (a QoS 0 message
    # still unread on the old connection may be lost to the takeover).
    for t in ["w/a", "w/b/c", "w", "other"]:
        _retain(broker, t, t.encode(), qos=1)
    with broker.connected("late") as sub:
        sub.subscribe(1, [("w/#", 0)])
        got = sorted(p.topic for p in sub.recv_publishes(3))
        assert got == ["w", "w/a", "w/b/c"]
        sub.expect_no_packet(0.5)


def test_retained_with_mosquitto_clients(broker, clients):
    harness.mosquitto_pub(broker, "mr/t", "persisted", qos=1, retain=True)
    s = clients.add(harness.MosquittoSub(broker, "mr/#", version="mqttv5", qos=1, count=1, wait=5))
    rc, lines = s.result()
    assert rc == 0 and lines == ["1 1 mr/t persisted"], (rc, lines)
