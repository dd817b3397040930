# Sourced by the benchmark scripts: start_lean_sink MOCK_SEGMENT starts ONE `mock-segment --port 0
# --lean` sink and sets `url` (its first stdout line is "listening on URL", read from a FIFO: no
# polling), `sink_pid` and `work` (a scratch folder); an EXIT trap stops the sink and removes
# `work`.
start_lean_sink() {
  local mock=$1 line=""
  work=$(mktemp -d)
  sink_pid=""
  trap 'if [[ -n $sink_pid ]]; then kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
  mkfifo "$work/ready"
  "$mock" --port 0 --lean >"$work/ready" 2>"$work/sink.err" </dev/null &
  sink_pid=$!
  read -r -t 10 line <"$work/ready" || true
  url=${line#listening on }
  [[ $line == "listening on "* ]] || { echo "mock-segment did not start" >&2; cat "$work/sink.err" >&2; exit 1; }
}
