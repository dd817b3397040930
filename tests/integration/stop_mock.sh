#!/usr/bin/env bash
# ctest fixture cleanup: SIGTERM to the mock-segment that start_mock.sh started (by its PID),
# then wait for it to exit (flock on the lock its supervisor holds while it runs: no polling,
# bounded) and check that it exited 0. Usage: stop_mock.sh STATE_DIR
set -euo pipefail
dir=$1
[[ -f $dir/pid ]] || exit 0  # nothing started (FLOWTRACK_TEST_ENDPOINT) or already stopped
pid=$(cat "$dir/pid")
kill -TERM "$pid" 2>/dev/null || echo "mock-segment pid $pid was already gone"
if ! flock -w 10 "$dir/lock" true; then
  kill -KILL "$pid" 2>/dev/null || true
  echo "FAIL: mock-segment pid $pid did not exit within 10 s of SIGTERM"
  exit 1
fi
rm -f "$dir/pid" "$dir/url"  # only now: a server that would not stop stays findable
status=$(cat "$dir/exit_status" 2>/dev/null || echo unknown)
if [[ $status != 0 ]]; then
  echo "FAIL: mock-segment pid $pid exited with status $status after SIGTERM"
  cat "$dir/stderr.log" 2>/dev/null || true
  exit 1
fi
echo "mock-segment pid $pid stopped (exit status 0)"
