#!/usr/bin/env bash
# The live page in headless Chromium: post an event with a unique name to a running
# mock-segment, load "/" and check that the table the page's script renders shows it.
# Usage: live_page_browser_test.sh URL_OR_URL_FILE   (the ctest fixture passes its URL file)
# Exit 77 (ctest: skipped) when Chromium is not installed.
set -euo pipefail
chromium_bin=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium_bin ]]; then
  echo "SKIP: chromium is not installed (scripts/install-deps.sh chromium): live page not checked"
  exit 77
fi
target=${1:?usage: live_page_browser_test.sh URL_OR_URL_FILE}
if [[ -f $target ]]; then url=$(head -n1 "$target"); else url=$target; fi
[[ $url == http://* ]] || { echo "FAIL: no mock-segment URL in '$target'"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsS -X POST "$url/admin/reset" >/dev/null
event="Browser Check <b>$RANDOM$RANDOM</b>"  # markup in data must show up as text
curl -fsS -u "browser-key:" -H 'Content-Type: application/json' \
  -d "{\"batch\":[{\"type\":\"track\",\"userId\":\"browser-user\",\"event\":\"$event\",\"properties\":{\"sequence\":7,\"command\":\"deploy\",\"succeeded\":true,\"exit_code\":0,\"duration_ms\":42,\"error_class\":\"none\"}}]}" \
  "$url/v1/batch" >/dev/null
"$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --virtual-time-budget=3000 --dump-dom "$url/" \
  >"$work/dom.html" 2>"$work/chromium.log" </dev/null
escaped=$(printf '%s' "$event" | sed 's/</\&lt;/g; s/>/\&gt;/g')  # as the DOM serializes text
row=$(tr -d '\n' <"$work/dom.html" | grep -o '<tr><td>1</td>.*</tr>' || true)
expected="<td>track</td><td>$escaped</td><td>browser-user</td><td>7</td><td>deploy</td><td>true</td><td>0</td><td>42</td><td>none</td>"
if [[ $row == *"$expected"* ]]; then
  echo "live page shows the posted event as text: $event"
  exit 0
fi
echo "FAIL: the rendered live page does not show '$event' (expected cells: $expected)"
sed -n '/<tbody/,/<\/tbody>/p' "$work/dom.html" | head -20
exit 1
