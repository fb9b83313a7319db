"""MQTT 3.1 / 3.1.1 <-> 5.0 interoperability through the broker, with real
clients (mosquitto_pub/sub, paho-mqtt) and raw bytes."""

import pytest

import harness
import mqtt_raw as m


@pytest.mark.parametrize("sub_v,pub_v", [("mqttv5", "mqttv311"), ("mqttv311", "mqttv5")])
def test_mosquitto_qos2_across_versions(broker, clients, sub_v, pub_v):
    # The MUST SHOW: `mosquitto_sub -V mqttv5 -q 2 -t 'a/#'` gets at
    # QoS 2 what `mosquitto_pub -V mqttv311 -q 2 -t a/b` sends, and the reverse.
    s = clients.add(harness.MosquittoSub(broker, "a/#", version=sub_v, qos=2, count=1, wait=10,
                                         fmt="%q %t %p"))
    s.wait_subscribed()
    harness.mosquitto_pub(broker, "a/b", f"from-{pub_v}", version=pub_v, qos=2)
    rc, lines = s.result()
    assert rc == 0, (rc, lines)
    assert lines == [f"2 a/b from-{pub_v}"]


def test_v5_user_properties_reach_v5_and_are_dropped_for_v311(broker, clients):
    # A v5 PUBLISH with User Properties: the v5 subscriber sees them, the
    # 3.1.1 subscriber gets a plain, well-formed 3.1.1 PUBLISH.
    s5 = clients.add(harness.MosquittoSub(broker, "up/t", version="mqttv5", qos=1, count=1,
                                          wait=10, fmt="%P|%p"))
    s3 = clients.add(harness.MosquittoSub(broker, "up/t", version="mqttv311", qos=1, count=1,
                                          wait=10, fmt="%q %p"))
    raw = clients.add(broker.connected("raw311"))
    raw.subscribe(1, [("up/t", 0)])
    s5.wait_subscribed()
    s3.wait_subscribed()
    harness.mosquitto_pub(broker, "up/t", "body", version="mqttv5", qos=1,
                          extra=["-D", "publish", "user-property", "color", "blue"])
    rc5, l5 = s5.result()
    rc3, l3 = s3.result()
    assert (rc5, rc3) == (0, 0), (l5, l3)
    assert l5 == ["color:blue|body"], l5
    assert l3 == ["1 body"], l3
    # Exact 3.1.1 bytes: no property block leaks into the topic or payload.
    p = raw.recv_publish()
    assert p.raw == b"\x30\x0a\x00\x04up/tbody", p


@pytest.mark.parametrize("qos", [0, 1, 2])
@pytest.mark.parametrize("pub_v,sub_v", [(m.V311, m.V5), (m.V5, m.V311), (m.V31, m.V5),
                                         (m.V5, m.V31)], ids=["311to5", "5to311", "31to5", "5to31"])
def test_paho_across_versions(broker, clients, pub_v, sub_v, qos):
    sub = clients.add(harness.PahoClient(broker, "psub", sub_v))
    pub = clients.add(harness.PahoClient(broker, "ppub", pub_v))
    sub.connect()
    pub.connect()
    sub.subscribe("x/#", qos)
    for i in range(10):
        pub.publish("x/y", f"n{i}".encode(), qos)
    got = sub.recv(10)
    assert [g.payload for g in got] == [f"n{i}".encode() for i in range(10)]
    assert {g.qos for g in got} == {qos}
    sub.stop()
    pub.stop()


def test_one_message_to_three_protocol_versions(broker):
    subs = []
    for v in (m.V31, m.V311, m.V5):
        c = broker.connected(f"s{v}", v)
        c.subscribe(1, [("fan/#", 2)])
        subs.append(c)
    with broker.connected("pub", m.V5) as pub:
        pub.publish("fan/out", b"all", qos=2, packet_id=1,
                    props=[(m.USER_PROPERTY, ("k", "v")), (m.CONTENT_TYPE, "text/plain")])
    for c in subs:
        p = c.recv_publish()
        assert (p.topic, p.payload, p.qos) == ("fan/out", b"all", 2)
        c.expect(m.PUBREL)
        c.send(m.pubcomp(p.packet_id, c.version))
        if c.version == m.V5:
            assert p.prop(m.CONTENT_TYPE) == "text/plain"
        else:
            # 3.x PUBLISH: topic, id, payload and nothing else.
            assert p.raw[2:] == m.mqtt_str("fan/out") + m.u16(p.packet_id) + b"all", p
        c.close()
