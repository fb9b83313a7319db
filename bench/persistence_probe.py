#!/usr/bin/python3
"""Helper of bench/persistence.sh (paho-mqtt 1.6.1, Debian's /usr/bin/python3).

  persistence_probe.py session PORT CLIENT_ID TOPIC
      open a persistent session (Clean Session 0), subscribe QoS 1, leave.
  persistence_probe.py recover PORT CLIENT_ID T0
      T0 = broker launch time (time.time() seconds). Polls until the port
      accepts, then reconnects the session and waits for its first queued
      message. Prints one JSON line: port_s, first_msg_s (both since T0),
      session_present.
"""
import json, socket, sys, threading, time
import paho.mqtt.client as mqtt


def session(port, cid, topic):
    done = threading.Event()
    c = mqtt.Client(client_id=cid, clean_session=False, protocol=mqtt.MQTTv311)
    c.on_connect = lambda cl, u, f, rc: cl.subscribe(topic, qos=1)
    c.on_subscribe = lambda cl, u, mid, q: done.set()
    c.connect("127.0.0.1", port, keepalive=600)
    c.loop_start()
    if not done.wait(10):
        sys.exit("probe: no SUBACK")
    c.disconnect()
    c.loop_stop()


def recover(port, cid, t0):
    deadline = t0 + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline:
                sys.exit("probe: port never opened")
            time.sleep(0.005)
    port_s = time.time() - t0
    got = threading.Event()
    state = {}
    c = mqtt.Client(client_id=cid, clean_session=False, protocol=mqtt.MQTTv311)
    c.on_connect = lambda cl, u, f, rc: state.update(sp=f.get("session present", 0), rc=rc)

    def on_message(cl, u, m):
        if not got.is_set():
            state["first"] = time.time() - t0
            got.set()
    c.on_message = on_message
    # The broker may accept TCP before it answers MQTT: retry until CONNACK.
    while True:
        try:
            c.connect("127.0.0.1", port, keepalive=600)
            break
        except OSError:
            time.sleep(0.005)
    c.loop_start()
    ok = got.wait(max(1, deadline - time.time()))
    c.loop_stop()
    c._sock and c._sock.close()  # leave without DISCONNECT: keep the rest queued
    print(json.dumps({"port_s": port_s, "first_msg_s": state.get("first") if ok else None,
                      "session_present": state.get("sp"), "rc": state.get("rc")}))


if __name__ == "__main__":
    mode, port, cid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == "session":
        session(port, cid, sys.argv[4])
    else:
        recover(port, cid, float(sys.argv[4]))
