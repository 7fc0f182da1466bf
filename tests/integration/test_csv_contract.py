"""The CSV contract of docs/results.md, read back with Python's csv module.

Complements test_run.py (which checks quick.ini's headers, the arithmetic of
its rows and the experiment-name formula guard): here an experiment with
crossed parameters on both sides is checked file against file -- every
summary statistic recomputed from N-runs.csv, every matrix value against the
summary, every speedup against its baseline cell, the type of every column,
the context file against the machine -- and the locale and formula-guard
rules are tested for real (the German locale is verified to be in effect,
and generated with localedef when it is missing).
"""
import csv
import datetime
import hashlib
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import unittest

from common import BUILD, SOURCE, SUMMARY_TAIL, TempDir, run, write

FIXTURES = os.path.join(BUILD, "tests", "fixtures", "workloads")
GOLDEN = os.path.join(SOURCE, "tests", "golden")

INT = re.compile(r"^-?[0-9]+$")
# '.' decimals, no exponent, no thousands separators, no leading '+'
REAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")

INT_COLUMNS = {"runs", "tasks", "tasks_failed", "max_rss_kib"}
REAL_COLUMNS = {
    "wall_median_s", "wall_mean_s", "wall_stddev_s", "wall_min_s",
    "wall_max_s", "wall_cv", "wall_ci95_low_s", "wall_ci95_high_s", "speedup",
    "tasks_per_s", "task_p50_ms", "task_p90_ms", "task_p99_ms", "task_max_ms",
    "cpu_user_s", "cpu_sys_s", "cpu_util", "ctx_voluntary", "ctx_involuntary",
}
RUNS_HEADER = [
    "experiment", "cell", "strategy", "workload", "run", "status", "wall_s",
    "tasks", "tasks_failed", "cpu_user_s", "cpu_sys_s", "max_rss_kib",
    "ctx_voluntary", "ctx_involuntary", "error",
]
RUNS_INT = {"run", "tasks", "tasks_failed", "max_rss_kib", "ctx_voluntary",
            "ctx_involuntary"}
RUNS_REAL = {"wall_s", "cpu_user_s", "cpu_sys_s"}
# N-env.csv (docs/results.md): every one of these, with a value.  Library
# versions (libcurl_version, ...) come from the plugins an experiment uses:
# test_boundary checks them on an experiment that downloads.
ENV_KEYS = [
    "concur_version", "git_revision", "start_time_utc", "host", "kernel",
    "cpu_model", "cpu_count", "load_average", "compiler", "build_type",
    "experiment_sha256", "command_line",
]
# Student's t, two-sided 95%, by degrees of freedom
T975 = {1: 12.7062047362, 2: 4.30265272975, 3: 3.18244630528,
        4: 2.7764451052, 5: 2.57058183661}

REPETITIONS = 3
EXPERIMENT = f"""
[experiment]
name        = contract
repetitions = {REPETITIONS}
warmup      = 1
timeout     = 30s
baseline    = sync

[strategy sync]

[strategy pthreads]
workers = 1, 2

[strategy forkpool]
workers = 2
chunk   = 1

[workload nothing]
plugin = null
count  = 20, 300

[workload sums]
plugin = cpu_sum
count  = 4
first  = 20000
step   = 3
"""
STRATEGY_CELLS = ["sync", "pthreads[workers=1]", "pthreads[workers=2]", "forkpool"]
WORKLOAD_CELLS = ["nothing[count=20]", "nothing[count=300]", "sums"]


def read_rows(path):
    """All records, strictly parsed (RFC 4180: a bad quote is an error)."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f, strict=True))


def as_dicts(rows):
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def close(a, b, rel=1e-7, abs_=1e-12):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


class Contract(unittest.TestCase):
    """One real run of EXPERIMENT, checked from every side."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        d = cls.tmp.__enter__()
        cls.ini = write(os.path.join(d, "contract.ini"), EXPERIMENT)
        cls.out = os.path.join(d, "out", "contract.csv")
        cls.rc, cls.stdout, cls.stderr = run("run", cls.ini, "-o", cls.out, "-q")
        cls.summary = read_rows(cls.out)
        cls.rows = as_dicts(cls.summary)
        cls.runs = read_rows(cls.out[:-4] + "-runs.csv")
        cls.matrix = read_rows(cls.out[:-4] + "-matrix.csv")
        cls.env = read_rows(cls.out[:-4] + "-env.csv")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def cell(self, strategy_cell, workload_cell):
        cid = strategy_cell + "/" + workload_cell
        found = [r for r in self.rows if r["cell"] == cid]
        self.assertEqual(len(found), 1, cid)
        return found[0]

    def test_ran_cleanly(self):
        self.assertEqual(self.rc, 0, self.stderr)
        self.assertEqual(len(self.rows), len(STRATEGY_CELLS) * len(WORKLOAD_CELLS))
        for r in self.rows:
            self.assertEqual(r["status"], "ok", r)

    def test_summary_columns_names_and_order(self):
        head = self.summary[0]
        self.assertEqual(head[:4], ["experiment", "cell", "strategy", "workload"])
        self.assertEqual(head[-len(SUMMARY_TAIL):], SUMMARY_TAIL)
        params = head[4:-len(SUMMARY_TAIL)]
        # every parameter of every plugin used, strategy side first
        self.assertEqual(set(params), {
            "strategy.workers", "strategy.chunk", "workload.count",
            "workload.first", "workload.step", "workload.slice"})
        kinds = [p.split(".")[0] for p in params]
        self.assertEqual(kinds, sorted(kinds, key=["strategy", "workload"].index))
        self.assertEqual(len(set(head)), len(head), "duplicate column names")
        for record in self.summary:
            self.assertEqual(len(record), len(head))

    def test_parameter_columns(self):
        for r in self.rows:
            with self.subTest(cell=r["cell"]):
                if r["strategy"] == "sync":
                    self.assertEqual(r["strategy.workers"], "")  # does not apply
                else:
                    self.assertRegex(r["strategy.workers"], INT)
                if r["workload"] == "nothing":
                    self.assertIn(r["workload.count"], ("20", "300"))
                    self.assertEqual(r["workload.first"], "")
                else:
                    self.assertEqual((r["workload.count"], r["workload.first"],
                                      r["workload.step"]), ("4", "20000", "3"))
        self.assertEqual(self.cell("forkpool", "sums")["strategy.chunk"], "1")

    def test_column_types(self):
        for r in self.rows:
            for col, value in r.items():
                with self.subTest(cell=r["cell"], column=col):
                    if col in INT_COLUMNS:
                        self.assertRegex(value, INT)
                        int(value)
                    elif col in REAL_COLUMNS:
                        self.assertRegex(value, REAL)
                        self.assertTrue(math.isfinite(float(value)))
        for r in as_dicts(self.runs):
            for col in RUNS_INT:
                self.assertRegex(r[col], INT, col)
            for col in RUNS_REAL:
                self.assertRegex(r[col], REAL, col)

    def test_statistics_recomputed_from_runs_file(self):
        runs = as_dicts(self.runs)
        for r in self.rows:
            with self.subTest(cell=r["cell"]):
                wall = [float(x["wall_s"]) for x in runs if x["cell"] == r["cell"]]
                n = len(wall)
                self.assertEqual(n, int(r["runs"]))
                mean, sd = statistics.mean(wall), statistics.stdev(wall)
                self.assertTrue(close(float(r["wall_median_s"]), statistics.median(wall)))
                self.assertTrue(close(float(r["wall_mean_s"]), mean))
                self.assertTrue(close(float(r["wall_stddev_s"]), sd, 1e-6, 1e-11))
                self.assertTrue(close(float(r["wall_min_s"]), min(wall)))
                self.assertTrue(close(float(r["wall_max_s"]), max(wall)))
                self.assertTrue(close(float(r["wall_cv"]), sd / mean, 1e-5))
                half = T975[n - 1] * sd / math.sqrt(n)
                lo, hi = float(r["wall_ci95_low_s"]), float(r["wall_ci95_high_s"])
                self.assertTrue(close(lo, mean - half, 1e-6, 1e-11), (lo, mean - half))
                self.assertTrue(close(hi, mean + half, 1e-6, 1e-11), (hi, mean + half))
                self.assertLessEqual(lo, float(r["wall_mean_s"]))
                self.assertGreaterEqual(hi, float(r["wall_mean_s"]))
                # resource medians and maxima come from the runs too
                for col in ("cpu_user_s", "cpu_sys_s"):
                    per_run = [float(x[col]) for x in runs if x["cell"] == r["cell"]]
                    self.assertTrue(close(float(r[col]), statistics.median(per_run), 1e-6))
                rss = [int(x["max_rss_kib"]) for x in runs if x["cell"] == r["cell"]]
                self.assertEqual(int(r["max_rss_kib"]), max(rss))
                failed = sum(int(x["tasks_failed"]) for x in runs if x["cell"] == r["cell"])
                self.assertEqual(int(r["tasks_failed"]), failed)

    def test_derived_columns(self):
        for r in self.rows:
            with self.subTest(cell=r["cell"]):
                med = float(r["wall_median_s"])
                workload_cell = r["cell"].split("/", 1)[1]
                base = float(self.cell("sync", workload_cell)["wall_median_s"])
                self.assertTrue(close(float(r["speedup"]), base / med, 1e-5))
                cpu = float(r["cpu_user_s"]) + float(r["cpu_sys_s"])
                self.assertTrue(close(float(r["cpu_util"]), cpu / med, 1e-5, 1e-6))
                per_run = int(r["tasks"]) / int(r["runs"])
                self.assertTrue(close(float(r["tasks_per_s"]), per_run / med, 1e-5))
                p = [float(r[c]) for c in ("task_p50_ms", "task_p90_ms",
                                           "task_p99_ms", "task_max_ms")]
                self.assertEqual(p, sorted(p))
                # a task cannot take longer than the longest run
                self.assertLessEqual(p[3], float(r["wall_max_s"]) * 1e3 * (1 + 1e-6))

    def test_runs_file(self):
        self.assertEqual(self.runs[0], RUNS_HEADER)
        runs = as_dicts(self.runs)
        self.assertEqual(len(runs), REPETITIONS * len(self.rows))
        for r in self.rows:
            mine = [x for x in runs if x["cell"] == r["cell"]]
            self.assertEqual([int(x["run"]) for x in mine],
                             list(range(1, REPETITIONS + 1)))
            for x in mine:
                self.assertEqual((x["experiment"], x["strategy"], x["workload"]),
                                 (r["experiment"], r["strategy"], r["workload"]))
                self.assertEqual(int(x["tasks"]) * REPETITIONS, int(r["tasks"]))

    def test_matrix_equals_summary_medians(self):
        self.assertEqual(self.matrix[0], ["strategy"] + WORKLOAD_CELLS)
        self.assertEqual([row[0] for row in self.matrix[1:]], STRATEGY_CELLS)
        for row in self.matrix[1:]:
            for w, value in zip(WORKLOAD_CELLS, row[1:]):
                self.assertRegex(value, REAL)
                # the same digits, not merely the same number
                self.assertEqual(value, self.cell(row[0], w)["wall_median_s"])

    def test_env_file(self):
        self.assertEqual(self.env[0], ["key", "value"])
        pairs = self.env[1:]
        for p in pairs:
            self.assertEqual(len(p), 2, p)
        keys = [k for k, _ in pairs]
        self.assertEqual(len(keys), len(set(keys)), "duplicate keys")
        env = dict(pairs)
        for key in ENV_KEYS:
            self.assertIn(key, env)
            self.assertNotEqual(env[key].strip(), "", key)
        with open(self.ini, "rb") as f:
            self.assertEqual(env["experiment_sha256"], hashlib.sha256(f.read()).hexdigest())
        self.assertEqual(env["host"], socket.gethostname())
        self.assertEqual(env["kernel"], os.uname().release)
        self.assertEqual(int(env["cpu_count"]), os.cpu_count())
        loads = env["load_average"].split()
        for x in loads[:3]:
            self.assertRegex(x, REAL)
        started = datetime.datetime.strptime(env["start_time_utc"], "%Y-%m-%dT%H:%M:%SZ")
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        self.assertLessEqual(started, now + datetime.timedelta(seconds=5))
        self.assertGreater(started, now - datetime.timedelta(hours=1))
        self.assertIn(self.ini, env["command_line"])
        self.assertIn("-o " + self.out, env["command_line"])


def german_locale_env(tmpdir):
    """Environment in which de_DE.UTF-8 really is in effect (decimal comma),
    generating it with localedef into tmpdir when the system lacks it; None
    when that is impossible."""
    probe = ("import locale; locale.setlocale(locale.LC_ALL, '');"
             "print(locale.localeconv()['decimal_point'])")
    candidates = [{"LC_ALL": "de_DE.UTF-8"}]
    gen = subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8",
                          os.path.join(tmpdir, "de_DE.UTF-8")],
                         capture_output=True)
    if gen.returncode in (0, 1):  # 1: warnings only
        candidates.append({"LC_ALL": "de_DE.UTF-8", "LOCPATH": tmpdir})
    for extra in candidates:
        env = dict(os.environ, **extra)
        p = subprocess.run([sys.executable, "-c", probe], env=env,
                           capture_output=True, text=True)
        if p.returncode == 0 and p.stdout.strip() == ",":
            return extra
    return None


class Locale(unittest.TestCase):
    def test_german_locale_changes_nothing(self):
        """Byte-identical files under C and de_DE.UTF-8 (fake clock), and
        '.' decimals with real timings under de_DE.UTF-8."""
        with TempDir() as d:
            extra = german_locale_env(d)
            if extra is None:
                self.skipTest("de_DE.UTF-8 is not available and localedef "
                              "could not generate it")
            ini = os.path.join(GOLDEN, "crossed.ini")
            outs = {}
            for name, env in (("c", {"LC_ALL": "C"}), ("de", extra)):
                out = os.path.join(d, name, "x.csv")
                rc, _, err = run("run", ini, "-o", out, "-q",
                                 env=dict(env, CONCUR_FAKE_CLOCK="1"))
                self.assertEqual(rc, 0, err)
                outs[name] = out
            for suffix in ("", "-runs", "-matrix"):
                with open(outs["c"][:-4] + suffix + ".csv", "rb") as a, \
                     open(outs["de"][:-4] + suffix + ".csv", "rb") as b:
                    self.assertEqual(a.read(), b.read(), suffix)
            # real clock, and a duration with a decimal point in the INI
            real = write(os.path.join(d, "real.ini"),
                         EXPERIMENT.replace("timeout     = 30s", "timeout     = 29.5s"))
            out = os.path.join(d, "real", "r.csv")
            rc, stdout, err = run("run", real, "-o", out, "-q", env=extra)
            self.assertEqual(rc, 0, err)
            self.assertRegex(stdout, r"\d\.\d\dx")  # the table too
            for r in as_dicts(read_rows(out)):
                for col in REAL_COLUMNS:
                    self.assertRegex(r[col], REAL, (col, r[col]))


class FormulaGuard(unittest.TestCase):
    def run_named(self, d, name):
        ini = write(os.path.join(d, "g.ini"), f"""
[experiment]
name = {name}
repetitions = 1
warmup = 0
[strategy sync]
[workload nothing]
plugin = null
count = 3
""")
        out = os.path.join(d, "g.csv")
        rc, _, err = run("run", ini, "-o", out, "-q", "--force")
        self.assertEqual(rc, 0, err)
        return out

    def test_experiment_names_in_every_file(self):
        """Each dangerous first character is guarded in N.csv and N-runs.csv
        (test_run.py covers =HYPERLINK in N.csv)."""
        with TempDir() as d:
            for name in ("=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-1+1",
                         "@SUM(A1:A2)"):
                with self.subTest(name=name):
                    out = self.run_named(d, name)
                    for path in (out, out[:-4] + "-runs.csv"):
                        rows = as_dicts(read_rows(path))
                        self.assertEqual(rows[0]["experiment"], "'" + name)
                        with open(path, newline="", encoding="utf-8") as f:
                            raw = f.read()
                        # no field anywhere starts with the bare character
                        self.assertNotRegex(raw, r"(^|,)[=+\-@]")

    def test_url_starting_with_dash_is_refused(self):
        """http_download refuses a URL beginning with '-' (it could be taken
        for an option or a formula), as a single URL or as an item of the
        url list; nothing is written."""
        with TempDir() as d:
            for url in ("-http://127.0.0.1:1/x", "builtin\n  -http://127.0.0.1:1/x"):
                with self.subTest(url=url):
                    ini = write(os.path.join(d, "u.ini"), f"""
[experiment]
name = u
repetitions = 1
warmup = 0
[strategy sync]
[workload dl]
plugin = http_download
url = {url}
count = 2
""")
                    rc, _, err = run("validate", ini)
                    self.assertEqual(rc, 2)
                    self.assertIn("'-http://127.0.0.1:1/x' is not supported", err)
                    out = os.path.join(d, "u.csv")
                    rc, _, err = run("run", ini, "-o", out, "-q")
                    self.assertEqual(rc, 2, err)
                    self.assertFalse(os.path.exists(out))

    def test_negative_numbers_in_parameter_columns_are_numbers(self):
        """A negative integer parameter (crash_task = -1) is a number, not a
        formula: it is written as -1 so the column imports as numbers."""
        with TempDir() as d:
            ini = write(os.path.join(d, "n.ini"), """
[experiment]
name = n
repetitions = 1
warmup = 0
[strategy sync]
[workload w]
plugin = crashy
count = 2
crash_task = -1
""")
            out = os.path.join(d, "n.csv")
            rc, _, err = run("run", ini, "-o", out, "-q", "--plugin-path", FIXTURES)
            self.assertEqual(rc, 0, err)
            self.assertEqual(as_dicts(read_rows(out))[0]["workload.crash_task"], "-1")


if __name__ == "__main__":
    unittest.main()
