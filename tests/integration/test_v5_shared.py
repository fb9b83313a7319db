"""Shared subscriptions $share/{group}/{filter} (MQTT 5.0 4.8.2; issue 3,
"Subscriptions"): round robin spread, the random strategy, no retained
messages on a shared subscribe, redistribution of a leaving member's
unacknowledged messages, shared + ordinary subscription in one client, and
the $share syntax rules."""

import pytest

import mqtt_raw as m
from harness import collect_publishes, config_toml, expect_protocol_close

S1 = m.sub_options(1)


def _members(b, n, filt="$share/g/sh/t", props=None):
    out = []
    for i in range(n):
        c = b.connected(f"member{i}", m.V5, props=props)
        c.subscribe(1, [(filt, S1)], expect_codes=[1])
        out.append(c)
    return out


def _drain(members, quiet=0.5):
    """{member index: [payload ints]} from every member until all are quiet."""
    return {i: [int(p.payload) for p in collect_publishes(c, quiet=quiet)] for i, c in enumerate(members)}


@pytest.mark.gridmq_only
def test_round_robin_spreads_evenly_4_8_2(broker):
    # 4.8.2: each message goes to one member; gridmq's default strategy
    # (round robin over connected members) gives 3 members 10 of 30 each.
    members = _members(broker, 3)
    with broker.connected("pub", m.V5) as pub:
        pub.publish_many("sh/t", [b"%d" % i for i in range(30)], qos=1)
        got = _drain(members)
    assert sorted(v for vs in got.values() for v in vs) == list(range(30)), got
    assert [len(vs) for vs in got.values()] == [10, 10, 10], got
    for vs in got.values():  # each member still sees its share in order
        assert vs == sorted(vs), got
    for c in members:
        c.close()


@pytest.mark.gridmq_only
def test_random_strategy_delivers_each_message_once(broker_factory):
    # [mqtt] shared_subscription_strategy = "random": still exactly one member
    # per message, none lost, none twice.
    b = broker_factory(config_toml(mqtt={"shared_subscription_strategy": "random"}))
    members = _members(b, 3)
    with b.connected("pub", m.V5) as pub:
        pub.publish_many("sh/t", [b"%d" % i for i in range(60)], qos=1)
        got = _drain(members)
    assert sorted(v for vs in got.values() for v in vs) == list(range(60)), got
    for c in members:
        c.close()


def test_no_retained_on_shared_subscribe_4_8_2(broker):
    # 4.8.2: "retained messages are not sent to the Session when it
    # establishes a new Shared Subscription" ([MQTT-3.8.4-4] for ordinary
    # ones: they are).
    with broker.connected("pub", m.V5) as pub:
        pub.publish("sh/ret", b"kept", qos=1, retain=True, packet_id=1)
        pub.disconnect()
    with broker.connected("s", m.V5) as c:
        c.subscribe(1, [("$share/g/sh/ret", S1)], expect_codes=[1])
        c.expect_no_packet(0.5)
        c.subscribe(2, [("sh/ret", S1)], expect_codes=[1])
        p = c.recv_publish()
        assert (p.payload, p.retain) == (b"kept", True), p


def test_unacked_messages_of_leaving_member_go_to_another_4_8_2(broker):
    # 4.8.2: if a member's session ends with QoS 1 messages it has not
    # acknowledged, the server delivers them to another member. Member 0
    # (Receive Maximum 1, session expiry 0) holds one unacknowledged message
    # and has two more waiting behind its window; it disconnects: member 1
    # gets all three, each message exactly once overall.
    leaving = broker.connected("leaving", m.V5, props=[(m.RECEIVE_MAXIMUM, 1)])
    leaving.subscribe(1, [("$share/g/sh/t", S1)])
    staying = broker.connected("staying", m.V5)
    staying.subscribe(1, [("$share/g/sh/t", S1)])
    with broker.connected("pub", m.V5) as pub:
        pub.publish_many("sh/t", [b"%d" % i for i in range(6)], qos=1)
        held = leaving.recv_publish(ack=False)
        leaving.expect_no_packet(0.3)
        first = [int(p.payload) for p in collect_publishes(staying, quiet=0.3)]
        assert len(first) == 3, first
        leaving.disconnect()
        later = [int(p.payload) for p in collect_publishes(staying)]
    assert int(held.payload) in later, (held, later)
    assert sorted(first + later) == list(range(6)), (first, later)
    staying.close()


def test_shared_and_ordinary_subscription_in_one_client_both_deliver_4_8_2(broker):
    # 4.8.2: a client with a shared and an ordinary subscription matching
    # the same message gets it through each ([MQTT-3.3.4-2] does not merge a
    # shared subscription with ordinary ones).
    with broker.connected("both", m.V5) as c, broker.connected("pub", m.V5) as pub:
        c.subscribe(1, [("$share/g/dual/t", S1)], props=[(m.SUBSCRIPTION_ID, 1)])
        c.subscribe(2, [("dual/t", S1)], props=[(m.SUBSCRIPTION_ID, 2)])
        pub.publish("dual/t", b"twice", qos=1, packet_id=1)
        got = collect_publishes(c)
        assert [p.payload for p in got] == [b"twice", b"twice"], got
        assert sorted(i for p in got for i in p.prop_all(m.SUBSCRIPTION_ID)) == [1, 2], got


def test_unsubscribed_member_gets_no_more(broker):
    # [MQTT-3.10.4-1] UNSUBSCRIBE $share/g/... removes this member only.
    a, b = _members(broker, 2)
    a.send(m.unsubscribe(2, ["$share/g/sh/t"], version=m.V5))
    assert a.expect(m.UNSUBACK).reasons == [0]
    with broker.connected("pub", m.V5) as pub:
        pub.publish_many("sh/t", [b"%d" % i for i in range(4)], qos=1)
        got = _drain([a, b])
    assert got == {0: [], 1: [0, 1, 2, 3]}, got
    a.close()
    b.close()


@pytest.mark.parametrize("bad", ["$share/gr+p/t", "$share/gr#p/t", "$share//t", "$share/g", "$share/g/"])
def test_invalid_shared_filter_0x8F_MQTT_4_8_2_1_2(broker, bad):
    # [MQTT-4.8.2-1] ShareName at least one character, no + or #, followed
    # by "/" and a Topic Filter ([MQTT-4.8.2-2]): otherwise 0x8F.
    with broker.connected("bad-share", m.V5) as c:
        c.subscribe(1, [(bad, S1), ("ok/t", S1)], expect_codes=[0x8F, 1])


def test_no_local_on_shared_subscription_is_protocol_error_MQTT_3_8_3_4(broker):
    # [MQTT-3.8.3-4] No Local = 1 on a Shared Subscription: Protocol Error.
    with broker.connected("nl-share", m.V5) as c:
        c.send(m.subscribe(1, [("$share/g/t", m.sub_options(1, no_local=True))], version=m.V5),
               tolerate_close=True)
        expect_protocol_close(c, reasons=(0x82,))


@pytest.mark.gridmq_only
def test_offline_member_skipped_while_another_is_connected(broker):
    # gridmq's round robin prefers connected members (README): a persistent
    # member that is offline gets nothing queued while another member is
    # online.
    away = broker.connected("away", m.V5, clean=False, props=[(m.SESSION_EXPIRY, 60)])
    away.subscribe(1, [("$share/g/sh/t", S1)])
    away.disconnect()
    (here,) = _members(broker, 1)
    with broker.connected("pub", m.V5) as pub:
        pub.publish_many("sh/t", [b"%d" % i for i in range(6)], qos=1)
        assert [int(p.payload) for p in collect_publishes(here)] == list(range(6))
    with broker.raw(m.V5, name="away-2") as back:
        assert back.connect("away", clean=False, props=[(m.SESSION_EXPIRY, 60)]).session_present
        back.expect_no_packet(0.5)
        back.disconnect()
    here.close()
