"""Authorization changes at run time: SIGHUP makes the broker read the
namespace resources ([[clients]], [[client_groups]], [[topic_spaces]],
[[permission_bindings]]) again from its configuration file and apply them
to connected clients, as Event Grid applies resource changes
(eventgrid.md 1.7 / 2.4 "Changes to client groups, topic spaces or
bindings can disconnect connected clients (ClientAuthorizationError)"):

- a client now unknown or disabled: v5 DISCONNECT 0x87, 3.1.1 close;
- a client whose subscription is no longer permitted: the subscription is
  removed from its session, then DISCONNECT 0x87 / close;
- a changed publish permission applies to the next PUBLISH, no disconnect;
- an offline session loses such subscriptions when it resumes;
- a file with an error keeps the old rules, logged with file:line:key.

Each test starts the broker on a file, connects, rewrites the file and
sends SIGHUP to the broker it started, by pid."""

import os
import signal

import pytest

import harness
import mqtt_raw as m

pytestmark = pytest.mark.gridmq_only


def namespace(sensor_state="enabled", with_app=True, apps_read=True, sensors_publish=True):
    out = f"""
[[clients]]
name = "sensor-1"
state = "{sensor_state}"
attributes = {{ type = "sensor" }}

[[clients]]
name = "sensor-2"
attributes = {{ type = "sensor" }}
"""
    if with_app:
        out += '\n[[clients]]\nname = "app-1"\nattributes = { type = "app" }\n'
    out += """
[[client_groups]]
name = "sensors"
query = "attributes.type = 'sensor'"

[[client_groups]]
name = "apps"
query = "attributes.type = 'app'"

[[topic_spaces]]
name = "telemetry"
topic_templates = ["telemetry/${client.authenticationName}/#"]

[[topic_spaces]]
name = "all-telemetry"
topic_templates = ["telemetry/#"]
"""
    if sensors_publish:
        out += ('\n[[permission_bindings]]\nname = "sensors-publish"\nclient_group = "sensors"\n'
                'topic_space = "telemetry"\npermission = "publisher"\n')
    if apps_read:
        out += ('\n[[permission_bindings]]\nname = "apps-read"\nclient_group = "apps"\n'
                'topic_space = "all-telemetry"\npermission = "subscriber"\n')
    return out


@pytest.fixture
def ns_broker(broker_factory):
    return broker_factory(namespace())


def reload(b, text):
    """Rewrites the broker's config file and SIGHUPs it (by pid); waits for
    the log line of that reload, success or refusal."""
    done = b.log().count("authorization reloaded") + b.log().count("authorization not reloaded")
    b.config_path.write_text(text)
    os.kill(b.pid, signal.SIGHUP)
    harness.wait_until(lambda: b.log().count("authorization reloaded")
                       + b.log().count("authorization not reloaded") > done, 5, what="reload log line")


def expect_disconnect_0x87(c, version):
    before = c.expect_closed()
    if version == m.V5:
        assert [(p.type, p.reason) for p in before] == [(m.DISCONNECT, 0x87)], before
    else:
        assert before == [], before  # 3.1.1 has no DISCONNECT from the server: the connection closes


BOTH = pytest.mark.parametrize("version", [m.V311, m.V5], ids=["v311", "v5"])


@BOTH
def test_disabled_or_removed_client_is_disconnected(ns_broker, version):
    disabled = ns_broker.connected("s1", version=version, username="sensor-1")
    removed = ns_broker.connected("a1", version=version, username="app-1")
    staying = ns_broker.connected("s2", version=version, username="sensor-2")
    try:
        reload(ns_broker, namespace(sensor_state="disabled", with_app=False))
        expect_disconnect_0x87(disabled, version)
        expect_disconnect_0x87(removed, version)
        assert "is disabled" in ns_broker.log() and "Client could not be found" in ns_broker.log()
        # The others keep their connection and their rights.
        staying.ping()
        if version == m.V5:
            assert staying.publish("telemetry/sensor-2/t", b"x", qos=1).reason in (None, 0, 0x10)  # 0x10: accepted, no subscribers
        # New CONNECTs meet the new rules.
        with ns_broker.raw(version) as again:
            again.send(m.connect("s1b", version=version, username="sensor-1"))
            ack = again.expect_closed()
            assert [p.type for p in ack] == [m.CONNACK] and ack[0].reason == (0x87 if version == m.V5 else 5), ack
    finally:
        for c in (disabled, removed, staying):
            c.close()


@BOTH
def test_revoked_subscription_is_removed_and_the_client_disconnected(ns_broker, version):
    props = [(m.SESSION_EXPIRY, 300)] if version == m.V5 else None
    app = ns_broker.connected("reader", version=version, username="app-1", clean=False, props=props)
    app.subscribe(1, [("telemetry/#", 1)], expect_codes=[1])
    sensor = ns_broker.connected("writer", version=version, username="sensor-1")
    try:
        reload(ns_broker, namespace(apps_read=False))
        expect_disconnect_0x87(app, version)
        assert "subscription 'telemetry/#' is no longer permitted" in ns_broker.log()
        sensor.ping()  # its rights did not change: it stays
        sensor.publish("telemetry/sensor-1/t", b"after", qos=1)
        # The persistent session lost the subscription: nothing was queued.
        with ns_broker.raw(version, name="reader-back") as back:
            assert back.connect("reader", clean=False, username="app-1", props=props).session_present
            back.expect_no_packet(0.5)
            # And the refused SUBSCRIBE shows the new rules hold for it too.
            deny = 0x87 if version == m.V5 else 0x80
            back.subscribe(2, [("telemetry/#", 1)], expect_codes=[deny])
            back.disconnect()
    finally:
        app.close()
        sensor.close()


def test_offline_session_loses_revoked_subscription_when_it_resumes(ns_broker):
    with ns_broker.connected("away", version=m.V5, username="app-1", props=[(m.SESSION_EXPIRY, 300)]) as c:
        c.subscribe(1, [("telemetry/#", 1)], expect_codes=[1])
        c.disconnect()
    reload(ns_broker, namespace(apps_read=False))
    with ns_broker.raw(m.V5, name="away-back") as back:
        assert back.connect("away", clean=False, username="app-1",
                            props=[(m.SESSION_EXPIRY, 300)]).session_present
        harness.wait_until(lambda: "subscription 'telemetry/#' removed" in ns_broker.log(), 5, what="log line")
        with ns_broker.connected("w", version=m.V5, username="sensor-1") as w:
            w.publish("telemetry/sensor-1/t", b"not for away", qos=1)
            w.disconnect()
        back.expect_no_packet(0.5)  # removed, and the connection stays
        back.ping()
        back.disconnect()


def test_publish_permission_follows_the_reload_without_disconnect(ns_broker):
    with ns_broker.connected("pubber", version=m.V5, username="sensor-2") as c:
        assert c.publish("telemetry/sensor-2/t", b"1", qos=1).reason in (None, 0, 0x10)  # 0x10: accepted, no subscribers
        reload(ns_broker, namespace(sensors_publish=False))
        assert c.publish("telemetry/sensor-2/t", b"2", qos=1).reason == 0x87
        reload(ns_broker, namespace())
        assert c.publish("telemetry/sensor-2/t", b"3", qos=1).reason in (None, 0, 0x10)  # 0x10: accepted, no subscribers
        c.ping()
        c.disconnect()


def test_config_error_keeps_the_old_rules(ns_broker):
    c = ns_broker.connected("keeper", version=m.V5, username="sensor-1")
    try:
        bad = namespace(sensor_state="disabled") + (
            '\n[[permission_bindings]]\nname = "ghost-binding"\nclient_group = "ghosts"\n'
            'topic_space = "telemetry"\npermission = "publisher"\n')
        reload(ns_broker, bad)
        log = ns_broker.log()
        assert "authorization not reloaded, keeping the old rules" in log
        assert f"{ns_broker.config_path}:" in log and "client_group: no client group named 'ghosts'" in log
        c.ping()  # still connected: the disable in the bad file was not applied
        assert c.publish("telemetry/sensor-1/t", b"x", qos=1).reason in (None, 0, 0x10)  # 0x10: accepted, no subscribers
        with ns_broker.connected("keeper-2", version=m.V5, username="sensor-1") as other:
            other.disconnect()
        c.disconnect()
    finally:
        c.close()
