"""MQTT 5 subscriptions (issue 3, "Subscriptions"): subscription
identifiers on overlapping subscriptions (gridmq: one delivery, highest QoS,
every identifier), features switched off in [mqtt] (SUBACK 0xA1 / 0xA2 /
0x9E and CONNACK saying so), and the per-session subscription and topic size
limits at and past the limit.

No Local, Retain As Published, Retain Handling, UNSUBACK 0x11 and the basic
identifier cases are in test_subscribe.py / test_retain.py."""

import contextlib

import pytest

import mqtt_raw as m
from harness import collect_publishes, config_toml, expect_protocol_close

gridmq_config = pytest.mark.gridmq_only  # gridmq's TOML keys and documented choices


# ------------------------------------------------------------- subscription identifiers


@gridmq_config
def test_overlapping_subscriptions_one_delivery_all_identifiers_MQTT_3_3_4_2_3(broker):
    # [MQTT-3.3.4-2] one delivery at the highest granted QoS of the
    # overlapping subscriptions is allowed; [MQTT-3.3.4-3] it then carries
    # every matching Subscription Identifier. gridmq documents exactly that
    # choice (README "Behaviour worth knowing"). A matching subscription
    # without an identifier adds none; a non-matching one adds nothing.
    with broker.connected("s", m.V5) as sub, broker.connected("p", m.V5) as pub:
        sub.subscribe(1, [("ov/#", m.sub_options(0))], props=[(m.SUBSCRIPTION_ID, 1)])
        sub.subscribe(2, [("ov/+/x", m.sub_options(1))], props=[(m.SUBSCRIPTION_ID, 200)])
        sub.subscribe(3, [("ov/a/x", m.sub_options(2))], props=[(m.SUBSCRIPTION_ID, 268_435_455)])
        sub.subscribe(4, [("ov/a/+", m.sub_options(0))])           # no identifier
        sub.subscribe(5, [("ov/b/x", m.sub_options(2))], props=[(m.SUBSCRIPTION_ID, 9)])  # no match
        pub.publish("ov/a/x", b"once", qos=2, packet_id=1)
        got = collect_publishes(sub)
        assert len(got) == 1, got
        p = got[0]
        assert p.qos == 2, p
        assert sorted(p.prop_all(m.SUBSCRIPTION_ID)) == [1, 200, 268_435_455], p


@gridmq_config
def test_overlapping_subscriptions_of_many_sessions_merge_per_session_MQTT_3_3_4_2_3(broker):
    # Routing merges overlaps per session among the matches of every
    # session (sorted by session, not scanned per match): each of several
    # subscribers, whose overlapping subscriptions interleave in the index,
    # gets one delivery with its own identifiers, nobody else's.
    with contextlib.ExitStack() as stack:
        subs = [stack.enter_context(broker.connected(f"ms{i}", m.V5)) for i in range(4)]
        for i, s in enumerate(subs):
            s.subscribe(1, [("mo/#", m.sub_options(1))], props=[(m.SUBSCRIPTION_ID, 10 + i)])
        for i, s in enumerate(subs):
            s.subscribe(2, [("mo/+", m.sub_options(0))], props=[(m.SUBSCRIPTION_ID, 20 + i)])
        pub = stack.enter_context(broker.connected("mp", m.V5))
        pub.publish("mo/x", b"one", qos=1, packet_id=1)
        for i, s in enumerate(subs):
            got = collect_publishes(s)
            assert len(got) == 1, (i, got)
            assert got[0].qos == 1, got[0]
            assert sorted(got[0].prop_all(m.SUBSCRIPTION_ID)) == [10 + i, 20 + i], got[0]


def test_resubscribe_replaces_subscription_identifier_MQTT_3_8_4_3(broker):
    # [MQTT-3.8.4-3] a SUBSCRIBE for an existing filter replaces the
    # subscription, its Subscription Identifier included; without one the
    # deliveries carry none.
    with broker.connected("s", m.V5) as sub, broker.connected("p", m.V5) as pub:
        sub.subscribe(1, [("rid/t", m.sub_options(1))], props=[(m.SUBSCRIPTION_ID, 5)])
        sub.subscribe(2, [("rid/t", m.sub_options(1))], props=[(m.SUBSCRIPTION_ID, 6)])
        pub.publish("rid/t", b"1", qos=1, packet_id=1)
        assert sub.recv_publish().prop_all(m.SUBSCRIPTION_ID) == [6]
        sub.subscribe(3, [("rid/t", m.sub_options(1))])
        pub.publish("rid/t", b"2", qos=1, packet_id=2)
        assert sub.recv_publish().prop_all(m.SUBSCRIPTION_ID) == []


def test_retained_delivery_carries_subscription_identifier_MQTT_3_3_4_3(broker):
    with broker.connected("p", m.V5) as pub:
        pub.publish("sidr/t", b"kept", qos=1, retain=True, packet_id=1)
        pub.disconnect()
    with broker.connected("s", m.V5) as sub:
        sub.subscribe(1, [("sidr/#", m.sub_options(1))], props=[(m.SUBSCRIPTION_ID, 42)])
        p = sub.recv_publish()
        assert p.retain and p.prop_all(m.SUBSCRIPTION_ID) == [42], p


# ------------------------------------------------------------- features switched off


@gridmq_config
def test_subscription_identifiers_unavailable_0xA1_MQTT_3_2_2_3_12(broker_factory):
    # [mqtt] subscription_identifier_available = false: CONNACK says 0
    # (3.2.2.3.12); a SUBSCRIBE with an identifier gets 0xA1 for its filters,
    # one without still works.
    b = broker_factory(config_toml(mqtt={"subscription_identifier_available": False}))
    with b.raw(m.V5) as c:
        ack = c.connect("noid")
        assert ack.prop(m.SUB_ID_AVAILABLE) == 0, ack
        c.subscribe(1, [("a/t", 1), ("b/t", 0)], props=[(m.SUBSCRIPTION_ID, 3)], expect_codes=[0xA1, 0xA1])
        c.subscribe(2, [("a/t", 1)], expect_codes=[1])
        c.publish("a/t", b"x", qos=1, packet_id=1)
        p = c.recv_publish()
        assert p.payload == b"x" and p.prop(m.SUBSCRIPTION_ID) is None, p


@gridmq_config
def test_wildcard_subscriptions_unavailable_0xA2_MQTT_3_2_2_3_11(broker_factory):
    # [mqtt] wildcard_subscription_available = false: CONNACK says 0; filters
    # with + or # get 0xA2, exact filters in the same SUBSCRIBE succeed.
    b = broker_factory(config_toml(mqtt={"wildcard_subscription_available": False}))
    with b.raw(m.V5) as c:
        assert c.connect("nowild").prop(m.WILDCARD_SUB_AVAILABLE) == 0
        c.subscribe(1, [("w/+", 1), ("w/exact", 1), ("w/#", 0), ("#", 0)], expect_codes=[0xA2, 1, 0xA2, 0xA2])


@gridmq_config
def test_shared_subscriptions_unavailable_0x9E_MQTT_3_2_2_3_13(broker_factory):
    # [mqtt] shared_subscription_available = false: CONNACK says 0;
    # $share/... gets 0x9E, an ordinary filter in the same packet succeeds.
    b = broker_factory(config_toml(mqtt={"shared_subscription_available": False}))
    with b.raw(m.V5) as c:
        assert c.connect("noshare").prop(m.SHARED_SUB_AVAILABLE) == 0
        c.subscribe(1, [("$share/g/s/t", 1), ("s/t", 1)], expect_codes=[0x9E, 1])


@gridmq_config
def test_default_connack_announces_features_available(broker):
    # All three are on by default: the CONNACK omits them (absent = 1).
    with broker.raw(m.V5) as c:
        ack = c.connect("features")
        assert [ack.prop(k) for k in (m.SUB_ID_AVAILABLE, m.WILDCARD_SUB_AVAILABLE, m.SHARED_SUB_AVAILABLE)] \
            in ([None, None, None], [1, 1, 1]), ack


# ------------------------------------------------------------- per-session limits


@gridmq_config
def test_max_subscriptions_per_session_at_and_past_limit_0x97(broker_factory):
    # max_subscriptions_per_session = 3: three filters fit, a 4th gets 0x97
    # Quota exceeded; re-subscribing an existing filter is still fine, and
    # after an UNSUBSCRIBE a new filter fits again.
    b = broker_factory(config_toml(limits={"max_subscriptions_per_session": 3}))
    with b.raw(m.V5) as c:
        c.connect("many")
        c.subscribe(1, [("l/1", 1), ("l/2", 1), ("l/3", 1), ("l/4", 1)], expect_codes=[1, 1, 1, 0x97])
        c.subscribe(2, [("l/5", 0)], expect_codes=[0x97])
        c.subscribe(3, [("l/2", 2)], expect_codes=[2])
        c.send(m.unsubscribe(4, ["l/1"], version=m.V5))
        assert c.expect(m.UNSUBACK).reasons == [0]
        c.subscribe(5, [("l/5", 0)], expect_codes=[0])
        c.publish("l/4", b"not subscribed", qos=1, packet_id=1)
        c.publish("l/5", b"subscribed", qos=1, packet_id=2)
        assert [p.payload for p in collect_publishes(c, quiet=0.3)] == [b"subscribed"]
    with b.raw(m.V311) as c:  # 3.1.1: the failure return code 0x80
        c.connect("many311")
        c.subscribe(1, [("l/1", 1), ("l/2", 1), ("l/3", 1), ("l/4", 1)], expect_codes=[1, 1, 1, 0x80])


@gridmq_config
@pytest.mark.parametrize("limits,ok,too_big", [
    ({"max_topic_levels": 3}, "a/b/c", "a/b/c/d"),
    ({"max_topic_length": 10}, "abcde/ghij", "abcde/ghijk"),
], ids=["levels", "length"])
def test_topic_limits_at_and_past_limit_0x8F_0x90(broker_factory, limits, ok, too_big):
    # max_topic_levels / max_topic_length apply to topic filters (SUBACK
    # 0x8F Topic Filter invalid) and topic names (QoS 1 PUBLISH: PUBACK 0x90
    # Topic Name invalid, the connection stays); at the limit all is fine.
    b = broker_factory(config_toml(limits=limits))
    with b.raw(m.V5) as c:
        c.connect("tl")
        c.subscribe(1, [(ok, 1), (too_big, 1)], expect_codes=[1, 0x8F])
        assert c.publish(too_big, b"x", qos=1, packet_id=1).reason == 0x90
        assert c.publish(ok, b"y", qos=1, packet_id=2).reason == 0
        assert c.recv_publish().payload == b"y"
    with b.raw(m.V311) as c:  # 3.1.1 has no negative PUBACK: the connection closes
        c.connect("tl311")
        c.subscribe(1, [(ok, 1), (too_big, 1)], expect_codes=[1, 0x80])
        c.send(m.publish(too_big, b"x", qos=1, packet_id=1), tolerate_close=True)
        expect_protocol_close(c)


@gridmq_config
def test_topic_level_limit_counts_wildcards_and_ignores_share_prefix(broker_factory):
    # Wildcards are levels of a filter; "$share/{group}/" is not part of the
    # filter the limit applies to.
    b = broker_factory(config_toml(limits={"max_topic_levels": 3}))
    with b.raw(m.V5) as c:
        c.connect("tw")
        c.subscribe(1, [("a/+/#", 1), ("a/+/+/#", 1), ("$share/g/a/b/c", 1), ("$share/g/a/b/c/d", 1)],
                    expect_codes=[1, 0x8F, 1, 0x8F])
