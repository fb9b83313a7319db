"""Keep alive and PINGREQ/PINGRESP (MQTT 3.1.1 3.1.2.10, 3.12; 5.0 3.1.2.10)."""

import time

import pytest

import mqtt_raw as m
from harness import VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
def test_silent_client_closed_after_1_5_keepalive_and_will_sent_MQTT_3_1_2_24(broker, version):
    # [MQTT-3.1.2-24] no packet within 1.5 x Keep Alive -> the server closes
    # (v5 may send DISCONNECT 0x8D Keep Alive timeout first), and since it
    # was not a normal DISCONNECT the will is published ([MQTT-3.1.2-8]).
    with broker.connected("watcher", version) as sub:
        sub.subscribe(1, [("ka/will", 0)])
        with broker.raw(version, name="silent") as c:
            c.connect("silent", keepalive=1,
                      will={"topic": "ka/will", "payload": b"gone"})
            t0 = time.monotonic()
            before = c.expect_closed(timeout=4.0)
            elapsed = time.monotonic() - t0
            assert elapsed >= 0.9, f"closed after {elapsed:.2f}s: before the keep alive ran out"
            assert elapsed <= 1.5 + 1.0, f"closed after {elapsed:.2f}s, expected by 1.5 s (+1 s margin)"
            if version == m.V5:
                assert all(p.type == m.DISCONNECT and p.reason == 0x8D for p in before), before
            else:
                assert before == []
        will = sub.recv_publish(timeout=3.0)
        assert (will.topic, will.payload) == ("ka/will", b"gone")


@pytest.mark.parametrize("version", VERSIONS)
def test_pingreq_gets_pingresp_MQTT_3_12_4_1(broker, version):
    with broker.connected("pinger", version) as c:
        for _ in range(3):
            c.send(m.pingreq())
            c.expect_raw(b"\xd0\x00")


def test_pings_keep_connection_alive_MQTT_3_1_2_23(broker):
    # A client that pings every 0.5 s with keep alive 1 s stays connected
    # for 3 s, twice the 1.5 s limit.
    with broker.connected("busy", keepalive=1) as c:
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            c.ping(timeout=1.0)
            c.expect_no_packet(0.5)  # pacing; also proves no stray packets


def test_any_packet_resets_keep_alive(broker):
    # The keep alive counts any control packet from the client, not only
    # PINGREQ (3.1.2.10): QoS 0 PUBLISH every 0.5 s keeps it open.
    with broker.connected("pub-only", keepalive=1) as c:
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            c.send(m.publish("ka/tick", b"t"))
            c.expect_no_packet(0.5)
        c.ping()


def test_keepalive_zero_means_no_timeout(broker):
    # Keep Alive 0 turns the mechanism off: silent for 2.5 s (longer than
    # any keep alive the other tests use), still connected.
    with broker.connected("idle", keepalive=0) as c:
        c.expect_no_packet(2.5)
        c.ping()


@pytest.mark.gridmq_only
def test_v5_keepalive_above_max_lowered_to_1160(broker):
    # Embedded max keep alive 1160 s: a larger request is answered with
    # Server Keep Alive (0x13) = 1160, which the client must use ([MQTT-3.2.2-21]).
    with broker.raw(m.V5) as c:
        ack = c.connect("long-ka", keepalive=3000)
        assert ack.prop(m.SERVER_KEEP_ALIVE) == 1160, ack
