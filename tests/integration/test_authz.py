"""Event Grid's client and authorization model (README "Clients, groups,
topic spaces and permission bindings"; eventgrid.md sections 1.3, 1.7,
2.1-2.5): registered clients looked up by authentication name, client
group queries, topic templates with ${client.authenticationName} and
${client.attributes.x}, Publisher/Subscriber permission bindings, sessions
per authentication name, certificate fields as authentication names, the
Will topic, HTTP publish, and configuration errors.

Refusals use the MQTT reason codes eventgrid.md suggests: CONNACK 0x87 Not
authorized (3.1.1: return code 5), 0x97 Quota exceeded for the session
limit (3.1.1: 3 Server unavailable, the only refusal 3.1.1 has for it),
PUBACK/PUBREC/SUBACK 0x87 (3.1.1 SUBACK 0x80; a denied 3.1.1 PUBLISH closes
the connection, as Event Grid does)."""

import subprocess

import pytest

import harness
import mqtt_raw as m
from tls_support import Endpoint, mosquitto_tls_args, pki, tls_section  # noqa: F401

pytestmark = pytest.mark.gridmq_only  # gridmq's namespace configuration

NAMESPACE = """
[[clients]]
name = "sensor-1"
attributes = { type = "sensor", site = "s7", zones = ["north", "south"], floor = 3 }

[[clients]]
name = "app-1"
authentication_name = "App-One"
attributes = { type = "app", floor = 9 }

[[clients]]
name = "off-1"
state = "disabled"
attributes = { type = "sensor", site = "s7" }

[[client_groups]]
name = "sensors"
query = "attributes.type = 'sensor'"

[[client_groups]]
name = "apps"
query = "attributes.type = 'app'"

[[client_groups]]
name = "low-floors"
query = "attributes.floor <= 5 and attributes.zones IN ['north', 'east']"

[[topic_spaces]]
name = "own-telemetry"
topic_templates = ["telemetry/${client.attributes.site}/${client.authenticationName}/#"]

[[topic_spaces]]
name = "all-telemetry"
topic_templates = ["telemetry/#"]

[[topic_spaces]]
name = "own-commands"
topic_templates = ["commands/${client.authenticationName}"]

[[topic_spaces]]
name = "all-commands"
topic_templates = ["commands/+"]

[[topic_spaces]]
name = "zone-alerts"
topic_templates = ["zones/${client.attributes.zones}/alerts"]

[[permission_bindings]]
name = "sensors-publish"
client_group = "sensors"
topic_space = "own-telemetry"
permission = "publisher"

[[permission_bindings]]
name = "everyone-reads-own-commands"
client_group = "$all"
topic_space = "own-commands"
permission = "subscriber"

[[permission_bindings]]
name = "apps-read-telemetry"
client_group = "apps"
topic_space = "all-telemetry"
permission = "subscriber"

[[permission_bindings]]
name = "apps-send-commands"
client_group = "apps"
topic_space = "all-commands"
permission = "publisher"

[[permission_bindings]]
name = "low-floors-alerts"
client_group = "low-floors"
topic_space = "zone-alerts"
permission = "publisher"
"""

BOTH = pytest.mark.parametrize("version", [m.V311, m.V5], ids=["v311", "v5"])


@pytest.fixture
def ns_broker(broker_factory):
    return broker_factory(NAMESPACE + "[auth]\nmax_sessions_per_authentication_name = 2\n")


def refused(b, version, client_id, **kw):
    """The CONNACK reason of a refused CONNECT, after which the broker closes."""
    with b.raw(version) as c:
        c.send(m.connect(client_id, version=version, **kw))
        before = c.expect_closed()
        assert [p.type for p in before] == [m.CONNACK], before
        return before[0].reason


# ------------------------------------------------------------------ CONNECT


@BOTH
def test_unknown_or_disabled_client_is_not_authorized(ns_broker, version):
    # eventgrid.md 1.7: "Client could not be found" / state Disabled ->
    # CONNACK 0x87 Not authorized; 3.1.1 return code 5.
    code = 0x87 if version == m.V5 else 0x05
    assert refused(ns_broker, version, "x1", username="nobody") == code
    assert refused(ns_broker, version, "x2", username="off-1") == code
    # Username carries the authentication name; without it there is none (1.3).
    assert refused(ns_broker, version, "x3") == code
    # The broker logs the refusal after it has sent the CONNACK: wait for it.
    harness.wait_until(lambda: "Client could not be found" in ns_broker.log(), what="the not-found log line")
    harness.wait_until(lambda: "is disabled" in ns_broker.log(), what="the disabled log line")


def test_authentication_name_is_case_insensitive_and_defaults_to_the_name(ns_broker):
    # eventgrid.md 1.3 / 2.1: authenticationName defaults to the client name and
    # is compared case-insensitively; templates see the stored original case.
    with ns_broker.connected("ci", version=m.V5, username="SENSOR-1") as c:
        assert c.publish("telemetry/s7/sensor-1/t", b"x", qos=1).reason in (0, 0x10)
        assert c.publish("telemetry/s7/SENSOR-1/t", b"x", qos=1, packet_id=2).reason == 0x87
    with ns_broker.connected("ci2", version=m.V5, username="app-one") as c:
        c.subscribe(1, [("commands/App-One", 1)], expect_codes=[1])
        c.disconnect()


@BOTH
def test_will_topic_outside_the_clients_topic_spaces_is_refused(ns_broker, version):
    # The Will is a PUBLISH the broker makes for the client: its topic needs a
    # Publisher binding, checked at CONNECT (eventgrid.md 2.4, Will row).
    code = 0x87 if version == m.V5 else 0x05
    assert refused(ns_broker, version, "w1", username="sensor-1",
                   will={"topic": "commands/app-1", "payload": b"gone"}) == code
    with ns_broker.connected("w2", version=version, username="sensor-1",
                             will={"topic": "telemetry/s7/sensor-1/status", "payload": b"gone"}) as c:
        c.disconnect()


# ------------------------------------------------------------------ PUBLISH


def test_v5_publish_denied_gets_0x87_and_the_connection_stays(ns_broker):
    # eventgrid.md 2.5: a v5 publish outside the topic spaces gets a negative
    # PUBACK (0x87 Not authorized, [MQTT-3.4.2-1] reason codes); QoS 2 a PUBREC.
    with ns_broker.connected("app-sub", version=m.V5, username="App-One") as sub, \
            ns_broker.connected("sensor", version=m.V5, username="sensor-1") as pub:
        sub.subscribe(1, [("telemetry/#", 1)], expect_codes=[1])
        assert pub.publish("telemetry/s7/sensor-1/temp", b"21", qos=1, packet_id=1).reason in (None, 0)
        assert sub.recv_publish().payload == b"21"
        denied = pub.publish("telemetry/s7/app-1/temp", b"spoof", qos=1, packet_id=2)
        assert denied.reason == 0x87
        rec = pub.publish("telemetry/s8/sensor-1/temp", b"other site", qos=2, packet_id=3)
        assert (rec.type, rec.reason) == (m.PUBREC, 0x87)
        # QoS 0 has no acknowledgement: dropped; the connection stays.
        pub.publish("commands/app-1", b"qos0 spoof", qos=0)
        pub.ping()
        assert pub.publish("telemetry/s7/sensor-1/temp", b"22", qos=1, packet_id=4).reason in (None, 0)
        assert sub.recv_publish().payload == b"22"  # nothing denied got through before it
        sub.expect_no_packet(0.3)


def test_v311_publish_denied_closes_the_connection(ns_broker):
    # 3.1.1 has no negative PUBACK: Event Grid closes the connection (eventgrid.md 2.5).
    for qos in (0, 1):
        with ns_broker.connected(f"s311-{qos}", version=m.V311, username="sensor-1") as c:
            c.send(m.publish("commands/app-1", b"x", qos=qos, packet_id=1 if qos else None, version=m.V311))
            assert c.expect_closed() == []
    with ns_broker.connected("s311-ok", version=m.V311, username="sensor-1") as c:
        assert c.publish("telemetry/s7/sensor-1/t", b"x", qos=1).type == m.PUBACK


def test_group_query_and_array_attribute_in_a_template(ns_broker):
    # low-floors: attributes.floor <= 5 and attributes.zones IN ['north','east'];
    # zones/${client.attributes.zones}/alerts expands per array element.
    with ns_broker.connected("lf", version=m.V5, username="sensor-1") as c:
        assert c.publish("zones/north/alerts", b"a", qos=1, packet_id=1).reason in (None, 0, 0x10)
        assert c.publish("zones/south/alerts", b"a", qos=1, packet_id=2).reason in (None, 0, 0x10)
        assert c.publish("zones/east/alerts", b"a", qos=1, packet_id=3).reason == 0x87
    with ns_broker.connected("lf-app", version=m.V5, username="App-One") as c:  # floor 9, no zones
        assert c.publish("zones/north/alerts", b"a", qos=1, packet_id=1).reason == 0x87
        assert c.publish("commands/sensor-1", b"go", qos=1, packet_id=2).reason in (None, 0, 0x10)


def test_mosquitto_clients_publish_and_subscribe_through_bindings(ns_broker, clients):
    sub = clients.add(harness.MosquittoSub(ns_broker, "commands/sensor-1", version="mqttv5", qos=1, count=1,
                                           wait=10, extra=["-u", "sensor-1", "-i", "mq-sensor"])).wait_subscribed()
    harness.mosquitto_pub(ns_broker, "commands/sensor-1", "reboot", version="mqttv5", qos=1,
                          extra=["-u", "app-one", "-i", "mq-app"])
    rc, lines = sub.result()
    assert rc == 0 and lines == ["1 0 commands/sensor-1 reboot"], (rc, lines)
    # A v3.1.1 publisher outside its topic spaces is disconnected (eventgrid.md 2.5).
    cmd = ["mosquitto_pub", "-h", ns_broker.host, "-p", str(ns_broker.port), "-V", "mqttv311", "-q", "1",
           "-t", "commands/app-1", "-m", "x", "-u", "sensor-1", "-i", "mq-bad"]
    r = subprocess.run(cmd, capture_output=True, timeout=10, env=harness._client_env())
    assert r.returncode != 0, r


# ------------------------------------------------------------------ SUBSCRIBE


@BOTH
def test_subscribe_needs_a_covering_subscriber_template(ns_broker, version):
    # eventgrid.md 2.4: each filter is judged alone; F is allowed when every
    # topic it can match is matched by a Subscriber template. v5 SUBACK 0x87,
    # 3.1.1 0x80 ([MQTT-3.9.3-2]).
    deny = 0x87 if version == m.V5 else 0x80
    with ns_broker.connected("sub-s", version=version, username="sensor-1") as c:
        c.subscribe(1, [("commands/sensor-1", 1), ("commands/app-1", 1), ("commands/+", 1), ("#", 0)],
                    expect_codes=[1, deny, deny, deny])
    with ns_broker.connected("sub-a", version=version, username="App-One") as c:
        c.subscribe(1, [("telemetry/+/+/temp", 1), ("telemetry/#", 0), ("commands/#", 0)],
                    expect_codes=[1, 0, deny])


def test_shared_subscription_is_authorized_on_its_filter(ns_broker):
    with ns_broker.connected("sh", version=m.V5, username="App-One") as c:
        c.subscribe(1, [("$share/g1/telemetry/#", 1), ("$share/g1/commands/sensor-1", 1)],
                    expect_codes=[1, 0x87])


def test_paho_subscribe_refused_reason(ns_broker):
    p = harness.PahoClient(ns_broker, "paho-s", version=m.V5)
    p.c.username_pw_set("sensor-1")
    try:
        p.connect()
        assert p.subscribe("commands/sensor-1", qos=1)[0].value == 1
        assert p.subscribe("telemetry/#", qos=1)[0].value == 0x87
    finally:
        p.stop()


# ------------------------------------------------------------------ sessions


def test_max_sessions_per_authentication_name(ns_broker):
    # eventgrid.md 1.7 / seed "Handle sessions": the limit counts online and
    # offline sessions; the same name and ClientId takes its session over;
    # another authentication name may not take it (unauthorized).
    a = ns_broker.connected("ms-1", version=m.V5, username="sensor-1",
                            props=[(m.SESSION_EXPIRY, 300)])
    b = ns_broker.connected("ms-2", version=m.V5, username="sensor-1")
    try:
        assert refused(ns_broker, m.V5, "ms-3", username="sensor-1") == 0x97
        assert refused(ns_broker, m.V311, "ms-3", username="sensor-1") == 0x03
        assert refused(ns_broker, m.V5, "ms-1", username="App-One") == 0x87
        a.disconnect()  # offline, still counted (expiry 300 s)
        assert refused(ns_broker, m.V5, "ms-3", username="sensor-1") == 0x97
        with ns_broker.connected("ms-1", version=m.V5, username="Sensor-1") as again:  # resumes its own
            again.disconnect()
        b.disconnect()  # expiry 0: the session ends and frees a place
        with ns_broker.connected("ms-3", version=m.V5, username="sensor-1") as c:
            c.disconnect()
        # Another authentication name has its own count.
        with ns_broker.connected("ms-4", version=m.V311, username="App-One") as c:
            c.disconnect()
    finally:
        a.close()
        b.close()


def test_max_sessions_without_registered_clients(broker_factory):
    # The limit alone (no [[clients]]): the Username is the authentication
    # name and everything else stays allowed.
    b = broker_factory("[auth]\nmax_sessions_per_authentication_name = 1\n")
    with b.connected("u-1", version=m.V5, username="u") as c:
        assert refused(b, m.V5, "u-2", username="u") == 0x97
        with b.connected("v-1", version=m.V5, username="v") as other:
            other.subscribe(1, [("#", 0)], expect_codes=[0])
            other.disconnect()
        with b.connected("anon", version=m.V5) as anon:  # no name: not counted
            anon.disconnect()
        c.disconnect()


# ------------------------------------------------------------------ certificates


def cert_broker(broker_factory, pki, sources, clients):
    config = (tls_section(pki, "optional") + f"[auth]\nauthentication_name_sources = {sources}\n" + clients +
              '[[topic_spaces]]\nname = "devices"\ntopic_templates = ["devices/${client.authenticationName}/#"]\n'
              '[[permission_bindings]]\nname = "devices-pub"\nclient_group = "$all"\ntopic_space = "devices"\n'
              'permission = "publisher"\n'
              '[[permission_bindings]]\nname = "devices-sub"\nclient_group = "$all"\ntopic_space = "devices"\n'
              'permission = "subscriber"\n')
    b = broker_factory(config_text=config, listen=("mqtt://127.0.0.1:0", "mqtts://127.0.0.1:0"))
    b.tls = Endpoint("127.0.0.1", b.port_of("mqtts"))
    return b


def mosquitto_pub_rc(ep, topic, args):
    cmd = ["mosquitto_pub", "-h", ep.host, "-p", str(ep.port), "-t", topic, "-m", "x", "-q", "1", *args]
    return subprocess.run(cmd, capture_output=True, timeout=10, env=harness._client_env()).returncode


def test_certificate_cn_is_the_authentication_name(broker_factory, pki, clients):
    # eventgrid.md 1.3: alternativeAuthenticationNameSources; the CN of the
    # verified client certificate names the client (no Username sent), and a
    # CN validation scheme checks that the certificate proves it.
    b = cert_broker(broker_factory, pki, '["username", "certificate_cn"]',
                    '[[clients]]\nname = "device-1"\ncertificate_validation = "cn"\n')
    tls = mosquitto_tls_args(pki, pki.client)
    sub = clients.add(harness.MosquittoSub(b.tls, "devices/device-1/#", qos=1, count=1, wait=10,
                                           extra=[*tls, "-i", "cn-sub"])).wait_subscribed()
    assert mosquitto_pub_rc(b.tls, "devices/device-1/temp", [*tls, "-i", "cn-pub"]) == 0
    rc, lines = sub.result()
    assert rc == 0 and lines == ["1 0 devices/device-1/temp x"], (rc, lines)
    # Without a certificate there is no name: refused. The same Username over
    # plain TCP is refused too: the client's CN check needs the certificate.
    assert refused(b, m.V5, "no-cert") == 0x87
    assert refused(b, m.V5, "claims", username="device-1") == 0x87
    # The harness reads the log on a thread of its own, which may not have
    # reached the line yet when the CONNACK is in: wait for it.
    harness.wait_until(lambda: "does not prove" in b.log(), what="the CN refusal in the log")


def test_certificate_dns_san_and_thumbprint(broker_factory, pki):
    thumb = pki.fingerprint(pki.client[0])
    b = cert_broker(broker_factory, pki, '["certificate_dns"]',
                    '[[clients]]\nname = "dns-client"\nauthentication_name = "device-1.example"\n'
                    'certificate_validation = "dns"\n'
                    f'[[clients]]\nname = "thumb-client"\ncertificate_validation = "thumbprint"\n'
                    f'allowed_thumbprints = ["{thumb.lower()}"]\n')
    tls = mosquitto_tls_args(pki, pki.client)
    assert mosquitto_pub_rc(b.tls, "devices/device-1.example/t", [*tls, "-i", "dns-1"]) == 0
    assert mosquitto_pub_rc(b.tls, "devices/device-1/t", [*tls, "-i", "dns-2", "-V", "mqttv311"]) != 0
    # Username is not among the sources here: only the SAN names the client.
    assert mosquitto_pub_rc(b.tls, "devices/device-1.example/t", [*tls, "-i", "dns-3", "-u", "thumb-client"]) == 0
    # A thumbprint client: the name comes from... the SAN again, so list the
    # Username first for it in a second broker.
    b2 = cert_broker(broker_factory, pki, '["username", "certificate_dns"]',
                     f'[[clients]]\nname = "thumb-client"\ncertificate_validation = "thumbprint"\n'
                     f'allowed_thumbprints = ["{thumb}"]\n')
    assert mosquitto_pub_rc(b2.tls, "devices/thumb-client/t", [*tls, "-i", "th-1", "-u", "thumb-client"]) == 0
    # Same Username, no certificate (plain listener): the thumbprint is missing.
    assert refused(b2, m.V5, "th-2", username="thumb-client") == 0x87


# ------------------------------------------------------------------ HTTP publish


def test_http_publish_outside_the_topic_spaces_is_403(broker_factory):
    # eventgrid.md 3: HTTP publish has "the same authZ model as MQTT clients";
    # 403 when the caller has no permission. HTTP Basic names the client.
    import test_http_publish as h
    b = broker_factory(NAMESPACE + '[[listener]]\nurl = "mqtt://127.0.0.1:0"\n[[listener]]\nurl = "http://127.0.0.1:0"\n',
                       listen=())
    port = b.port_of("http")
    status, _, _ = h.curl(h.publish_url(port, "telemetry/s7/sensor-1/t"), "-u", "sensor-1:x", data=b"ok")
    assert status in (200, 202, 204), status
    status, _, body = h.curl(h.publish_url(port, "commands/app-1"), "-u", "sensor-1:x", data=b"no")
    assert status == 403, (status, body)
    status, _, _ = h.curl(h.publish_url(port, "telemetry/s7/sensor-1/t"), "-u", "nobody:x", data=b"no")
    assert status == 403


# ------------------------------------------------------------------ configuration


def run_config(tmp_path, text):
    cfg = tmp_path / "g.toml"
    cfg.write_text(text)
    r = subprocess.run([harness.GRIDMQ_BIN, "--config", str(cfg), "--listen", "mqtt://127.0.0.1:0"],
                       capture_output=True, timeout=10)
    return cfg, r


@pytest.mark.parametrize("text,where", [
    ('[[clients]]\nname = "bad name"\n', ":2: clients[0].name: expected only letters"),
    ('[[client_groups]]\nname = "grp"\nquery = "attributes.floor < \'x\'"\n',
     ":3: client_groups[0].query: at character"),
    ('[[topic_spaces]]\nname = "ts-1"\ntopic_templates = ["a/${client.name}"]\n',
     ":3: topic_spaces[0].topic_templates[0]: unknown variable"),
    ('[[topic_spaces]]\nname = "ts-1"\ntopic_templates = ["a"]\n[[permission_bindings]]\nname = "bind"\n'
     'client_group = "ghosts"\ntopic_space = "ts-1"\npermission = "publisher"\n',
     ":6: permission_bindings[0].client_group: no client group named 'ghosts'"),
    ('[auth]\nauthentication_name_sources = ["certificate_serial"]\n',
     ":2: auth.authentication_name_sources: expected names among"),
], ids=["client-name", "query", "template", "binding-reference", "name-source"])
def test_config_errors_name_file_line_key(tmp_path, text, where):
    cfg, r = run_config(tmp_path, text)
    assert r.returncode == 2, r
    assert f"{cfg}{where}" in r.stderr.decode(), r.stderr
