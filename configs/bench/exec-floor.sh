#!/bin/sh
# exec-floor.sh — the exec workload's spawn cost beside the tools people
# use for the same job: hyperfine running `true` without a shell (-N) and
# GNU parallel running it 500 times, 2 at a time.  Both are Debian packages
# (apt-get install hyperfine parallel); they are needed only here.
#
# usage: configs/bench/exec-floor.sh [CONCUR_BINARY]
set -eu

concur=${1:-build/harness/concur}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$concur" run "$here/exec-floor.ini" -o "$tmp/floor.csv" -q
python3 - "$tmp/floor.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    per = float(r["wall_median_s"]) / int(r["tasks"]) * int(r["runs"])
    print("concur %-9s %7.0f us per task (median wall %.3f s / %s tasks)"
          % (r["strategy"], per * 1e6, float(r["wall_median_s"]),
             int(r["tasks"]) // int(r["runs"])))
PY
hyperfine -N --warmup 20 --runs 500 --export-json "$tmp/h.json" true >/dev/null 2>&1
python3 - "$tmp/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("hyperfine -N true  %7.0f us per run (median; mean %.0f us)"
      % (r["median"] * 1e6, r["mean"] * 1e6))
PY
for j in 1 2; do
	t0=$(date +%s.%N)
	seq 500 | parallel -j"$j" true
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v j="$j" 'BEGIN {
		printf "parallel -j%d true  %7.0f us per job (500 jobs, %.3f s)\n", j, (b - a) / 500 * 1e6, b - a
	}'
done
