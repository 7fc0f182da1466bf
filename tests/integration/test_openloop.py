"""Open-loop load through the real binary (docs/open-loop.md).

Every shipped strategy runs an experiment that crosses rate = 0 (closed
loop) with an open-loop rate; the CSV has the reserved keys' columns and
the five open-loop columns, filled for open-loop cells and empty for
closed-loop ones; a strategy without CONCUR_CAP_OPEN_LOOP (a third-party
style fixture) is refused at validate with FILE:LINE and the reason, yet
still runs closed-loop cells; a cell that cannot keep up is flagged in the
report; and `concur plot` draws the latency-throughput chart.
"""
import os
import re
import unittest

from common import BUILD, TempDir, read_dicts, run, write

FIXTURES = os.path.join(BUILD, "tests", "fixtures", "openloop")
OPEN_COLUMNS = ["service_p50_ms", "service_p99_ms", "offered_rate",
                "achieved_rate", "start_lag_p99_ms"]


class OpenLoop(unittest.TestCase):
    def test_every_strategy_open_and_closed(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "ol.ini"), """
[experiment]
name = ol
repetitions = 2
warmup = 0
output = %s/ol.csv

[strategy sync]
[strategy pthreads]
workers = 3
[strategy forkpool]
workers = 2
[strategy epoll]
max_inflight = 4
[strategy io_uring]
max_inflight = 4

[workload fixed]
count = 60
duration = 1ms
rate = 0, 300
arrival = poisson
seed = 9
""" % d)
            rc, out, err = run("run", ini, "--plugin-path", FIXTURES, "-q")
            self.assertEqual(rc, 0, err)
            rows = read_dicts(os.path.join(d, "ol.csv"))
            self.assertEqual(len(rows), 10)
            for r in rows:
                self.assertEqual(r["status"], "ok", r["error"])
                self.assertIn(r["workload.rate"], ("0", "300"))
                self.assertEqual(r["workload.arrival"], "poisson")
                self.assertEqual(r["workload.seed"], "9")
                if r["workload.rate"] == "0":
                    for c in OPEN_COLUMNS:
                        self.assertEqual(r[c], "", (r["cell"], c))
                    continue
                self.assertTrue(r["cell"].endswith("fixed[rate=300]"))
                for c in OPEN_COLUMNS:
                    self.assertNotEqual(r[c], "", (r["cell"], c))
                # same seed, same schedule: every strategy was offered
                # the same realised rate
                self.assertEqual(r["offered_rate"], rows[1]["offered_rate"])
                # latency counts from the intended start: never below the
                # service time, which is the task's 1 ms
                self.assertGreaterEqual(float(r["task_p50_ms"]),
                                        float(r["service_p50_ms"]))
                self.assertGreaterEqual(float(r["service_p50_ms"]), 1.0)
                self.assertGreaterEqual(float(r["start_lag_p99_ms"]), 0)

    def test_strategy_without_capability_is_refused(self):
        with TempDir() as d:
            text = """[experiment]
name = legacy
output = %s/legacy.csv
repetitions = 1
warmup = 0
[strategy old]
plugin = legacy
[workload null]
count = 5
rate = %s
"""
            ini = write(os.path.join(d, "l.ini"), text % (d, "100"))
            rc, out, err = run("validate", ini, "--plugin-path", FIXTURES)
            self.assertEqual(rc, 2, out)
            self.assertRegex(err, re.escape(ini) + r":10: \[workload null\]")
            self.assertIn("strategy plugin legacy", err)
            self.assertIn("does not declare CONCUR_CAP_OPEN_LOOP", err)
            rc, out, err = run("run", ini, "--plugin-path", FIXTURES, "-q")
            self.assertEqual(rc, 2, out)
            # the same strategy runs closed-loop cells as before
            write(ini, text % (d, "0"))
            rc, out, err = run("run", ini, "--plugin-path", FIXTURES, "-q")
            self.assertEqual(rc, 0, err)

    def test_help_says_who_supports_it(self):
        rc, out, _ = run("help", "pthreads")
        self.assertEqual(rc, 0)
        self.assertIn("open loop: yes", out)
        rc, out, _ = run("help", "legacy", "--plugin-path", FIXTURES)
        self.assertEqual(rc, 0)
        self.assertIn("open loop: no (refused for a workload with rate > 0)",
                      out)
        rc, out, _ = run("help", "cpu_sum")
        self.assertEqual(rc, 0)
        self.assertIn("load keys: rate, arrival, seed", out)

    def test_help_says_how_workers_run(self):
        rc, out, _ = run("help", "pthreads")
        self.assertEqual(rc, 0)
        self.assertIn("workers: blocking (one task at a time each", out)
        rc, out, _ = run("help", "epoll")
        self.assertEqual(rc, 0)
        self.assertIn("workers: event loops (many tasks in flight each", out)
        rc, out, _ = run("help", "legacy", "--plugin-path", FIXTURES)
        self.assertEqual(rc, 0)
        self.assertIn("workers: not declared (a plugin built before ABI v1.4)",
                      out)

    def test_bad_arrival_names_file_and_line(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "b.ini"), "[experiment]\n"
                        "[strategy sync]\n[workload null]\nrate = 10\n"
                        "arrival = bursty\n")
            rc, out, err = run("validate", ini)
            self.assertEqual(rc, 2)
            self.assertIn(ini + ":5: [workload null] arrival = bursty: "
                          "allowed: uniform", err)

    def test_behind_flagged_and_chart_drawn(self):
        """sync runs 4 ms tasks: 250/s at most.  Offered 100 and 1000 per
        second, it keeps up with the first and is flagged at the second;
        the chart has one line pair for it."""
        with TempDir() as d:
            ini = write(os.path.join(d, "k.ini"), """[experiment]
name = knee
output = %s/knee.csv
repetitions = 1
warmup = 0
[strategy sync]
[workload fixed]
count = 40
duration = 4ms
rate = 100, 1000
""" % d)
            rc, out, err = run("run", ini, "--plugin-path", FIXTURES)
            self.assertEqual(rc, 0, err)
            self.assertIn("open loop", out)
            self.assertIn("warning: sync could not keep up", out)
            self.assertEqual(out.count("could not keep up"), 1, out)
            rows = {r["workload.rate"]: r
                    for r in read_dicts(os.path.join(d, "knee.csv"))}
            self.assertLess(float(rows["1000"]["achieved_rate"]), 260)
            svg = open(os.path.join(d, "knee.svg"), encoding="utf-8").read()
            self.assertIn("Latency against offered load", svg)
            self.assertIn("(could not keep up); latency", svg)
            # p50 and p99 lines of the one strategy cell
            self.assertEqual(svg.count("<polyline"), 2)


if __name__ == "__main__":
    unittest.main()
