#!/bin/sh
# plot-scale.sh - how `concur plot` scales with the size of a summary file:
# wall time, CPU time and peak memory (GNU time) for synthetic summaries of
# 2,000 to 100,000 rows (scripts/gen-summary.py: the shape of a real large
# matrix, every column concur writes), the same at 100,000 rows as an
# open-loop experiment (rate crossed: plot adds its latency-throughput
# chart), plus a hostile file that is one line of 10 million commas.  The target: 100,000 rows in under 2 s, peak memory
# under 10x the file's size.
#
# usage: configs/bench/plot-scale.sh [CONCUR_BINARY] [ROWS...]
#   CONCUR_BINARY  default: build/harness/concur
#   ROWS           default: 2000 4000 8000 25000 50000 100000
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
concur=${1:-$here/build/harness/concur}
[ $# -gt 0 ] && shift
rows=${*:-2000 4000 8000 25000 50000 100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

[ -x /usr/bin/time ] || { echo "plot-scale: needs GNU time (apt-get install time)" >&2; exit 2; }
echo "# nproc $(nproc), loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %10s %8s %8s %8s %10s %8s\n' file bytes wall_s user_s sys_s maxrss_kib rss/size

measure() { # NAME CSV
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" \
		"$concur" plot "$2" -o "$tmp/out.svg" --force >/dev/null 2>"$tmp/err" ||
		{ echo "plot-scale: concur plot $1 failed: $(cat "$tmp/err")" >&2; exit 1; }
	size=$(wc -c <"$2")
	read -r wall user sys rss <"$tmp/time"
	awk -v n="$1" -v b="$size" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
		'BEGIN { printf "%-22s %10d %8s %8s %8s %10d %8.2f\n", n, b, w, u, s, r, r * 1024 / b }'

}

for n in $rows; do
	python3 "$here/scripts/gen-summary.py" "$n" "$tmp/s.csv"
	measure "summary-$n-rows" "$tmp/s.csv"
done
python3 "$here/scripts/gen-summary.py" 100000 "$tmp/s.csv" --open-loop
measure "open-loop-100000-rows" "$tmp/s.csv"
{
	printf 'experiment,cell,strategy,workload,status,wall_median_s\r\n'
	printf 'e,a/w,a,w,ok,1\r\n'
	head -c 10000000 /dev/zero | tr '\0' ','
	printf '\r\n'
} >"$tmp/commas.csv"
measure "one-line-of-commas" "$tmp/commas.csv"
