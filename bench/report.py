#!/usr/bin/python3
"""The benchmark table: one markdown table from the JSON lines scripts/bench.sh wrote.

For each workload and metric: the median over the rounds for flowtrack and for
@segment/analytics-node, their ratio (flowtrack / analytics-node), the issue's target (checked on
flowtrack's median) and PASS/MISS. Lost events are summed over the rounds, not medianed. W1 counts an event delivered once however many
times the sink accepted it (the peer resends batches whose response came after its request
timeout): events/s is unique deliveries per wall second.

Usage: bench/report.py RESULTS.jsonl     (standard library only)
"""
import json
import statistics
import sys

PEER = "analytics-node"


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def client_of(record):
    return record.get("client", "flowtrack")


def w1_unique(r):
    """Events delivered, duplicates aside: the sink's count, at most what the client says it had
    acknowledged (flowtrack: its close report; the peer: N minus its delivery failures)."""
    acknowledged = r.get("delivered_reported", r["events"] - r.get("failed_reported", 0))
    return min(r["delivered_at_sink"], acknowledged)


# A metric: (name, how to read it from a record, format, how rounds combine, target).
# A target is (text, test on flowtrack's combined value) or None.
def metric(name, read, fmt, combine="median", target=None):
    return {"name": name, "read": read, "fmt": fmt, "combine": combine, "target": target}


W1_TARGETS = [
    metric("events/s delivered", lambda r: w1_unique(r) / r["wall_s"], "{:,.0f}",
           target=(">= 400,000", lambda v: v >= 400000)),
    metric("CPU-s per 100k events", lambda r: r["cpu_s_per_100k"], "{:.3f}", target=("<= 0.25", lambda v: v <= 0.25)),
    metric("peak RSS, MiB", lambda r: r["peak_rss_mib"], "{:.1f}", target=("<= 16", lambda v: v <= 16)),
    metric("events lost (all rounds)", lambda r: r["events"] - w1_unique(r), "{:.0f}", "sum",
           target=("0", lambda v: v == 0)),
    metric("duplicates at the sink (all rounds)", lambda r: r["delivered_at_sink"] - w1_unique(r), "{:.0f}", "sum"),
    metric("wall, s", lambda r: r["wall_s"], "{:.3f}"),
    # The same events written by plain code, in the same process (bench/ceiling.cpp); older
    # records have no such fields.
    metric("client CPU, ns/event", lambda r: r.get("client_cpu_ns_per_event"), "{:,.0f}"),
    metric("ceiling (plain code), ns/event", lambda r: r.get("ceiling_ns_per_event"), "{:,.0f}"),
    metric("client CPU / ceiling", lambda r: r.get("cpu_over_ceiling"), "{:.2f}", target=("<= 1.0", lambda v: v <= 1.0)),
]
W1_PLAIN = [dict(m, target=None) for m in W1_TARGETS]


def w2_metrics(scenario):
    wall = metric("wall, ms", lambda r: r["wall_ms"]["median"], "{:.1f}")
    delta = metric("wall - disabled, ms", None, "{:+.1f}", "delta")
    if scenario == "ok":
        delta["target"] = ("<= 5", lambda v: v <= 5)
    elif scenario == "down":
        delta["target"] = ("<= 10", lambda v: v <= 10)
    else:
        wall["target"] = ("<= deadline + 50", None)  # the deadline is in the records
    return [
        metric("disabled wall, ms", lambda r: r["disabled_wall_ms"]["median"], "{:.1f}"),
        wall,
        delta,
        metric("delivered now (all rounds)", lambda r: r["delivered_now"], "{:.0f}", "sum"),
        metric("delivered on the next run (all rounds)", lambda r: r["delivered_next_run"], "{:.0f}", "sum"),
        metric("events lost (all rounds)", lambda r: r["lost"], "{:.0f}", "sum", target=("0", lambda v: v == 0)),
    ]


def w2_handoff_metrics(scenario):
    delta = metric("wall - disabled, ms (median of the runs)", None, "{:+.1f}", "delta", target=("<= 5", lambda v: v <= 5))
    rows = [
        metric("disabled wall, ms", lambda r: r["disabled_wall_ms"]["median"], "{:.1f}"),
        metric("wall, ms", lambda r: r["wall_ms"]["median"], "{:.1f}"),
        delta,
        metric("first run's wall, ms (it tries for the grace)", lambda r: r["first_run_wall_ms"], "{:.1f}"),
    ]
    if scenario == "ok":
        rows.append(metric("drainers started (all rounds)", lambda r: r["drainers_started"], "{:.0f}", "sum",
                           target=("0", lambda v: v == 0)))
    else:
        rows.append(metric("drainers started (all rounds)", lambda r: r["drainers_started"], "{:.0f}", "sum"))
        rows.append(metric("delivered by the drainer, no further command (all rounds)",
                           lambda r: r["delivered_by_drainer"], "{:.0f}", "sum"))
        rows.append(metric("recovery to all delivered, ms", lambda r: r["recovery_to_delivered_ms"], "{:.0f}",
                           target=("<= 5000", lambda v: 0 <= v <= 5000)))
    rows.append(metric("events lost (all rounds)", lambda r: r["lost"], "{:.0f}", "sum", target=("0", lambda v: v == 0)))
    return rows


MICRO = [
    metric("track() p50, ns (endpoint down)", lambda r: r["track_endpoint_down"]["p50_ns"], "{:,.0f}",
           target=("<= 1,000", lambda v: v <= 1000)),
    metric("track() p99, ns (endpoint down)", lambda r: r["track_endpoint_down"]["p99_ns"], "{:,.0f}",
           target=("<= 5,000", lambda v: v <= 5000)),
    metric("track() max, ns (endpoint down)", lambda r: r["track_endpoint_down"]["max_ns"], "{:,.0f}"),
    metric("track() p50, ns (write-ahead)", lambda r: r["track_write_ahead"]["p50_ns"], "{:,.0f}"),
    metric("encoding, ns/event", lambda r: r["encode_ns_per_event"], "{:,.0f}"),
    metric("batch assembly, MB/s", lambda r: r["batch_assembly_bytes_per_s"] / 1e6, "{:,.0f}"),
    metric("gzip level 1 (the client's), MB/s", lambda r: r.get("gzip_level_1", {}).get("mb_per_s"), "{:,.0f}"),
    metric("gzip level 1, times smaller", lambda r: r.get("gzip_level_1", {}).get("ratio"), "{:.1f}"),
    metric("gzip level 6, MB/s", lambda r: r.get("gzip_level_6", {}).get("mb_per_s"), "{:,.0f}"),
    metric("gzip level 6, times smaller", lambda r: r.get("gzip_level_6", {}).get("ratio"), "{:.1f}"),
]

SINK = [
    metric("events/s accepted", lambda r: r["events_per_s"], "{:,.0f}"),
    metric("events per sink CPU-s", lambda r: r["events_per_sink_cpu_s"], "{:,.0f}"),
    metric("MB/s of JSON", lambda r: r["mb_per_s"], "{:,.0f}"),
]


def combine(records, m):
    if not records:
        return None
    if m["combine"] == "delta":
        walls = [r["wall_ms"]["median"] for r in records]
        disabled = [r["disabled_wall_ms"]["median"] for r in records]
        return statistics.median(walls) - statistics.median(disabled)
    values = [v for v in (m["read"](r) for r in records) if v is not None]  # None: not in older records
    if not values:
        return None
    return sum(values) if m["combine"] == "sum" else statistics.median(values)


def verdict(m, value, records):
    if not m["target"] or value is None:
        return "", ""
    text, test = m["target"]
    if test is None:  # W2 black hole: the close deadline comes with the records
        deadline = records[0]["close_deadline_ms"]
        text = f"<= {deadline} + 50"
        ok = value <= deadline + 50
    else:
        ok = test(value)
    return text, "PASS" if ok else "**MISS**"


def cell(m, value):
    return "—" if value is None else m["fmt"].format(value)


def ratio(ours, theirs):
    if ours is None or theirs is None or theirs == 0:
        return "—"
    return f"{ours / theirs:.3g}"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    records = load(sys.argv[1])
    rounds = sorted({r["round"] for r in records if r.get("round", 0) > 0})

    def pick(label, client):
        return [r for r in records if r.get("label") == label and client_of(r) == client and r.get("round", 0) > 0]

    n = next((r["events"] for r in records if r.get("label") == "w1_1t"), None)
    w2_runs = next((r["runs"] for r in records if r.get("workload") == "w2"), None)
    sections = [
        ("sink ceiling (mock-segment --lean, flowtrack-sink-load, 2 connections)", "sink_ceiling", SINK),
        ("micro (flowtrack-bench micro)", "micro", MICRO),
        (f"W1, 1 thread, N = {n}", "w1_1t", W1_TARGETS),
        (f"W1, 1 thread, every event built from scratch (--fresh-events), N = {n}", "w1_1t_fresh", W1_PLAIN),
        (f"W1, 4 threads, N = {n}", "w1_4t", W1_PLAIN),
        (f"W1, gzip, N = {n}", "w1_gzip", W1_PLAIN),
    ]
    for scenario, what in (("ok", "sink ok"), ("blackhole", "sink black-holed"), ("down", "sink not listening")):
        sections.append((f"W2, {what}", f"w2_{scenario}", w2_metrics(scenario)))
    for scenario, what in (("ok", "sink ok"), ("blackhole", "sink black-holed"), ("down", "sink not listening"),
                           ("storm", "every request answered 500"), ("dns", "a host name that does not resolve")):
        sections.append((f"W2 with the handoff (zero-wait exit), {what}", f"w2h_{scenario}", w2_handoff_metrics(scenario)))

    print(f"Results: {sys.argv[1]}; medians of {len(rounds)} round(s)"
          + (f" (W2: each round's median of {w2_runs} runs)" if w2_runs else "") + ".")
    meta = next((r for r in records if r.get("label") == "meta"), None)
    if meta:
        print(f"flowtrack {meta['commit']}, {meta['host']}: {meta['cpus']} x {meta['cpu']}, load average at the start"
              f" {meta['loadavg']}, node {meta['node']}, {meta['date']}.")
    print()
    print(f"| workload | metric | flowtrack | {PEER} | ratio (flowtrack / {PEER}) | target | result |")
    print("|---|---|--:|--:|--:|---|---|")
    for title, label, metrics in sections:
        ours, theirs = pick(label, "flowtrack"), pick(label, PEER)
        if not ours and not theirs:
            continue
        for m in metrics:
            a, b = combine(ours, m), combine(theirs, m)
            target, result = verdict(m, a, ours)
            r = ratio(a, b) if m["combine"] == "median" else "—"  # no ratio of counts or differences
            print(f"| {title} | {m['name']} | {cell(m, a)} | {cell(m, b)} | {r} | {target} | {result} |")


if __name__ == "__main__":
    main()
