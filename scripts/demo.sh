#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs what is missing, builds, starts
# mock-segment on a free port, runs a scripted session of flowtrack-demo against it (a login, a
# successful deploy, a failed deploy, a cancelled one, --help, an unknown flag), prints what the
# mock received as a table, and stops the server.
# Usage: scripts/demo.sh [--keep-running]   (keep the server up to watch its live page)
set -euo pipefail
cd "$(dirname "$0")/.."
keep_running=false
[[ ${1:-} == --keep-running ]] && keep_running=true

scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target mock-segment flowtrack-demo

bin=build/bin
work=$(mktemp -d)
"$bin/mock-segment" --port 0 >"$work/mock.out" 2>"$work/mock.err" </dev/null &
mock_pid=$!
cleanup() { kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 200); do
  grep -q '^listening on ' "$work/mock.out" 2>/dev/null && break
  sleep 0.05  # waiting for the server's ready line
done
url=$(sed -n 's/^listening on //p' "$work/mock.out")
[[ -n $url ]] || { echo "mock-segment did not start" >&2; cat "$work/mock.err" >&2; exit 1; }
echo "mock-segment: $url"

export FLOWTRACK_ENDPOINT=$url FLOWTRACK_WRITE_KEY=demo-key FLOWTRACK_STATE_DIR=$work/state
export FLOWTRACK_NO_TELEMETRY_NOTICE=1  # the session's first command sends too (the notice: README)
unset DO_NOT_TRACK FLOWTRACK_TELEMETRY_DISABLED FLOWTRACK_TELEMETRY_DEBUG DEBUG
run() {
  echo
  echo "\$ flowtrack-demo $*"
  set +e
  "$bin/flowtrack-demo" "$@"
  echo "(exit $?)"
  set -e
}
run login --user ada
run deploy web --step-ms 100
run deploy web --step-ms 100 --fail-at upload
echo
echo "\$ flowtrack-demo deploy web --step-ms 5000   # then Ctrl-C"
set -m  # give the background job its own process group, so it keeps SIGINT
"$bin/flowtrack-demo" deploy web --step-ms 5000 >"$work/cancel.out" 2>&1 &
cancel_pid=$!
for _ in $(seq 1 200); do
  grep -q 'validate:' "$work/cancel.out" 2>/dev/null && break
  sleep 0.05  # waiting for the deploy to start
done
kill -INT "$cancel_pid"
set +e
wait "$cancel_pid"
status=$?
set -e +m
cat "$work/cancel.out"
echo "(exit $status)"
run --help >/dev/null && echo "(--help printed usage; no telemetry)"
run whoami --no-such-flag

echo
echo "== what mock-segment received"
curl -fsS "$url/admin/events" | python3 scripts/print_events.py
echo
echo "live page: $url/"
if $keep_running; then
  echo "(Ctrl-C to stop)"
  wait "$mock_pid"
fi
