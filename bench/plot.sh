#!/usr/bin/env bash
# The W1 plot: events/s delivered and CPU-s per 100k events against N, for flowtrack and
# @segment/analytics-node, from the `w1_sweep` lines scripts/bench.sh writes (the median of its
# sweep rounds per client and N). Needs gnuplot (Debian gnuplot-nox; installed when missing).
# Usage: bench/plot.sh RESULTS.jsonl [OUT.png]     (default docs/performance-w1.png)
set -euo pipefail
cd "$(dirname "$0")/.."
results=$1
png=${2:-docs/performance-w1.png}
command -v gnuplot >/dev/null || scripts/install-deps.sh gnuplot-nox

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One data file per client: N, events/s, CPU-s per 100k (the median when N was run more than once).
/usr/bin/python3 - "$results" "$work" <<'EOF'
import json, statistics, sys
from collections import defaultdict
points = defaultdict(lambda: defaultdict(list))
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        if r.get("label") == "w1_sweep":
            # unique deliveries per second, as bench/report.py counts them (duplicates aside)
            acknowledged = r.get("delivered_reported", r["events"] - r.get("failed_reported", 0))
            unique = min(r["delivered_at_sink"], acknowledged)
            points[r.get("client", "flowtrack")][r["events"]].append((unique / r["wall_s"], r["cpu_s_per_100k"]))
if not points:
    sys.exit("plot.sh: no w1_sweep lines in " + sys.argv[1])
for client, by_n in points.items():
    with open(f"{sys.argv[2]}/{client}.dat", "w") as out:
        for n in sorted(by_n):
            eps = statistics.median(p[0] for p in by_n[n])
            cpu = statistics.median(p[1] for p in by_n[n])
            out.write(f"{n} {eps} {cpu}\n")
EOF

host=$(hostname -s)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
gnuplot <<EOF
set terminal pngcairo size 1200,480 font "sans,11" noenhanced
set output "$png"
set multiplot layout 1,2 title "W1: N events tracked from one thread, closed, delivered to mock-segment --lean ($host, $(nproc) CPUs, $cpu)"
set key top right box opaque Left reverse
set grid
set logscale xy
set xrange [8000:250000]
set xlabel "N (events)"
set xtics ("10k" 10000, "25k" 25000, "50k" 50000, "100k" 100000, "200k" 200000)
set format y "%.0s%c"
set ylabel "events/s delivered (log)"
set title "throughput (higher is better)"
plot "$work/flowtrack.dat" using 1:2 with linespoints lw 2 pt 7 title "flowtrack", \
     "$work/analytics-node.dat" using 1:2 with linespoints lw 2 pt 5 title "@segment/analytics-node", \
     400000 with lines dt 2 lc rgb "gray40" title "target: at least 400k/s"
set format y "%g"
set ylabel "CPU-s per 100k events (log)"
set title "CPU cost (lower is better)"
plot "$work/flowtrack.dat" using 1:3 with linespoints lw 2 pt 7 title "flowtrack", \
     "$work/analytics-node.dat" using 1:3 with linespoints lw 2 pt 5 title "@segment/analytics-node", \
     0.25 with lines dt 2 lc rgb "gray40" title "target: at most 0.25"
unset multiplot
EOF
echo "plot.sh: wrote $png" >&2
