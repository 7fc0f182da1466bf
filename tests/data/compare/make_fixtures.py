"""Write the fixed result files the compare golden tests read.

Two runs of one experiment ("nap"), BASE and NEW, with per-run wall times
chosen so that every verdict and note of `concur compare` appears once:

  sync/nap                 10 + 10 runs, NEW 10% slower         -> slower
  pthreads[workers=2]/nap  10 + 10 runs, NEW 10% faster         -> faster
  pthreads[workers=4]/nap  10 + 10 runs, interleaved            -> same
  epoll/nap                12 + 12 runs, NEW 2% slower, apart   -> same (within threshold)
  forkpool/nap              3 + 3 runs, far apart               -> unsure
  sync/tied                 8 + 8 runs on a coarse clock (ties) -> normal approximation
  sync/crashy               5 + 5 runs, one NEW run crashed     -> not ok, exit 3
  pthreads[workers=8]/nap   BASE only;  pthreads[workers=16]/nap NEW only
and workload.latency is 10ms in BASE, 11ms in NEW (a --set on one side);
NEW-env.csv says the machine was busy (load 3.40 on 2 CPUs).

The numbers are written here, not measured, so the expected output never
changes; run this script only to change the fixture on purpose.
"""
import csv
import os
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
TAIL = ["status", "runs", "tasks", "tasks_failed", "wall_median_s",
        "wall_mean_s", "wall_stddev_s", "wall_min_s", "wall_max_s", "wall_cv",
        "wall_ci95_low_s", "wall_ci95_high_s", "speedup", "tasks_per_s",
        "task_p50_ms", "task_p90_ms", "task_p99_ms", "task_max_ms",
        "cpu_user_s", "cpu_sys_s", "cpu_util", "max_rss_kib", "ctx_voluntary",
        "ctx_involuntary", "error"]
RUNS = ["experiment", "cell", "strategy", "workload", "run", "status",
        "wall_s", "tasks", "tasks_failed", "cpu_user_s", "cpu_sys_s",
        "max_rss_kib", "ctx_voluntary", "ctx_involuntary", "error"]

JITTER = [0.0, 0.3, -0.2, 0.5, -0.4, 0.1, -0.1, 0.4, -0.3, 0.2, 0.05, -0.05]


def series(centre_ms, n, spread_ms=0.1):
    return [round((centre_ms + JITTER[i % len(JITTER)] * spread_ms * 3) / 1e3, 9)
            for i in range(n)]


CELLS = {
    # cell: (strategy, workers, workload, base walls, new walls, new status)
    "sync/nap": ("sync", "", "nap", series(50, 10), series(55, 10), "ok"),
    "pthreads[workers=2]/nap": ("pthreads", "2", "nap", series(25, 10),
                                series(22.5, 10), "ok"),
    "pthreads[workers=4]/nap": ("pthreads", "4", "nap", series(12.5, 10),
                                [w + 0.00001 for w in series(12.5, 10)], "ok"),
    "epoll/nap": ("epoll", "", "nap", series(10, 12, 0.02),
                  series(10.2, 12, 0.02), "ok"),
    "forkpool/nap": ("forkpool", "", "nap", series(60, 3), series(90, 3), "ok"),
    "sync/tied": ("sync", "", "tied", [0.001, 0.001, 0.002, 0.002, 0.002,
                                       0.003, 0.003, 0.004],
                  [0.002, 0.003, 0.003, 0.004, 0.004, 0.004, 0.005, 0.005],
                  "ok"),
    "sync/crashy": ("sync", "", "crashy", series(30, 5), series(30, 4) + [None],
                    "crashed"),
}
BASE_ONLY = {"pthreads[workers=8]/nap": ("pthreads", "8", "nap", series(7, 10))}
NEW_ONLY = {"pthreads[workers=16]/nap": ("pthreads", "16", "nap", series(5, 10))}


def summary_row(cell, strategy, workers, workload, latency, walls, status):
    ok = [w for w in walls if w is not None]
    med = statistics.median(ok)
    mean = statistics.fmean(ok)
    sd = statistics.stdev(ok)
    error = "run 5 killed by SIGSEGV" if status == "crashed" else ""
    return (["nap", cell, strategy, workload, workers, latency, status,
             len(ok), 5 * len(ok), 0, repr(med), repr(mean), repr(sd),
             repr(min(ok)), repr(max(ok)), repr(sd / mean), "", "", "", ""]
            + [""] * 4 + ["0.01", "0.001", "0.2", 5000, 10, 1, error])


def runs_rows(cell, strategy, workload, walls):
    rows = []
    for i, w in enumerate(walls, 1):
        if w is None:
            rows.append(["nap", cell, strategy, workload, i, "crashed", "",
                         "", "", "", "", "", "", "", f"run {i} killed by SIGSEGV"])
        else:
            rows.append(["nap", cell, strategy, workload, i, "ok", repr(w), 5,
                         0, "0.01", "0.001", 5000, 10, 1, ""])
    return rows


def write(name, side):
    latency = "10ms" if side == "base" else "11ms"
    header = (["experiment", "cell", "strategy", "workload",
               "strategy.workers", "workload.latency"] + TAIL)
    summary, runs = [header], [RUNS]
    cells = [(c, s, w, wl, b if side == "base" else n,
              "ok" if side == "base" else st)
             for c, (s, w, wl, b, n, st) in CELLS.items()]
    extra = BASE_ONLY if side == "base" else NEW_ONLY
    cells += [(c, s, w, wl, walls, "ok") for c, (s, w, wl, walls) in extra.items()]
    for cell, strategy, workers, workload, walls, status in cells:
        runs += runs_rows(cell, strategy, workload, walls)
        summary.append(summary_row(cell, strategy, workers, workload, latency,
                                   walls, status))
    # the context: BASE on a quiet machine, NEW on a busy one
    load = "0.12 0.30 0.25 1/90 4242" if side == "base" else "3.40 2.10 1.50 3/99 4343"
    env = [["key", "value"], ["concur_version", "0.1.0"], ["cpu_count", 2],
           ["load_average", load], ["order", "interleaved"]]
    for path, rows in ((name + ".csv", summary), (name + "-runs.csv", runs),
                       (name + "-env.csv", env)):
        with open(os.path.join(HERE, path), "w", newline="") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)


write("base", "base")
write("new", "new")
