"""Issue 3's experiment files: configs/cpu-scaling.ini and the parallel
benchmarks under configs/bench/ validate, cross into the cells they promise
(workers 1..2*$ncpus), and run end to end — shrunk with --set so that the
test stays short — with every cell ok and the speedup and cpu_util columns
filled.  No timing is asserted: the machine may be loaded."""
import os
import re
import unittest

from common import SOURCE, TempDir, read_dicts, run

NCPUS = os.cpu_count()


def config(*parts):
    return os.path.join(SOURCE, "configs", *parts)


class Validate(unittest.TestCase):
    """`concur validate` accepts each file and reports its matrix size."""

    def cells(self, path):
        rc, so, se = run("validate", path)
        self.assertEqual(rc, 0, se)
        m = re.search(r"ok: (\d+) cells", so)
        self.assertIsNotNone(m, so)
        return int(m.group(1))

    def test_cpu_scaling(self):
        # sync + pthreads and forkpool with 1..2*ncpus workers each
        self.assertEqual(self.cells(config("cpu-scaling.ini")), 1 + 4 * NCPUS)

    def test_bench_cpu_scaling(self):
        self.assertEqual(self.cells(config("bench", "cpu-scaling.ini")), 3)

    def test_bench_dispatch(self):
        # sync + {pthreads, forkpool} x chunk {0, 1}
        self.assertEqual(self.cells(config("bench", "dispatch.ini")), 5)

    def test_bench_startup(self):
        # {sync, pthreads, forkpool} x count {0, 1}
        self.assertEqual(self.cells(config("bench", "startup.ini")), 6)


def shrunk(path, *sets):
    """Run `path` with --set overrides into a temp dir: (rc, output, rows)."""
    with TempDir() as d:
        out = os.path.join(d, "r.csv")
        args = ["run", path, "-o", out, "-q"]
        for s in sets:
            args += ["--set", s]
        rc, so, se = run(*args, timeout=240)
        rows = read_dicts(out) if os.path.exists(out) else []
        return rc, so + se, rows


def run_shrunk(test, path, *sets):
    """shrunk(), asserting exit status 0; returns the summary rows."""
    rc, output, rows = shrunk(path, *sets)
    test.assertEqual(rc, 0, output)
    return rows


class CpuScalingRuns(unittest.TestCase):
    """configs/cpu-scaling.ini with small sums: the CSV a new user gets."""

    @classmethod
    def setUpClass(cls):
        cls.rc, cls.output, cls.rows = shrunk(
            config("cpu-scaling.ini"), "sums.first=20000",
            "experiment.repetitions=1", "experiment.warmup=0")

    def test_exit_zero(self):
        self.assertEqual(self.rc, 0, self.output)

    def test_cells_and_workers(self):
        got = [(r["strategy"], r["strategy.workers"]) for r in self.rows]
        want = [("sync", "")]
        for s in ("pthreads", "forkpool"):
            want += [(s, str(w)) for w in range(1, 2 * NCPUS + 1)]
        self.assertEqual(sorted(got), sorted(want))

    def test_every_cell_ok(self):
        for r in self.rows:
            self.assertEqual(r["status"], "ok", r["cell"] + ": " + r["error"])
            self.assertEqual(r["tasks"], "20")
            self.assertEqual(r["tasks_failed"], "0")

    def test_speedup_and_cpu_util_filled(self):
        for r in self.rows:
            self.assertGreater(float(r["speedup"]), 0, r["cell"])
            self.assertGreaterEqual(float(r["cpu_util"]), 0, r["cell"])
            if r["strategy"] == "sync":
                self.assertEqual(float(r["speedup"]), 1.0)


class BenchRuns(unittest.TestCase):
    """The benchmarks run with every cell ok (shrunk)."""

    def test_dispatch(self):
        rows = run_shrunk(self, config("bench", "dispatch.ini"),
                          "nothing.count=20000", "experiment.repetitions=1",
                          "experiment.warmup=0")
        self.assertEqual(len(rows), 5)
        chunks = sorted(r["strategy.chunk"] for r in rows
                        if r["strategy"] != "sync")
        self.assertEqual(chunks, ["0", "0", "1", "1"])
        for r in rows:
            self.assertEqual(r["status"], "ok", r["cell"] + ": " + r["error"])
            self.assertEqual(r["tasks"], "20000")

    def test_startup(self):
        rows = run_shrunk(self, config("bench", "startup.ini"),
                          "experiment.repetitions=2", "experiment.warmup=0")
        self.assertEqual(len(rows), 6)
        for r in rows:
            self.assertEqual(r["status"], "ok", r["cell"] + ": " + r["error"])
            self.assertEqual(r["tasks"], str(2 * int(r["workload.count"])))

    def test_cpu_scaling(self):
        rows = run_shrunk(self, config("bench", "cpu-scaling.ini"),
                          "sums.first=20000", "experiment.repetitions=1",
                          "experiment.warmup=0")
        self.assertEqual(sorted(r["strategy"] for r in rows),
                         ["forkpool", "pthreads", "sync"])
        for r in rows:
            self.assertEqual(r["status"], "ok", r["cell"] + ": " + r["error"])
            self.assertEqual(r["strategy.workers"],
                             "" if r["strategy"] == "sync" else str(NCPUS))


if __name__ == "__main__":
    unittest.main()
