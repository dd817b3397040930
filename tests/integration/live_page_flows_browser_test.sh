#!/usr/bin/env bash
# The live page's views in headless Chromium, after a real session: flowtrack-demo (login, deploy
# ok, deploy failing at upload, deploy cancelled with Ctrl-C, a wizard with `back`) against a
# running mock-segment, plus with curl an invocation whose sequence 2 never arrives, an event
# without invocation_id, a refused batch and a faulted one. Loads each view (#view=...) and checks
# its rendered text: the invocations' outcomes and the "missing" marker, the funnels' counts,
# drop-off and back moves, the commands' p50/p95, the raw stream's step/direction/outcome
# columns, the rejected requests' reasons.
# Usage: live_page_flows_browser_test.sh URL_OR_URL_FILE FLOWTRACK_DEMO [--screenshots DIR]
#   --screenshots DIR also writes DIR/mock-segment-<view>.png at 1280x900 (docs/MOCK-SEGMENT.md's),
#   and mock-segment-invocation-wizard.png (#view=invocations&command=wizard&open=all).
# Exit 77 (ctest: skipped) when Chromium is not installed.
set -euo pipefail
chromium_bin=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium_bin ]]; then
  echo "SKIP: chromium is not installed (scripts/install-deps.sh chromium): live page not checked"
  exit 77
fi
target=${1:?usage: live_page_flows_browser_test.sh URL_OR_URL_FILE FLOWTRACK_DEMO [--screenshots DIR]}
demo=${2:?usage: live_page_flows_browser_test.sh URL_OR_URL_FILE FLOWTRACK_DEMO [--screenshots DIR]}
shots=
[[ ${3:-} == --screenshots ]] && shots=${4:?--screenshots needs a directory}
if [[ -f $target ]]; then url=$(head -n1 "$target"); else url=$target; fi
[[ $url == http://* ]] || { echo "FAIL: no mock-segment URL in '$target'"; exit 1; }
[[ -x $demo ]] || { echo "FAIL: no flowtrack-demo binary at '$demo'"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsS -X POST -H 'Content-Type: application/json' "$url/admin/reset" >/dev/null
curl -fsS -X DELETE "$url/admin/faults" >/dev/null
curl -fsS -H 'Content-Type: application/json' -d '{"mode":"ok"}' "$url/admin/mode" >/dev/null

# ---- the demo's scripted session (as scripts/demo.sh runs it) -----------------------------------
export FLOWTRACK_ENDPOINT=$url FLOWTRACK_WRITE_KEY=browser-key FLOWTRACK_STATE_DIR=$work/state
export FLOWTRACK_UPDATE_URL=off FLOWTRACK_CLOSE_TIMEOUT_MS=3000
export FLOWTRACK_NO_TELEMETRY_NOTICE=1  # the session's first command sends too (no first-run notice)
unset DO_NOT_TRACK FLOWTRACK_TELEMETRY_DISABLED FLOWTRACK_TELEMETRY_DEBUG DEBUG
demo_run() {  # expected exit code, then the arguments
  local expected=$1 status=0
  shift
  "$demo" "$@" >>"$work/demo.out" 2>&1 </dev/null || status=$?
  [[ $status == "$expected" ]] || { echo "FAIL: flowtrack-demo $* exited $status, not $expected"; cat "$work/demo.out"; exit 1; }
}
demo_run 0 login --user ada
demo_run 0 deploy web --step-ms 30
demo_run 1 deploy web --step-ms 30 --fail-at upload
# Cancelled: Ctrl-C (SIGINT) once the first step has started; its output arrives through a FIFO.
mkfifo "$work/cancel.fifo"
set -m  # its own process group, so the background job keeps SIGINT
"$demo" deploy web --step-ms 5000 >"$work/cancel.fifo" 2>&1 </dev/null &
cancel_pid=$!
set +m
exec 3<"$work/cancel.fifo"
started=false
while IFS= read -r -t 20 line <&3; do
  [[ $line == validate:* ]] && { started=true; break; }
done
$started || { echo "FAIL: the deploy to cancel never started its first step"; kill "$cancel_pid"; exit 1; }
kill -INT "$cancel_pid"
cat <&3 >/dev/null  # until it exits
exec 3<&-
status=0
wait "$cancel_pid" || status=$?
[[ $status == 130 ]] || { echo "FAIL: the cancelled deploy exited $status, not 130"; exit 1; }
status=0
printf 'proj\nback\nproj\neu\nyes\n' | "$demo" wizard >>"$work/demo.out" 2>&1 || status=$?
[[ $status == 0 ]] || { echo "FAIL: the wizard exited $status"; cat "$work/demo.out"; exit 1; }

# ---- other clients, with curl ----------------------------------------------------------------
post() { curl -sS -o /dev/null -w '%{http_code}' -u "browser-key:" -H 'Content-Type: application/json' -d "$1" "$url/v1/batch"; }
gap_id="curl-gap-$RANDOM$RANDOM"
code=$(post "{\"batch\":[
  {\"type\":\"track\",\"userId\":\"curl-user\",\"event\":\"Command Invoked\",\"properties\":{\"invocation_id\":\"$gap_id\",\"sequence\":1,\"command\":\"sync\"}},
  {\"type\":\"track\",\"userId\":\"curl-user\",\"event\":\"Command Completed\",\"properties\":{\"invocation_id\":\"$gap_id\",\"sequence\":3,\"command\":\"sync\",\"succeeded\":true,\"exit_code\":0,\"duration_ms\":12}},
  {\"type\":\"track\",\"anonymousId\":\"node-client\",\"event\":\"Signed Up\",\"properties\":{\"plan\":\"pro\"}},
  {\"type\":\"track\",\"userId\":\"curl-user\"}]}")
[[ $code == 200 ]] || { echo "FAIL: posting the curl invocation answered $code"; exit 1; }
code=$(post '{"batch":[{"type":"track",')
[[ $code == 400 ]] || { echo "FAIL: a truncated batch answered $code, not 400"; exit 1; }
curl -fsS -H 'Content-Type: application/json' -d '{"status":503}' "$url/admin/faults" >/dev/null
code=$(post '{"batch":[{"type":"track","userId":"curl-user","event":"Faulted"}]}')
[[ $code == 503 ]] || { echo "FAIL: the faulted batch answered $code, not 503"; exit 1; }

# ---- each view, rendered ------------------------------------------------------------------------
chromium() {
  "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-$RANDOM$RANDOM" --virtual-time-budget=4000 "$@" 2>>"$work/chromium.log" </dev/null
}
screenshot() {  # name, hash
  mkdir -p "$shots"
  chromium --hide-scrollbars --window-size=1280,900 --screenshot="$shots/mock-segment-$1.png" "$url/$2" >/dev/null
}
# The visible text of one view's <section>: its text nodes, whitespace collapsed (fails when hidden).
view_text() {
  python3 - "$1" "$2" <<'EOF'
import html.parser, re, sys
dom, view = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.depth = 0; self.parts = []; self.hidden = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth: self.depth += tag not in ("col", "br", "img", "input")
        elif tag == "section" and a.get("id") == "view-" + view:
            self.depth, self.hidden = 1, "hidden" in a
    def handle_endtag(self, tag):
        if self.depth: self.depth -= 1
    def handle_data(self, data):
        if self.depth: self.parts.append(data)
p = Text(); p.feed(dom)
if p.hidden is None: sys.exit("no section view-" + view)
if p.hidden: sys.exit("section view-" + view + " is hidden")
print(re.sub(r"\s+", " ", " ".join(p.parts)).strip())
EOF
}
failures=0
expect() {  # view, then patterns (extended regular expressions) its text must match
  local view=$1
  shift
  for pattern in "$@"; do
    if ! grep -Eq -- "$pattern" "$work/$view.txt"; then
      echo "FAIL: the $view view does not show /$pattern/"
      failures=$((failures + 1))
    fi
  done
}
for view in invocations funnels commands events rejected; do
  chromium --dump-dom "$url/#view=$view" >"$work/$view.html"
  view_text "$work/$view.html" "$view" >"$work/$view.txt" || { echo "FAIL: $view: $(cat "$work/$view.txt")"; exit 1; }
  [[ -z $shots ]] || screenshot "$view" "#view=$view"
done
# One invocation opened in full: the wizard, with its back move (and the command filter at work).
[[ -z $shots ]] || screenshot invocation-wizard "#view=invocations&command=wizard&open=all"

expect invocations \
  'login ✓ succeeded' 'deploy ✓ succeeded' 'deploy ✗ failed · demo::deploy_error' 'deploy ⊘ cancelled' \
  'wizard ✓ succeeded' 'sync ✓ succeeded 12 ms 2 events missing 1 \(seq 2\)' \
  '2 missing — this event never arrived' 'own row: no invocation_id' 'Signed Up' \
  'Flow Step wizard · name \(from region\) ↩ back' 'Flow Step deploy · upload \(from build\) forward' \
  'Command Completed cancelled 130 [0-9]+ cancelled' \
  '7 invocations' 'events in sequence order; a gap is flagged “missing”'
expect funnels \
  'deploy 3 sessions started · 1 completed · 1 failed · 1 cancelled · 0 back moves' \
  '1 validate 3 reached · 100% drop-off 1 \(1 cancelled\)' '2 build 2 reached · 67%' \
  '3 upload 2 reached · 67% drop-off 1 \(1 failed\)' '4 release 1 reached · 33% completed 1 completed · 33%' \
  'wizard 1 session started · 1 completed · 1 back move' '1 name 1 reached · 100% returned here 1×' \
  '2 region 1 reached · 100% back moves 1 from here' '3 confirm 1 reached · 100% completed 1 completed · 100%'
expect commands \
  'command runs succeeded failed cancelled no outcome success rate p50 p95 top error classes' \
  'deploy 3 1 1 1 0 33% [0-9]+ ms [0-9.]+ m?s (cancelled ×1 demo::deploy_error ×1|demo::deploy_error ×1 cancelled ×1)' \
  'login 1 1 0 0 0 100% [0-9]+ ms [0-9]+ ms none' 'sync 1 1 0 0 0 100% 12 ms 12 ms none' \
  'wizard 1 1 0 0 0 100%'
expect events \
  '# time \(UTC\) event command seq flow · step direction outcome exit duration_ms error_class user invocation' \
  'Flow Step [0-9]+ deploy · upload forward' 'Flow Completed [0-9]+ deploy failed [0-9]+ demo::deploy_error' \
  'Command Completed deploy [0-9]+ cancelled 130 [0-9]+ cancelled' 'Flow Step [0-9]+ wizard · name back' \
  'Signed Up node-cli…' '34 events in arrival order'
expect rejected \
  'requests refused, faulted or with rejected messages \(3\)' '/v1/batch 503 injected fault \{"status":503\}' \
  '/v1/batch 400 invalid JSON' '/v1/batch 200 some messages rejected 3 1' 'messages rejected \(1\)' 'track without event'
if ((failures > 0)); then
  for view in invocations funnels commands events rejected; do echo "--- $view: $(cut -c1-3000 "$work/$view.txt")"; done
  exit 1
fi
echo "live page: every view shows the session (invocations, funnels, commands, events, rejected)"
[[ -z $shots ]] || echo "screenshots: $shots/mock-segment-{invocations,invocation-wizard,funnels,commands,events,rejected}.png"
