"""Several workers: many publishers and subscribers on several connections;
every message is delivered exactly once, in per-publisher order."""

import threading
import time

import pytest

import mqtt_raw as m

PUBLISHERS = 4
SUBSCRIBERS = 4


class _Progress:
    """Publishers wait until every subscriber is within LAG messages of what
    was published, so no session backlog nears the 100-message queue limit
    (whose overflow policy is not what this test is about)."""
    LAG = 40

    def __init__(self, n_subs):
        self.lock = threading.Lock()
        self.published = 0
        self.received = [0] * n_subs
        self.errors = []

    def caught_up(self):
        with self.lock:
            return min(self.received) >= self.published - self.LAG


def _publisher(broker, idx, qos, count, batch, progress):
    try:
        version = m.V5 if idx % 2 else m.V311
        with broker.connected(f"pub{idx}", version, name=f"pub{idx}") as c:
            for start in range(0, count, batch):
                deadline = time.monotonic() + 20
                while not progress.caught_up():
                    if progress.errors or time.monotonic() > deadline:
                        return
                    time.sleep(0.002)
                n = min(batch, count - start)
                c.publish_many(f"load/{idx}", [b"%d:%d" % (idx, start + k) for k in range(n)],
                               qos=qos, window=n, first_id=start + 1)
                with progress.lock:
                    progress.published += n
            c.disconnect()
    except Exception as e:  # reported by the main thread
        progress.errors.append(f"publisher {idx}: {e!r}")


def _subscriber(c, idx, total, progress, out):
    try:
        deadline = time.monotonic() + 60
        while len(out) < total and not progress.errors:
            p = c.recv_publish(timeout=max(0.01, deadline - time.monotonic()))
            out.append((p.topic, p.payload, p.qos, p.dup))
            with progress.lock:
                progress.received[idx] += 1
    except Exception as e:
        progress.errors.append(f"subscriber {idx} after {len(out)}: {e!r}")


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("qos,count", [(1, 500), (2, 200)], ids=["qos1x500", "qos2x200"])
def test_fan_in_fan_out_exactly_once(broker_factory, threads, qos, count):
    b = broker_factory(threads=threads)
    subs = []
    for i in range(SUBSCRIBERS):
        c = b.connected(f"sub{i}", m.V5 if i % 2 else m.V311, name=f"sub{i}", timeout=30)
        c.subscribe(1, [("load/#", 2)])
        subs.append(c)
    total = PUBLISHERS * count
    progress = _Progress(SUBSCRIBERS)
    received = [[] for _ in subs]
    workers = [threading.Thread(target=_subscriber, args=(c, i, total, progress, received[i]))
               for i, c in enumerate(subs)]
    workers += [threading.Thread(target=_publisher, args=(b, i, qos, count, 10, progress))
                for i in range(PUBLISHERS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(90)
    assert not any(w.is_alive() for w in workers), "load test threads did not finish"
    assert not progress.errors, progress.errors
    for i, got in enumerate(received):
        assert len(got) == total, f"sub{i}: {len(got)} of {total}"
        assert not any(d for _, _, _, d in got), f"sub{i}: DUP deliveries without reconnect"
        assert {q for _, _, q, _ in got} == {qos}
        for p in range(PUBLISHERS):
            seq = [pl for t, pl, _, _ in got if t == f"load/{p}"]
            assert seq == [b"%d:%d" % (p, k) for k in range(count)], \
                f"sub{i} from pub{p}: missing, duplicated or out of order"
    for c in subs:
        c.disconnect()
