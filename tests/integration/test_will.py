"""Will messages (MQTT 3.1.1 3.1.2.5-3.1.2.7; 5.0 3.1.2.5, 3.1.3.2, 3.14.2.1)."""

import time

import pytest

import mqtt_raw as m
from harness import VERSIONS
from harness import poll_retained


def _will(topic="will/t", payload=b"bye", qos=0, retain=False, props=None):
    return {"topic": topic, "payload": payload, "qos": qos, "retain": retain, "props": props}


def _watch(broker, version=m.V311, filt="will/#", qos=2):
    sub = broker.connected("watcher", version)
    sub.subscribe(1, [(filt, qos)])
    return sub


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("how", ["fin", "reset"])
def test_will_published_on_abrupt_close_MQTT_3_1_2_8(broker, version, how):
    # [MQTT-3.1.2-8] network connection closed without DISCONNECT -> will.
    with _watch(broker, version) as sub:
        c = broker.connected("dying", version, will=_will(payload=b"dead"))
        c.ping()
        c.abort() if how == "reset" else c.close()
        p = sub.recv_publish(timeout=5.0)
        assert (p.topic, p.payload, p.qos) == ("will/t", b"dead", 0)


@pytest.mark.parametrize("version", VERSIONS)
def test_no_will_after_normal_disconnect_MQTT_3_14_4_3(broker, version):
    # [MQTT-3.14.4-3] (v5 [MQTT-3.1.2-10]) a normal DISCONNECT deletes the will.
    with _watch(broker, version) as sub:
        c = broker.connected("polite", version, will=_will(payload=b"should not appear"))
        c.ping()
        c.disconnect()
        sub.expect_no_packet(1.0)  # proving absence: a short window


def test_v5_disconnect_with_will_reason_0x04_publishes_will(broker):
    # MQTT 5.0 3.14.2.1: reason 0x04 Disconnect with Will Message.
    with _watch(broker, m.V5) as sub:
        c = broker.connected("wants-will", m.V5, will=_will(payload=b"on purpose"))
        c.disconnect(reason=0x04)
        p = sub.recv_publish(timeout=5.0)
        assert p.payload == b"on purpose"


@pytest.mark.parametrize("version", VERSIONS)
def test_will_retain_honoured_MQTT_3_1_2_17(broker, version):
    # [MQTT-3.1.2-17] (v5: -15) Will Retain 1 -> published as a retained
    # message: a later subscriber gets it with RETAIN=1.
    c = broker.connected("ret-will", version, will=_will("will/ret", b"kept", qos=1, retain=True))
    c.abort()
    p = poll_retained(broker, "will/ret", qos=1, version=version)
    assert (p.payload, p.retain, p.qos) == (b"kept", True, 1)


def test_will_qos_honoured(broker):
    # [MQTT-3.1.2-14..16] Will QoS: delivered at min(will QoS, sub QoS).
    with _watch(broker, m.V311, qos=2) as sub:
        c = broker.connected("q2-will", will=_will(payload=b"q2", qos=2))
        c.abort()
        p = sub.recv_publish(timeout=5.0)
        assert (p.payload, p.qos) == (b"q2", 2)
        sub.expect(m.PUBREL)
        sub.send(m.pubcomp(p.packet_id))


@pytest.mark.parametrize("will_v,sub_v", [(m.V311, m.V5), (m.V5, m.V311)])
def test_will_between_versions(broker, will_v, sub_v):
    with _watch(broker, sub_v, qos=1) as sub:
        props = [(m.USER_PROPERTY, ("k", "v"))] if will_v == m.V5 else None
        c = broker.connected("x-will", will_v, will=_will(payload=b"cross", qos=1, props=props))
        c.abort()
        p = sub.recv_publish(timeout=5.0)
        assert (p.topic, p.payload, p.qos) == ("will/t", b"cross", 1)
        if sub_v == m.V5 and will_v == m.V5:
            assert p.prop(m.USER_PROPERTY) == ("k", "v")


def test_v5_will_delay_interval(broker):
    # MQTT 5.0 3.1.3.2.2: Will Delay 1 s (session expiry 10 s) -> published
    # about 1 s after the connection drops, not at once.
    with _watch(broker, m.V5) as sub:
        c = broker.connected("delayed", m.V5, props=[(m.SESSION_EXPIRY, 10)],
                             will=_will(payload=b"later", props=[(m.WILL_DELAY, 1)]))
        c.abort()
        t0 = time.monotonic()
        p = sub.recv_publish(timeout=5.0)
        elapsed = time.monotonic() - t0
        assert p.payload == b"later"
        assert elapsed >= 0.8, f"will published after {elapsed:.2f}s, before its 1 s delay"


def test_v5_will_delay_cancelled_by_reconnect_MQTT_3_1_3_9(broker):
    # [MQTT-3.1.3-9] a new connection for the session before the Will Delay
    # Interval passes -> the will is not sent.
    with _watch(broker, m.V5) as sub:
        c = broker.connected("back", m.V5, props=[(m.SESSION_EXPIRY, 30)],
                             will=_will(payload=b"never", props=[(m.WILL_DELAY, 2)]))
        c.abort()
        c2 = broker.raw(m.V5, name="back2")
        ack = c2.connect("back", clean=False, props=[(m.SESSION_EXPIRY, 30)])
        assert ack.session_present
        sub.expect_no_packet(2.5)  # covers the 2 s will delay
        c2.disconnect()
