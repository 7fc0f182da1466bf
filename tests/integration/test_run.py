"""End to end: run real experiments and check the CSV files they write."""
import math
import os
import unittest

from common import (CONCUR, SOURCE, SUMMARY_TAIL, TempDir, read_csv,
                    read_dicts, run, write)


class QuickExperiment(unittest.TestCase):
    """configs/quick.ini: every CPU strategy x (cpu_sum, null)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        d = cls.tmp.__enter__()
        cls.out = os.path.join(d, "q.csv")
        cls.rc, cls.stdout, cls.stderr = run(
            "run", os.path.join(SOURCE, "configs", "quick.ini"), "-o", cls.out)
        cls.rows = read_dicts(cls.out)
        cls.header = read_csv(cls.out)[0]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def test_exit_zero_and_table(self):
        self.assertEqual(self.rc, 0, self.stderr)
        self.assertIn("speedup", self.stdout)
        self.assertIn("pthreads", self.stdout)

    def test_header_order(self):
        self.assertEqual(self.header[:4], ["experiment", "cell", "strategy", "workload"])
        self.assertEqual(self.header[-len(SUMMARY_TAIL):], SUMMARY_TAIL)
        params = self.header[4:-len(SUMMARY_TAIL)]
        for p in params:
            self.assertRegex(p, r"^(strategy|workload)\.[a-z0-9_]+$")
        self.assertIn("strategy.workers", params)
        self.assertIn("workload.first", params)

    def test_cells_and_counts(self):
        self.assertEqual(len(self.rows), 6)  # 3 strategies x 2 workloads
        for r in self.rows:
            self.assertEqual(r["status"], "ok", r)
            self.assertEqual(int(r["runs"]), 3)
            count = 8 if r["workload"] == "sums" else 1000
            self.assertEqual(int(r["tasks"]), count * 3)
            self.assertEqual(int(r["tasks_failed"]), 0)
            self.assertEqual(r["error"], "")

    def test_statistics_are_consistent(self):
        for r in self.rows:
            med, mean = float(r["wall_median_s"]), float(r["wall_mean_s"])
            lo, hi = float(r["wall_min_s"]), float(r["wall_max_s"])
            self.assertGreater(med, 0)
            self.assertTrue(lo <= med <= hi and lo <= mean <= hi, r)
            self.assertLessEqual(float(r["wall_ci95_low_s"]), mean)
            self.assertGreaterEqual(float(r["wall_ci95_high_s"]), mean)
            cpu = float(r["cpu_user_s"]) + float(r["cpu_sys_s"])
            self.assertAlmostEqual(float(r["cpu_util"]), cpu / med,
                                   delta=1e-5 * max(1, cpu / med))
            tps = (int(r["tasks"]) / int(r["runs"])) / med
            self.assertAlmostEqual(float(r["tasks_per_s"]) / tps, 1, places=4)
            self.assertLessEqual(float(r["task_p50_ms"]), float(r["task_p99_ms"]))
            self.assertLessEqual(float(r["task_p99_ms"]), float(r["task_max_ms"]))

    def test_speedup_against_baseline(self):
        base = {r["workload"]: float(r["wall_median_s"])
                for r in self.rows if r["strategy"] == "sync"}
        for r in self.rows:
            want = base[r["workload"]] / float(r["wall_median_s"])
            self.assertAlmostEqual(float(r["speedup"]) / want, 1, places=4)
            if r["strategy"] == "sync":
                self.assertEqual(float(r["speedup"]), 1)

    def test_matrix_file(self):
        m = read_csv(self.out.replace(".csv", "-matrix.csv"))
        self.assertEqual(m[0], ["strategy", "sums", "nothing"])
        self.assertEqual([row[0] for row in m[1:]], ["sync", "pthreads", "forkpool"])
        medians = {(r["strategy"], r["workload"]): r["wall_median_s"] for r in self.rows}
        self.assertEqual(m[1][1], medians[("sync", "sums")])

    def test_runs_and_env_files(self):
        runs = read_dicts(self.out.replace(".csv", "-runs.csv"))
        self.assertEqual(len(runs), 6 * 3)
        env = dict(read_csv(self.out.replace(".csv", "-env.csv"))[1:])
        for key in ("concur_version", "git_revision", "start_time_utc", "host",
                    "kernel", "cpu_model", "cpu_count", "load_average",
                    "compiler", "build_type", "experiment_sha256",
                    "command_line"):
            self.assertIn(key, env)
        # no plugin of this experiment uses libcurl or the test server
        self.assertNotIn("libcurl_version", env)
        self.assertNotIn("libmicrohttpd_version", env)
        self.assertEqual(int(env["cpu_count"]), os.cpu_count())
        self.assertRegex(env["start_time_utc"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(len(env["experiment_sha256"]), 64)


class Behaviour(unittest.TestCase):
    def test_refuses_to_overwrite_then_force(self):
        with TempDir() as d:
            out = os.path.join(d, "r.csv")
            ini = os.path.join(SOURCE, "configs", "quick.ini")
            self.assertEqual(run("run", ini, "-o", out, "-q")[0], 0)
            first = open(out).read()
            rc, _, err = run("run", ini, "-o", out, "-q")
            self.assertEqual(rc, 2)
            self.assertIn("already exists", err)
            self.assertEqual(open(out).read(), first)  # nothing lost
            self.assertEqual(run("run", ini, "-o", out, "-q", "--force")[0], 0)

    def test_validate_and_dry_run(self):
        ini = os.path.join(SOURCE, "configs", "quick.ini")
        rc, out, _ = run("validate", ini)
        self.assertEqual(rc, 0)
        self.assertIn("6 cells x 4 runs", out)
        rc, out, _ = run("run", ini, "--dry-run", "--set", "pthreads.workers=1,2,4")
        self.assertEqual(rc, 0)
        self.assertIn("pthreads[workers=4]/sums", out)
        self.assertIn("10 cells", out)

    def test_failures_give_exit_1_and_a_reason(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "f.ini"), """
[experiment]
name = f
repetitions = 2
warmup = 0
[strategy null]
[workload sums]
plugin = cpu_sum
count = 3
first = 10
""")
            rc, _, _ = run("run", ini, "-o", os.path.join(d, "f.csv"), "-q")
            self.assertEqual(rc, 1)
            row = read_dicts(os.path.join(d, "f.csv"))[0]
            self.assertEqual(row["status"], "failed")
            self.assertEqual(row["tasks_failed"], "6")
            self.assertIn("sum of squares", row["error"])

    def test_formula_guard(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "g.ini"), """
[experiment]
name = =HYPERLINK("http://x","y")
repetitions = 1
warmup = 0
[strategy sync]
[workload nothing]
plugin = null
count = 5
""")
            out = os.path.join(d, "g.csv")
            rc, _, err = run("run", ini, "-o", out, "-q")
            self.assertEqual(rc, 0, err)
            raw = open(out, newline="").read()
            self.assertIn('"\'=HYPERLINK(""http://x"",""y"")"', raw)
            self.assertEqual(read_dicts(out)[0]["experiment"], "'=HYPERLINK(\"http://x\",\"y\")")

    def test_decimal_point_under_german_locale(self):
        with TempDir() as d:
            out = os.path.join(d, "l.csv")
            rc, _, err = run("run", os.path.join(SOURCE, "configs", "quick.ini"),
                             "-o", out, "-q", env={"LC_ALL": "de_DE.UTF-8"})
            self.assertEqual(rc, 0, err)
            for r in read_dicts(out):
                float(r["wall_median_s"])  # parses with '.'
                self.assertNotIn(",", r["wall_median_s"])

    def test_rows_are_crlf_and_parse(self):
        with TempDir() as d:
            out = os.path.join(d, "c.csv")
            run("run", os.path.join(SOURCE, "configs", "quick.ini"), "-o", out, "-q")
            raw = open(out, "rb").read()
            self.assertTrue(raw.endswith(b"\r\n"))
            self.assertNotIn(b"e-0", raw)  # no exponent notation


if __name__ == "__main__":
    unittest.main()
