"""A TCP client that sends raw bytes and reads whole MQTT packets (fixed
header + variable-length remaining length) with deadlines.

Every byte sent and received is logged at DEBUG on the "mqtt_raw" logger, so
a failing test shows the exchange in pytest's "Captured log" section.
"""

from __future__ import annotations

import logging
import socket
import struct
import time

from mqtt_raw import (CONNACK, PUBACK, PUBCOMP, PUBLISH, PUBREC, PUBREL,
                      SUBACK, TYPE_NAMES, V311, ConnectionClosed, MalformedResponse, Packet,
                      connect, disconnect, parse, pingreq, puback, pubcomp, publish, pubrec,
                      pubrel, subscribe)

log = logging.getLogger("mqtt_raw")


class RawClient:
    """A TCP client that sends raw bytes and reads whole MQTT packets.

    recv_packet() reads one packet with a deadline; expect_closed() asserts
    the broker closed the connection. `version` only selects how received
    packets are parsed (v5 acks carry reason codes and properties)."""

    def __init__(self, host, port, version=V311, timeout=5.0, name="raw"):
        self.version = version
        self.name = name
        self.timeout = timeout
        self.buf = bytearray()
        self.pending = []  # packets read while waiting for a specific ack
        self.closed_by_peer = False
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- sending
    def send(self, data: bytes, tolerate_close=False):
        log.debug("%s >> %s", self.name, data[:80].hex(" ") + (" ..." if len(data) > 80 else ""))
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            if not tolerate_close:
                raise
            self.closed_by_peer = True

    # -- receiving
    def _fill(self, deadline) -> bool:
        """Reads more bytes; False on EOF/reset; raises TimeoutError."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError from None
        except (ConnectionResetError, ConnectionAbortedError):
            chunk = b""
        if not chunk:
            self.closed_by_peer = True
            return False
        self.buf += chunk
        return True

    def _cut(self):
        """Returns one whole packet from the buffer, or None."""
        if len(self.buf) < 2:
            return None
        mult, length, pos = 1, 0, 1
        while True:
            if pos >= len(self.buf):
                return None
            b = self.buf[pos]
            length += (b & 0x7F) * mult
            pos += 1
            if not b & 0x80:
                break
            mult *= 128
            if pos > 4:
                raise MalformedResponse(f"broker sent a 5-byte varint: {bytes(self.buf[:8]).hex(' ')}")
        if len(self.buf) < pos + length:
            return None
        raw = bytes(self.buf[:pos + length])
        del self.buf[:pos + length]
        return raw

    def recv_packet(self, timeout=None) -> Packet:
        """Next packet. Raises TimeoutError if none within `timeout`,
        ConnectionClosed if the broker closed first."""
        if self.pending:
            return self.pending.pop(0)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            raw = self._cut()
            if raw is not None:
                p = parse(raw, self.version)
                log.debug("%s << %r", self.name, p)
                return p
            try:
                if not self._fill(deadline):
                    raise ConnectionClosed(f"{self.name}: broker closed the connection"
                                           f" (unparsed bytes: {bytes(self.buf).hex(' ')})")
            except TimeoutError:
                raise TimeoutError(f"{self.name}: no packet within {timeout if timeout is not None else self.timeout}s") from None

    def expect(self, ptype, timeout=None) -> Packet:
        p = self.recv_packet(timeout)
        assert p.type == ptype, f"{self.name}: expected {TYPE_NAMES[ptype]}, got {p!r}"
        return p

    def expect_ack(self, ptype, packet_id, timeout=None) -> Packet:
        """Waits for the ack of `ptype` with `packet_id`; other packets met
        on the way (a PUBLISH to ourselves, say) are kept for recv_packet."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        stash = []
        try:
            while True:
                p = self._recv_wire(max(0.001, deadline - time.monotonic()))
                if p.type == ptype and p.packet_id == packet_id:
                    return p
                stash.append(p)
        finally:
            self.pending.extend(stash)

    def _recv_wire(self, timeout):
        saved, self.pending = self.pending, []
        try:
            return self.recv_packet(timeout)
        finally:
            self.pending = saved + self.pending

    def expect_raw(self, raw: bytes, timeout=None) -> Packet:
        p = self.recv_packet(timeout)
        assert p.raw == raw, f"{self.name}: expected bytes {raw.hex(' ')}, got {p.raw.hex(' ')} {p!r}"
        return p

    def expect_no_packet(self, window=1.0, ignore=()):
        """Asserts nothing arrives within `window` seconds (keep it short:
        this is the one place a test waits for something NOT to happen)."""
        deadline = time.monotonic() + window
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                p = self.recv_packet(left)
            except TimeoutError:
                return
            if p.type in ignore:
                continue
            raise AssertionError(f"{self.name}: unexpected packet {p!r}")

    def expect_closed(self, timeout=5.0):
        """Asserts the broker closes the connection within `timeout`.
        Returns the packets received before the close (e.g. a v5 DISCONNECT
        or a CONNACK with an error code) so the test can check them."""
        deadline = time.monotonic() + timeout
        before = []
        while True:
            raw = self._cut()
            if raw is not None:
                p = parse(raw, self.version)
                log.debug("%s << %r", self.name, p)
                before.append(p)
                continue
            try:
                if not self._fill(deadline):
                    log.debug("%s: closed by broker", self.name)
                    return before
            except TimeoutError:
                raise AssertionError(f"{self.name}: broker did not close the connection within "
                                     f"{timeout}s; received before: {before}") from None

    # -- conveniences
    def connect(self, client_id="", expect_rc=0, **kw) -> Packet:
        """Sends CONNECT (version from the client) and reads the CONNACK."""
        kw.setdefault("version", self.version)
        self.send(connect(client_id, **kw))
        ack = self.expect(CONNACK)
        if expect_rc is not None:
            assert ack.reason == expect_rc, f"{self.name}: CONNACK reason {ack.reason:#04x} != {expect_rc:#04x}: {ack!r}"
        return ack

    def subscribe(self, packet_id, filters, props=None, expect_codes=None) -> Packet:
        self.send(subscribe(packet_id, filters, version=self.version, props=props))
        ack = self.expect(SUBACK)
        assert ack.packet_id == packet_id, f"SUBACK packet id {ack.packet_id} != {packet_id}"
        if expect_codes is not None:
            assert ack.reasons == list(expect_codes), f"SUBACK codes {ack.reasons} != {expect_codes}"
        return ack

    def publish(self, topic, payload=b"", qos=0, retain=False, packet_id=None, props=None, dup=False):
        """Publishes and completes the QoS flow from the publisher's side."""
        if qos > 0 and packet_id is None:
            packet_id = 1
        self.send(publish(topic, payload, qos, retain, dup, packet_id, self.version, props))
        if qos == 1:
            return self.expect_ack(PUBACK, packet_id)
        if qos == 2:
            rec = self.expect_ack(PUBREC, packet_id)
            if rec.reason is not None and rec.reason >= 0x80:
                return rec
            self.send(pubrel(packet_id, self.version))
            return self.expect_ack(PUBCOMP, packet_id)
        return None

    def publish_many(self, topic, payloads, qos=1, window=20, first_id=1, timeout=20.0):
        """Publishes `payloads` in order, keeping at most `window` QoS 1/2
        flows open (below any Receive Maximum), and completes every flow.
        Packets that are not our acks are kept for recv_packet."""
        if qos == 0:
            for pl in payloads:
                self.send(publish(topic, pl, 0, version=self.version))
            return
        deadline = time.monotonic() + timeout
        open_ids = set()
        next_id = first_id
        stash = []
        it = iter(payloads)
        exhausted = False
        try:
            while True:
                while not exhausted and len(open_ids) < window:
                    pl = next(it, None)
                    if pl is None:
                        exhausted = True
                        break
                    pid = (next_id - 1) % 65535 + 1
                    next_id += 1
                    open_ids.add(pid)
                    self.send(publish(topic, pl, qos, packet_id=pid, version=self.version))
                if exhausted and not open_ids:
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.name}: {len(open_ids)} QoS {qos} flows still open after {timeout}s")
                p = self._recv_wire(left)
                if qos == 1 and p.type == PUBACK and p.packet_id in open_ids:
                    open_ids.discard(p.packet_id)
                elif qos == 2 and p.type == PUBREC and p.packet_id in open_ids:
                    assert p.reason is None or p.reason < 0x80, f"PUBREC error {p!r}"
                    self.send(pubrel(p.packet_id, self.version))
                elif qos == 2 and p.type == PUBCOMP and p.packet_id in open_ids:
                    open_ids.discard(p.packet_id)
                else:
                    stash.append(p)
        finally:
            self.pending.extend(stash)

    def recv_publish(self, timeout=None, ack=True) -> Packet:
        """Next PUBLISH; acknowledges QoS 1 (PUBACK) and QoS 2 (PUBREC,
        then PUBREL -> PUBCOMP is handled when the PUBREL arrives) if `ack`.
        PUBRELs met on the way are answered with PUBCOMP."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            p = self.recv_packet(max(0.001, deadline - time.monotonic()))
            if p.type == PUBREL and ack:
                self.send(pubcomp(p.packet_id, self.version))
                continue
            assert p.type == PUBLISH, f"{self.name}: expected PUBLISH, got {p!r}"
            if ack and p.qos == 1:
                self.send(puback(p.packet_id, self.version))
            elif ack and p.qos == 2:
                self.send(pubrec(p.packet_id, self.version))
            return p

    def recv_publishes(self, n, timeout=10.0, ack=True) -> list:
        deadline = time.monotonic() + timeout
        out = []
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{self.name}: got {len(out)} of {n} PUBLISH within {timeout}s")
            try:
                out.append(self.recv_publish(left, ack))
            except TimeoutError:
                raise AssertionError(f"{self.name}: got {len(out)} of {n} PUBLISH within {timeout}s") from None
        return out

    def ping(self, timeout=None):
        self.send(pingreq())
        return self.expect_raw(b"\xd0\x00", timeout)

    def disconnect(self, reason=None, props=None, wait=5.0):
        """Sends DISCONNECT, half-closes, and waits (up to `wait` s) until the
        broker has closed its side too, so the broker has processed the
        DISCONNECT before the test goes on: a new connection with the same
        client id opened at once could otherwise reach the broker first (on
        another worker) and be treated as a takeover of this one."""
        self.send(disconnect(self.version, reason, props), tolerate_close=True)
        try:
            self.sock.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + wait
            while not self.closed_by_peer and time.monotonic() < deadline:
                try:
                    self._fill(deadline)
                except TimeoutError:
                    log.debug("%s: broker kept the connection open %ss after DISCONNECT", self.name, wait)
                    break
        except OSError:
            pass
        self.close()

    def abort(self):
        """Drops the connection with a TCP reset (no DISCONNECT, no FIN)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
