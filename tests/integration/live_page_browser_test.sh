#!/usr/bin/env bash
# The live page in headless Chromium: start mock-segment, post an event with a unique name,
# load "/" and check that the rendered table shows it. Exit 77 (skip) without Chromium.
set -euo pipefail
mock_bin=$1
chromium_bin=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium_bin ]]; then
  echo "SKIP: chromium is not installed (scripts/install-deps.sh chromium)"
  exit 77
fi
work=$(mktemp -d)
"$mock_bin" --port 0 >"$work/out" 2>/dev/null </dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 200); do
  grep -q '^listening on ' "$work/out" && break
  sleep 0.05  # waiting for the server's ready line
done
url=$(sed -n 's/^listening on //p' "$work/out")
event="Browser Check $RANDOM$RANDOM"
curl -fsS -u "browser-key:" -H 'Content-Type: application/json' \
  -d "{\"batch\":[{\"type\":\"track\",\"userId\":\"browser-user\",\"event\":\"$event\",\"properties\":{\"sequence\":7,\"command\":\"deploy\"}}]}" \
  "$url/v1/batch" >/dev/null
"$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --virtual-time-budget=5000 --dump-dom "$url/" >"$work/dom.html" 2>"$work/chromium.log"
if grep -q "<td>$event</td>" "$work/dom.html" && grep -q "<td>browser-user</td>" "$work/dom.html" &&
   grep -q "<td>deploy</td>" "$work/dom.html"; then
  echo "live page shows the posted event: $event"
  exit 0
fi
echo "FAIL: the rendered live page does not show '$event'"
sed -n '/<tbody/,/<\/tbody>/p' "$work/dom.html" | head -20
exit 1
