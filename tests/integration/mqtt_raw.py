"""Raw MQTT packets for the integration tests: builders byte by byte (so
tests can also build wrong ones) and a parser for what a broker sends,
enough to assert exact bytes and reason codes. MQTT 3.1 (level 3), 3.1.1
(level 4) and 5.0 (level 5).

The socket side is raw_client.RawClient.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

# Control packet types (upper nibble of the first byte).
CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK = 8, 9, 10, 11
PINGREQ, PINGRESP, DISCONNECT, AUTH = 12, 13, 14, 15

TYPE_NAMES = {
    1: "CONNECT", 2: "CONNACK", 3: "PUBLISH", 4: "PUBACK", 5: "PUBREC",
    6: "PUBREL", 7: "PUBCOMP", 8: "SUBSCRIBE", 9: "SUBACK", 10: "UNSUBSCRIBE",
    11: "UNSUBACK", 12: "PINGREQ", 13: "PINGRESP", 14: "DISCONNECT", 15: "AUTH",
}

V31, V311, V5 = 3, 4, 5

# MQTT 5.0 property identifiers (section 2.2.2.2) and their wire types.
PAYLOAD_FORMAT = 0x01
MESSAGE_EXPIRY = 0x02
CONTENT_TYPE = 0x03
RESPONSE_TOPIC = 0x08
CORRELATION_DATA = 0x09
SUBSCRIPTION_ID = 0x0B
SESSION_EXPIRY = 0x11
ASSIGNED_CLIENT_ID = 0x12
SERVER_KEEP_ALIVE = 0x13
AUTH_METHOD = 0x15
AUTH_DATA = 0x16
REQUEST_PROBLEM_INFO = 0x17
WILL_DELAY = 0x18
REQUEST_RESPONSE_INFO = 0x19
RESPONSE_INFO = 0x1A
SERVER_REFERENCE = 0x1C
REASON_STRING = 0x1F
RECEIVE_MAXIMUM = 0x21
TOPIC_ALIAS_MAXIMUM = 0x22
TOPIC_ALIAS = 0x23
MAXIMUM_QOS = 0x24
RETAIN_AVAILABLE = 0x25
USER_PROPERTY = 0x26
MAXIMUM_PACKET_SIZE = 0x27
WILDCARD_SUB_AVAILABLE = 0x28
SUB_ID_AVAILABLE = 0x29
SHARED_SUB_AVAILABLE = 0x2A

_BYTE, _U16, _U32, _VARINT, _STR, _BIN, _PAIR = range(7)
PROPERTY_TYPES = {
    PAYLOAD_FORMAT: _BYTE, MESSAGE_EXPIRY: _U32, CONTENT_TYPE: _STR,
    RESPONSE_TOPIC: _STR, CORRELATION_DATA: _BIN, SUBSCRIPTION_ID: _VARINT,
    SESSION_EXPIRY: _U32, ASSIGNED_CLIENT_ID: _STR, SERVER_KEEP_ALIVE: _U16,
    AUTH_METHOD: _STR, AUTH_DATA: _BIN, REQUEST_PROBLEM_INFO: _BYTE,
    WILL_DELAY: _U32, REQUEST_RESPONSE_INFO: _BYTE, RESPONSE_INFO: _STR,
    SERVER_REFERENCE: _STR, REASON_STRING: _STR, RECEIVE_MAXIMUM: _U16,
    TOPIC_ALIAS_MAXIMUM: _U16, TOPIC_ALIAS: _U16, MAXIMUM_QOS: _BYTE,
    RETAIN_AVAILABLE: _BYTE, USER_PROPERTY: _PAIR, MAXIMUM_PACKET_SIZE: _U32,
    WILDCARD_SUB_AVAILABLE: _BYTE, SUB_ID_AVAILABLE: _BYTE,
    SHARED_SUB_AVAILABLE: _BYTE,
}


class MalformedResponse(AssertionError):
    """The broker sent bytes that do not parse as the expected packet."""


# ---------------------------------------------------------------- encoding


def varint(n: int) -> bytes:
    """Variable Byte Integer (section 1.5.5 / 2.2.3)."""
    if n < 0 or n > 268_435_455:
        raise ValueError(f"varint out of range: {n}")
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def u16(n: int) -> bytes:
    return struct.pack("!H", n)


def u32(n: int) -> bytes:
    return struct.pack("!I", n)


def mqtt_str(s) -> bytes:
    """UTF-8 Encoded String: 2-byte length + bytes. `bytes` are sent as is
    (so tests can send invalid UTF-8)."""
    b = s if isinstance(s, (bytes, bytearray)) else s.encode("utf-8")
    return u16(len(b)) + bytes(b)


def properties(props=None) -> bytes:
    """Property block: varint length + properties. `props` is a list of
    (id, value) pairs (a dict is accepted too); USER_PROPERTY values are
    (key, value) tuples. Raw `bytes` values are sent verbatim after the id."""
    if not props:
        return varint(0)
    items = props.items() if isinstance(props, dict) else props
    body = bytearray()
    for pid, value in items:
        body += varint(pid)
        kind = PROPERTY_TYPES[pid]
        if isinstance(value, (bytes, bytearray)) and kind not in (_BIN, _STR):
            body += value
        elif kind == _BYTE:
            body.append(value)
        elif kind == _U16:
            body += u16(value)
        elif kind == _U32:
            body += u32(value)
        elif kind == _VARINT:
            body += varint(value)
        elif kind in (_STR, _BIN):
            body += mqtt_str(value)
        else:  # _PAIR
            body += mqtt_str(value[0]) + mqtt_str(value[1])
    return varint(len(body)) + bytes(body)


def packet(first_byte: int, body: bytes) -> bytes:
    """Fixed header (type/flags byte + remaining length) + body."""
    return bytes([first_byte]) + varint(len(body)) + body


def connect(client_id="", version=V311, clean=True, keepalive=60,
            will=None, username=None, password=None, props=None,
            proto_name=None, level=None, flags_or=0, flags=None) -> bytes:
    """CONNECT. `will` is a dict: topic, payload, qos=0, retain=False,
    props=None (v5). `flags_or` ORs extra bits into the connect flags (to set
    the reserved bit, say); `flags` replaces them outright."""
    if proto_name is None:
        proto_name = "MQIsdp" if version == V31 else "MQTT"
    cflags = 0
    if clean:
        cflags |= 0x02
    if will is not None:
        cflags |= 0x04 | (will.get("qos", 0) << 3)
        if will.get("retain"):
            cflags |= 0x20
    if password is not None:
        cflags |= 0x40
    if username is not None:
        cflags |= 0x80
    cflags |= flags_or
    if flags is not None:
        cflags = flags
    var = mqtt_str(proto_name) + bytes([level if level is not None else version])
    var += bytes([cflags]) + u16(keepalive)
    if version == V5:
        var += properties(props)
    payload = mqtt_str(client_id)
    if will is not None:
        if version == V5:
            payload += properties(will.get("props"))
        payload += mqtt_str(will["topic"]) + mqtt_str(_b(will.get("payload", b"")))
    if username is not None:
        payload += mqtt_str(username)
    if password is not None:
        payload += mqtt_str(_b(password))
    return packet(0x10, var + payload)


def _b(x) -> bytes:
    return x if isinstance(x, (bytes, bytearray)) else str(x).encode("utf-8")


def publish(topic, payload=b"", qos=0, retain=False, dup=False, packet_id=None,
            version=V311, props=None) -> bytes:
    first = 0x30 | (0x08 if dup else 0) | (qos << 1) | (0x01 if retain else 0)
    body = mqtt_str(topic)
    if qos > 0:  # QoS 0 has no packet id ([MQTT-2.3.1-5])
        body += u16(packet_id if packet_id is not None else 1)
    if version == V5:
        body += properties(props)
    return packet(first, body + _b(payload))


def _ack(first: int, packet_id: int, version: int, reason=None, props=None) -> bytes:
    body = u16(packet_id)
    if version == V5 and (reason not in (None, 0) or props):
        body += bytes([reason or 0])
        if props:
            body += properties(props)
    return packet(first, body)


def puback(packet_id, version=V311, reason=None, props=None) -> bytes:
    return _ack(0x40, packet_id, version, reason, props)


def pubrec(packet_id, version=V311, reason=None, props=None) -> bytes:
    return _ack(0x50, packet_id, version, reason, props)


def pubrel(packet_id, version=V311, reason=None, props=None) -> bytes:
    return _ack(0x62, packet_id, version, reason, props)


def pubcomp(packet_id, version=V311, reason=None, props=None) -> bytes:
    return _ack(0x70, packet_id, version, reason, props)


def subscribe(packet_id, filters, version=V311, props=None, first_byte=0x82) -> bytes:
    """SUBSCRIBE. `filters`: list of (filter, options) where options is the
    QoS (3.1.1) or the whole v5 subscription options byte; a bare string
    means QoS 0."""
    body = u16(packet_id)
    if version == V5:
        body += properties(props)
    for f in filters:
        if isinstance(f, (str, bytes)):
            f = (f, 0)
        body += mqtt_str(f[0]) + bytes([f[1]])
    return packet(first_byte, body)


def sub_options(qos=0, no_local=False, retain_as_published=False, retain_handling=0) -> int:
    """v5 Subscription Options byte (section 3.8.3.1)."""
    return qos | (0x04 if no_local else 0) | (0x08 if retain_as_published else 0) | (retain_handling << 4)


def unsubscribe(packet_id, filters, version=V311, props=None) -> bytes:
    body = u16(packet_id)
    if version == V5:
        body += properties(props)
    for f in filters:
        body += mqtt_str(f)
    return packet(0xA2, body)


def pingreq() -> bytes:
    return b"\xc0\x00"


def auth(reason=0, props=None) -> bytes:
    """AUTH (5.0 section 3.15): reason code + properties (Authentication
    Method / Data). Reason 0 without properties is the 2-byte short form."""
    if reason == 0 and not props:
        return b"\xf0\x00"
    return packet(0xF0, bytes([reason]) + properties(props))


def disconnect(version=V311, reason=None, props=None) -> bytes:
    if version == V5 and (reason not in (None, 0) or props):
        body = bytes([reason or 0])
        if props:
            body += properties(props)
        return packet(0xE0, body)
    return b"\xe0\x00"


# ---------------------------------------------------------------- decoding


def decode_varint(buf: bytes, pos: int):
    """Returns (value, new_pos); raises MalformedResponse past 4 bytes."""
    mult, value = 1, 0
    for i in range(4):
        if pos >= len(buf):
            raise MalformedResponse("truncated varint")
        b = buf[pos]
        pos += 1
        value += (b & 0x7F) * mult
        if not b & 0x80:
            return value, pos
        mult *= 128
    raise MalformedResponse("varint longer than 4 bytes")


def _read_str(buf, pos):
    if pos + 2 > len(buf):
        raise MalformedResponse("truncated string length")
    (n,) = struct.unpack_from("!H", buf, pos)
    pos += 2
    if pos + n > len(buf):
        raise MalformedResponse("truncated string")
    return bytes(buf[pos:pos + n]), pos + n


def decode_properties(buf: bytes, pos: int):
    """Returns (list of (id, value), new_pos). Strings decoded to str."""
    length, pos = decode_varint(buf, pos)
    end = pos + length
    if end > len(buf):
        raise MalformedResponse("property length past end of packet")
    out = []
    while pos < end:
        pid, pos = decode_varint(buf, pos)
        kind = PROPERTY_TYPES.get(pid)
        if kind is None:
            raise MalformedResponse(f"unknown property id 0x{pid:02x}")
        if kind == _BYTE:
            value = buf[pos]
            pos += 1
        elif kind == _U16:
            (value,) = struct.unpack_from("!H", buf, pos)
            pos += 2
        elif kind == _U32:
            (value,) = struct.unpack_from("!I", buf, pos)
            pos += 4
        elif kind == _VARINT:
            value, pos = decode_varint(buf, pos)
        elif kind == _STR:
            raw, pos = _read_str(buf, pos)
            value = raw.decode("utf-8")
        elif kind == _BIN:
            value, pos = _read_str(buf, pos)
        else:
            k, pos = _read_str(buf, pos)
            v, pos = _read_str(buf, pos)
            value = (k.decode("utf-8"), v.decode("utf-8"))
        out.append((pid, value))
    if pos != end:
        raise MalformedResponse("property overran its block")
    return out, end


@dataclass
class Packet:
    """A packet received from the broker. `raw` holds the exact bytes."""
    type: int
    flags: int
    raw: bytes
    body: bytes
    packet_id: int | None = None
    reason: int | None = None          # CONNACK rc, acks, DISCONNECT (v5)
    session_present: bool | None = None
    reasons: list = field(default_factory=list)  # SUBACK / UNSUBACK (v5)
    props: list = field(default_factory=list)
    topic: str | None = None
    payload: bytes | None = None

    @property
    def name(self):
        return TYPE_NAMES.get(self.type, f"type{self.type}")

    @property
    def qos(self):
        return (self.flags >> 1) & 0x03

    @property
    def dup(self):
        return bool(self.flags & 0x08)

    @property
    def retain(self):
        return bool(self.flags & 0x01)

    def prop(self, pid, default=None):
        for k, v in self.props:
            if k == pid:
                return v
        return default

    def prop_all(self, pid):
        return [v for k, v in self.props if k == pid]

    def __repr__(self):
        extra = []
        for k in ("packet_id", "reason", "session_present", "topic", "payload"):
            v = getattr(self, k)
            if v is not None:
                extra.append(f"{k}={v!r}")
        if self.reasons:
            extra.append(f"reasons={self.reasons}")
        if self.props:
            extra.append(f"props={self.props}")
        if self.type == PUBLISH:
            extra.append(f"qos={self.qos} dup={self.dup} retain={self.retain}")
        return f"<{self.name} {' '.join(extra)} raw={self.raw[:64].hex(' ')}>"


def parse(raw: bytes, version=V311) -> Packet:
    """Parses one whole packet (as cut by RawClient.recv_packet)."""
    first = raw[0]
    _, pos = decode_varint(raw, 1)
    body = raw[pos:]
    p = Packet(type=first >> 4, flags=first & 0x0F, raw=raw, body=body)
    t = p.type
    if t == CONNACK:
        if len(body) < 2:
            raise MalformedResponse(f"short CONNACK {raw.hex(' ')}")
        p.session_present = bool(body[0] & 0x01)
        p.reason = body[1]
        if version == V5 and len(body) > 2:
            p.props, _ = decode_properties(body, 2)
    elif t == PUBLISH:
        tb, q = _read_str(body, 0)
        p.topic = tb.decode("utf-8", errors="replace")
        if p.qos > 0:
            (p.packet_id,) = struct.unpack_from("!H", body, q)
            q += 2
        if version == V5:
            p.props, q = decode_properties(body, q)
        p.payload = bytes(body[q:])
    elif t in (PUBACK, PUBREC, PUBREL, PUBCOMP):
        if len(body) < 2:
            raise MalformedResponse(f"short ack {raw.hex(' ')}")
        (p.packet_id,) = struct.unpack_from("!H", body, 0)
        p.reason = 0
        if version == V5 and len(body) > 2:
            p.reason = body[2]
            if len(body) > 3:
                p.props, _ = decode_properties(body, 3)
    elif t in (SUBACK, UNSUBACK):
        (p.packet_id,) = struct.unpack_from("!H", body, 0)
        q = 2
        if version == V5:
            p.props, q = decode_properties(body, q)
        p.reasons = list(body[q:])
    elif t == DISCONNECT:
        p.reason = body[0] if body else 0
        if version == V5 and len(body) > 1:
            p.props, _ = decode_properties(body, 1)
    elif t == AUTH:
        p.reason = body[0] if body else 0
        if len(body) > 1:
            p.props, _ = decode_properties(body, 1)
    return p


class ConnectionClosed(AssertionError):
    pass
