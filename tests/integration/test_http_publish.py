"""Publishing over HTTP(S) (Event Grid's POST /mqtt/messages) and the
retained-message read API, driven with curl; and a message published over
each transport reaching a subscriber on every other transport.
"""

import base64
import json
import subprocess
import time
import urllib.parse

import pytest

import harness
import mqtt_raw
from tls_support import (Endpoint, mosquitto_tls_args, node_available, paho_client, pki,  # noqa: F401
                         run_mqttjs, tls_section)

pytestmark = pytest.mark.gridmq_only

TOKEN = "s3cret-token"


def curl(url, *args, data=None, cafile=None, cert=None):
    """(status, headers dict, body bytes) of one curl request."""
    cmd = ["curl", "-s", "-S", "-i", "--max-time", "10", url, *args]
    if data is not None:
        cmd += ["--data-binary", "@-"]
    if cafile:
        cmd += ["--cacert", str(cafile)]
    if cert:
        cmd += ["--cert", str(cert[0]), "--key", str(cert[1])]
    r = subprocess.run(cmd, input=data if data is not None else b"", capture_output=True, timeout=15)
    assert r.returncode == 0, f"{cmd}: {r.stderr.decode(errors='replace')}"
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


@pytest.fixture
def http_broker(broker_factory, pki):
    config = tls_section(pki, client_cert="optional") + (
        '[[listener]]\nurl = "mqtt://127.0.0.1:0"\n'
        '[[listener]]\nurl = "http://127.0.0.1:0"\n'
        '[[listener]]\nurl = "https://127.0.0.1:0"\n'
        f'[[listener]]\nurl = "http://127.0.0.1:0"\nbearer_token = "{TOKEN}"\n'
        "[limits]\nmax_packet_size = 4096\n")
    b = broker_factory(config_text=config, listen=())
    b.http, b.https, b.guarded = b.port_of("http"), b.port_of("https"), b.port_of("http", 1)
    return b


def publish_url(port, topic, scheme="http", **params):
    q = urllib.parse.urlencode({"topic": topic, **params}, quote_via=urllib.parse.quote)
    host = "localhost" if scheme == "https" else "127.0.0.1"
    return f"{scheme}://{host}:{port}/mqtt/messages?{q}"


def test_publish_with_every_property_reaches_a_v5_subscriber(http_broker):
    with http_broker.connected("v5-sub", version=mqtt_raw.V5) as sub:
        sub.subscribe(1, [("http/#", 1)])
        props = base64.b64encode(json.dumps([{"Urgency": "alert"}, {"RequestId": "42"}, {"Urgency": "again"}]).encode())
        status, _, body = curl(publish_url(http_broker.http, "http/a b/ü"), "-X", "POST",
                               "-H", "mqtt-response-topic: reply%2Fto",
                               "-H", "mqtt-correlation-data: " + base64.b64encode(b"\x00corr").decode(),
                               "-H", "mqtt-user-properties: " + props.decode(),
                               "-H", "mqtt-message-expiry: 120",
                               "-H", "mqtt-payload-format-indicator: 1",
                               "-H", "Content-Type: application/json",
                               data=b'{"temp": 21}')
        assert status == 204, body
        p = sub.recv_publish()
        assert p.topic == "http/a b/ü" and p.payload == b'{"temp": 21}' and p.qos == 1
        assert p.prop(mqtt_raw.RESPONSE_TOPIC) == "reply/to", p
        assert p.prop(mqtt_raw.CORRELATION_DATA) == b"\x00corr", p
        assert p.prop_all(mqtt_raw.USER_PROPERTY) == [("Urgency", "alert"), ("RequestId", "42"), ("Urgency", "again")], p
        assert p.prop(mqtt_raw.CONTENT_TYPE) == "application/json", p
        assert p.prop(mqtt_raw.PAYLOAD_FORMAT) == 1, p
        assert 110 <= p.prop(mqtt_raw.MESSAGE_EXPIRY, 0) <= 120, p


def test_query_wins_over_header_and_qos0(http_broker):
    with http_broker.connected("sub311") as sub:
        sub.subscribe(1, [("q/#", 1)])
        status, _, _ = curl(publish_url(http_broker.http, "q/zero", qos="0"), "-X", "POST", "-H", "mqtt-qos: 1",
                            data=b"zero")
        assert status == 204
        p = sub.recv_publish()
        assert (p.topic, p.payload, p.qos) == ("q/zero", b"zero", 0)
        status, _, _ = curl(publish_url(http_broker.http, "q/one"), "-X", "POST", data=b"")
        assert status == 204
        p = sub.recv_publish()
        assert (p.topic, p.payload, p.qos) == ("q/one", b"", 1)  # default QoS 1, empty body


def test_errors(http_broker):
    http = http_broker.http
    cases = [
        (publish_url(http, "t", qos="2"), [], 400, "qos"),
        (publish_url(http, "t"), ["-H", "mqtt-qos: x"], 400, "mqtt-qos"),
        (publish_url(http, "t", retain="yes"), [], 400, "retain"),
        (publish_url(http, "a/+"), [], 400, "topic"),
        (f"http://127.0.0.1:{http}/mqtt/messages", [], 400, "topic"),
        (publish_url(http, "t"), ["-H", "mqtt-correlation-data: ***"], 400, "mqtt-correlation-data"),
        (publish_url(http, "t"), ["-H", "mqtt-user-properties: " + base64.b64encode(b'{"a":"b"}').decode()], 400,
         "mqtt-user-properties"),
        (publish_url(http, "t"), ["-H", "mqtt-message-expiry: -1"], 400, "mqtt-message-expiry"),
        (publish_url(http, "t"), ["-H", "mqtt-payload-format-indicator: 2"], 400, "mqtt-payload-format-indicator"),
    ]
    for url, extra, want, param in cases:
        status, headers, body = curl(url, "-X", "POST", *extra, data=b"x")
        assert status == want, (url, extra, status, body)
        err = json.loads(body)["error"]
        assert err.get("parameter") == param, (url, err)
    # Over the broker's maximum packet size (4096): 413.
    status, _, body = curl(publish_url(http, "big"), "-X", "POST", data=b"x" * 5000)
    assert status == 413, body
    status, _, body = curl(publish_url(http, "big"), "-X", "POST", data=b"x" * 4090)
    assert status == 413, body
    # Wrong method, unknown path.
    assert curl(publish_url(http, "t"), "-X", "GET")[0] == 405
    assert curl(f"http://127.0.0.1:{http}/nothing")[0] == 404
    # Invalid UTF-8 with payload format indicator 1 is refused by the broker's rule.
    harness.assert_broker_alive(http_broker)


def test_bearer_token_guard(http_broker):
    url = publish_url(http_broker.guarded, "guarded/t")
    status, headers, _ = curl(url, "-X", "POST", data=b"x")
    assert status == 401 and headers.get("www-authenticate") == "Bearer"
    assert curl(url, "-X", "POST", "-H", "Authorization: Bearer wrong", data=b"x")[0] == 401
    assert curl(url, "-X", "POST", "-H", f"Authorization: Bearer {TOKEN}", data=b"x")[0] == 204


def test_https_with_and_without_client_certificate(http_broker, pki):
    with http_broker.connected("https-sub") as sub:
        sub.subscribe(1, [("s/#", 0)])
        assert curl(publish_url(http_broker.https, "s/anon", "https"), "-X", "POST", data=b"a", cafile=pki.ca)[0] == 204
        assert curl(publish_url(http_broker.https, "s/cert", "https"), "-X", "POST", data=b"c", cafile=pki.ca,
                    cert=pki.client)[0] == 204
        got = {(p.topic, p.payload) for p in sub.recv_publishes(2)}
        assert got == {("s/anon", b"a"), ("s/cert", b"c")}


def test_https_guarded_by_client_certificate(broker_factory, pki):
    config = tls_section(pki, client_cert="optional") + (
        '[[listener]]\nurl = "mqtt://127.0.0.1:0"\n'
        f'[[listener]]\nurl = "https://127.0.0.1:0"\nbearer_token = "{TOKEN}"\n')
    b = broker_factory(config_text=config, listen=())
    url = publish_url(b.port_of("https"), "c/t", "https")
    assert curl(url, "-X", "POST", data=b"x", cafile=pki.ca)[0] == 401
    assert curl(url, "-X", "POST", data=b"x", cafile=pki.ca, cert=pki.client)[0] == 204
    assert curl(url, "-X", "POST", "-H", f"Authorization: Bearer {TOKEN}", data=b"x", cafile=pki.ca)[0] == 204


def test_retained_get_and_list_with_paging(http_broker):
    http = http_broker.http
    for i in range(5):
        assert curl(publish_url(http, f"ret/{i}", retain="1", qos="1"), "-X", "POST", data=f"v{i}".encode())[0] == 204
    assert curl(publish_url(http, "ret/other/x", retain="1", qos="0"), "-X", "POST", data=b"o")[0] == 204
    status, headers, body = curl(f"http://127.0.0.1:{http}/mqtt/retainedMessages/message?topic=ret%2F3")
    assert status == 200 and body == b"v3"
    assert headers["x-ms-mqtt-topic"] == "ret%2F3" and headers["x-ms-mqtt-qos"] == "1" and headers["x-ms-mqtt-size"] == "2"
    assert curl(f"http://127.0.0.1:{http}/mqtt/retainedMessages/message?topic=ret%2Fnone")[0] == 404
    assert curl(f"http://127.0.0.1:{http}/mqtt/retainedMessages/message?topic=ret%2F%2B")[0] == 400

    topics, url, pages = [], f"http://127.0.0.1:{http}/mqtt/retainedMessages?topicFilter=ret%2F%2B&maxResults=2", 0
    while url:
        status, _, body = curl(url)
        assert status == 200, body
        doc = json.loads(body)
        topics += [m["topic"] for m in doc["retainedMessages"]]
        assert all(m["size"] == 2 and m["qos"] == 1 for m in doc["retainedMessages"])
        url = f"http://127.0.0.1:{http}{doc['nextLink']}" if doc["nextLink"] else None
        pages += 1
    assert topics == [f"ret/{i}" for i in range(5)] and pages == 3
    status, _, body = curl(f"http://127.0.0.1:{http}/mqtt/retainedMessages?topicFilter=ret%2F%23")
    assert [m["topic"] for m in json.loads(body)["retainedMessages"]][-1] == "ret/other/x"
    for bad in ("topicFilter=a%2F%23%2Fb", "maxResults=3", "topicFilter=x&continuationToken=y",
                "topicFilter=x&maxResults=101", "continuationToken=bm9wZQ%3D%3D"):
        assert curl(f"http://127.0.0.1:{http}/mqtt/retainedMessages?{bad}")[0] == 400, bad
    # Deleting through HTTP: an empty retained payload.
    assert curl(publish_url(http, "ret/3", retain="1"), "-X", "POST", data=b"")[0] == 204
    assert curl(f"http://127.0.0.1:{http}/mqtt/retainedMessages/message?topic=ret%2F3")[0] == 404


def test_every_transport_reaches_every_other(broker_factory, pki):
    config = tls_section(pki) + "".join(
        f'[[listener]]\nurl = "{s}://127.0.0.1:0"\n' for s in ("mqtt", "mqtts", "ws", "wss", "http", "https"))
    b = broker_factory(config_text=config, listen=())
    port = {s: b.port_of(s) for s in ("mqtt", "mqtts", "ws", "wss", "http", "https")}

    subs = {}
    for name, transport, tls, p in (("mqtt", "tcp", False, port["mqtt"]), ("mqtts", "tcp", True, port["mqtts"]),
                                    ("ws", "websockets", False, port["ws"]), ("wss", "websockets", True, port["wss"]),
                                    ("https-ws", "websockets", True, port["https"])):
        got = []
        c = paho_client(f"sub-{name}", version=5 if "s" in name else 4, transport=transport,
                        tls_pki=pki if tls else None)
        c.on_message = lambda cl, u, m, got=got: got.append((m.topic, m.payload))
        c.connect("localhost" if tls else "127.0.0.1", p)
        c.loop_start()
        harness.wait_until(c.is_connected, 5, what=f"{name} subscriber")
        c.subscribe("x/#", 1)
        subs[name] = (c, got)
    time.sleep(0.3)
    try:
        sent = []
        harness.mosquitto_pub(Endpoint("127.0.0.1", port["mqtt"]), "x/mqtt", "m1", qos=1)
        harness.mosquitto_pub(Endpoint("127.0.0.1", port["mqtts"]), "x/mqtts", "m2", qos=1,
                              extra=mosquitto_tls_args(pki))
        sent += [("x/mqtt", b"m1"), ("x/mqtts", b"m2")]
        assert curl(publish_url(port["http"], "x/http"), "-X", "POST", data=b"m3")[0] == 204
        assert curl(publish_url(port["https"], "x/https", "https"), "-X", "POST", data=b"m4", cafile=pki.ca)[0] == 204
        sent += [("x/http", b"m3"), ("x/https", b"m4")]
        if node_available():
            run_mqttjs(f"ws://127.0.0.1:{port['ws']}/mqtt", "4", "pub", "x/ws", "m5")
            run_mqttjs(f"wss://localhost:{port['wss']}/mqtt", "5", "pub", "x/wss", "m6", "--ca", str(pki.ca))
            sent += [("x/ws", b"m5"), ("x/wss", b"m6")]
        for name, (c, got) in subs.items():
            harness.wait_until(lambda got=got: len(got) >= len(sent), 10, what=f"all messages on {name}")
            assert sorted(got) == sorted(sent), (name, got)
    finally:
        for c, _ in subs.values():
            c.disconnect()
            c.loop_stop()
