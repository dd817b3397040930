#!/usr/bin/env bash
# The integration and e2e suites against ONE separately started mock-segment, the way the
# containerized suite runs them: FLOWTRACK_TEST_ENDPOINT names the server, tests run one at a
# time. Needs a built tree (scripts/test.sh). Usage: scripts/shared-endpoint-tests.sh [build dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
"$build/bin/mock-segment" --port 0 >"$work/out" 2>"$work/err" </dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 200); do
  grep -q '^listening on ' "$work/out" && break
  sleep 0.05  # waiting for the server's ready line
done
export FLOWTRACK_TEST_ENDPOINT=$(sed -n 's/^listening on //p' "$work/out")
echo "shared mock-segment: $FLOWTRACK_TEST_ENDPOINT"
ctest --test-dir "$build" --output-on-failure -L "integration|e2e" -j1
