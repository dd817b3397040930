#!/usr/bin/env python3
"""The table of bench/compare_builds.sh: per figure, the median of the rounds for each build and
the after/before ratio (for times, below 1 is faster; for events/s, above 1 is faster)."""
import json
import statistics
import sys

FIGURES = [  # (workload, path in its JSON line, label, higher is better)
    ("w1", ("events_per_s",), "W1 events/s", True),
    ("w1", ("cpu_s_per_100k",), "W1 CPU-s per 100k events", False),
    ("w1", ("peak_rss_mib",), "W1 peak RSS (MiB)", False),
    ("w1_4t", ("events_per_s",), "W1 4 threads events/s", True),
    ("w1_4t", ("cpu_s_per_100k",), "W1 4 threads CPU-s per 100k events", False),
    ("micro", ("encode_ns_per_event",), "encode (ns/event)", False),
    ("micro", ("track_endpoint_down", "p50_ns"), "track() p50 (ns)", False),
    ("micro", ("track_endpoint_down", "p99_ns"), "track() p99 (ns)", False),
    ("micro", ("track_endpoint_down", "max_ns"), "track() max (ns)", False),
    ("micro", ("track_write_ahead", "p50_ns"), "track() write-ahead p50 (ns)", False),
    ("micro", ("track_write_ahead", "p99_ns"), "track() write-ahead p99 (ns)", False),
]


def dig(line, path):
    for key in path:
        if not isinstance(line, dict) or key not in line:
            return None
        line = line[key]
    return line


def main():
    lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    meta = next((l for l in lines if l.get("label") == "meta"), {})
    rounds = max((l["round"] for l in lines if "build" in l), default=0)
    print(f"{rounds} rounds, N = {meta.get('events')}, load average at the start {meta.get('loadavg')}\n")
    print("| figure | before | after | after / before |")
    print("|---|--:|--:|--:|")
    for workload, path, label, _ in FIGURES:
        medians = {}
        for build in ("before", "after"):
            values = [dig(l, path) for l in lines if l.get("build") == build and l.get("name") == workload]
            values = [v for v in values if isinstance(v, (int, float))]
            medians[build] = statistics.median(values) if values else None
        b, a = medians["before"], medians["after"]
        ratio = f"{a / b:.3f}" if a is not None and b else "-"
        fmt = lambda v: "-" if v is None else (f"{v:,.0f}" if v >= 100 else f"{v:.3f}")
        print(f"| {label} | {fmt(b)} | {fmt(a)} | {ratio} |")
    # The client's CPU per event (W1, 1 thread) over the plain-code ceiling measured in the same
    # rounds, and 4 producers over 1.
    ceiling = [l["ns_per_event"] for l in lines if l.get("name") == "ceiling"]
    if ceiling:
        c = statistics.median(ceiling)
        print(f"| ceiling, plain code (ns/event) | {c:.1f} | {c:.1f} | |")
        cells = []
        for build in ("before", "after"):
            cpu = [l["cpu_s_per_100k"] * 1e4 for l in lines if l.get("build") == build and l.get("name") == "w1"]
            cells.append(statistics.median(cpu) / c if cpu else None)
        b, a = cells
        ratio = f"{a / b:.3f}" if a is not None and b else "-"
        print(f"| W1 client CPU / ceiling | {'-' if b is None else f'{b:.2f}'} | {'-' if a is None else f'{a:.2f}'} | {ratio} |")
    # The same over the naive serializer (ceilings from before it existed have no such figure).
    naive = [l["naive_ns_per_event"] for l in lines if l.get("name") == "ceiling" and "naive_ns_per_event" in l]
    if naive:
        c = statistics.median(naive)
        print(f"| ceiling, naive serializer (ns/event) | {c:.1f} | {c:.1f} | |")
        cells = []
        for build in ("before", "after"):
            cpu = [l["cpu_s_per_100k"] * 1e4 for l in lines if l.get("build") == build and l.get("name") == "w1"]
            cells.append(statistics.median(cpu) / c if cpu else None)
        b, a = cells
        ratio = f"{a / b:.3f}" if a is not None and b else "-"
        print(f"| W1 client CPU / naive serializer | {'-' if b is None else f'{b:.2f}'} | {'-' if a is None else f'{a:.2f}'} | {ratio} |")
    cells = []
    for build in ("before", "after"):
        one = [l["events_per_s"] for l in lines if l.get("build") == build and l.get("name") == "w1"]
        four = [l["events_per_s"] for l in lines if l.get("build") == build and l.get("name") == "w1_4t"]
        cells.append(statistics.median(four) / statistics.median(one) if one and four else None)
    b, a = cells
    if b is not None and a is not None:
        print(f"| W1 events/s, 4 threads / 1 thread | {b:.2f} | {a:.2f} | {a / b:.3f} |")


if __name__ == "__main__":
    main()
