#!/usr/bin/env bash
# The benchmark suite, flowtrack side by side with @segment/analytics-node (bench/peers/), in one
# run: builds what it needs (default preset, build/), installs the peer (npm ci), starts ONE
# mock-segment --lean sink on a free port, then runs ROUNDS interleaved rounds (flowtrack, then
# the peer, workload by workload) of: the sink's ceiling (first round only), micro, W1 (1 thread,
# 1 thread building every event from scratch, 4 threads, gzip; the peer: 1 thread) and W2 (the sink ok, black-holed, not listening;
# flowtrack with the handoff off, as the peer, and on: also a 500 storm and a host that does not resolve).
# Every JSON line goes to bench/results/<date>-<host>.jsonl (tagged with its round and label);
# bench/report.py then prints one markdown table: medians of the rounds for both clients, the
# ratio, the issue's target and PASS/MISS. Without --quick it then measures W1 against N for
# both (N = 10k..200k, 3 sweeps) and draws docs/performance-w1.png (bench/plot.sh). About 15
# minutes on a 2-core machine, most of it analytics-node's W1.
#
# Usage: scripts/bench.sh [--quick] [--rounds R] [--events N] [--w2-runs K] [--no-plot] [--w2-only]
#                         [--build-dir DIR] [--out FILE]
#   --w2-only    W2 alone (every scenario, both clients, the handoff off and on), no plot
#   --quick      1 round, N = 20000, 1 W2 run per scenario, no plot: a smoke test (< 1 min)
#   --build-dir  use binaries built in DIR (configured already) instead of the default preset
# The sink is used by these workloads alone: run nothing else against it.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5 events=200000 w2_runs=3 plot=true quick=false build_dir="" out="" w2_only=false
sink_seconds=5 micro_events=200000
while (($#)); do
  case $1 in
    --quick) quick=true rounds=1 events=20000 w2_runs=1 plot=false sink_seconds=1 micro_events=20000 ;;
    --rounds) rounds=$2; shift ;;
    --events) events=$2; shift ;;
    --w2-runs) w2_runs=$2; shift ;;
    --no-plot) plot=false ;;
    --w2-only) w2_only=true plot=false ;;
    --build-dir) build_dir=$2; shift ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# Build (or reuse) the binaries.
targets=(flowtrack-bench mock-segment flowtrack-demo flowtrack-sink-load)
if [[ -z $build_dir ]]; then
  scripts/install-deps.sh
  cmake --preset default >/dev/null
  cmake --build --preset default --target "${targets[@]}" >/dev/null
  build_dir=build
else
  cmake --build "$build_dir" --target "${targets[@]}" >/dev/null
fi
bin=$build_dir/bin

# The peer.
peer=bench/peers/analytics-node
command -v npm >/dev/null || scripts/install-deps.sh nodejs npm
(cd "$peer" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# The sink (bench/lean_sink.sh).
source bench/lean_sink.sh
start_lean_sink "$bin/mock-segment"

mkdir -p bench/results
suffix=""
if $quick; then suffix=-quick; fi
[[ -n $out ]] || out=bench/results/$(date +%Y-%m-%d)-$(hostname -s)$suffix.jsonl
: >"$out"
echo "bench.sh: sink $url (mock-segment --lean), $rounds round(s), N = $events; results in $out" >&2

# record ROUND LABEL COMMAND...: runs one workload, appends its JSON line tagged with the round
# and the label (one line, an object: checked), and says on stderr what ran.
record() {
  local round=$1 label=$2
  shift 2
  local json
  json=$("$@")
  [[ $json == "{"*"}" && $json != *$'\n'* ]] || { echo "bench.sh: $label printed no JSON object" >&2; exit 1; }
  printf '{"round":%s,"label":"%s",%s\n' "$round" "$label" "${json#\{}" >>"$out"
  echo "bench.sh: round $round: $label ($(basename "$1")) done" >&2
}

# What was measured, where: the first line.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src include apps 2>/dev/null || commit="$commit+local changes"
printf '{"round":0,"label":"meta","commit":"%s","host":"%s","cpu":"%s","cpus":%s,"loadavg":"%s","node":"%s","date":"%s"}\n' \
  "$commit" "$(hostname -s)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(nproc)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$(node --version)" "$(date -Iseconds)" >>"$out"

bench=("$bin/flowtrack-bench")
w2() { "${bench[@]}" w2 --endpoint "$url" --runs "$w2_runs" --sink "$@"; }

for ((r = 1; r <= rounds; r++)); do
  if ((r == 1)) && ! $w2_only; then
    record "$r" sink_ceiling "$bin/flowtrack-sink-load" --endpoint "$url" --seconds "$sink_seconds" --connections 2
  fi
  if ! $w2_only; then
    record "$r" micro "${bench[@]}" micro --events "$micro_events"
    record "$r" w1_1t "${bench[@]}" w1 --endpoint "$url" --events "$events"
    record "$r" w1_1t node "$peer/w1.mjs" --endpoint "$url" --events "$events"
    record "$r" w1_1t_fresh "${bench[@]}" w1 --endpoint "$url" --events "$events" --fresh-events
    record "$r" w1_4t "${bench[@]}" w1 --endpoint "$url" --events "$events" --threads 4
    record "$r" w1_gzip "${bench[@]}" w1 --endpoint "$url" --events "$events" --gzip
  fi
  for sink in ok blackhole down; do
    record "$r" "w2_$sink" w2 "$sink" --demo "$bin/flowtrack-demo"
    record "$r" "w2_$sink" w2 "$sink" --client analytics-node -- node "$peer/w2.mjs"
    # The zero-wait exit (the demo's default): runs share the state directory, the drainer
    # delivers after recovery. Down: the drainer's lifetime is cut to 2 s (it sends to the
    # refused port), then one run against the healthy sink starts the one that delivers.
    lifetime=60000 && [[ $sink == down ]] && lifetime=2000
    record "$r" "w2h_$sink" w2 "$sink" --demo "$bin/flowtrack-demo" --handoff on --drainer-lifetime-ms "$lifetime"
  done
  record "$r" w2h_storm w2 storm --demo "$bin/flowtrack-demo" --handoff on
  record "$r" w2h_dns w2 dns --demo "$bin/flowtrack-demo" --handoff on --drainer-lifetime-ms 2000
done

# W1 against N for the plot (round 0: not in the table), the median of 3 sweeps.
if $plot; then
  for ((s = 1; s <= 3; s++)); do
    for n in 10000 25000 50000 100000 200000; do
      record 0 w1_sweep "${bench[@]}" w1 --endpoint "$url" --events "$n"
      record 0 w1_sweep node "$peer/w1.mjs" --endpoint "$url" --events "$n"
    done
  done
fi

/usr/bin/python3 bench/report.py "$out"
if $plot; then bench/plot.sh "$out" docs/performance-w1.png; fi
