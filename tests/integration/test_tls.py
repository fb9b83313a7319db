"""MQTT over TLS (mqtts): server authentication, client certificates in the
three modes, TLS versions, SNI, plaintext on a TLS port, handshake timeout,
certificate reload on SIGHUP, PROXY protocol, require_tls and config errors.

Real peers: mosquitto_pub/mosquitto_sub with --cafile/--cert/--key, paho
with tls_set, `openssl s_client`, Python's ssl module.
"""

import os
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest

import harness
import mqtt_raw
from tls_support import (Endpoint, mosquitto_tls_args, paho_client, pki, s_client, served_fingerprint,  # noqa: F401
                         tls_connect, tls_section)

pytestmark = pytest.mark.gridmq_only


def tls_broker(broker_factory, pki, client_cert="none", extra="", args=(), listen=None, config_extra=""):
    listen = listen or ("mqtt://127.0.0.1:0", "mqtts://127.0.0.1:0")
    b = broker_factory(config_text=tls_section(pki, client_cert, extra) + config_extra, args=args, listen=listen)
    b.tls_port = b.port_of("mqtts")
    return b


def pub_sub_over_tls(b, pki, cert=None, topic="tls/t", payload="over tls"):
    tls = mosquitto_tls_args(pki, cert)
    ep = Endpoint("127.0.0.1", b.tls_port)
    sub = harness.MosquittoSub(ep, topic, qos=1, extra=tls).wait_subscribed()
    harness.mosquitto_pub(ep, topic, payload, qos=1, extra=tls)
    rc, lines = sub.result()
    assert rc == 0 and lines == [f"1 0 {topic} {payload}"], (rc, lines)


def mosquitto_pub_fails(b, pki, cert=None):
    cmd = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(b.tls_port), "-t", "t", "-m", "x", "-q", "1",
           *mosquitto_tls_args(pki, cert)]
    r = subprocess.run(cmd, capture_output=True, timeout=10, env=harness._client_env())
    return r.returncode != 0


def test_mqtts_with_server_certificate_only(broker_factory, pki):
    b = tls_broker(broker_factory, pki)
    pub_sub_over_tls(b, pki)
    # A TLS publisher reaches a plain TCP subscriber and back.
    with b.connected("plain-sub") as plain:
        plain.subscribe(1, [("mix/#", 0)])
        harness.mosquitto_pub(Endpoint("127.0.0.1", b.tls_port), "mix/a", "from tls", extra=mosquitto_tls_args(pki))
        p = plain.recv_publish()
        assert (p.topic, p.payload) == ("mix/a", b"from tls")


def test_client_certificate_required(broker_factory, pki):
    b = tls_broker(broker_factory, pki, client_cert="required", args=["--log-level", "debug"])
    pub_sub_over_tls(b, pki, cert=pki.client)
    assert mosquitto_pub_fails(b, pki), "a client without a certificate must be refused"
    assert mosquitto_pub_fails(b, pki, cert=pki.wrong_client), "a certificate of another CA must be refused"
    assert mosquitto_pub_fails(b, pki, cert=pki.expired_client), "an expired certificate must be refused"
    # The verified certificate is captured (subject, thumbprint) for the broker.
    thumb = pki.fingerprint(pki.client[0])
    harness.wait_until(lambda: thumb in b.log(), 5, what="client certificate thumbprint in the log")
    assert "CN=device-1" in b.log()
    assert "TLS handshake failed" in b.log()
    pub_sub_over_tls(b, pki, cert=pki.client, topic="tls/after")  # others unaffected


def test_client_certificate_optional(broker_factory, pki):
    b = tls_broker(broker_factory, pki, client_cert="optional")
    pub_sub_over_tls(b, pki)
    pub_sub_over_tls(b, pki, cert=pki.client, topic="tls/with-cert")
    assert mosquitto_pub_fails(b, pki, cert=pki.wrong_client), "a certificate that does not verify is refused"


def test_paho_over_tls_with_client_certificate(broker_factory, pki):
    b = tls_broker(broker_factory, pki, client_cert="required")
    got = []
    c = paho_client("paho-tls", tls_pki=pki, cert=pki.client)
    c.on_message = lambda cl, u, m: got.append((m.topic, m.payload))
    c.connect("127.0.0.1", b.tls_port)
    c.loop_start()
    try:
        harness.wait_until(c.is_connected, 5, what="paho TLS connect")
        c.subscribe("paho/t", 1)
        time.sleep(0.2)
        c.publish("paho/t", b"hello", qos=1)
        harness.wait_until(lambda: got, 5, what="paho TLS message")
        assert got == [("paho/t", b"hello")]
    finally:
        c.disconnect()
        c.loop_stop()


def test_tls_versions(broker_factory, pki):
    b = tls_broker(broker_factory, pki)
    rc, out = s_client(b.tls_port, "-tls1_1")
    assert rc != 0, f"TLS 1.1 must be refused:\n{out}"
    rc, out = s_client(b.tls_port, "-tls1_2", "-CAfile", str(pki.ca))
    assert rc == 0 and "TLSv1.2" in out, out
    rc, out = s_client(b.tls_port, "-tls1_3", "-CAfile", str(pki.ca))
    assert rc == 0 and "TLSv1.3" in out, out
    pub_sub_over_tls(b, pki)


def test_min_tls_13(broker_factory, pki):
    b = tls_broker(broker_factory, pki, extra='min_tls = "1.3"')
    assert s_client(b.tls_port, "-tls1_2")[0] != 0
    rc, out = s_client(b.tls_port, "-tls1_3")
    assert rc == 0 and "TLSv1.3" in out, out


def test_sni_picks_the_certificate(broker_factory, pki):
    alt_cert, alt_key = pki.alt
    extra = f'[[tls.sni]]\nname = "alt.example"\ncert = "{alt_cert}"\nkey = "{alt_key}"\n'
    b = tls_broker(broker_factory, pki, extra=extra)
    assert served_fingerprint(b.tls_port, "alt.example") == pki.fingerprint(alt_cert)
    assert served_fingerprint(b.tls_port, "ALT.example") == pki.fingerprint(alt_cert)
    assert served_fingerprint(b.tls_port, "localhost") == pki.fingerprint(pki.server[0])
    assert served_fingerprint(b.tls_port) == pki.fingerprint(pki.server[0])


def test_plaintext_client_on_tls_port_is_refused(broker_factory, pki):
    b = tls_broker(broker_factory, pki)
    s = socket.create_connection(("127.0.0.1", b.tls_port), timeout=5)
    s.sendall(mqtt_raw.connect("plain-on-tls", version=mqtt_raw.V311))
    s.settimeout(5)
    assert s.recv(100) == b"", "the broker must close a plaintext client on a TLS port"
    s.close()
    harness.wait_until(lambda: "plaintext client on a TLS listener" in b.log(), 5, what="log line")
    assert b.log().count("plaintext client on a TLS listener") == 1
    harness.assert_broker_alive(b)
    pub_sub_over_tls(b, pki)


def test_handshake_timeout(broker_factory, pki):
    b = tls_broker(broker_factory, pki, config_extra="[limits]\nconnect_timeout = 1\n")
    s = socket.create_connection(("127.0.0.1", b.tls_port), timeout=5)
    start = time.monotonic()
    assert s.recv(10) == b""
    assert time.monotonic() - start < 4
    s.close()
    harness.wait_until(lambda: "handshake not finished within 1000 ms" in b.log(), 5, what="timeout logged")


def test_sighup_reloads_certificates_without_dropping_connections(broker_factory, pki, tmp_path):
    cert, key = tmp_path / "live.pem", tmp_path / "live.key"
    shutil.copy(pki.server[0], cert)
    shutil.copy(pki.server[1], key)
    section = f'[tls]\ncert = "{cert}"\nkey = "{key}"\n'
    b = broker_factory(config_text=section, listen=("mqtt://127.0.0.1:0", "mqtts://127.0.0.1:0"))
    port = b.port_of("mqtts")
    assert served_fingerprint(port) == pki.fingerprint(pki.server[0])

    got = []
    old = paho_client("old-conn", tls_pki=pki)
    old.on_message = lambda cl, u, m: got.append(m.payload)
    old.connect("127.0.0.1", port)
    old.loop_start()
    try:
        harness.wait_until(old.is_connected, 5, what="old TLS connection")
        old.subscribe("reload/t", 1)
        time.sleep(0.2)

        # A bad file on SIGHUP keeps the old certificates.
        key.write_text("not a key")
        os.kill(b.pid, signal.SIGHUP)
        harness.wait_until(lambda: "certificates not reloaded" in b.log(), 5, what="reload failure logged")
        assert served_fingerprint(port) == pki.fingerprint(pki.server[0])

        shutil.copy(pki.server2[0], cert)
        shutil.copy(pki.server2[1], key)
        os.kill(b.pid, signal.SIGHUP)
        harness.wait_until(lambda: "certificates reloaded" in b.log(), 5, what="reload logged")
        assert served_fingerprint(port) == pki.fingerprint(pki.server2[0])

        # The connection made before the swap is still up and working.
        assert old.is_connected()
        harness.mosquitto_pub(Endpoint("127.0.0.1", port), "reload/t", "after reload", qos=1,
                              extra=mosquitto_tls_args(pki))
        harness.wait_until(lambda: got, 5, what="message on the old connection")
        assert got == [b"after reload"]
    finally:
        old.disconnect()
        old.loop_stop()


def proxy_v2(src_ip, src_port, dst_ip="127.0.0.1", dst_port=1883):
    sig = b"\r\n\r\n\x00\r\nQUIT\n"
    body = socket.inet_aton(src_ip) + socket.inet_aton(dst_ip) + src_port.to_bytes(2, "big") + dst_port.to_bytes(2, "big")
    return sig + bytes([0x21, 0x11]) + len(body).to_bytes(2, "big") + body


def test_proxy_protocol(broker_factory, pki):
    cert, key = pki.server
    config = tls_section(pki) + (
        '[[listener]]\nurl = "mqtt://127.0.0.1:0"\n'
        '[[listener]]\nurl = "mqtt://127.0.0.1:0"\nproxy_protocol = true\n'
        '[[listener]]\nurl = "mqtts://127.0.0.1:0"\nproxy_protocol = true\n')
    b = broker_factory(config_text=config, listen=(), args=["--log-level", "debug"])
    plain_port, tls_port = b.port_of("mqtt", 1), b.port_of("mqtts")

    # v1 text header, then CONNECT in the same segment.
    s = socket.create_connection(("127.0.0.1", plain_port), timeout=5)
    s.sendall(b"PROXY TCP4 203.0.113.7 127.0.0.1 51234 1883\r\n" + mqtt_raw.connect("via-v1", version=mqtt_raw.V311))
    assert s.recv(4)[:1] == b"\x20", "CONNACK expected behind a PROXY v1 header"
    s.close()
    # v2 binary header before the TLS ClientHello.
    raw = socket.create_connection(("127.0.0.1", tls_port), timeout=5)
    raw.sendall(proxy_v2("198.51.100.9", 40000))
    t = ssl.create_default_context(cafile=str(pki.ca)).wrap_socket(raw, server_hostname="localhost")
    t.sendall(mqtt_raw.connect("via-v2", version=mqtt_raw.V311))
    assert t.recv(4)[:1] == b"\x20"
    t.close()
    harness.wait_until(lambda: "203.0.113.7:51234" in b.log() and "198.51.100.9:40000" in b.log(), 5,
                       what="real client addresses in the log")
    # A connection without the header is refused on a PROXY listener, logged once.
    s = socket.create_connection(("127.0.0.1", plain_port), timeout=5)
    s.sendall(mqtt_raw.connect("no-header", version=mqtt_raw.V311))
    assert s.recv(10) == b""
    s.close()
    # The log is read by a thread: the line may land just after the close.
    harness.wait_until(lambda: "bad PROXY protocol header" in b.log(), 5, what="PROXY refusal log line")
    harness.assert_broker_alive(b)


def _run(*args, timeout=10):
    return subprocess.run([harness.GRIDMQ_BIN, *args], capture_output=True, timeout=timeout)


def test_require_tls_refuses_plaintext_on_a_public_address(tmp_path, pki):
    cfg = tmp_path / "g.toml"
    cfg.write_text("[server]\nrequire_tls = true\n" + tls_section(pki))
    r = _run("--config", str(cfg), "--listen", "mqtt://0.0.0.0:0")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "require_tls" in err and "mqtt://0.0.0.0:0 is plaintext" in err, err


def test_require_tls_allows_tls_and_loopback(broker_factory, pki):
    b = broker_factory(config_text="[server]\nrequire_tls = true\n" + tls_section(pki),
                       listen=("mqtt://127.0.0.1:0", "mqtts://0.0.0.0:0"))
    b.tls_port = b.port_of("mqtts")
    pub_sub_over_tls(b, pki)


def test_tls_config_errors_name_file_line_key(tmp_path, pki):
    cfg = tmp_path / "g.toml"
    cfg.write_text('[[listener]]\nurl = "mqtts://127.0.0.1:0"\ncert = "/nonexistent/server.pem"\n')
    r = _run("--config", str(cfg))
    assert r.returncode == 2
    assert f"{cfg}:3: listener[0].cert: cannot open /nonexistent/server.pem" in r.stderr.decode(), r.stderr
    r = _run("--listen", "mqtts://127.0.0.1:0")
    assert r.returncode == 2 and "needs a certificate" in r.stderr.decode(), r.stderr
    # A key that does not match the certificate stops the start (exit 1) with both names.
    cfg.write_text(f'[tls]\ncert = "{pki.server[0]}"\nkey = "{pki.alt[1]}"\n')
    r = _run("--config", str(cfg), "--listen", "mqtts://127.0.0.1:0")
    assert r.returncode == 1 and "alt.key" in r.stderr.decode() and "mismatch" in r.stderr.decode(), r.stderr
