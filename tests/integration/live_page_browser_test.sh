#!/usr/bin/env bash
# The live page in headless Chromium: post an event with a unique name that contains markup to a
# running mock-segment, load "/#view=events" and check that the raw stream's row the page's
# script renders shows it, as text, with its properties in their columns.
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
curl -fsS -X POST -H 'Content-Type: application/json' "$url/admin/reset" >/dev/null
marker=$RANDOM$RANDOM
event="Browser Check <b>$marker</b>"  # markup in data must show up as text
curl -fsS -u "browser-key:" -H 'Content-Type: application/json' \
  -d "{\"batch\":[{\"type\":\"track\",\"userId\":\"browser-user\",\"event\":\"$event\",\"properties\":{\"sequence\":7,\"command\":\"deploy\",\"succeeded\":true,\"exit_code\":0,\"duration_ms\":42,\"error_class\":\"none\",\"step\":\"upload\",\"direction\":\"back\"}}]}" \
  "$url/v1/batch" >/dev/null
"$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --virtual-time-budget=3000 --dump-dom "$url/#view=events" \
  >"$work/dom.html" 2>"$work/chromium.log" </dev/null
# The cells of the raw stream's first row, separated by "|" (the time, cell 2, varies).
row=$(python3 - "$work/dom.html" <<'PY'
import html.parser, sys
class Rows(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.table = False; self.rows = []; self.cell = None
    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == "events": self.table = True
        elif self.table and tag == "tr": self.rows.append([])
        elif self.table and tag == "td": self.cell = ""
    def handle_endtag(self, tag):
        if tag == "table": self.table = False
        elif self.table and tag == "td": self.rows[-1].append(self.cell); self.cell = None
    def handle_data(self, data):
        if self.cell is not None: self.cell += data
p = Rows(); p.feed(open(sys.argv[1], encoding="utf-8").read())
cells = next((r for r in p.rows if r), [])
if len(cells) > 1: cells[1] = "TIME"
print("|".join(cells))
PY
)
expected="1|TIME|$event|deploy|7|upload|back|succeeded|0|42|none|browser-…|"
if [[ $row == "$expected" ]] && ! grep -q "<b>$marker</b>" "$work/dom.html"; then
  echo "live page shows the posted event as text: $event"
  exit 0
fi
echo "FAIL: the rendered live page does not show '$event' as text"
echo "  expected cells: $expected"
echo "  rendered cells: $row"
exit 1
