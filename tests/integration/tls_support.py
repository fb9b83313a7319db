"""Certificates, TLS/WebSocket clients and helpers for the secure-transport
tests (test_tls.py, test_websocket.py, test_http_publish.py).

Every certificate and key is generated at test time with the openssl command
line into a temporary directory; no private key is ever committed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

import harness

REPO = harness.REPO
JS_DIR = REPO / "tests" / "integration" / "js"


def _openssl(*args, cwd):
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, timeout=30)
    assert r.returncode == 0, f"openssl {' '.join(args)}: {r.stderr.decode(errors='replace')}"
    return r


class Pki:
    """A CA, a server certificate for localhost/127.0.0.1, client
    certificates (good, expired, signed by another CA), and spare server
    certificates (SNI name, reload)."""

    def __init__(self, root: Path):
        self.root = root
        self._ca("ca", "gridmq test CA")
        self._ca("other-ca", "some other CA")
        self.server = self._leaf("server", "ca", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1", server=True)
        self.server2 = self._leaf("server2", "ca", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                                  server=True)
        self.alt = self._leaf("alt", "ca", "alt.example", "subjectAltName=DNS:alt.example", server=True)
        self.client = self._leaf("client", "ca", "device-1",
                                 "subjectAltName=DNS:device-1.example,URI:urn:gridmq:device-1")
        self.wrong_client = self._leaf("wrong-client", "other-ca", "intruder", "subjectAltName=DNS:intruder")
        self.expired_client = self._leaf("expired-client", "ca", "old-device", "subjectAltName=DNS:old",
                                         expired=True)
        self.ca = root / "ca.pem"

    def _ca(self, name, cn):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN={cn}",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                 cwd=self.root)

    def _leaf(self, name, ca, cn, san, server=False, expired=False):
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}/O=gridmq tests", cwd=self.root)
        ext = self.root / f"{name}.ext"
        usage = "serverAuth" if server else "clientAuth"
        ext.write_text(f"{san}\nextendedKeyUsage={usage}\nbasicConstraints=CA:FALSE\n")
        if expired:
            # `openssl ca` takes explicit validity dates; `x509 -req` cannot go back in time.
            (self.root / "index.txt").write_text("")
            (self.root / "ca.cnf").write_text(
                "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\n"
                "default_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n")
            (self.root / "serial").write_text("1000\n")
            _openssl("ca", "-batch", "-config", "ca.cnf", "-cert", f"{ca}.pem", "-keyfile", f"{ca}.key",
                     "-in", f"{name}.csr", "-out", f"{name}.pem", "-startdate", "20200101000000Z",
                     "-enddate", "20200102000000Z", "-extfile", f"{name}.ext", "-notext", cwd=self.root)
        else:
            _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                     "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext",
                     cwd=self.root)
        return self.root / f"{name}.pem", self.root / f"{name}.key"

    def fingerprint(self, pem: Path) -> str:
        """SHA-256 of the DER certificate, uppercase hex without colons."""
        der = ssl.PEM_cert_to_DER_cert(Path(pem).read_text())
        return hashlib.sha256(der).hexdigest().upper()


@pytest.fixture(scope="session")
def pki():
    root = Path(tempfile.mkdtemp(prefix="gridmq-pki-"))
    try:
        yield Pki(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def tls_section(pki, client_cert="none", extra=""):
    cert, key = pki.server
    return (f'[tls]\ncert = "{cert}"\nkey = "{key}"\nca = "{pki.ca}"\nclient_cert = "{client_cert}"\n{extra}\n')


def client_context(pki, cert=None, verify=True):
    ctx = ssl.create_default_context(cafile=str(pki.ca)) if verify else ssl._create_unverified_context()
    if cert is not None:
        ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    return ctx


def tls_connect(pki, port, cert=None, server_hostname="localhost", timeout=5.0):
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return client_context(pki, cert).wrap_socket(raw, server_hostname=server_hostname)


def s_client(port, *args, timeout=10):
    """openssl s_client against 127.0.0.1:port; returns (returncode, stdout+stderr)."""
    cmd = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", *args]
    r = subprocess.run(cmd, input=b"", capture_output=True, timeout=timeout)
    return r.returncode, (r.stdout + r.stderr).decode(errors="replace")


def served_fingerprint(port, servername=None):
    """SHA-256 fingerprint of the certificate the server presents."""
    args = ["-servername", servername] if servername else ["-noservername"]
    rc, out = s_client(port, *args)
    start, end = out.find("-----BEGIN CERTIFICATE-----"), out.find("-----END CERTIFICATE-----")
    assert rc == 0 and start >= 0, f"s_client failed ({rc}):\n{out}"
    pem = out[start:end + len("-----END CERTIFICATE-----")] + "\n"
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()


def mosquitto_tls_args(pki, cert=None):
    args = ["--cafile", str(pki.ca)]
    if cert is not None:
        args += ["--cert", str(cert[0]), "--key", str(cert[1])]
    return args


class Endpoint:
    """Where mosquitto_pub/sub should connect: duck-types BrokerProcess's host/port."""

    def __init__(self, host, port):
        self.host, self.port = host, port


# ---------------------------------------------------------------- paho


def paho_client(client_id, version=4, transport="tcp", tls_pki=None, cert=None, ws_path="/mqtt"):
    import paho.mqtt.client as mqtt
    c = mqtt.Client(client_id=client_id, protocol=version, transport=transport, reconnect_on_failure=False)
    if transport == "websockets":
        c.ws_set_options(path=ws_path)
    if tls_pki is not None:
        c.tls_set(ca_certs=str(tls_pki.ca), certfile=str(cert[0]) if cert else None,
                  keyfile=str(cert[1]) if cert else None)
    return c


# ---------------------------------------------------------------- raw WebSocket


class RawWebSocket:
    """A minimal RFC 6455 client for exact-frame tests: it sends masked frames
    as told and reads frames back."""

    def __init__(self, port, path="/mqtt", protocols="mqtt", tls_ctx=None, timeout=5.0):
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls_ctx is not None:
            sock = tls_ctx.wrap_socket(sock, server_hostname="localhost")
        self.sock = sock
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
        if protocols:
            req += f"Sec-WebSocket-Protocol: {protocols}\r\n"
        sock.sendall((req + "\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
        self.response, _, self.buffered = head.partition(b"\r\n\r\n")
        lines = self.response.decode(errors="replace").split("\r\n")
        self.status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def send_frame(self, payload: bytes, opcode=0x2, fin=True):
        head = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, n):
        while len(self.buffered) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buffered += chunk
        out, self.buffered = self.buffered[:n], self.buffered[n:]
        return out

    def recv_frame(self):
        """(opcode, payload) of the next frame."""
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read(8))[0]
        assert not (b1 & 0x80), "server frames must not be masked"
        return b0 & 0x0F, self._read(n)

    def recv_binary(self):
        """Concatenated payload of the next data message (skips pongs)."""
        data = b""
        while True:
            op, payload = self.recv_frame()
            if op == 0xA:
                continue
            data += payload
            return op, data

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def node_available():
    return shutil.which("node") is not None and (JS_DIR / "node_modules" / "mqtt").is_dir()


def run_mqttjs(*args, timeout=20):
    """Runs tests/integration/js/mqttjs_client.js; returns its stdout lines."""
    r = subprocess.run(["node", str(JS_DIR / "mqttjs_client.js"), *args], capture_output=True, timeout=timeout,
                       cwd=JS_DIR)
    assert r.returncode == 0, f"mqttjs {args} -> {r.returncode}: {r.stderr.decode(errors='replace')}"
    return r.stdout.decode().splitlines()
