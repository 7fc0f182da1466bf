#!/bin/sh
# xlsx-scale.sh - how the workbook scales with the number of cells: CPU time
# (user+sys), wall time and peak memory (GNU time) of `concur merge` on one
# synthetic shard of 10,000 to 100,000 cells (scripts/gen-summary.py
# --shard: every summary column, a full matrix, no runs), which writes the
# merged CSV files, the chart and the workbook, and of the same merge with
# --no-xlsx, which writes all of that but the workbook.  The two are run
# interleaved, REPS times each, and the medians printed; the workbook's own
# CPU is the difference of the medians.  The target: 100,000 cells in under
# 2 s of CPU for the workbook, as for the chart (`concur plot`, also shown).
#
# usage: configs/bench/xlsx-scale.sh [CONCUR_BINARY] [CELLS...]
#   CONCUR_BINARY  default: build/harness/concur
#   CELLS          default: 10000 30000 100000
#   REPS           (environment) runs of each, default 3
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
concur=${1:-$here/build/harness/concur}
[ $# -gt 0 ] && shift
cells=${*:-10000 30000 100000}
reps=${REPS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

[ -x /usr/bin/time ] || { echo "xlsx-scale: needs GNU time (apt-get install time)" >&2; exit 2; }
echo "# $concur"
echo "# nproc $(nproc), loadavg $(cut -d' ' -f1-3 /proc/loadavg), medians of $reps"
printf '%-8s %-14s %8s %8s %8s %10s\n' cells what cpu_s user_s wall_s maxrss_kib

run() { # CELLS WHAT COMMAND...: one line "cpu user wall rss" into $tmp/WHAT
	n=$1 what=$2
	shift 2
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" ||
		{ echo "xlsx-scale: $what of $n cells failed: $(cat "$tmp/err")" >&2; exit 1; }
	read -r wall user sys rss <"$tmp/time"
	awk -v u="$user" -v s="$sys" -v w="$wall" -v r="$rss" \
		'BEGIN { printf "%.2f %s %s %s\n", u + s, u, w, r }' >>"$tmp/$what"
}

median() { # FILE COLUMN
	sort -n -k"$2" "$1" | awk -v k="$2" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'
}

show() { # CELLS WHAT
	printf '%-8s %-14s %8s %8s %8s %10s\n' "$1" "$2" "$(median "$tmp/$2" 1)" \
		"$(median "$tmp/$2" 2)" "$(median "$tmp/$2" 3)" "$(median "$tmp/$2" 4)"
}

for n in $cells; do
	rm -rf "$tmp/in" "$tmp/out" "$tmp/merge" "$tmp/merge--no-xlsx" "$tmp/plot"
	mkdir "$tmp/in" "$tmp/out"
	python3 "$here/scripts/gen-summary.py" "$n" "$tmp/in/b.shard-0-of-1.csv" --failed-every 1000000000 --shard
	i=0
	while [ "$i" -lt "$reps" ]; do
		run "$n" merge "$concur" merge "$tmp/out/m.csv" "$tmp/in/b.shard-0-of-1.csv"
		run "$n" merge--no-xlsx "$concur" merge "$tmp/out/m.csv" "$tmp/in/b.shard-0-of-1.csv" --no-xlsx
		run "$n" plot "$concur" plot "$tmp/out/m.csv" -o "$tmp/out/p.svg" --force
		i=$((i + 1))
	done
	show "$n" merge
	show "$n" merge--no-xlsx
	show "$n" plot
	awk -v n="$n" -v a="$(median "$tmp/merge" 1)" -v b="$(median "$tmp/merge--no-xlsx" 1)" \
		'BEGIN { printf "%-8s %-14s %8.2f\n", n, "workbook", a - b }'
done
