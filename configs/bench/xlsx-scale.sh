#!/bin/sh
# xlsx-scale.sh - how the workbook scales with the number of cells: wall
# time, CPU time and peak memory (GNU time) of `concur merge` on one
# synthetic shard of 10,000 to 100,000 cells (scripts/gen-summary.py
# --shard: every summary column, a full matrix, no runs), which writes the
# merged CSV files, the chart and the workbook; and of `concur plot` alone
# on the same summary, to tell the workbook's share.  The target: 100,000
# cells in under 2 s of CPU for the workbook, as for the chart.
#
# usage: configs/bench/xlsx-scale.sh [CONCUR_BINARY] [CELLS...]
#   CONCUR_BINARY  default: build/harness/concur
#   CELLS          default: 10000 30000 100000
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
concur=${1:-$here/build/harness/concur}
[ $# -gt 0 ] && shift
cells=${*:-10000 30000 100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

[ -x /usr/bin/time ] || { echo "xlsx-scale: needs GNU time (apt-get install time)" >&2; exit 2; }
echo "# nproc $(nproc), loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-6s %8s %8s %8s %10s\n' cells what wall_s user_s sys_s maxrss_kib

measure() { # CELLS WHAT COMMAND...
	n=$1 what=$2
	shift 2
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" ||
		{ echo "xlsx-scale: $what of $n cells failed: $(cat "$tmp/err")" >&2; exit 1; }
	read -r wall user sys rss <"$tmp/time"
	printf '%-8s %-6s %8s %8s %8s %10s\n' "$n" "$what" "$wall" "$user" "$sys" "$rss"
}

for n in $cells; do
	rm -rf "$tmp/in" "$tmp/out"
	mkdir "$tmp/in" "$tmp/out"
	python3 "$here/scripts/gen-summary.py" "$n" "$tmp/in/b.shard-0-of-1.csv" --failed-every 1000000000 --shard
	measure "$n" merge "$concur" merge "$tmp/out/m.csv" "$tmp/in/b.shard-0-of-1.csv"
	measure "$n" plot "$concur" plot "$tmp/out/m.csv" -o "$tmp/out/p.svg"
done
