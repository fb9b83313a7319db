"""The broker process under test and wrappers around real MQTT clients
(paho-mqtt 1.6.1 and mosquitto_pub/mosquitto_sub) for the integration tests.

Every wait here polls against a deadline.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import mqtt_raw
import raw_client

REPO = Path(__file__).resolve().parents[2]
GRIDMQ_BIN = os.path.abspath(os.environ.get("GRIDMQ_BIN", str(REPO / "build" / "gridmq")))
# Set by tests/integration/reference_broker.sh users: the broker is not gridmq
# (e.g. Mosquitto), so tests of gridmq's own defaults and CLI are skipped.
REFERENCE = bool(os.environ.get("GRIDMQ_REFERENCE"))

LISTEN_RE = re.compile(r"listening on mqtt://([0-9.]+):(\d+)")
# Every listener's line, whatever its scheme: mqtts://127.0.0.1:40123 ...
ANY_LISTEN_RE = re.compile(r"listening on ([a-z]+)://([0-9.]+|\[[0-9a-f:]+\]):(\d+)")
START_DEADLINE = 10.0
STOP_DEADLINE = 10.0


def wait_until(predicate, timeout=5.0, interval=0.02, what="condition"):
    """Polls `predicate` until it is truthy; returns its value or raises."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class BrokerProcess:
    """One gridmq process on 127.0.0.1 with an ephemeral port.

    stderr is drained by a thread for the whole life of the process (so the
    broker never blocks on a full pipe) and kept for failure reports."""

    def __init__(self, args=(), config_text=None, threads=None, workdir=None, listen=("mqtt://127.0.0.1:0",)):
        """`listen`: the --listen URLs (they replace the config file's
        listeners); () keeps the [[listener]]s of `config_text`, which must
        then include an mqtt:// one for the readiness check."""
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="gridmq-it-"))
        cmd = [GRIDMQ_BIN]
        for url in listen:
            cmd += ["--listen", url]
        if threads is not None:
            cmd += ["--threads", str(threads)]
        if config_text is not None:
            self.config_path = self.workdir / "gridmq.toml"
            self.config_path.write_text(config_text)
            cmd += ["--config", str(self.config_path)]
        cmd += list(args)
        self.cmd = cmd
        self.lines: list[str] = []
        self.urls: list[tuple[str, str, int]] = []  # (scheme, host, port) of every listener, in log order
        self.host = None
        self.port = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self.stopped = False
        self.exit_code = None
        if not os.path.exists(GRIDMQ_BIN):
            raise AssertionError(f"broker binary not found: {GRIDMQ_BIN} (build it, or set GRIDMQ_BIN)")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     cwd=self.workdir, start_new_session=True)
        self.pid = self.proc.pid
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + START_DEADLINE
        while not self._ready.wait(0.02):
            if self.proc.poll() is not None:
                self._reader.join(1.0)
                raise AssertionError(f"broker exited with {self.proc.returncode} before listening:\n{self.log()}")
            if time.monotonic() >= deadline:
                self.stop()
                raise AssertionError(f"no 'listening on' line within {START_DEADLINE}s:\n{self.log()}")
        if REFERENCE:
            # The reference shim prints its line before mosquitto listens.
            wait_until(self._accepts, START_DEADLINE, what="reference broker to accept")

    def _accepts(self):
        try:
            socket.create_connection((self.host, self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def _drain(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            with self._lock:
                self.lines.append(line)
                any_m = ANY_LISTEN_RE.search(line)
                if any_m:
                    self.urls.append((any_m.group(1), any_m.group(2), int(any_m.group(3))))
            m = LISTEN_RE.search(line)
            if m and not self._ready.is_set():
                self.host, self.port = m.group(1), int(m.group(2))
                self._ready.set()

    def port_of(self, scheme, index=0, timeout=5.0) -> int:
        """The bound port of the `index`-th listener with `scheme`."""
        def find():
            with self._lock:
                ports = [p for s, _, p in self.urls if s == scheme]
            return ports[index] if len(ports) > index else None
        return wait_until(find, timeout, what=f"a {scheme}:// listener (#{index}) in the log")

    def log(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int:
        """SIGTERM, then wait (SIGKILL after STOP_DEADLINE). Returns the exit
        code; records whether SIGTERM was enough in `self.hung`."""
        self.hung = False
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_DEADLINE)
            except subprocess.TimeoutExpired:
                self.hung = True
                self.proc.kill()
                self.proc.wait(5)
        self._reader.join(2.0)
        self.stopped = True
        self.exit_code = self.proc.returncode
        return self.exit_code

    def kill9(self) -> int:
        """SIGKILL this broker (a crash: nothing is flushed or closed) and
        reap it. Returns the exit code (-9)."""
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(5)
        self._reader.join(2.0)
        self.stopped = True
        self.exit_code = self.proc.returncode
        return self.exit_code

    # -- client conveniences
    def raw(self, version=mqtt_raw.V311, name="raw", timeout=5.0) -> raw_client.RawClient:
        return raw_client.RawClient(self.host, self.port, version=version, timeout=timeout, name=name)

    def connected(self, client_id="", version=mqtt_raw.V311, name=None, timeout=5.0, **connect_kw):
        """A raw client that has sent CONNECT and got CONNACK success."""
        c = self.raw(version, name=name or client_id or "raw", timeout=timeout)
        c.connect(client_id, **connect_kw)
        return c


def supports_data_dir() -> bool:
    """Whether the binary under test is gridmq with a store (--data-dir)."""
    if REFERENCE or not os.path.exists(GRIDMQ_BIN):
        return False
    out = subprocess.run([GRIDMQ_BIN, "--help"], capture_output=True, timeout=10)
    return b"--data-dir" in out.stdout + out.stderr


def assert_broker_alive(broker: BrokerProcess, version=mqtt_raw.V311):
    """A fresh client can still connect, subscribe and get a message: the
    broker survived whatever the test did to another connection."""
    assert broker.alive(), f"broker process died (rc={broker.proc.returncode})"
    with broker.connected("alive-check-sub", version=version) as sub, \
            broker.connected("alive-check-pub", version=version) as pub:
        sub.subscribe(1, [("alive/check", 1)], expect_codes=[1])
        pub.publish("alive/check", b"still here", qos=1, packet_id=1)
        p = sub.recv_publish()
        assert (p.topic, p.payload) == ("alive/check", b"still here")
        sub.disconnect()
        pub.disconnect()



def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(v)


def config_toml(limits=None, mqtt=None, auth=None, users=()):
    """A gridmq TOML config (keys: src/config/loader.cpp, README
    "Configuration reference"): `limits`, `mqtt` and `auth` are dicts of
    keys for [limits], [mqtt] and [auth]; `users` is a list of
    (username, password) for [[auth.users]]."""
    out = []
    for section, keys in (("limits", limits), ("mqtt", mqtt), ("auth", auth)):
        if keys:
            out.append(f"[{section}]")
            out += [f"{k} = {_toml_value(v)}" for k, v in keys.items()]
    for name, password in users:
        out += ["[[auth.users]]", f"username = {_toml_value(name)}", f"password = {_toml_value(password)}"]
    return "\n".join(out) + "\n"


def collect_publishes(client, quiet=0.5, ack=True, limit=10_000):
    """Every PUBLISH `client` receives until none arrives for `quiet`
    seconds (a short window proving the stream has ended)."""
    got = []
    while len(got) < limit:
        try:
            got.append(client.recv_publish(timeout=quiet, ack=ack))
        except TimeoutError:
            break
    return got


# ---------------------------------------------------------------- paho


class PahoClient:
    """paho-mqtt 1.6.1 with its network loop in a thread; callbacks feed
    queues that the test reads with deadlines."""

    def __init__(self, broker, client_id="", version=mqtt_raw.V311, clean=True):
        import paho.mqtt.client as mqtt
        self.mqtt = mqtt
        self.broker = broker
        self.version = version
        proto = {mqtt_raw.V311: mqtt.MQTTv311, mqtt_raw.V5: mqtt.MQTTv5, mqtt_raw.V31: mqtt.MQTTv31}[version]
        kw = {} if version == mqtt_raw.V5 else {"clean_session": clean}
        self.clean = clean
        self.c = mqtt.Client(client_id=client_id, protocol=proto, reconnect_on_failure=False, **kw)
        self.messages: queue.Queue = queue.Queue()
        self.connacks: queue.Queue = queue.Queue()
        self.subacks: dict = {}
        self.disconnects: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self.c.on_connect = self._on_connect
        self.c.on_message = self._on_message
        self.c.on_subscribe = self._on_subscribe
        self.c.on_disconnect = self._on_disconnect

    def _on_connect(self, client, userdata, flags, rc, properties=None):
        self.connacks.put((flags, rc, properties))

    def _on_message(self, client, userdata, msg):
        self.messages.put(msg)

    def _on_subscribe(self, client, userdata, mid, granted, properties=None):
        with self._lock:
            self.subacks[mid] = granted

    def _on_disconnect(self, client, userdata, rc, properties=None):
        self.disconnects.put(rc)

    def connect(self, keepalive=60, properties=None, will=None, timeout=5.0):
        """Connects and waits for CONNACK; returns (flags, rc, props)."""
        if will is not None:
            self.c.will_set(will["topic"], will.get("payload"), will.get("qos", 0),
                            will.get("retain", False), properties=will.get("props"))
        kw = {}
        if self.version == mqtt_raw.V5:
            kw["clean_start"] = self.clean
            kw["properties"] = properties
        self.c.connect(self.broker.host, self.broker.port, keepalive, **kw)
        self.c.loop_start()
        try:
            flags, rc, props = self.connacks.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"paho: no CONNACK within {timeout}s") from None
        assert rc == 0, f"paho: CONNACK rc {rc}"
        return flags, rc, props

    def subscribe(self, topic, qos=0, options=None, properties=None, timeout=5.0):
        """Subscribes and waits for the SUBACK; returns the granted list."""
        if self.version == mqtt_raw.V5:
            from paho.mqtt.subscribeoptions import SubscribeOptions
            opts = options or SubscribeOptions(qos=qos)
            rc, mid = self.c.subscribe(topic, options=opts, properties=properties)
        else:
            rc, mid = self.c.subscribe(topic, qos)
        assert rc == 0, f"paho subscribe rc {rc}"
        granted = wait_until(lambda: self._granted(mid), timeout, what=f"SUBACK for {topic}")
        return granted[0]

    def _granted(self, mid):
        with self._lock:
            g = self.subacks.get(mid)
        return None if g is None else [g]

    def publish(self, topic, payload, qos=0, retain=False, properties=None, timeout=5.0):
        info = self.c.publish(topic, payload, qos, retain, properties=properties)
        info.wait_for_publish(timeout)
        assert info.is_published(), f"paho: publish to {topic} not completed in {timeout}s"
        return info

    def recv(self, n=1, timeout=5.0):
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < n:
            try:
                out.append(self.messages.get(timeout=max(0.001, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"paho: got {len(out)} of {n} messages within {timeout}s: "
                                     f"{[(m.topic, m.payload) for m in out]}") from None
        return out

    def expect_none(self, window=1.0):
        """Proves no message arrives within a short window."""
        try:
            m = self.messages.get(timeout=window)
        except queue.Empty:
            return
        raise AssertionError(f"paho: unexpected message {m.topic} {m.payload!r}")

    def stop(self):
        try:
            self.c.disconnect()
        finally:
            self.c.loop_stop()


# ---------------------------------------------------------------- mosquitto clients

_CLIENT_ENV = None


def _client_env():
    """Environment for mosquitto_pub/sub without a user's config file."""
    global _CLIENT_ENV
    if _CLIENT_ENV is None:
        env = dict(os.environ)
        env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="gridmq-it-xdg-")
        env["HOME"] = env["XDG_CONFIG_HOME"]
        _CLIENT_ENV = env
    return _CLIENT_ENV


def mosquitto_pub(broker, topic, message, version="mqttv311", qos=0, retain=False,
                  extra=(), timeout=10.0):
    """Runs mosquitto_pub to completion; asserts exit 0."""
    cmd = ["mosquitto_pub", "-h", broker.host, "-p", str(broker.port), "-V", version,
           "-q", str(qos), "-t", topic, "-m", message] + (["-r"] if retain else []) + list(extra)
    r = subprocess.run(cmd, capture_output=True, timeout=timeout, env=_client_env())
    assert r.returncode == 0, f"{cmd} -> {r.returncode}: {r.stderr.decode(errors='replace')}"
    return r


class MosquittoSub:
    """mosquitto_sub in the background, stopping by itself after `count`
    messages (-C) or `wait` seconds (-W). With -d its debug lines tell when
    the SUBACK arrived, so a test can publish only once it is subscribed."""

    def __init__(self, broker, topics, version="mqttv311", qos=0, count=1, wait=10,
                 fmt="%q %r %t %p", extra=()):
        if isinstance(topics, str):
            topics = [topics]
        # stdbuf: mosquitto_sub's stdout is block-buffered on a pipe, and the
        # "received SUBACK" debug line must reach us before it exits.
        cmd = ["stdbuf", "-oL", "mosquitto_sub", "-d", "-h", broker.host, "-p", str(broker.port), "-V", version,
               "-q", str(qos), "-C", str(count), "-W", str(wait), "-F", fmt] + list(extra)
        for t in topics:
            cmd += ["-t", t]
        self.cmd = cmd
        self.wait = wait
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=_client_env())
        self.out_lines: list[str] = []
        self._subscribed = threading.Event()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if line.startswith("Client ") or line.startswith("Subscribed (mid"):
                if "received SUBACK" in line:
                    self._subscribed.set()
                continue
            with self._lock:
                self.out_lines.append(line)

    def wait_subscribed(self, timeout=5.0):
        if not self._subscribed.wait(timeout):
            self.proc.poll()
            raise AssertionError(f"mosquitto_sub not subscribed within {timeout}s (rc={self.proc.returncode}, "
                                 f"stderr={self.proc.stderr.read1().decode(errors='replace') if self.proc.returncode is not None else ''})")
        return self

    def result(self, timeout=None):
        """Waits for exit; returns (returncode, message lines)."""
        try:
            self.proc.wait(timeout if timeout is not None else self.wait + 5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"mosquitto_sub did not exit: {self.cmd}") from None
        self._reader.join(2.0)
        with self._lock:
            return self.proc.returncode, list(self.out_lines)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def expect_protocol_close(client, reasons=(0x81, 0x82), packet=mqtt_raw.DISCONNECT,
                          v311_allowed=(), timeout=5.0):
    """Asserts the broker closes `client` because of a protocol violation.

    3.1.1: the connection is just closed ([MQTT-4.8.0-1]); `v311_allowed` lists
    raw packets tolerated before the close (e.g. a CONNACK return code).
    5.0: the broker sends `packet` (DISCONNECT, or CONNACK for an error in
    CONNECT) with a reason code in `reasons`, then closes ([MQTT-4.13.1-1]:
    MAY for CONNACK, SHOULD for DISCONNECT; gridmq's design says it always
    names the reason, so a silent close fails unless GRIDMQ_REFERENCE is set).
    Returns the packets received before the close."""
    before = client.expect_closed(timeout)
    if client.version != mqtt_raw.V5:
        assert all(p.raw in v311_allowed for p in before), \
            f"3.1.1: expected a bare close, got {before} first"
        return before
    assert len(before) <= 1, f"expected at most one packet before close, got {before}"
    if not before:
        rule = ("spec: MAY [MQTT-4.13.1-1]; DESIGN.md: every protocol violation gets its reason code"
                if packet == mqtt_raw.CONNACK else "spec: SHOULD [MQTT-4.13.1-1]")
        assert REFERENCE, (f"v5 broker closed without a {mqtt_raw.TYPE_NAMES[packet]} naming the reason "
                           f"(one of {[hex(r) for r in reasons]}; {rule})")
        return before
    p = before[0]
    assert p.type == packet and p.reason in reasons, \
        f"expected {mqtt_raw.TYPE_NAMES[packet]} with reason in {[hex(r) for r in reasons]}, got {p!r}"
    return before


def poll_retained(broker, topic_filter, qos=0, version=mqtt_raw.V311, timeout=5.0):
    """Returns the first retained PUBLISH a new subscription to
    `topic_filter` gets, retrying with fresh clients until `timeout` (for
    messages the broker stores asynchronously, such as a retained will)."""
    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        attempt += 1
        with broker.connected(f"retained-poll-{attempt}", version) as c:
            c.subscribe(1, [(topic_filter, qos)])
            try:
                # A live copy (RETAIN=0) can arrive first when the subscription
                # races the publish; only a retained copy answers the question.
                while True:
                    p = c.recv_publish(timeout=0.3)
                    if p.qos > 0:
                        c.send(mqtt_raw.puback(p.packet_id) if p.qos == 1 else mqtt_raw.pubrec(p.packet_id))
                    if p.retain:
                        c.disconnect()
                        return p
            except TimeoutError:
                pass
            c.disconnect()
        if time.monotonic() >= deadline:
            raise AssertionError(f"no retained message for {topic_filter} within {timeout}s")


def _versions():
    import pytest
    return [pytest.param(mqtt_raw.V311, id="v311"), pytest.param(mqtt_raw.V5, id="v5")]


VERSIONS = _versions()
