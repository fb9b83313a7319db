"""Session takeover: a second connection with the same Client Identifier
([MQTT-3.1.4-3] 3.1.1 / [MQTT-3.1.4-3] 5.0, DISCONNECT 0x8E Session taken over)."""

import pytest

import mqtt_raw as m
from harness import VERSIONS


def test_v311_same_client_id_closes_old_connection_MQTT_3_1_4_3(broker):
    old = broker.connected("dup-id", name="old")
    new = broker.connected("dup-id", name="new")
    before = old.expect_closed()
    assert before == [], f"3.1.1 has no DISCONNECT from the server, got {before}"
    new.ping()
    new.disconnect()


def test_v5_takeover_sends_disconnect_0x8e_MQTT_3_1_4_3(broker):
    old = broker.connected("dup5", m.V5, name="old")
    new = broker.connected("dup5", m.V5, name="new")
    before = old.expect_closed()
    assert len(before) == 1 and before[0].type == m.DISCONNECT and before[0].reason == 0x8E, \
        f"expected DISCONNECT 0x8E (Session taken over) before the close, got {before}"
    new.ping()
    new.disconnect()


@pytest.mark.parametrize("version", VERSIONS)
def test_takeover_keeps_persistent_session(broker, version):
    # [MQTT-3.1.4-3] + [MQTT-3.2.2-3]: the new connection with clean 0 resumes
    # the session (session present 1) and its subscriptions.
    props = [(m.SESSION_EXPIRY, 60)] if version == m.V5 else None
    old = broker.connected("keep", version, name="old", clean=False, props=props)
    old.subscribe(1, [("take/over", 1)])
    new = broker.raw(version, name="new")
    ack = new.connect("keep", clean=False, props=props)
    assert ack.session_present, ack
    old.expect_closed()
    with broker.connected("pub", version) as pub:
        pub.publish("take/over", b"to new", qos=1, packet_id=3)
    p = new.recv_publish()
    assert (p.topic, p.payload) == ("take/over", b"to new")
    new.disconnect()


def test_takeover_with_clean_start_discards_session(broker):
    old = broker.connected("fresh", clean=False, name="old")
    old.subscribe(1, [("take/clean", 1)])
    new = broker.raw(name="new")
    ack = new.connect("fresh", clean=True)
    assert ack.session_present is False
    old.expect_closed()
    with broker.connected("pub") as pub:
        pub.publish("take/clean", b"nobody", qos=1, packet_id=3)
    new.expect_no_packet(1.0)  # the old subscription must be gone
    new.disconnect()


@pytest.mark.parametrize("threads", [1, 2])
def test_repeated_takeover_across_workers(broker_factory, threads):
    # Ten connections in a row with one client id: each closes the previous
    # one, wherever the workers placed them; the last one works.
    b = broker_factory(threads=threads)
    conns = []
    for i in range(10):
        c = b.raw(m.V5, name=f"gen{i}")
        c.connect("hopper", clean=False, props=[(m.SESSION_EXPIRY, 30)])
        if conns:
            before = conns[-1].expect_closed()
            assert [(p.type, p.reason) for p in before] == [(m.DISCONNECT, 0x8E)], before
        conns.append(c)
    conns[-1].subscribe(1, [("hop", 1)])
    with b.connected("pub") as pub:
        pub.publish("hop", b"last", qos=1, packet_id=1)
    assert conns[-1].recv_publish().payload == b"last"
    for c in conns:
        c.close()
