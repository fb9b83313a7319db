"""[listener] no_delay: TCP_NODELAY on the broker's accepted sockets.

The option is read on the broker's own socket: pidfd_getfd(2) copies the
broker's descriptor into this process (root, or ptrace rights over the
broker), and getsockopt reads it there. Nagle stays on by default
(bench/NOTES.md explains the trade).
"""

import ctypes
import os
import socket

import pytest

import mqtt_raw as m

SYS_PIDFD_GETFD = 438  # x86_64 and aarch64


def _broker_socket_for(pid, client):
    """A copy of the broker's socket whose peer is `client`'s local address."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    want = client.getsockname()
    try:
        for name in os.listdir(f"/proc/{pid}/fd"):
            try:
                if not os.readlink(f"/proc/{pid}/fd/{name}").startswith("socket:"):
                    continue
            except OSError:
                continue
            fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(name), 0)
            if fd < 0:
                pytest.skip(f"pidfd_getfd: {os.strerror(ctypes.get_errno())}")
            s = socket.socket(fileno=fd)
            try:
                if s.type == socket.SOCK_STREAM and s.getpeername() == want:
                    return s
            except OSError:
                pass
            s.close()
    finally:
        os.close(pidfd)
    raise AssertionError(f"no broker socket with peer {want}")


def _nodelay_of_accepted(broker):
    c = socket.create_connection(("127.0.0.1", broker.port), timeout=5)
    try:
        c.sendall(m.connect("nodelay-probe", version=m.V311))
        assert c.recv(4)[:1] == b"\x20", "CONNACK expected"
        s = _broker_socket_for(broker.pid, c)
        try:
            return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        finally:
            s.close()
    finally:
        c.close()


@pytest.mark.gridmq_only
def test_no_delay_is_the_default(broker):
    # The broker paces its own writes (write_pacer.hpp) instead of Nagle.
    assert _nodelay_of_accepted(broker) != 0


@pytest.mark.gridmq_only
def test_listener_no_delay_false_leaves_nagle_on(broker_factory):
    b = broker_factory(config_text='[[listener]]\nurl = "mqtt://127.0.0.1:0"\nno_delay = false\n', listen=())
    assert _nodelay_of_accepted(b) == 0


@pytest.mark.gridmq_only
@pytest.mark.parametrize("pacing", [0, 500, 5000])
def test_paced_stream_arrives_whole_and_in_order(broker_factory, pacing):
    # A stream of QoS 0 and QoS 1 messages, far faster than the pacing
    # interval, is held and written in batches: every message must still
    # arrive, once, in publish order ([MQTT-4.6.0-6] for QoS 1; QoS 0 is not
    # dropped while the subscriber keeps up), and the tail must not be
    # stranded waiting for more output.
    b = broker_factory(config_text=f'[limits]\nmax_queued_messages = 10000\n'
                       f'[[listener]]\nurl = "mqtt://127.0.0.1:0"\nwrite_pacing = {pacing}\n', listen=())
    with b.connected("paced-sub") as sub, b.connected("paced-pub") as pub:
        sub.subscribe(1, [("paced/#", 1)])
        n = 2000
        for qos in (0, 1):
            pub.publish_many("paced/t", [str(i).encode() for i in range(n)], qos=qos, window=50)
            got = [int(sub.recv_publish(timeout=20).payload) for _ in range(n)]
            assert got == list(range(n)), f"QoS {qos}"
