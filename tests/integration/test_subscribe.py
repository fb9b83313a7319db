"""SUBSCRIBE/SUBACK, UNSUBSCRIBE/UNSUBACK and topic matching (MQTT 3.1.1
3.8-3.11, 4.7; MQTT 5.0 the same sections)."""

import pytest

import mqtt_raw as m
from harness import VERSIONS, assert_broker_alive


def test_v311_suback_exact_bytes_and_granted_qos_MQTT_3_9_3_1(broker):
    # [MQTT-3.8.4-2] SUBACK carries the SUBSCRIBE's packet id; [MQTT-3.9.3-1]
    # one return code per filter, in order; broker max QoS is 2 so the
    # granted QoS is the requested one.
    with broker.connected("s") as c:
        c.send(m.subscribe(0x0A0B, [("x/0", 0), ("x/1", 1), ("x/2", 2)]))
        c.expect_raw(b"\x90\x05\x0a\x0b\x00\x01\x02")


def test_v5_suback_reason_codes(broker):
    with broker.connected("s", m.V5) as c:
        ack = c.subscribe(0x0102, [("x/0", m.sub_options(0)), ("x/1", m.sub_options(1)),
                                   ("x/2", m.sub_options(2))])
        assert ack.reasons == [0, 1, 2], ack


def test_many_filters_in_one_subscribe(broker):
    with broker.connected("s") as c:
        filters = [(f"many/{i}/+", i % 3) for i in range(50)]
        ack = c.subscribe(7, filters)
        assert ack.reasons == [i % 3 for i in range(50)]


@pytest.mark.parametrize("bad", ["a/#/b", "a/b#", "a+/b", "+a", "#/", ""])
@pytest.mark.parametrize("version", VERSIONS)
def test_invalid_filter_rejected_MQTT_4_7_1_2(broker, version, bad):
    # [MQTT-4.7.1-2] '#' only alone or after '/' and last; [MQTT-4.7.1-3]
    # '+' fills a whole level; [MQTT-4.7.3-1] filters are at least one
    # character. The spec lets the server treat this either as a failed
    # subscription (3.1.1 SUBACK 0x80, 5.0 SUBACK 0x8F Topic Filter invalid)
    # or as a protocol violation (close; 5.0 DISCONNECT 0x81/0x82/0x8F
    # first). Both are accepted; a granted QoS is not.
    c = broker.connected("s", version)
    c.send(m.subscribe(3, [("ok/filter", 1), (bad, 1)], version=version))
    try:
        ack = c.recv_packet()
    except m.ConnectionClosed:
        ack = None
    if ack is not None and ack.type == m.SUBACK:
        fail = 0x80 if version == m.V311 else 0x8F
        assert ack.packet_id == 3 and ack.reasons == [1, fail], ack
        c.ping()  # the connection stays usable
    else:
        if ack is not None:
            assert ack.type == m.DISCONNECT and ack.reason in (0x81, 0x82, 0x8F), ack
            assert version == m.V5, "3.1.1 has no server DISCONNECT"
        c.expect_closed()
    c.close()
    assert_broker_alive(broker, version)


@pytest.mark.parametrize("version", VERSIONS)
def test_resubscribe_replaces_subscription_MQTT_3_8_4_3(broker, version):
    # [MQTT-3.8.4-3] an identical filter replaces the existing subscription:
    # new QoS, and one delivery per message (not two).
    with broker.connected("s", version) as sub, broker.connected("p", version) as pub:
        sub.subscribe(1, [("re/t", 0)], expect_codes=[0])
        sub.subscribe(2, [("re/t", 2)], expect_codes=[2])
        pub.publish("re/t", b"one", qos=2, packet_id=1)
        p = sub.recv_publish()
        assert (p.payload, p.qos) == (b"one", 2)
        sub.expect(m.PUBREL)
        sub.send(m.pubcomp(p.packet_id, version))
        sub.expect_no_packet(0.7)  # proving there is no second copy


def test_v311_unsubscribe_exact_unsuback_and_stops_delivery_MQTT_3_10_4_4(broker):
    # [MQTT-3.10.4-4] UNSUBACK with the same packet id; [MQTT-3.10.4-1] the
    # subscription is deleted; [MQTT-3.10.4-5] UNSUBACK even if nothing matched.
    with broker.connected("s") as sub, broker.connected("p") as pub:
        sub.subscribe(1, [("un/t", 1)])
        sub.send(m.unsubscribe(0x0203, ["un/t"]))
        sub.expect_raw(b"\xb0\x02\x02\x03")
        pub.publish("un/t", b"gone", qos=1, packet_id=1)
        sub.expect_no_packet(0.7)
        sub.send(m.unsubscribe(0x0204, ["never/subscribed"]))
        sub.expect_raw(b"\xb0\x02\x02\x04")


def test_v5_unsuback_reason_codes_MQTT_3_11_3_1(broker):
    # 5.0: one reason per filter: 0x00 Success, 0x11 No subscription existed.
    with broker.connected("s", m.V5) as sub:
        sub.subscribe(1, [("un/a", 1)])
        sub.send(m.unsubscribe(9, ["un/a", "un/none"], version=m.V5))
        ack = sub.expect(m.UNSUBACK)
        assert ack.packet_id == 9 and ack.reasons == [0x00, 0x11], ack


# ------------------------------------------------------------- matching

TOPICS = ["a", "a/b", "a/b/c", "a/c", "b/b", "/a", "a/", "a//b", "$foo", "$foo/bar", "x/bar"]
FILTERS = ["#", "+", "+/+", "+/+/+", "a/#", "a/+", "a/+/c", "+/b", "/+", "a/b", "a//b",
           "$foo/#", "+/bar", "a/b/c/#"]


def _matches(filt, topic):
    """Reference matcher (MQTT 4.7): '+' one level, '#' the rest including
    the parent level; filters starting with a wildcard never match topics
    starting with '$' ([MQTT-4.7.2-1])."""
    if topic.startswith("$") and filt[:1] in ("+", "#"):
        return False
    fl, tl = filt.split("/"), topic.split("/")
    for i, f in enumerate(fl):
        if f == "#":
            return True
        if i >= len(tl):
            return False
        if f != "+" and f != tl[i]:
            return False
    return len(fl) == len(tl)


def test_wildcard_matching_table_MQTT_4_7_1(broker):
    # One subscriber per filter; every topic published once at QoS 1, then a
    # sentinel every subscriber also listens to; each subscriber must have
    # got exactly the topics the reference matcher says, in order.
    subs = {}
    for i, f in enumerate(FILTERS):
        c = broker.connected(f"m{i}", name=f"sub[{f}]")
        c.subscribe(1, [(f, 1), ("sentinel/end", 1)])
        subs[f] = c
    with broker.connected("pub") as pub:
        for i, t in enumerate(TOPICS):
            pub.publish(t, t.encode(), qos=1, packet_id=i + 1)
        pub.publish("sentinel/end", b"", qos=1, packet_id=100)
    for f, c in subs.items():
        got = []
        while True:
            p = c.recv_publish(timeout=5.0)
            if p.topic == "sentinel/end":
                break
            got.append(p.topic)
        want = [t for t in TOPICS if _matches(f, t)]
        assert got == want, f"filter {f!r}: got {got}, want {want}"
        c.close()


def test_dollar_topics_not_matched_by_leading_wildcards_MQTT_4_7_2_1(broker):
    # [MQTT-4.7.2-1] '#' and '+/...' do not match topics starting with '$'
    # ('$SYS/x', '$foo'); '$foo/#' does. The $ messages come from a separate
    # client at QoS 0: the broker may refuse client publishes to $SYS.
    with broker.connected("hash") as s1, broker.connected("plus") as s2, \
            broker.connected("dollar") as s3, broker.connected("p") as pub:
        s1.subscribe(1, [("#", 0)])
        s2.subscribe(1, [("+/x", 0)])
        s3.subscribe(1, [("$foo/#", 0)])
        with broker.connected("dollar-pub") as dp:
            dp.send(m.publish("$SYS/x", b"d"), tolerate_close=True)
            dp.send(m.publish("$foo/x", b"d"), tolerate_close=True)
            dp.send(m.publish("$foo", b"d"), tolerate_close=True)
            dp.send(m.disconnect(), tolerate_close=True)
        pub.publish("end/x", b"end", qos=1, packet_id=1)
        assert s1.recv_publish().topic == "end/x"
        assert s2.recv_publish().topic == "end/x"
        assert sorted(p.topic for p in s3.recv_publishes(2)) == ["$foo", "$foo/x"]
        s1.expect_no_packet(0.5)  # nothing else, in whatever order it came
        s2.expect_no_packet(0.1)


def test_overlapping_subscriptions_deliver_max_qos_MQTT_3_3_5_1(broker):
    # 3.1.1 [MQTT-3.3.5-1]: with overlapping subscriptions the message is
    # delivered respecting the maximum QoS of the matches (one copy or one
    # per subscription, both allowed).
    with broker.connected("s") as sub, broker.connected("p") as pub:
        sub.subscribe(1, [("ov/#", 0), ("ov/t", 2)])
        pub.publish("ov/t", b"o", qos=2, packet_id=1)
        got = [sub.recv_publish()]
        try:
            while True:
                got.append(sub.recv_publish(timeout=0.7))
        except TimeoutError:
            pass
        assert max(p.qos for p in got) == 2, got
        assert len(got) <= 2


def test_v5_no_local_MQTT_3_8_3_3(broker):
    # [MQTT-3.8.3-3] No Local: own messages are not sent back.
    with broker.connected("self", m.V5) as me, broker.connected("other", m.V5) as other:
        me.subscribe(1, [("nl/t", m.sub_options(1, no_local=True))])
        other.subscribe(1, [("nl/t", m.sub_options(1))])
        me.publish("nl/t", b"mine", qos=1, packet_id=1)
        assert other.recv_publish().payload == b"mine"
        me.expect_no_packet(0.7)


def test_v5_subscription_identifier_returned_MQTT_3_3_4_3(broker):
    # [MQTT-3.3.4-3] the Subscription Identifier of the matching subscription
    # comes with the PUBLISH.
    with broker.connected("s", m.V5) as sub, broker.connected("p", m.V5) as pub:
        sub.subscribe(1, [("sid/#", m.sub_options(1))], props=[(m.SUBSCRIPTION_ID, 7)])
        pub.publish("sid/x", b"i", qos=1, packet_id=1)
        p = sub.recv_publish()
        assert p.prop_all(m.SUBSCRIPTION_ID) == [7], p


def test_v5_overlapping_subscription_identifiers_MQTT_3_3_4_3(broker):
    # [MQTT-3.3.4-3] the delivery carries the identifiers of the matching
    # subscriptions: one PUBLISH with both, or one PUBLISH per subscription
    # each with its own ([MQTT-3.3.4-4/5]).
    with broker.connected("s", m.V5) as sub, broker.connected("p", m.V5) as pub:
        sub.subscribe(1, [("ovl/#", m.sub_options(1))], props=[(m.SUBSCRIPTION_ID, 1)])
        sub.subscribe(2, [("ovl/t", m.sub_options(1))], props=[(m.SUBSCRIPTION_ID, 2)])
        pub.publish("ovl/t", b"o", qos=1, packet_id=1)
        got = [sub.recv_publish()]
        try:
            got.append(sub.recv_publish(timeout=0.5))
        except TimeoutError:
            pass
        ids = sorted(i for p in got for i in p.prop_all(m.SUBSCRIPTION_ID))
        assert ids == [1, 2], got


def test_v5_shared_subscription_splits_messages_MQTT_4_8_2(broker):
    # 4.8.2: each message to a shared subscription goes to one member of the
    # group; together the members get every message exactly once.
    with broker.connected("m1", m.V5) as a, broker.connected("m2", m.V5) as b, \
            broker.connected("p", m.V5) as pub:
        a.subscribe(1, [("$share/g/sh/t", m.sub_options(1))])
        b.subscribe(1, [("$share/g/sh/t", m.sub_options(1))])
        n = 20
        pub.publish_many("sh/t", [b"%d" % i for i in range(n)], qos=1)
        got = {"a": [], "b": []}
        for name, c in (("a", a), ("b", b)):
            try:  # drain each member until it goes quiet
                while len(got["a"]) + len(got["b"]) < n:
                    got[name].append(int(c.recv_publish(timeout=0.7).payload))
            except TimeoutError:
                pass
        assert sorted(got["a"] + got["b"]) == list(range(n)), got
