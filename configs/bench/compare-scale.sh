#!/bin/sh
# compare-scale.sh - how `concur compare` scales with the runs per cell and
# the size of the runs files: wall time, CPU time and peak memory (GNU
# time) of comparing two synthetic result sets (scripts/gen-compare.py) of
# CELLS cells with RUNS runs each.  The rank statistics select from the
# BASE x NEW differences without forming them, so a cell costs
# O((m + n) log(mn)); what remains is reading the files.
#
# usage: configs/bench/compare-scale.sh [CONCUR_BINARY] [CELLSxRUNS...]
#   CONCUR_BINARY  default: build/harness/concur
#   CELLSxRUNS     default: 1x2000 1x100000 50x2000 500x2000 (the last:
#                  1,000,000 runs, about 110 MB of runs file a side)
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
concur=${1:-$here/build/harness/concur}
[ $# -gt 0 ] && shift
sizes=${*:-1x2000 1x100000 50x2000 500x2000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

[ -x /usr/bin/time ] || { echo "compare-scale: needs GNU time (apt-get install time)" >&2; exit 2; }
echo "# nproc $(nproc), loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %12s %8s %8s %8s %10s\n' cellsxruns runs_bytes wall_s user_s sys_s maxrss_kib

for size in $sizes; do
	cells=${size%x*}
	runs=${size#*x}
	python3 "$here/scripts/gen-compare.py" "$cells" "$runs" "$tmp/a.csv" --seed 1
	python3 "$here/scripts/gen-compare.py" "$cells" "$runs" "$tmp/b.csv" --seed 2
	rc=0
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" \
		"$concur" compare "$tmp/a.csv" "$tmp/b.csv" >/dev/null 2>"$tmp/err" || rc=$?
	[ $rc -le 1 ] || { echo "compare-scale: concur compare $size failed: $(cat "$tmp/err")" >&2; exit 1; }
	read -r wall user sys rss <"$tmp/time"
	printf '%-12s %12d %8s %8s %8s %10d\n' "$size" "$(wc -c <"$tmp/a-runs.csv")" "$wall" "$user" "$sys" "$rss"
done
