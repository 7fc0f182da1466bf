#!/usr/bin/env bash
# compare-fp.sh — how often does `concur compare` call two runs of the SAME
# experiment different?  Runs the experiment twice per trial, back to back as
# a user would (or both at once with --together, so drift of the machine
# hits both alike), compares them, and counts per cell: p <= alpha (what the
# rank test alone would flag; about alpha if the two runs were draws from one
# distribution) and a verdict other than same/unsure (what compare reports,
# after the threshold), plus trials that exited 1.
#
# Usage: scripts/compare-fp.sh [--together] [TRIALS] [EXPERIMENT.ini] [compare options...]
#        (default: 20 trials of configs/compare.ini)
set -euo pipefail
cd "$(dirname "$0")/.."
together=0
if [[ ${1:-} == --together ]]; then together=1; shift; fi
trials=${1:-20}
ini=${2:-configs/compare.ini}
shift $(( $# > 2 ? 2 : $# ))
concur=${CONCUR:-build/harness/concur}
work=$(mktemp -d /tmp/concur-fp.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "compare-fp: $trials trials of $ini ($([[ $together == 1 ]] && echo "both runs at once" || echo "back to back")); nproc $(nproc); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
exit1=0
for ((i = 1; i <= trials; i++)); do
    if [[ $together == 1 ]]; then
        "$concur" run "$ini" -o "$work/a$i.csv" -q --force >/dev/null &
        "$concur" run "$ini" -o "$work/b$i.csv" -q --force >/dev/null
        wait $!
    else
        "$concur" run "$ini" -o "$work/a$i.csv" -q --force >/dev/null
        "$concur" run "$ini" -o "$work/b$i.csv" -q --force >/dev/null
    fi
    rc=0
    "$concur" compare "$work/a$i.csv" "$work/b$i.csv" -o "$work/c$i.csv" "$@" >/dev/null || rc=$?
    [[ $rc == 2 ]] && { echo "compare-fp: compare failed (exit 2) in trial $i" >&2; exit 2; }
    [[ $rc == 1 ]] && exit1=$((exit1 + 1))
    printf '.'
done
echo
python3 - "$work" "$trials" "$exit1" <<'PY'
import csv, glob, os, sys
work, trials, exit1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cells = sig = flagged = 0
per = {}
for path in sorted(glob.glob(os.path.join(work, "c*.csv"))):
    for row in csv.DictReader(open(path, newline="")):
        if row["verdict"] in ("only_in_base", "only_in_new"):
            continue
        cells += 1
        s = row["p_value"] != "" and float(row["p_value"]) <= 0.05
        f = row["verdict"] in ("slower", "faster")
        sig += s
        flagged += f
        c = per.setdefault(row["cell"], [0, 0, 0, []])
        c[0] += 1; c[1] += s; c[2] += f; c[3].append(float(row["ratio"] or "nan"))
print(f"cell comparisons: {cells}")
print(f"p <= 0.05 (the test alone): {sig} = {100 * sig / cells:.1f}%")
print(f"verdict slower or faster (beyond the threshold): {flagged} = {100 * flagged / cells:.1f}%")
print(f"trials with exit 1: {exit1} of {trials} = {100 * exit1 / trials:.1f}%")
for cell, (n, s, f, ratios) in per.items():
    ratios.sort()
    print(f"  {cell:24s} p<=0.05 {s:2d}/{n}  flagged {f:2d}/{n}  ratio {ratios[0]:.3f}..{ratios[-1]:.3f}")
PY
echo "loadavg at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
