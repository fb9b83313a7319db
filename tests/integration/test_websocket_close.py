"""The WebSocket close frame says why the broker ended the MQTT connection:
its status code (RFC 6455 7.4.1) follows the MQTT reason the broker closed
with, and a client's close frame is answered with one echoing its code
(RFC 6455 5.5.1). A raw RFC 6455 client reads the exact codes.

  1000 normal: client DISCONNECT, session taken over
  1001 going away: server shutting down
  1002 protocol error: malformed packet, protocol error, keep-alive timeout
  1008 policy violation: not authorized (v5 CONNACK 0x87, 3.1.1 return code 5)
  1009 message too big: packet larger than max_packet_size (0x95)
"""

import struct
import time

import pytest

import harness
import mqtt_raw
from tls_support import RawWebSocket

pytestmark = pytest.mark.gridmq_only


def start(broker_factory, extra=""):
    config = ('[[listener]]\nurl = "mqtt://127.0.0.1:0"\n'
              '[[listener]]\nurl = "ws://127.0.0.1:0"\n' + extra)
    b = broker_factory(config_text=config, listen=())
    b.ws = b.port_of("ws")
    return b


@pytest.fixture
def web(broker_factory):
    return start(broker_factory, "[limits]\nmax_packet_size = 1024\n")


def connected(port, client_id, version=mqtt_raw.V5, **connect_kw):
    ws = RawWebSocket(port)
    assert ws.status == 101, ws.response
    ws.send_frame(mqtt_raw.connect(client_id, version=version, **connect_kw))
    op, data = ws.recv_binary()
    assert op == 0x2 and data[:1] == b"\x20", (op, data)
    return ws, data


def close_code(ws, timeout=8.0):
    """The status code of the broker's close frame, reading past any data
    frames before it (a DISCONNECT, a CONNACK)."""
    ws.sock.settimeout(timeout)
    frames = []
    try:
        while True:
            op, data = ws.recv_frame()
            frames.append((op, data))
            if op == 0x8:
                assert len(data) >= 2, f"close frame without a status code: {frames}"
                return struct.unpack("!H", data[:2])[0]
    except (EOFError, OSError) as e:
        raise AssertionError(f"no close frame before the connection ended ({e}); got {frames}") from None
    finally:
        ws.close()


def test_client_disconnect_closes_with_1000(web):
    ws, _ = connected(web.ws, "polite-v5")
    ws.send_frame(mqtt_raw.disconnect(version=mqtt_raw.V5))
    assert close_code(ws) == 1000


def test_protocol_error_closes_with_1002(web):
    ws, _ = connected(web.ws, "bad-v5")
    ws.send_frame(b"\xF0\x00")  # reserved packet type 15: DISCONNECT 0x82 (v5)
    assert close_code(ws) == 1002
    ws, _ = connected(web.ws, "bad-v311", version=mqtt_raw.V311)
    ws.send_frame(b"\xF0\x00")  # 3.1.1: no DISCONNECT, the close frame alone says it
    assert close_code(ws) == 1002
    harness.assert_broker_alive(web)


def test_packet_too_large_closes_with_1009(web):
    ws, _ = connected(web.ws, "big-v5")
    ws.send_frame(mqtt_raw.publish("big/t", b"x" * 2000, qos=0, version=mqtt_raw.V5))  # over max_packet_size 1024
    assert close_code(ws) == 1009


def test_keep_alive_timeout_closes_with_1002(web):
    ws, _ = connected(web.ws, "sleepy", keepalive=1)
    started = time.monotonic()
    assert close_code(ws) == 1002  # [MQTT-3.1.2-24] after 1.5 x Keep Alive: DISCONNECT 0x8D
    assert time.monotonic() - started >= 1.2


def test_session_takeover_closes_with_1000(web):
    old, _ = connected(web.ws, "twin")
    new, _ = connected(web.ws, "twin")  # [MQTT-3.1.4-3] the new connection takes the session over
    assert close_code(old) == 1000
    new.close()


@pytest.mark.parametrize("version", [mqtt_raw.V5, mqtt_raw.V311], ids=["v5", "v311"])
def test_not_authorized_closes_with_1008(broker_factory, version):
    b = start(broker_factory, "[auth]\nallow_anonymous = false\n")
    ws = RawWebSocket(b.ws)
    ws.send_frame(mqtt_raw.connect("anon", version=version))
    op, data = ws.recv_binary()
    # CONNACK refused: v5 reason 0x87, 3.1.1 return code 5.
    assert op == 0x2 and data[0] == 0x20 and data[3] == (0x87 if version == mqtt_raw.V5 else 0x05), data
    assert close_code(ws) == 1008


def test_server_shutdown_closes_with_1001(broker_factory):
    b = start(broker_factory)
    ws, _ = connected(b.ws, "bystander")
    assert b.stop() == 0
    assert close_code(ws) == 1001


@pytest.mark.parametrize("code", [1000, 1001, 4321])
def test_client_close_frame_is_echoed(web, code):
    # RFC 6455 5.5.1: the endpoint that receives a Close frame answers with
    # one, typically echoing the status code it received.
    ws, _ = connected(web.ws, f"closer-{code}")
    ws.send_frame(struct.pack("!H", code) + b"bye", opcode=0x8)
    assert close_code(ws) == code
    harness.assert_broker_alive(web)
