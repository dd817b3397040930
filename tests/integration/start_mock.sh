#!/usr/bin/env bash
# ctest fixture setup: starts `mock-segment --port 0` in the background, detached from ctest's
# pipes (stdin /dev/null, stdout through a FIFO, stderr to a file), waits for its
# "listening on URL" line (a blocking read with a timeout: no polling, no sleep) and writes the
# URL and the PID into STATE_DIR. The tests read STATE_DIR/url (MOCK_SEGMENT_URL_FILE).
# A small supervisor shell is the server's parent: it holds STATE_DIR/lock while the server
# runs and records its exit status, so stop_mock.sh can wait for the exit without polling.
# With FLOWTRACK_TEST_ENDPOINT set, the tests use that server: nothing is started.
# Usage: start_mock.sh MOCK_SEGMENT_BINARY STATE_DIR [mock-segment options...]
set -euo pipefail
bin=$1
dir=$2
shift 2
mkdir -p "$dir"
# A server from an earlier setup of this fixture (ctest --repeat, an interrupted run): stop it.
if [[ -f $dir/pid ]]; then "$(dirname "$0")/stop_mock.sh" "$dir" || true; fi
rm -f "$dir/url" "$dir/pid" "$dir/ready" "$dir/exit_status"

if [[ -n ${FLOWTRACK_TEST_ENDPOINT:-} ]]; then
  echo "$FLOWTRACK_TEST_ENDPOINT" >"$dir/url"
  echo "using FLOWTRACK_TEST_ENDPOINT=$FLOWTRACK_TEST_ENDPOINT: no mock-segment started"
  exit 0
fi

mkfifo "$dir/ready"
(
  exec 9>"$dir/lock"
  if ! flock -n 9; then  # never block here: the setup below waits on the FIFO
    echo "another mock-segment still holds $dir/lock" >"$dir/ready"
    exit 1
  fi
  "$bin" --port 0 "$@" >"$dir/ready" 2>"$dir/stderr.log" </dev/null 9>&- &
  echo "$!" >"$dir/pid"
  rc=0
  wait "$!" || rc=$?
  echo "$rc" >"$dir/exit_status"
) </dev/null >/dev/null 2>&1 &

exec 3<"$dir/ready"  # pairs with the server's open of the FIFO for writing
rm -f "$dir/ready"   # both ends are open: the name is no longer needed
line=
if ! IFS= read -r -t 10 line <&3 || [[ $line != "listening on http://"* ]]; then
  echo "FAIL: mock-segment did not report 'listening on URL' within 10 s (got: '$line')"
  cat "$dir/stderr.log" 2>/dev/null || true
  [[ -f $dir/pid ]] && "$(dirname "$0")/stop_mock.sh" "$dir" >/dev/null 2>&1 || true
  exit 1
fi
# Keep draining its stdout (it prints nothing else; this only guards against EPIPE).
cat <&3 >"$dir/stdout.log" 2>/dev/null &
exec 3<&-
[[ -s $dir/pid ]] || { echo "FAIL: no pid recorded for mock-segment"; exit 1; }
url=${line#listening on }
echo "$url" >"$dir/url"
echo "mock-segment pid $(cat "$dir/pid") listening on $url"
