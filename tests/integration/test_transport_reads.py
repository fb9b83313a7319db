"""How the transport cuts the byte stream into packets.

Plain TCP reads into one buffer per worker (64 KiB) and keeps per connection
only the start of a packet a read cut off (docs/architecture.md, "Read").
These tests make reads cut packets everywhere: one byte at a time, a burst
far larger than the shared buffer, and a packet larger than it arriving in
pieces. A byte lost or reordered at a cut fails the payload comparison.
"""

import time

import mqtt_raw as m


def test_packets_sent_one_byte_at_a_time(broker):
    with broker.connected("sub1b") as sub:
        sub.subscribe(1, [("bytes/t", 1)])
        raw = broker.raw(name="pub1b")
        wire = m.connect("pub1b") + m.publish("bytes/t", b"hello, one byte at a time", 1, packet_id=7)
        for b in wire:
            raw.send(bytes([b]))
            time.sleep(0.002)  # separate segments, so separate reads
        raw.expect(m.CONNACK)
        raw.expect_ack(m.PUBACK, 7)
        assert sub.recv_publish().payload == b"hello, one byte at a time"
        raw.close()


def test_burst_larger_than_the_shared_read_buffer_keeps_every_packet(broker):
    # 3,000 QoS 0 PUBLISHes of 100-odd bytes in one send: about 330 KB, so
    # several reads of the 64 KiB buffer, each cutting a packet in two.
    n = 3000
    payloads = [(b"%05d-" % i) + bytes((i + j) % 251 for j in range(97 + i % 13)) for i in range(n)]
    with broker.connected("subburst") as sub, broker.connected("pubburst") as pub:
        sub.subscribe(1, [("burst/t", 0)])
        pub.send(b"".join(m.publish("burst/t", p, 0) for p in payloads))
        got = [p.payload for p in sub.recv_publishes(n, timeout=20)]
        assert got == payloads


def test_packet_larger_than_the_shared_read_buffer_in_pieces(broker):
    # 200 KB PUBLISH sent in 7 KB slices with pauses: it assembles in the
    # connection's own buffer, then a small packet right behind it must follow.
    big = bytes(i % 253 for i in range(200 * 1024))
    with broker.connected("subbig") as sub, broker.connected("pubbig") as pub:
        sub.subscribe(1, [("big/t", 1)])
        wire = m.publish("big/t", big, 1, packet_id=3) + m.publish("big/t", b"after", 1, packet_id=4)
        for i in range(0, len(wire), 7000):
            pub.send(wire[i:i + 7000])
            time.sleep(0.001)
        pub.expect_ack(m.PUBACK, 3)
        pub.expect_ack(m.PUBACK, 4)
        assert [p.payload for p in sub.recv_publishes(2, timeout=10)] == [big, b"after"]
