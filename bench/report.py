#!/usr/bin/python3
"""Aggregates gridmq-bench JSON lines written by bench/compare.sh.

  report.py line RUNS SCENARIO        one summary line for a scenario (stdout)
  report.py median RUNS SCENARIO BROKER FIELD
                                      the median of FIELD over rounds
  report.py markdown RUNS META OUT    writes the RESULTS.md table
  report.py check RUNS                exit 1 unless every run completed

Each line of RUNS is gridmq-bench's --json object plus "id" (scenario id),
"broker" and "round", "exit" (the generator's exit code).
Standard library only: it runs with Debian's /usr/bin/python3.
"""

import json
import statistics
import sys

# id -> (what is compared, target text, kind, threshold)
#   kind "rate":    msgs/s, higher is better; counts the rate ratio where
#                   both brokers' cores are saturated, else the ratio of
#                   broker CPU per message (issue 6, "Targets")
#   kind "p99":     latency p99, lower is better; ratio gridmq/mosquitto
#   kind "bytes":   RSS per idle connection, lower is better
#   kind "workers": gridmq 2 workers vs 1, CPU per message ratio
TARGETS = {
    "fan-in-q0": ("fan-in QoS 0, 100 pubs -> 1 `#` sub, 64 B", ">= 4x msgs/s", "rate", 4.0),
    "fan-out-q0": ("fan-out QoS 0, 1 pub -> 100 subs, 64 B", ">= 4x", "rate", 4.0),
    "fan-in-q1": ("fan-in QoS 1, 100 pubs -> 1 `#` sub", ">= 3x", "rate", 3.0),
    "fan-out-q1": ("fan-out QoS 1, 1 pub -> 100 subs", "(none)", "rate", None),
    "fan-in-q0-tls": ("fan-in QoS 0 over TLS 1.3, 100 pubs -> 1 sub, 64 B", "(none)", "rate", None),
    "p2p-q1": ("p2p QoS 1, 100 pairs", ">= 3x", "rate", 3.0),
    "shared-q1": ("shared QoS 1, 100 pubs -> `$share` group of 5 (v5)", "(none)", "rate", None),
    "latency-q1": ("latency QoS 1, 1 -> 1 at 5k msg/s", "p99 no worse (<= 1x)", "p99", 1.0),
    "latency-load": ("latency under load: fan-in QoS 0 at 80 % of Mosquitto's max", "p99 <= 1/4", "p99", 0.25),
    "conn-scale": ("idle connections, bytes of broker RSS each", "<= Mosquitto's", "bytes", 1.0),
    "drain": ("persistent session drain, QoS 1", ">= 3x", "rate", 3.0),
    "workers": ("gridmq 2 workers vs 1 (p2p QoS 0, pairs split across workers)", "CPU/msg <= 1.15x", "workers", 1.15),
}
SATURATED = 0.90  # busy (cpu + run-queue wait) / wall above which the broker is the limit
OWN_CORE = 0.85   # cpu / busy below which other work took part of the broker's core


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def runs_of(runs, sid, broker):
    return [r for r in runs if r.get("id") == sid and r.get("broker") == broker]


def uncontended(rs):
    """The runs in which the broker ran at least OWN_CORE of the time it was
    runnable: on a shared machine, other work on the broker's core lowers
    its rate and raises its CPU per message (cold caches)."""
    return [r for r in rs if r.get("broker_busy") and r.get("broker_cpu_util", 0) >= OWN_CORE * r["broker_busy"]]


def med(rs, field):
    values = [r[field] for r in rs if isinstance(r.get(field), (int, float))]
    return statistics.median(values) if values else None


def med_latency(rs, key="p99_us"):
    values = [r["latency"][key] for r in rs if r.get("latency", {}).get("count")]
    return statistics.median(values) if values else None


def fmt_rate(v):
    return "-" if v is None else f"{v:,.0f}"


def fmt_us(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


def compare(runs, sid):
    """The figures of one scenario as a dict (None where not measured)."""
    label, target, kind, threshold = TARGETS.get(sid, (sid, "(none)", "rate", None))
    if kind == "workers":
        a, b = runs_of(runs, sid, "gridmq-2w"), runs_of(runs, sid, "gridmq-1w")
    else:
        a, b = runs_of(runs, sid, "gridmq"), runs_of(runs, sid, "mosquitto")
    complete = all(r.get("complete") and r.get("exit") == 0 for r in a + b) and bool(a or b)
    a, b = [r for r in a if r.get("complete")], [r for r in b if r.get("complete")]
    clean_a, clean_b = uncontended(a), uncontended(b)
    out = {"id": sid, "label": label, "target": target, "kind": kind, "threshold": threshold,
           "rounds": max(len(a), len(b)), "clean": (len(clean_a or []), len(a), len(clean_b or []), len(b)),
           "contended": not (clean_a and clean_b), "complete": complete}
    a, b = clean_a or a, clean_b or b
    out.update({
           "cpu_g": med(a, "broker_cpu_us_per_msg"), "cpu_m": med(b, "broker_cpu_us_per_msg"),
           "util_g": med(a, "broker_cpu_util"), "util_m": med(b, "broker_cpu_util"),
           "busy_g": med(a, "broker_busy"), "busy_m": med(b, "broker_busy"),
           "gen_g": med(a, "generator_cpu_util"), "gen_m": med(b, "generator_cpu_util")})
    if kind in ("rate", "workers"):
        out["g"], out["m"] = med(a, "delivery_rate"), med(b, "delivery_rate")
        out["unit"] = "msg/s"
    elif kind == "p99":
        out["g"], out["m"] = med_latency(a), med_latency(b)
        out["p50_g"], out["p50_m"] = med_latency(a, "p50_us"), med_latency(b, "p50_us")
        out["unit"] = "us p99"
    else:
        out["g"], out["m"] = med(a, "broker_rss_per_conn"), med(b, "broker_rss_per_conn")
        out["rate_g"], out["rate_m"] = med(a, "connect_rate"), med(b, "connect_rate")
        out["unit"] = "B/conn"
    g, m = out["g"], out["m"]
    out["ratio"] = g / m if g and m else None
    out["cpu_ratio"] = out["cpu_m"] / out["cpu_g"] if out["cpu_g"] and out["cpu_m"] else None
    out["met"], out["basis"] = verdict(out)
    return out


def verdict(c):
    t = c["threshold"]
    if t is None:
        return None, ""
    if c["kind"] == "rate":
        # Saturated (busy) and in possession of its core (cpu): a broker that
        # waited for its core while other work ran delivered less than it could.
        saturated = all((c[k] or 0) >= SATURATED for k in ("busy_g", "busy_m")) and not c["contended"]
        if saturated and c["ratio"] is not None:
            return c["ratio"] >= t, "rate"
        if c["cpu_ratio"] is not None:
            return c["cpu_ratio"] >= t, "CPU/msg"
        return None, ""
    if c["kind"] == "workers":
        if c["cpu_g"] and c["cpu_m"]:
            return c["cpu_g"] / c["cpu_m"] <= t, "CPU/msg"
        return None, ""
    if c["ratio"] is None:
        return None, ""
    return c["ratio"] <= t, c["kind"]


def line(runs, sid):
    c = compare(runs, sid)
    names = ("2 workers", "1 worker") if c["kind"] == "workers" else ("gridmq", "mosquitto")
    ratio = "-" if c["ratio"] is None else f"{c['ratio']:.2f}x"
    cpu = "-" if c["cpu_ratio"] is None else f"{c['cpu_ratio']:.2f}x"
    g = fmt_rate(c["g"]) if c["kind"] != "p99" else fmt_us(c["g"], 0)
    m = fmt_rate(c["m"]) if c["kind"] != "p99" else fmt_us(c["m"], 0)
    met = {True: "met", False: "NOT met", None: ""}[c["met"]]
    return (f"{sid:<13} {names[0]} {g} {c['unit']} ({fmt_us(c['cpu_g'])} us/msg)  "
            f"{names[1]} {m} ({fmt_us(c['cpu_m'])} us/msg)  ratio {ratio}  cpu advantage {cpu}  "
            f"{met} {('by ' + c['basis']) if c['basis'] else ''}".rstrip())


def cell(c, side):
    v = c[side]
    if c["kind"] == "p99":
        p50 = c["p50_" + side]
        return "-" if v is None else f"p99 {v:,.0f} us (p50 {p50:,.0f})"
    if c["kind"] == "bytes":
        rate = c["rate_" + side]
        return "-" if v is None else f"{v:,.0f} B ({fmt_rate(rate)} conn/s)"
    if c["kind"] == "workers":
        return "-" if v is None else f"{fmt_rate(v)} msg/s"
    util, busy = c["util_" + side] or 0, c["busy_" + side] or 0
    return "-" if v is None else f"{fmt_rate(v)} (cpu {util * 100:.0f} %, busy {busy * 100:.0f} %)"


def markdown(runs, meta, ids):
    rows = []
    for sid in ids:
        c = compare(runs, sid)
        if not (c["g"] or c["m"]):
            continue
        met = {True: "yes", False: "**no**", None: "-"}[c["met"]]
        if c["basis"]:
            met += f" ({c['basis']})"
        if not c["complete"]:
            met += " (a run was incomplete)"
        cg, ng, cm, nm = c["clean"]
        if cg < ng or cm < nm:
            met += f" [uncontended rounds: {cg}/{ng}, {cm}/{nm}]"
        ratio = "-" if c["ratio"] is None else f"{c['ratio']:.2f}x"
        cpu_ratio = "-" if c["cpu_ratio"] is None else f"{c['cpu_ratio']:.2f}x"
        rows.append(f"| {c['label']} | {cell(c, 'g')} | {cell(c, 'm')} | {ratio} | "
                    f"{fmt_us(c['cpu_g'])} / {fmt_us(c['cpu_m'])} | {cpu_ratio} | {c['target']} | {met} |")
    head = [
        "# gridmq vs Mosquitto: bench/compare.sh results",
        "",
        "Written by `bench/compare.sh`; do not edit by hand (notes go in `bench/NOTES.md`).",
        "",
        f"- date: {meta['date']}",
        f"- machine: {meta['nproc']} cores, {meta['cpu']}, kernel {meta['kernel']}",
        f"- gridmq: {meta['gridmq_version']} (commit {meta['commit']}), `--threads 1`, build `{meta['build']}`",
        f"- mosquitto: {meta['mosquitto_version']} (Debian)",
        f"- pinning: brokers `taskset -c {meta['broker_cpu']}`, gridmq-bench `taskset -c {meta['bench_cpu']}`"
        f" (workers row: gridmq `taskset -c {meta['workers_cpus']}`)",
        f"- rounds: {meta['rounds']} per scenario and broker, alternating which broker goes first;"
        f" {meta['duration']} s of publishing per traffic run; figures are medians over rounds",
        f"- load average before / after: {meta['load_before']} / {meta['load_after']}"
        " (the machine is shared; other work running at the same time adds noise)",
        f"- command: `{meta['command']}`",
        "",
        "Columns: msgs/s is deliveries received per second (fan-out counts each subscriber's copy).",
        "In brackets: the broker's CPU time over wall time (cpu) and its CPU time plus the time it",
        "was runnable but waited for the core (busy; /proc/PID/task/*/schedstat): busy >= 90 % is a",
        "saturated broker, and cpu < busy means other work on the shared machine took part of its core.",
        "CPU/msg is the broker's CPU time per delivery in microseconds, gridmq / Mosquitto; CPU",
        "advantage is Mosquitto's CPU/msg divided by gridmq's. Per issue 6, a rate ratio counts only",
        "where both brokers are saturated (busy >= 90 %); otherwise the generator co-limits the rate",
        "and the CPU/msg ratio decides (the `met?` column says which was used). Figures are medians",
        "over the uncontended rounds, those where the broker ran >= 85 % of the time it was runnable",
        "(other work on a shared machine lowers a broker's rate and raises its CPU/msg); `met?` lists",
        "how many rounds were uncontended (gridmq, mosquitto) when some were not, and when none were",
        "for a broker all its rounds count and the rate ratio is not used.",
        "",
        "| scenario | gridmq | mosquitto | ratio (gridmq / mosquitto) | CPU/msg us (g / m) | CPU advantage | target | met? |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes = [
        "",
        "Rows: latency rows compare p99 (lower is better, ratio = gridmq / Mosquitto);",
        "conn-scale compares broker RSS growth per idle connection (lower is better) with the",
        "connect rate in brackets; the workers row compares gridmq with 2 workers (gridmq column)",
        "against 1 worker (mosquitto column) on the same load, and `met?` checks CPU/msg 2w / 1w.",
        "Raw per-run JSON: see `bench/compare.sh --keep DIR`.",
    ]
    return "\n".join(head + rows + notes) + "\n"


def main(argv):
    cmd = argv[1]
    runs = load(argv[2])
    if cmd == "line":
        print(line(runs, argv[3]))
    elif cmd == "median":
        rs = runs_of(runs, argv[3], argv[4])
        v = med_latency(rs, argv[5][8:]) if argv[5].startswith("latency.") else med(rs, argv[5])
        print("" if v is None else v)
    elif cmd == "markdown":
        with open(argv[3]) as f:
            meta = json.load(f)
        ids = [i for i in TARGETS if any(r.get("id") == i for r in runs)]
        with open(argv[4], "w") as f:
            f.write(markdown(runs, meta, ids))
    elif cmd == "check":
        bad = [r for r in runs if not r.get("complete") or r.get("exit") != 0]
        for r in bad:
            print(f"FAILED {r.get('id')} on {r.get('broker')}: exit {r.get('exit')}, "
                  f"problems {r.get('problems')}", file=sys.stderr)
        return 1 if bad or not runs else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
