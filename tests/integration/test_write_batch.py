"""Write batching (broker/push_batch.hpp, broker/outbox.cpp): QoS 0 packets
routed from one read batch reach each destination connection in one push,
and small packets are copied into large buffers. What must hold is that
nothing is lost or reordered, within one worker and across two, and when
QoS 0 and QoS 1 packets from one publisher are mixed. The publisher sends
every PUBLISH in one write so that they arrive in as few reads as possible.
With two workers the subscriber (first connection) and the publisher
(second) are on different workers."""

import pytest

import mqtt_raw as m
from harness import wait_until

N = 600


@pytest.mark.parametrize("threads", [1, 2])
def test_a_burst_of_qos0_arrives_complete_and_in_order(broker_factory, threads):
    # [MQTT-4.6.0-6]: PUBLISH packets to a consumer, for the same topic and
    # QoS, in the order received from a given client.
    b = broker_factory(threads=threads)
    sub = b.connected("sub", m.V5, name="sub")
    sub.subscribe(1, [("burst/#", 0)])
    pub = b.connected("pub", m.V311, name="pub")
    pub.send(b"".join(m.publish("burst/a", b"m%d" % i, 0, version=m.V311) for i in range(N)))
    got = sub.recv_publishes(N, timeout=20)
    assert [p.payload for p in got] == [b"m%d" % i for i in range(N)]
    assert {p.topic for p in got} == {"burst/a"}


@pytest.mark.parametrize("threads", [1, 2])
def test_mixed_qos0_and_qos1_keep_the_publishers_order(broker_factory, threads):
    # Stronger than [MQTT-4.6.0-6], which orders per QoS: a QoS 1 packet is
    # not overtaken by the QoS 0 packets the same read batch routed before it.
    b = broker_factory(threads=threads)
    sub = b.connected("sub", m.V311, name="sub")
    sub.subscribe(1, [("mix/#", 1)])
    pub = b.connected("pub", m.V5, name="pub")
    burst = []
    qos1_ids = []
    for i in range(N):
        if i % 5 == 4:
            qos1_ids.append(len(qos1_ids) + 1)
            burst.append(m.publish("mix/t", b"q1-%d" % i, 1, packet_id=qos1_ids[-1], version=m.V5))
        else:
            burst.append(m.publish("mix/t", b"q0-%d" % i, 0, version=m.V5))
    pub.send(b"".join(burst))
    got = sub.recv_publishes(N, timeout=20)
    assert [p.payload for p in got] == [(b"q1-%d" if i % 5 == 4 else b"q0-%d") % i for i in range(N)]
    acked = sorted(pub.expect(m.PUBACK).packet_id for _ in qos1_ids)
    assert acked == qos1_ids


def test_qos0_fan_out_from_one_burst_reaches_every_subscriber(broker_factory):
    # A run is pushed whenever the destination changes: with ten subscribers
    # every message switches destination ten times.
    b = broker_factory(threads=2)
    subs = []
    for i in range(10):
        c = b.connected(f"sub{i}", m.V5 if i % 2 else m.V311, name=f"sub{i}")
        c.subscribe(1, [("fan/#", 0)])
        subs.append(c)
    pub = b.connected("pub", m.V311, name="pub")
    pub.send(b"".join(m.publish("fan/x", b"f%d" % i, 0, version=m.V311) for i in range(200)))
    for c in subs:
        got = c.recv_publishes(200, timeout=20)
        assert [p.payload for p in got] == [b"f%d" % i for i in range(200)], c.name


def test_startup_log_names_the_allocator_in_use(broker):
    # The build links mimalloc for the cross-worker hand-off of messages; if
    # the link order left glibc's malloc in charge the log says so.
    line = wait_until(lambda: next((l for l in broker.log().splitlines() if "allocator" in l), None),
                      what="the 'started' log line")
    assert "NOT in use" not in line, line
