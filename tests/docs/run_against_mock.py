#!/usr/bin/env python3
"""Runs a program from the docs or examples/ against a mock-segment of its own and checks that
its events arrived.

  run_against_mock.py --mock BIN --event NAME [--offline-first] -- PROGRAM ARGS...

In ARGS, {url} is the server's URL. With --offline-first the program first runs against a port
where nothing listens, in the same directory: it must exit within its bounds (--offline-limit)
having spooled its events, and the online run then delivers them all (replayed and new,
distinct messageIds)."""
import argparse
import json
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


class Mock:
    def __init__(self, binary: str):
        self.process = subprocess.Popen([binary, "--port", "0"], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()  # "listening on http://127.0.0.1:PORT"
        if not line.startswith("listening on "):
            self.process.kill()
            raise RuntimeError(f"mock-segment did not report its URL: {line!r}")
        self.url = line.split()[-1]

    def events(self, name: str) -> list:
        query = urllib.parse.urlencode({"event": name})
        with urllib.request.urlopen(f"{self.url}/admin/events?{query}", timeout=10) as r:
            return json.load(r)["events"]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command: list[str], url: str, cwd: str, limit: float):
    args = [a.replace("{url}", url) for a in command]
    started = time.monotonic()
    r = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=limit + 30)
    took = time.monotonic() - started
    print(f"$ {' '.join(args)}  (exit {r.returncode}, {took:.2f} s)\n{r.stdout}{r.stderr}", end="")
    return r.returncode, took


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mock", required=True)
    ap.add_argument("--event", required=True, help="the event name the program tracks")
    ap.add_argument("--count", type=int, default=1, help="how many such events one run tracks")
    ap.add_argument("--offline-first", action="store_true")
    ap.add_argument("--offline-limit", type=float, default=7.0, help="seconds the offline run may take")
    ap.add_argument("command", nargs="+")
    a = ap.parse_args()

    problems = []
    mock = Mock(a.mock)
    try:
        with tempfile.TemporaryDirectory(prefix="flowtrack-docs-run-") as cwd:
            expected = a.count
            if a.offline_first:
                rc, took = run(a.command, f"http://127.0.0.1:{closed_port()}", cwd, a.offline_limit)
                if rc != 0:
                    problems.append(f"offline run exited {rc}")
                if took > a.offline_limit:
                    problems.append(f"offline run took {took:.2f} s (bound {a.offline_limit} s)")
                if not any(p.is_file() for p in pathlib.Path(cwd).rglob("*")):
                    problems.append("offline run spooled nothing")
                expected = 2 * a.count
            rc, _ = run(a.command, mock.url, cwd, 30)
            if rc != 0:
                problems.append(f"run against mock-segment exited {rc}")
            events = mock.events(a.event)
            ids = {e.get("messageId") for e in events}
            if len(events) != expected or len(ids) != expected:
                problems.append(f"mock-segment received {len(events)} '{a.event}' event(s) "
                                f"({len(ids)} distinct messageIds), expected {expected}")
    finally:
        mock.stop()
    for p in problems:
        print(f"FAILED {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
