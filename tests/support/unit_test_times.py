#!/usr/bin/env python3
"""Checks that no unit test waits real time: runs each gtest binary given with
--gtest_output=json and fails if any test took more than the limit (100 ms by default) of real
time, setup and teardown included. The unit tier runs on the engine's virtual clock
(src/common/include/common/engine_clock.hpp), so a test over the limit waits on a real timer or a real socket.

  tests/support/unit_test_times.py [--limit-ms N] [--top K] BINARY...
  e.g. tests/support/unit_test_times.py build/bin/flowtrack_unit_*
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def test_times(binary):
    """(name, seconds) of every test the binary ran."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "times.json")
        run = subprocess.run([binary, f"--gtest_output=json:{out}"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, check=False)
        if run.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(f"{binary} failed (exit {run.returncode}):\n{run.stderr[-2000:]}")
        with open(out, encoding="utf-8") as f:
            report = json.load(f)
    for suite in report.get("testsuites", []):
        for test in suite.get("testsuite", []):
            yield f"{suite['name']}.{test['name']}", float(test.get("time", "0s").rstrip("s"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit-ms", type=float, default=100.0)
    parser.add_argument("--top", type=int, default=5, help="how many of the slowest tests to print")
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    times = []
    for binary in args.binaries:
        times += [(os.path.basename(binary), name, t) for name, t in test_times(binary)]
    times.sort(key=lambda x: -x[2])
    over = [t for t in times if t[2] * 1000 > args.limit_ms]
    print(f"{len(times)} tests in {len(args.binaries)} binaries; slowest:")
    for binary, name, t in times[: args.top]:
        print(f"  {t * 1000:8.1f} ms  {binary}  {name}")
    for binary, name, t in over:
        print(f"OVER {args.limit_ms:.0f} ms: {binary} {name} ({t * 1000:.1f} ms)", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
