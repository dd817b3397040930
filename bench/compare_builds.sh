#!/usr/bin/env bash
# Two builds of flowtrack measured in ONE run, round after round in alternation (before, after,
# before, after...), against ONE mock-segment --lean sink: W1 (1 thread and 4 threads, N events),
# the micro workload (track() latency) and, once a round, the plain-code ceiling. On this shared,
# noisy machine only figures taken side by side like
# this compare; bench/compare_report.py prints the medians of the rounds and the after/before
# ratios.
#
# Usage: bench/compare_builds.sh BEFORE_BIN AFTER_BIN [--rounds R] [--events N] [--out FILE]
#   BEFORE_BIN, AFTER_BIN: folders holding flowtrack-bench (and, in AFTER_BIN, mock-segment);
#   for example a worktree of the older commit built with `ninja -C build flowtrack-bench`.
set -euo pipefail
before=${1:?BEFORE_BIN}
after=${2:?AFTER_BIN}
shift 2
rounds=5 events=200000 out=""
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift ;;
    --events) events=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "compare_builds.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -n $out ]] || out=$(mktemp --suffix=.jsonl)

source "$(dirname "$0")/lean_sink.sh"
start_lean_sink "$after/mock-segment"

: >"$out"
printf '{"round":0,"label":"meta","loadavg":"%s","date":"%s","events":%s}\n' \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -Iseconds)" "$events" >>"$out"
record() {  # record ROUND BUILD WORKLOAD COMMAND...
  local round=$1 build=$2 workload=$3
  shift 3
  local json
  json=$("$@")
  [[ $json == "{"*"}" ]] || { echo "compare_builds.sh: $build $workload printed no JSON object" >&2; exit 1; }
  printf '{"round":%s,"build":"%s","name":"%s",%s\n' "$round" "$build" "$workload" "${json#\{}" >>"$out"
}
for ((r = 1; r <= rounds; r++)); do
  for build in before after; do
    dir=$before && [[ $build == after ]] && dir=$after
    record "$r" "$build" w1 "$dir/flowtrack-bench" w1 --endpoint "$url" --events "$events"
    record "$r" "$build" w1_4t "$dir/flowtrack-bench" w1 --endpoint "$url" --events "$events" --threads 4
    record "$r" "$build" micro "$dir/flowtrack-bench" micro --events "$events"
  done
  # The plain-code ceiling (bench/ceiling.cpp), from the after build (an older one may not have it).
  record "$r" ceiling ceiling "$after/flowtrack-bench" ceiling --events "$events"
  echo "compare_builds.sh: round $r of $rounds done" >&2
done
/usr/bin/python3 "$(dirname "$0")/compare_report.py" "$out"
echo "compare_builds.sh: raw lines in $out" >&2
