"""What a persistent session's stored records remember of where things came
from, across kill -9 and restart on the same data directory (`--data-dir`):

- the $share origin (group and filter) of a queued message, so that it moves
  to another member of the group when its session ends, as it does without
  a restart (MQTT 5.0 4.8.2; test_v5_shared.py);
- the authentication name that owns a session (Event Grid's multi-session
  model, test_authz.py): another name still may not take it, and it still
  counts against its owner's max_sessions_per_authentication_name.

Each case runs without a restart too, so the test pins the behaviour the
restart must keep. Only brokers started here are killed, by their pid."""


import pytest

import harness
import mqtt_raw as m
from harness import collect_publishes

pytestmark = pytest.mark.gridmq_only

S1 = m.sub_options(1)
EXPIRY = [(m.SESSION_EXPIRY, 600)]


@pytest.fixture
def durable(broker_factory, tmp_path):
    """start(config_text="") -> a broker on one data directory per test."""
    def start(config_text=""):
        return broker_factory(config_text=config_text, args=["--data-dir", str(tmp_path / "data")])
    return start


# ---------------------------------------------------------------- $share origin


@pytest.mark.parametrize("restart", [False, True], ids=["no-restart", "kill9"])
def test_queued_shared_message_moves_to_another_member_after_restart_4_8_2(durable, restart):
    # 4.8.2: a message queued for a member whose session ends goes to another
    # member. "away" (persistent) is the only member while three messages are
    # published, so they queue in its offline session; "other" joins later.
    # Then "away" comes back with Clean Start: its session ends, and the
    # queued messages must reach "other" -- also when a kill -9 and a restart
    # came in between.
    b = durable()
    with b.connected("away", m.V5, clean=False, props=EXPIRY) as away:
        away.subscribe(1, [("$share/g/sh/t", S1)], expect_codes=[1])
        away.disconnect()
    with b.connected("pub", m.V5) as pub:
        pub.publish_many("sh/t", [b"%d" % i for i in range(3)], qos=1)
        pub.disconnect()
    with b.connected("other", m.V5, clean=False, props=EXPIRY) as other:
        other.subscribe(1, [("$share/g/sh/t", S1)], expect_codes=[1])
        other.expect_no_packet(0.3)  # the three stay with "away"
        other.disconnect()
    if restart:
        b.kill9()
        b = durable()
    other = b.raw(m.V5, name="other")
    try:
        assert other.connect("other", clean=False, props=EXPIRY).session_present
        with b.raw(m.V5, name="away-again") as again:
            again.connect("away", clean=True)  # [MQTT-3.1.2-4] the old session ends
            again.disconnect()
        got = sorted(int(p.payload) for p in collect_publishes(other))
        assert got == [0, 1, 2], got
        other.disconnect()
    finally:
        other.close()


# ---------------------------------------------------------------- owner


def refused(b, version, client_id, **kw):
    """The CONNACK reason of a refused CONNECT, after which the broker closes."""
    with b.raw(version) as c:
        c.send(m.connect(client_id, version=version, **kw))
        before = c.expect_closed()
        assert [p.type for p in before] == [m.CONNACK], before
        return before[0].reason


@pytest.mark.parametrize("restart", [False, True], ids=["no-restart", "kill9"])
def test_session_owner_survives_restart(durable, restart):
    # eventgrid.md 1.7: a session name held by another authentication name is
    # refused (0x87); the limit counts offline sessions too (0x97). The owner
    # "u" leaves its persistent session "owned" offline; after kill -9 and a
    # restart, "v" still may not adopt it and "u" still has no second place.
    config = "[auth]\nmax_sessions_per_authentication_name = 1\n"
    b = durable(config)
    with b.connected("owned", m.V5, clean=False, username="u", props=EXPIRY) as c:
        c.disconnect()
    if restart:
        b.kill9()
        b = durable(config)
    assert refused(b, m.V5, "owned", username="v", clean=False, props=EXPIRY) == 0x87
    assert refused(b, m.V311, "owned", username="v", clean=False) == 0x05
    assert refused(b, m.V5, "second", username="u", props=EXPIRY) == 0x97
    with b.raw(m.V5, name="owner-back") as c:
        assert c.connect("owned", clean=False, username="U", props=EXPIRY).session_present  # case-insensitive
        c.disconnect()
    harness.assert_broker_alive(b)
