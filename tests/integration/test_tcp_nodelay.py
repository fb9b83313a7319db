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
def test_nagle_stays_on_by_default(broker):
    assert _nodelay_of_accepted(broker) == 0


@pytest.mark.gridmq_only
def test_listener_no_delay_sets_tcp_nodelay(broker_factory):
    b = broker_factory(config_text='[[listener]]\nurl = "mqtt://127.0.0.1:0"\nno_delay = true\n', listen=())
    assert _nodelay_of_accepted(b) != 0
