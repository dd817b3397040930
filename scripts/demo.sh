#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs what is missing, builds, starts
# mock-segment on a free port, sends telemetry to it with flowtrack, prints what the mock
# received as a table, and stops the server.
# Usage: scripts/demo.sh [--keep-running]   (keep the server up to watch its live page)
set -euo pipefail
cd "$(dirname "$0")/.."
keep_running=false
[[ ${1:-} == --keep-running ]] && keep_running=true

scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target mock-segment flowtrack-example

bin=build/bin
work=$(mktemp -d)
"$bin/mock-segment" --port 0 >"$work/mock.out" 2>"$work/mock.err" </dev/null &
mock_pid=$!
cleanup() { kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$work/mock.out" 2>/dev/null && break
  sleep 0.05  # polling for the server's ready line, not synchronising a test
done
url=$(sed -n 's/^listening on //p' "$work/mock.out")
[[ -n $url ]] || { echo "mock-segment did not start" >&2; cat "$work/mock.err" >&2; exit 1; }
echo "mock-segment: $url"

echo
echo "== flowtrack-example sends 5 events and closes (deadline 3 s)"
"$bin/flowtrack-example" --endpoint "$url" --write-key demo-key --events 5

echo
echo "== what mock-segment received"
curl -fsS "$url/admin/events" | python3 scripts/print_events.py
echo
echo "live page: $url/"
if $keep_running; then
  echo "(Ctrl-C to stop)"
  wait "$mock_pid"
fi
