#!/usr/bin/env bash
# Two builds of flowtrack compared by instructions, which a loaded machine does not change
# (valgrind --tool=callgrind counts them; the same binary and inputs give the same count within
# 0.05 %): W1 with N1 and N2 events against ONE mock-segment --lean sink, per build, the whole
# process and the instructions inside client::track() alone. The per-event figures are slopes,
# (count(N2) - count(N1)) / (N2 - N1), so start-up and shut-down cancel out.
#
# Usage: bench/compare_instructions.sh BEFORE_BIN AFTER_BIN [N1 [N2]]
#   BEFORE_BIN, AFTER_BIN: folders holding flowtrack-bench (AFTER_BIN also mock-segment).
set -euo pipefail
before=${1:?BEFORE_BIN}
after=${2:?AFTER_BIN}
n1=${3:-20000}
n2=${4:-100000}
source "$(dirname "$0")/lean_sink.sh"
start_lean_sink "$after/mock-segment"

# callgrind cannot read the debug information clang 14 writes (DWARF 5): count on a copy
# without it (the symbol table, which --toggle-collect needs, stays).
instructions() {  # instructions BUILD_BIN EVENTS [callgrind options]
  local bin=$1 events=$2
  shift 2
  strip -g -o "$work/flowtrack-bench" "$bin/flowtrack-bench"
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" "$work/flowtrack-bench" w1 --endpoint "$url" \
    --events "$events" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}
echo "| instructions per event (W1, slope from $n1 to $n2 events) | before | after | after / before |"
echo "|---|--:|--:|--:|"
for scope in process track; do
  args=()
  label="whole process (producer, I/O thread, HTTP, syscalls' user side)"
  if [[ $scope == track ]]; then args=("--toggle-collect=flowtrack::client::track*"); label="inside client::track()"; fi
  declare -A slope
  for build in before after; do
    dir=$before && [[ $build == after ]] && dir=$after
    a=$(instructions "$dir" "$n1" "${args[@]}")
    b=$(instructions "$dir" "$n2" "${args[@]}")
    slope[$build]=$(((b - a) / (n2 - n1)))
  done
  ratio=$(python3 -c "print(f'{${slope[after]} / ${slope[before]}:.4f}')")
  echo "| $label | ${slope[before]} | ${slope[after]} | $ratio |"
done
