#!/usr/bin/env python3
"""gen-summary.py - write a synthetic concur summary file (N.csv) of ROWS
cells, shaped like a real large matrix: strategies sync, pthreads, forkpool
and epoll crossed over a parameter range, times workload cells of cpu_sum,
every column concur writes, figures with full precision.  For the
`concur plot` scaling benchmark (configs/bench/plot-scale.sh) and the plot
memory test.

usage: scripts/gen-summary.py ROWS OUT.csv [--failed-every K] [--open-loop]
                              [--shard]
  --open-loop   workload cells differ by their offered rate (rate=...), with
                the open-loop columns, so plot also draws its
                latency-throughput chart
  --shard       OUT.csv is a whole experiment's only shard
                (NAME.shard-0-of-1.csv): also write its -matrix.csv, an
                -env.csv that `concur merge` accepts and an -runs.csv with
                the header only, for the workbook scaling benchmark
                (configs/bench/xlsx-scale.sh)
"""
import argparse
import csv
import random

TAIL = ["status", "runs", "tasks", "tasks_failed", "wall_median_s",
        "wall_mean_s", "wall_stddev_s", "wall_min_s", "wall_max_s", "wall_cv",
        "wall_ci95_low_s", "wall_ci95_high_s", "speedup", "tasks_per_s",
        "task_p50_ms", "task_p90_ms", "task_p99_ms", "task_max_ms",
        "cpu_user_s", "cpu_sys_s", "cpu_util", "max_rss_kib", "ctx_voluntary",
        "ctx_involuntary", "error"]


def strategy_cells(n):
    """n strategy cells: sync, then workers / max_inflight ranges."""
    cells = [("sync", "sync", "", "")]
    k = 1
    while len(cells) < n:
        for label, key in (("pthreads", "workers"), ("forkpool", "workers"),
                           ("epoll", "max_inflight")):
            if len(cells) < n:
                cell = f"{label}[{key}={k}]"
                cells.append((cell, label, str(k) if key == "workers" else "",
                              str(k) if key == "max_inflight" else ""))
        k += 1
    return cells


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", type=int)
    ap.add_argument("out")
    ap.add_argument("--failed-every", type=int, default=97)
    ap.add_argument("--open-loop", action="store_true")
    ap.add_argument("--shard", action="store_true")
    a = ap.parse_args()
    wn = 100 if a.rows >= 10000 else 10
    sn = max(1, a.rows // wn)
    rng = random.Random(42)
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["experiment", "cell", "strategy", "workload",
                    "strategy.workers", "strategy.max_inflight",
                    "workload.count", "workload.first"] + TAIL +
                   (["offered_rate", "achieved_rate"] if a.open_loop else []))
        row = 0
        base = {}
        matrix = []
        for scell, label, workers, inflight in strategy_cells(sn):
            matrix.append([scell])
            for wi in range(wn):
                count = 10 + wi
                rate = 100 * (wi + 1)
                wcell = (f"sums[count=10,rate={rate}]" if a.open_loop
                         else f"sums[count={count}]")
                median = 0.5 * count / (1 + 0.01 * rng.random() *
                                         (int(workers or inflight or 1)))
                base.setdefault(wi, median)
                row += 1
                failed = row % a.failed_every == 0
                fig = [repr(median * (1 + d)) for d in
                       (0.001, 0.0001, -0.01, 0.02, 0.0003, -0.004, 0.004)]
                tail = (["crashed", "3", "", "", "", "", "", "", "", "", "",
                         "", "", "", "", "", "", "", "", "", "", "", "", "",
                         "run 1 killed by SIGSEGV"] if failed else
                        ["ok", "5", str(count), "0", repr(median), fig[0],
                         fig[1], fig[2], fig[3], fig[4], fig[5], fig[6],
                         repr(base[wi] / median), repr(count / median),
                         "12.5", "13.25", "14.125", "15.0625", "1.234567",
                         "0.012345", "0.98765", "10240", "17", "3", ""])
                loop = ([str(rate), repr(rate * (0.9 + 0.1 * rng.random()))]
                        if a.open_loop else [])
                w.writerow(["plotscale", f"{scell}/{wcell}", label, "sums",
                            workers, inflight, str(count), "5000000"] + tail +
                           loop)
                matrix[-1].append("" if failed else repr(median))
    if a.shard:
        wcells = [f"sums[count=10,rate={100 * (wi + 1)}]" if a.open_loop
                  else f"sums[count={10 + wi}]" for wi in range(wn)]
        write_siblings(a.out, ["strategy"] + wcells, matrix, wn)


def write_siblings(out, matrix_header, matrix, wn):
    """The -matrix, -runs and -env files of the only shard of a split."""
    stem = out[:-4]
    cells = len(matrix) * wn
    env = [("concur_version", "0"), ("experiment_sha256", "0" * 64),
           ("shard", "0/1"), ("shard_cells", cells),
           ("experiment_cells", cells), ("workload_cells", wn),
           ("baseline", "sync"), ("host", "bench"), ("cpu_model", "bench"),
           ("cpu_count", 1), ("kernel", "bench"), ("load_average", "0"),
           ("start_time_utc", "2026-01-01T00:00:00Z"),
           ("experiment_file", "bench.ini"), ("order", "interleaved"),
           ("overrides", ""), ("cpu_mhz", "0"), ("cpu_scaling", "unknown")]
    for suffix, rows in (("-matrix", [matrix_header] + matrix),
                         ("-runs", [["experiment", "cell", "run"]]),
                         ("-env", [["key", "value"]] + env)):
        with open(stem + suffix + ".csv", "w", newline="",
                  encoding="utf-8") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)


if __name__ == "__main__":
    main()
