#!/usr/bin/env python3
"""gen-compare.py - write a synthetic summary N.csv and its N-runs.csv for
`concur compare`: CELLS cells of RUNS measured runs each, the runs rows
with every column concur writes, wall times log-normal around a per-cell
median (5% spread).  For the compare scaling benchmark
(configs/bench/compare-scale.sh).

usage: scripts/gen-compare.py CELLS RUNS OUT.csv [--seed S]
"""
import argparse
import os
import random

SUMMARY = ("experiment,cell,strategy,workload,strategy.workers,"
           "workload.latency,status,runs,error\r\n")
RUNS = ("experiment,cell,strategy,workload,run,status,wall_s,tasks,"
        "tasks_failed,cpu_user_s,cpu_sys_s,max_rss_kib,ctx_voluntary,"
        "ctx_involuntary,error\r\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cells", type=int)
    ap.add_argument("runs", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    runs_path = os.path.splitext(a.out)[0] + "-runs.csv"
    with open(a.out, "w", newline="") as s, open(runs_path, "w",
                                                 newline="") as r:
        s.write(SUMMARY)
        r.write(RUNS)
        for c in range(a.cells):
            cell = f"pthreads[workers={c}]/nap[latency=10ms]"
            s.write(f"bench,{cell},pthreads,nap,{c},10ms,ok,{a.runs},\r\n")
            median = 0.05 * (1 + c % 7)
            r.writelines(
                f"bench,{cell},pthreads,nap,{k + 1},ok,"
                f"{median * rng.lognormvariate(0, 0.05):.9f},"
                "5,0,0.010234,0.001023,5012,10,1,\r\n"
                for k in range(a.runs))


if __name__ == "__main__":
    main()
