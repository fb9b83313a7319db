"""MQTT over WebSocket (ws, wss, and the WebSocket endpoint of http/https
listeners): real clients (MQTT.js v3.1.1 and v5, paho with
transport="websockets") and exact frames from a raw RFC 6455 client:
packets split across frames, several packets in one frame, ping/pong, the
close frame when the broker disconnects, text frames, subprotocols, paths
and bad upgrades.
"""

import socket
import struct
import time

import pytest

import harness
import mqtt_raw
from tls_support import (RawWebSocket, client_context, node_available, paho_client, pki,  # noqa: F401
                         run_mqttjs, tls_section)

pytestmark = pytest.mark.gridmq_only

needs_node = pytest.mark.skipif(not node_available(), reason="MQTT.js not installed (scripts/install-deps.sh)")


@pytest.fixture
def web(broker_factory, pki):
    config = tls_section(pki) + (
        '[[listener]]\nurl = "mqtt://127.0.0.1:0"\n'
        '[[listener]]\nurl = "ws://127.0.0.1:0"\n'
        '[[listener]]\nurl = "wss://127.0.0.1:0"\n'
        '[[listener]]\nurl = "https://127.0.0.1:0"\n'
        '[[listener]]\nurl = "ws://127.0.0.1:0"\npath = "/custom"\n')
    b = broker_factory(config_text=config, listen=())
    b.ws, b.wss, b.https, b.ws_custom = b.port_of("ws"), b.port_of("wss"), b.port_of("https"), b.port_of("ws", 1)
    return b


@needs_node
@pytest.mark.parametrize("version", ["4", "5"], ids=["v311", "v5"])
def test_mqttjs_over_ws_wss_and_https(web, pki, version):
    for url, tls in ((f"ws://127.0.0.1:{web.ws}/mqtt", False), (f"wss://localhost:{web.wss}/mqtt", True),
                     (f"wss://localhost:{web.https}/mqtt", True)):
        extra = ["--ca", str(pki.ca)] if tls else []
        lines = run_mqttjs(url, version, "roundtrip", f"js/{version}", *extra)
        assert f'"payload":"hello from mqtt.js v{version}"' in lines[-1], (url, lines)


@pytest.mark.parametrize("tls", [False, True], ids=["ws", "wss"])
def test_paho_websockets(web, pki, tls):
    got = []
    c = paho_client(f"paho-ws-{tls}", transport="websockets", tls_pki=pki if tls else None)
    c.on_message = lambda cl, u, m: got.append((m.topic, m.payload))
    c.connect("localhost" if tls else "127.0.0.1", web.wss if tls else web.ws)
    c.loop_start()
    try:
        harness.wait_until(c.is_connected, 5, what="paho websocket connect")
        c.subscribe("pws/t", 1)
        time.sleep(0.2)
        c.publish("pws/t", b"x" * 70000, qos=1)  # larger than one frame of most clients' buffers
        harness.wait_until(lambda: got, 5, what="paho websocket message")
        assert got == [("pws/t", b"x" * 70000)]
    finally:
        c.disconnect()
        c.loop_stop()


def ws_connected(port, client_id, version=mqtt_raw.V311, **kw):
    ws = RawWebSocket(port, **kw)
    assert ws.status == 101, ws.response
    ws.send_frame(mqtt_raw.connect(client_id, version=version))
    op, data = ws.recv_binary()
    assert op == 0x2 and data[0] == 0x20, (op, data)
    return ws


def test_packets_split_across_frames_and_many_in_one(web):
    ws = RawWebSocket(web.ws)
    assert ws.status == 101 and ws.headers.get("sec-websocket-protocol") == "mqtt"
    connect = mqtt_raw.connect("split", version=mqtt_raw.V311)
    # CONNECT in two binary messages, the second one fragmented (binary + continuation).
    ws.send_frame(connect[:3])
    ws.send_frame(connect[3:7], fin=False)
    ws.send_frame(connect[7:], opcode=0x0)
    op, data = ws.recv_binary()
    assert data[:2] == b"\x20\x02"
    # SUBSCRIBE, PUBLISH and PINGREQ in one frame; the answers may share frames too.
    ws.send_frame(mqtt_raw.subscribe(1, [("ws/split", 0)]) + mqtt_raw.publish("ws/split", b"p") + mqtt_raw.pingreq())
    received = b""
    deadline = time.monotonic() + 5
    while received.count(b"\xd0\x00") == 0 and time.monotonic() < deadline:
        received += ws.recv_binary()[1]
    assert received.startswith(b"\x90\x03\x00\x01\x00"), received  # SUBACK
    assert b"\x30\x0b\x00\x08ws/splitp" in received  # the PUBLISH back
    assert received.endswith(b"\xd0\x00")  # PINGRESP
    ws.close()


def test_ping_gets_pong(web):
    ws = ws_connected(web.ws, "pinger")
    ws.send_frame(b"are you there", opcode=0x9)
    op, data = ws.recv_frame()
    assert (op, data) == (0xA, b"are you there")
    ws.close()


def test_close_frame_with_code_when_the_broker_disconnects(web):
    ws = ws_connected(web.ws, "bad-v5", version=mqtt_raw.V5)
    ws.send_frame(b"\xF0\x00")  # reserved packet type 15: protocol error
    frames = []
    try:
        while True:
            frames.append(ws.recv_frame())
            if frames[-1][0] == 0x8:
                break
    except (EOFError, OSError):
        pass
    close = [f for f in frames if f[0] == 0x8]
    assert close, f"expected a close frame, got {frames}"
    code = struct.unpack("!H", close[0][1][:2])[0]
    assert code == 1002, code  # protocol error (test_websocket_close.py has every code)
    ws.close()
    harness.assert_broker_alive(web)


def test_client_disconnect_gets_close_frame(web):
    ws = ws_connected(web.ws, "polite")
    ws.send_frame(mqtt_raw.disconnect())
    op, data = ws.recv_frame()
    assert op == 0x8 and struct.unpack("!H", data[:2])[0] == 1000
    ws.close()


def test_text_frame_closes_the_connection(web):
    ws = ws_connected(web.ws, "texter")
    ws.send_frame(b"hello", opcode=0x1)  # valid UTF-8: Beast itself refuses invalid text with 1007
    op, data = ws.recv_frame()
    assert op == 0x8 and struct.unpack("!H", data[:2])[0] == 1007  # [MQTT-6.0.0-1]
    ws.close()
    harness.wait_until(lambda: "MQTT needs binary frames" in web.log(), 5, what="log line")


def test_subprotocols_and_paths(web, pki):
    assert RawWebSocket(web.ws, protocols="mqttv3.1").headers.get("sec-websocket-protocol") == "mqttv3.1"
    assert RawWebSocket(web.ws, protocols="foo, mqtt").headers.get("sec-websocket-protocol") == "mqtt"
    assert "sec-websocket-protocol" not in RawWebSocket(web.ws, protocols="").headers
    assert RawWebSocket(web.ws, path="/other").status == 404
    assert RawWebSocket(web.ws_custom, path="/custom").status == 101
    assert RawWebSocket(web.ws_custom, path="/mqtt").status == 404
    ws = ws_connected(web.wss, "over-wss", tls_ctx=client_context(pki))
    ws.close()
    ws = ws_connected(web.https, "over-https", tls_ctx=client_context(pki))
    ws.close()


def test_bad_upgrade_is_logged_once_and_closed(web):
    s = socket.create_connection(("127.0.0.1", web.ws), timeout=5)
    s.sendall(b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00\r\n\r\n")  # MQTT bytes on a WebSocket port
    data = b""
    while True:
        chunk = s.recv(1000)
        if not chunk:
            break
        data += chunk
    s.close()
    assert b"101" not in data
    harness.wait_until(lambda: "bad HTTP request" in web.log(), 5, what="log line")
    assert web.log().count("bad HTTP request") == 1
    harness.assert_broker_alive(web)
