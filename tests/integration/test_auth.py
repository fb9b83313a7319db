"""Authentication (issue 3, "Errors" / enhanced authentication; README
[auth]): [[auth.users]] username/password on CONNECT for 3.1.1 and 5.0,
mosquitto clients with -u/-P, and MQTT 5 enhanced authentication with
SCRAM-SHA-256 (RFC 5802 / RFC 7677, 5.0 section 4.12), including
re-authentication.

The SCRAM client side is written here from the RFCs with hashlib/hmac, so
the broker is checked against an independent implementation."""

import base64
import hashlib
import hmac
import os
import subprocess
import time

import pytest

import harness
import mqtt_raw as m
from harness import config_toml, expect_protocol_close

pytestmark = pytest.mark.gridmq_only  # gridmq's [auth] configuration

USER, PASSWORD = "alice", "s3cret-pw"
METHOD = "SCRAM-SHA-256"


@pytest.fixture
def secured(broker_factory):
    """A broker with one user and anonymous clients refused."""
    return broker_factory(config_toml(auth={"allow_anonymous": False}, users=[(USER, PASSWORD), ("bob", "other")]))


# ------------------------------------------------------------- username / password


@pytest.mark.parametrize("version", [m.V311, m.V5], ids=["v311", "v5"])
def test_right_password_accepted(secured, version):
    with secured.raw(version) as c:
        ack = c.connect("alice-1", username=USER, password=PASSWORD)
        assert ack.reason == 0
        c.subscribe(1, [("auth/t", 1)])
        c.publish("auth/t", b"hi", qos=1, packet_id=1)
        assert c.recv_publish().payload == b"hi"
        c.disconnect()


@pytest.mark.parametrize("version", [m.V311, m.V5], ids=["v311", "v5"])
@pytest.mark.parametrize("case", ["wrong-password", "unknown-user", "no-password", "no-username"])
def test_refused_credentials_MQTT_3_2_2_5(secured, version, case):
    # 3.1.1 3.2.2.3: return code 4 bad user name or password, 5 not
    # authorized; 5.0: 0x86 Bad User Name or Password, 0x87 Not authorized.
    # Then the server closes ([MQTT-3.2.2-5]).
    creds = {"wrong-password": {"username": USER, "password": "nope"},
             "unknown-user": {"username": "mallory", "password": PASSWORD},
             "no-password": {"username": USER},
             "no-username": {}}[case]
    expected = {m.V311: 0x05 if case == "no-username" else 0x04,
                m.V5: 0x87 if case == "no-username" else 0x86}[version]
    with secured.raw(version) as c:
        c.send(m.connect(f"refused-{case}", version=version, **creds))
        before = c.expect_closed()
        assert [(p.type, p.reason) for p in before] == [(m.CONNACK, expected)], before


def test_users_with_anonymous_allowed(broker_factory):
    # allow_anonymous = true with users: no username is fine, a known user
    # with a wrong password is still refused.
    b = broker_factory(config_toml(auth={"allow_anonymous": True}, users=[(USER, PASSWORD)]))
    with b.raw(m.V5) as c:
        c.connect("anon")
        c.disconnect()
    with b.raw(m.V5) as c:
        c.send(m.connect("liar", version=m.V5, username=USER, password="nope"))
        assert [(p.type, p.reason) for p in c.expect_closed()] == [(m.CONNACK, 0x86)]


def test_mosquitto_clients_with_username_password(secured, clients):
    sub = clients.add(harness.MosquittoSub(secured, "auth/mc", version="mqttv5", qos=1, count=1, wait=10,
                                           extra=("-u", USER, "-P", PASSWORD)))
    sub.wait_subscribed()
    harness.mosquitto_pub(secured, "auth/mc", "with password", qos=1, extra=("-u", USER, "-P", PASSWORD))
    rc, lines = sub.result()
    assert rc == 0 and lines == ["1 0 auth/mc with password"], (rc, lines)
    cmd = ["mosquitto_pub", "-h", secured.host, "-p", str(secured.port), "-q", "1", "-t", "auth/mc",
           "-m", "x", "-u", USER, "-P", "wrong"]
    r = subprocess.run(cmd, capture_output=True, timeout=10, env=harness._client_env())
    assert r.returncode != 0, r


# ------------------------------------------------------------- SCRAM-SHA-256 client (RFC 5802 / 7677)


def _b64(b):
    return base64.b64encode(b).decode()


def _hmac(key, msg):
    return hmac.new(key, msg.encode() if isinstance(msg, str) else msg, hashlib.sha256).digest()


class Scram:
    """The client side of one SCRAM-SHA-256 exchange (no channel binding)."""

    def __init__(self, user=USER, password=PASSWORD):
        self.user, self.password = user, password
        self.client_nonce = _b64(os.urandom(18))
        self.first_bare = f"n={user},r={self.client_nonce}"

    def client_first(self) -> bytes:
        return ("n,," + self.first_bare).encode()

    def client_final(self, server_first: bytes) -> bytes:
        self.server_first = server_first.decode()
        attrs = dict(part.split("=", 1) for part in self.server_first.split(","))
        nonce, salt, iterations = attrs["r"], base64.b64decode(attrs["s"]), int(attrs["i"])
        # RFC 5802 5.1: the server's nonce starts with the client's.
        assert nonce.startswith(self.client_nonce) and len(nonce) > len(self.client_nonce), self.server_first
        assert iterations >= 4096, "RFC 7677: at least 4096 iterations"
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(), salt, iterations)
        client_key = _hmac(salted, "Client Key")
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = f"c={_b64(b'n,,')},r={nonce}"
        auth_message = f"{self.first_bare},{self.server_first},{without_proof}"
        proof = bytes(a ^ b for a, b in zip(client_key, _hmac(stored_key, auth_message)))
        self.expected_server_final = "v=" + _b64(_hmac(_hmac(salted, "Server Key"), auth_message))
        return f"{without_proof},p={_b64(proof)}".encode()


def _auth_props(data):
    return [(m.AUTH_METHOD, METHOD), (m.AUTH_DATA, data)]


def _scram_connect(b, client_id, scram, props=()):
    """CONNECT with SCRAM-SHA-256 up to the server-first message; returns
    (client, AUTH packet)."""
    c = b.raw(m.V5, name=client_id)
    c.send(m.connect(client_id, version=m.V5, props=_auth_props(scram.client_first()) + list(props)))
    return c, c.recv_packet()


def _scram_login(b, client_id, scram=None):
    scram = scram or Scram()
    c, first = _scram_connect(b, client_id, scram)
    assert first.type == m.AUTH and first.reason == 0x18, first
    c.send(m.auth(0x18, _auth_props(scram.client_final(first.prop(m.AUTH_DATA)))))
    ack = c.expect(m.CONNACK)
    assert ack.reason == 0, ack
    return c, ack, scram


# ------------------------------------------------------------- enhanced authentication on CONNECT


def test_scram_sha256_connect_4_12(secured):
    # 5.0 4.12: CONNECT(Authentication Method, client-first) -> AUTH 0x18
    # (server-first) -> AUTH 0x18 (client-final) -> CONNACK 0x00 with the
    # same Authentication Method and the server-final message, whose server
    # signature the client verifies (RFC 5802 3: mutual authentication).
    c, ack, scram = _scram_login(secured, "scram-1")
    with c:
        assert ack.prop(m.AUTH_METHOD) == METHOD, ack
        assert ack.prop(m.AUTH_DATA).decode() == scram.expected_server_final, ack
        c.subscribe(1, [("scram/t", 1)])
        c.publish("scram/t", b"in", qos=1, packet_id=1)
        assert c.recv_publish().payload == b"in"
        c.disconnect()


def test_auth_packets_carry_the_method_MQTT_4_12_0_5(secured):
    # [MQTT-4.12.0-5] every AUTH from the server names the CONNECT's method.
    c, first = _scram_connect(secured, "scram-m", Scram())
    with c:
        assert first.prop(m.AUTH_METHOD) == METHOD, first


def test_scram_wrong_password_0x87(secured):
    # A wrong proof: CONNACK 0x87 Not authorized, then close ([MQTT-4.12.0-4]).
    scram = Scram(password="not-it")
    c, first = _scram_connect(secured, "scram-bad", scram)
    with c:
        assert first.type == m.AUTH and first.reason == 0x18, first
        c.send(m.auth(0x18, _auth_props(scram.client_final(first.prop(m.AUTH_DATA)))))
        before = c.expect_closed()
        assert [(p.type, p.reason) for p in before] == [(m.CONNACK, 0x87)], before


def test_scram_unknown_user_refused_like_a_wrong_password(secured):
    # Unknown user: the broker runs a decoy exchange (RFC 5802 section 5.1),
    # so the client learns nothing before the final proof, then gets 0x87
    # exactly as for a wrong password: usernames cannot be probed.
    scram = Scram(user="mallory")
    c, first = _scram_connect(secured, "scram-who", scram)
    with c:
        assert first.type == m.AUTH and first.reason == 0x18, first
        c.send(m.auth(0x18, _auth_props(scram.client_final(first.prop(m.AUTH_DATA)))))
        before = c.expect_closed()
        assert [(p.type, p.reason) for p in before] == [(m.CONNACK, 0x87)], before


@pytest.mark.parametrize("method", ["SCRAM-SHA-1", "NO-SUCH-METHOD"])
def test_unknown_authentication_method_0x8C_MQTT_4_12_0_1(secured, method):
    # [MQTT-4.12.0-1] a method the server does not support: CONNACK 0x8C Bad
    # authentication method, then close.
    with secured.raw(m.V5) as c:
        c.send(m.connect("meth", version=m.V5, props=[(m.AUTH_METHOD, method), (m.AUTH_DATA, b"x")]))
        before = c.expect_closed()
        assert [(p.type, p.reason) for p in before] == [(m.CONNACK, 0x8C)], before


def test_scram_without_configured_users_0x8C(broker):
    # No [[auth.users]]: no SCRAM-SHA-256 either.
    with broker.raw(m.V5) as c:
        c.send(m.connect("meth", version=m.V5, props=_auth_props(Scram().client_first())))
        before = c.expect_closed()
        assert [(p.type, p.reason) for p in before] == [(m.CONNACK, 0x8C)], before


def test_auth_with_other_method_during_connect_is_protocol_error_MQTT_4_12_0_7(secured):
    # The AUTH of an exchange must name the CONNECT's method: another one is
    # a Protocol Error ([MQTT-4.12.0-7] / 3.15.2.2.2); before CONNACK the
    # server answers with CONNACK 0x82 (no DISCONNECT before CONNACK,
    # [MQTT-3.14.0-1]) and closes. The spec lets it close silently
    # ([MQTT-4.13.1-1] MAY), which gridmq does today (unlike a PUBLISH in the
    # same phase, which gets CONNACK 0x82): both are accepted here.
    scram = Scram()
    c, first = _scram_connect(secured, "scram-switch", scram)
    with c:
        assert first.type == m.AUTH, first
        c.send(m.auth(0x18, [(m.AUTH_METHOD, "PLAIN"), (m.AUTH_DATA, scram.client_final(first.prop(m.AUTH_DATA)))]),
               tolerate_close=True)
        before = c.expect_closed()
        assert all(p.type == m.CONNACK and p.reason == 0x82 for p in before), before


def test_non_auth_packet_during_connect_exchange_0x82_MQTT_4_12_0_4(secured):
    # Until the exchange ends only AUTH may come ([MQTT-3.1.0-1] spirit,
    # 4.12): a PUBLISH instead -> CONNACK 0x82 Protocol Error and close.
    c, first = _scram_connect(secured, "scram-pub", Scram())
    with c:
        assert first.type == m.AUTH, first
        c.send(m.publish("early/t", b"x", version=m.V5), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x82,), packet=m.CONNACK)


@pytest.mark.gridmq_only
def test_connect_timeout_covers_auth_exchange(broker_factory):
    # limits.connect_timeout (1 s) also bounds a stalled enhanced
    # authentication: a client that never sends its client-final is closed.
    b = broker_factory(config_toml(limits={"connect_timeout": 1}, users=[(USER, PASSWORD)]))
    c, first = _scram_connect(b, "scram-stall", Scram())
    with c:
        assert first.type == m.AUTH, first
        t0 = time.monotonic()
        before = c.expect_closed(timeout=4)
        assert all(p.type == m.CONNACK for p in before), before
        assert time.monotonic() - t0 <= 2.5


def test_auth_without_enhanced_connect_is_protocol_error_MQTT_4_12_0_7(secured):
    # No Authentication Method in CONNECT: the client must not send AUTH
    # ([MQTT-4.12.0-7]) -> DISCONNECT 0x82.
    with secured.raw(m.V5) as c:
        c.connect("plain", username=USER, password=PASSWORD)
        c.send(m.auth(0x19, _auth_props(Scram().client_first())), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x82,))


# ------------------------------------------------------------- re-authentication


def _until_auth(c, got, deadline):
    """Reads until an AUTH arrives, acknowledging and recording PUBLISHes."""
    while True:
        p = c.recv_packet(max(0.01, deadline - time.monotonic()))
        if p.type == m.AUTH:
            return p
        assert p.type in (m.PUBLISH, m.PUBACK), p
        if p.type == m.PUBLISH:
            c.send(m.puback(p.packet_id, m.V5))
            got.append(p.payload)


def test_reauthentication_while_traffic_flows_4_12_1(secured):
    # 4.12.1: AUTH 0x19 with the same method starts a new exchange
    # (AUTH 0x18 ... AUTH 0x00 with the server-final message); the client
    # keeps publishing and receiving meanwhile.
    c, _, _ = _scram_login(secured, "reauth")
    with c, secured.connected("feeder", m.V5, username="bob", password="other") as feeder:
        c.subscribe(1, [("ra/t", 1)])
        deadline = time.monotonic() + 5
        got = []
        scram = Scram()
        c.send(m.auth(0x19, _auth_props(scram.client_first())))
        feeder.publish("ra/t", b"during-1", qos=1, packet_id=1)
        c.send(m.publish("ra/t", b"own-1", qos=1, packet_id=11, version=m.V5))
        server_first = _until_auth(c, got, deadline)
        assert (server_first.reason, server_first.prop(m.AUTH_METHOD)) == (0x18, METHOD), server_first
        feeder.publish("ra/t", b"during-2", qos=1, packet_id=2)
        c.send(m.auth(0x18, _auth_props(scram.client_final(server_first.prop(m.AUTH_DATA)))))
        done = _until_auth(c, got, deadline)
        assert done.reason == 0x00 and done.prop(m.AUTH_METHOD) == METHOD, done
        assert done.prop(m.AUTH_DATA).decode() == scram.expected_server_final, done
        while len(got) < 3:
            got.append(c.recv_publish(max(0.01, deadline - time.monotonic())).payload)
        assert sorted(got) == [b"during-1", b"during-2", b"own-1"], got
        c.publish("ra/t", b"after", qos=1, packet_id=12)
        assert c.recv_publish().payload == b"after"
        c.disconnect()


def test_failed_reauthentication_disconnects_0x87_MQTT_4_12_1_2(secured):
    # [MQTT-4.12.1-2] a failed re-authentication: DISCONNECT with a reason
    # code (0x87 Not authorized) and close.
    c, _, _ = _scram_login(secured, "reauth-bad")
    with c:
        scram = Scram(password="changed?")
        c.send(m.auth(0x19, _auth_props(scram.client_first())))
        first = c.expect(m.AUTH)
        c.send(m.auth(0x18, _auth_props(scram.client_final(first.prop(m.AUTH_DATA)))), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x87,))


def test_reauthentication_with_other_method_is_protocol_error_MQTT_4_12_1_1(secured):
    # [MQTT-4.12.1-1] re-authentication uses the method of the CONNECT.
    c, _, _ = _scram_login(secured, "reauth-switch")
    with c:
        c.send(m.auth(0x19, [(m.AUTH_METHOD, "PLAIN"), (m.AUTH_DATA, b"\x00alice\x00pw")]), tolerate_close=True)
        expect_protocol_close(c, reasons=(0x82,))
