#!/usr/bin/python3
"""The benchmark pieces, as a test (ctest bench.smoke): a mock-segment --lean sink started here,
flowtrack-bench w1 and w2 (each sink scenario) against it, the analytics-node peer when its
node_modules is installed (npm ci in bench/peers/analytics-node), then bench/report.py on what
they printed. Checks each JSON object's shape and that flowtrack loses nothing.

Usage: smoke_test.py --bench BIN --mock BIN --demo BIN     (standard library only)
"""
import argparse
import json
import os
import pathlib
import select
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
PEER = HERE / "peers" / "analytics-node"
CLOSE_MS = 1000  # the demo's close deadline here: a black-holed run lasts about this long

W1_FIELDS = {"workload", "events", "wall_s", "cpu_s", "peak_rss_mib", "delivered_at_sink", "events_per_s", "cpu_s_per_100k"}
CEILING_FIELDS = {"client_cpu_ns_per_event", "ceiling_ns_per_event", "cpu_over_ceiling"}  # flowtrack's W1 only
W2_FIELDS = {"workload", "client", "sink", "runs", "close_deadline_ms", "events_per_run", "disabled_wall_ms", "wall_ms",
             "delta_ms", "expected", "delivered_now", "delivered_next_run", "lost", "target", "meets_target"}

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


class Sink:
    """mock-segment --lean on a free port; its URL from its first stdout line."""

    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, "--port", "0", "--lean"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("listening on "):
            self.stop()
            sys.exit("mock-segment did not start")
        self.url = line.removeprefix("listening on ").strip()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run_json(argv):
    """Runs a workload; its one line of stdout as a JSON object."""
    out = subprocess.run(argv, capture_output=True, text=True, timeout=50)
    if out.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited with {out.returncode}: {out.stderr}")
    lines = out.stdout.splitlines()
    check(len(lines) == 1, f"{argv[1:3]}: one line of output, got {len(lines)}")
    return json.loads(lines[0])


def check_w2(r, sink, client, lossless):
    check(W2_FIELDS <= r.keys(), f"w2 {client} {sink}: fields {sorted(W2_FIELDS - r.keys())} missing")
    check(r["sink"] == sink and r["client"] == client, f"w2 {client} {sink}: labelled {r['client']} {r['sink']}")
    check(r["expected"] == r["runs"] * r["events_per_run"], f"w2 {client} {sink}: expected events")
    for key in ("disabled_wall_ms", "wall_ms"):
        stats = r[key]
        check(0 < stats["min"] <= stats["median"] <= stats["max"], f"w2 {client} {sink}: {key} {stats}")
    if lossless:
        check(r["lost"] == 0, f"w2 {client} {sink}: {r['lost']} events lost")
        where = "delivered_now" if sink == "ok" else "delivered_next_run"
        check(r[where] == r["expected"], f"w2 {client} {sink}: {where} = {r[where]}, expected {r['expected']}")
    if sink == "blackhole":
        check(r["wall_ms"]["max"] < CLOSE_MS + 2000, f"w2 {client} blackhole: ran {r['wall_ms']['max']} ms")
        check("next_run_wall_ms" in r, f"w2 {client} blackhole: no next run")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True)
    p.add_argument("--mock", required=True)
    p.add_argument("--demo", required=True)
    a = p.parse_args()

    sink = Sink(a.mock)
    lines = []  # (label, record) as scripts/bench.sh tags them
    try:
        w1 = run_json([a.bench, "w1", "--endpoint", sink.url, "--events", "20000"])
        check(W1_FIELDS <= w1.keys(), f"w1: fields {sorted(W1_FIELDS - w1.keys())} missing")
        check(w1["delivered_at_sink"] == 20000, f"w1: {w1['delivered_at_sink']} of 20000 delivered")
        check(CEILING_FIELDS <= w1.keys(), f"w1: fields {sorted(CEILING_FIELDS - w1.keys())} missing")
        check(w1.get("ceiling_ns_per_event", 0) > 0, "w1: no ceiling figure")
        ceiling = run_json([a.bench, "ceiling", "--events", "20000"])
        check(ceiling["workload"] == "ceiling" and ceiling["ns_per_event"] > 0, f"ceiling: {ceiling}")
        check(250 < ceiling["body_bytes_per_event"] < 350, f"ceiling: {ceiling['body_bytes_per_event']} bytes/event")
        lines.append(("w1_1t", w1))
        w2 = [a.bench, "w2", "--endpoint", sink.url, "--runs", "1", "--close-timeout-ms", str(CLOSE_MS)]
        for scenario in ("ok", "blackhole", "down"):
            r = run_json(w2 + ["--sink", scenario, "--demo", a.demo])
            check_w2(r, scenario, "flowtrack", lossless=True)
            lines.append((f"w2_{scenario}", r))

        for scenario in ("ok", "blackhole", "down"):
            lifetime = "2000" if scenario == "down" else "60000"  # down: see scripts/bench.sh
            r = run_json(w2[:4] + ["--runs", "3", "--sink", scenario, "--demo", a.demo, "--handoff", "on",
                                   "--drainer-lifetime-ms", lifetime])
            check(r["lost"] == 0, f"w2 handoff {scenario}: {r['lost']} events lost")
            if scenario == "ok":
                check(r["drainers_started"] == 0, f"w2 handoff ok: {r['drainers_started']} drainer(s) started")
            else:
                check(r["drainers_started"] >= 1, f"w2 handoff {scenario}: no drainer started")
                check(0 <= r["recovery_to_delivered_ms"] <= 10000,
                      f"w2 handoff {scenario}: delivered {r['recovery_to_delivered_ms']} ms after recovery")
            lines.append((f"w2h_{scenario}", r))

        if (PEER / "node_modules").is_dir() and shutil.which("node"):
            peer_w1 = run_json(["node", str(PEER / "w1.mjs"), "--endpoint", sink.url, "--events", "2000"])
            check(W1_FIELDS <= peer_w1.keys(), f"peer w1: fields {sorted(W1_FIELDS - peer_w1.keys())} missing")
            check(peer_w1["delivered_unique"] == 2000, f"peer w1: {peer_w1['delivered_unique']} of 2000 delivered")
            lines.append(("w1_1t", peer_w1))
            r = run_json(w2 + ["--sink", "ok", "--client", "analytics-node", "--", "node", str(PEER / "w2.mjs")])
            check_w2(r, "ok", "analytics-node", lossless=True)
            lines.append(("w2_ok", r))
        else:
            print("peer skipped: run `npm ci` in bench/peers/analytics-node", file=sys.stderr)
    finally:
        sink.stop()

    with tempfile.TemporaryDirectory() as tmp:
        results = os.path.join(tmp, "results.jsonl")
        with open(results, "w", encoding="utf-8") as f:
            for label, r in lines:
                f.write(json.dumps({"round": 1, "label": label, **r}) + "\n")
        report = subprocess.run([sys.executable, str(HERE / "report.py"), results], capture_output=True, text=True,
                                timeout=20)
        check(report.returncode == 0, f"report.py failed: {report.stderr}")
        rows = [line for line in report.stdout.splitlines() if line.startswith("| W")]
        check(any("W1, 1 thread" in row and "events/s delivered" in row for row in rows), "report: no W1 row")
        check(sum("events lost" in row and "PASS" in row for row in rows) >= 4, "report: lost rows not all PASS")
        print(report.stdout)

    if failures:
        sys.exit(f"{len(failures)} check(s) failed")


if __name__ == "__main__":
    main()
