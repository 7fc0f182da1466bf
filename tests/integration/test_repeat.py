"""repetitions = auto on real runs: a quiet workload (tasks of an exact
duration, the `fixed` fixture) stops early with
stopped_by = target, a deliberately noisy one (the `jitter` fixture) stops
at max_repetitions or max_time and the report says it did not converge;
fixed repetitions behave as before with an empty stopped_by."""
import math
import os
import statistics
import unittest

from common import BUILD, TempDir, read_dicts, run, run_walls, walls_of, write

FIXTURES = os.path.join(BUILD, "tests", "fixtures", "compare")
EXACT = os.path.join(BUILD, "tests", "fixtures", "openloop")

QUIET = """\
; 2 tasks of exactly 5 ms (the `fixed` fixture: a nap, then a spin to the
; end, so a late wake-up on a busy machine does not lengthen them): the
; runs agree within a few percent however loaded the machine is
[experiment]
name            = quiet
repetitions     = auto
target_ci       = 10%
min_repetitions = 5
max_repetitions = 40

[strategy sync]

[workload exact]
plugin   = fixed
count    = 2
duration = 5ms
"""

NOISY = """\
; sleeps of 2 ms +- 90%: the runs never agree within 1%
[experiment]
name            = noisy
repetitions     = auto
target_ci       = 1%
min_repetitions = 3
max_repetitions = 8
warmup          = 0

[strategy sync]

[strategy pthreads]
workers = 2

[workload jitter]
count   = 2
mean_ms = 2
"""

SLOW = """\
; runs of about 2 x 30 ms against a 200 ms budget per cell
[experiment]
name            = slow
repetitions     = auto
target_ci       = 0.1%
min_repetitions = 2
max_repetitions = 100
max_time        = 200ms
warmup          = 0

[strategy sync]

[workload jitter]
count   = 2
mean_ms = 30
"""


class Auto(unittest.TestCase):
    def experiment(self, text, *extra):
        with TempDir() as tmp:
            ini = write(os.path.join(tmp, "x.ini"), text)
            out = os.path.join(tmp, "x.csv")
            rc, stdout, err = run("run", ini, "-o", out, "-q",
                                  "--plugin-path", FIXTURES,
                                  "--plugin-path", EXACT, *extra)
            self.assertEqual(rc, 0, stdout + err)
            return stdout, read_dicts(out), read_dicts(out[:-4] + "-runs.csv")

    def quiet_target(self):
        """The target for QUIET on this machine now, in percent: 10%, or
        the coefficient of variation of ten fixed runs of it when the
        machine is busier than that (rounded up).  The 95% interval of the
        mean narrows below one CV from about six runs on, well before
        the cap of 40, so a correct stopping rule reaches it."""
        fixed = (QUIET.replace("repetitions     = auto", "repetitions = 10")
                 .replace("target_ci       = 10%\n", "")
                 .replace("min_repetitions = 5\n", "")
                 .replace("max_repetitions = 40\n", ""))
        with TempDir() as tmp:
            ini = write(os.path.join(tmp, "cal.ini"), fixed)
            out = os.path.join(tmp, "cal.csv")
            rc, stdout, err = run("run", ini, "-o", out, "-q",
                                  "--plugin-path", EXACT)
            self.assertEqual(rc, 0, stdout + err)
            walls = run_walls(out)
        cv = statistics.stdev(walls) / statistics.mean(walls)
        return max(10, math.ceil(100 * cv))

    def test_quiet_workload_stops_at_the_target(self):
        target = self.quiet_target()
        out, rows, runs = self.experiment(
            QUIET.replace("target_ci       = 10%", f"target_ci       = {target}%"))
        self.assertEqual(rows[0]["stopped_by"], "target", out)
        n = int(rows[0]["runs"])
        self.assertLess(n, 40, out)
        self.assertGreaterEqual(n, 5)
        self.assertEqual(len(runs), n)  # every measured run has its row
        half = (float(rows[0]["wall_ci95_high_s"])
                - float(rows[0]["wall_ci95_low_s"])) / 2
        self.assertLessEqual(half / float(rows[0]["wall_mean_s"]), target / 100)
        self.assertIn(f"{n} runs, target", out)
        self.assertNotIn("did not converge", out)

    def test_noisy_workload_stops_at_the_cap(self):
        out, rows, runs = self.experiment(NOISY)
        for row in rows:
            self.assertEqual(row["stopped_by"], "max_repetitions", out)
            self.assertEqual(row["runs"], "8")
        self.assertEqual(len(runs), 16)
        self.assertIn("8 runs, max_repetitions", out)
        self.assertRegex(out, r"warning: did not converge: sync "
                              r"\(max_repetitions after 8 runs, within [0-9.]+%\), "
                              r"pthreads \(max_repetitions after 8 runs")

    def test_time_budget_stops_a_cell(self):
        out, rows, runs = self.experiment(SLOW)
        self.assertEqual(rows[0]["stopped_by"], "max_time", out)
        # it stops at the first run that spends the budget, however long
        # the runs took: the runs before the last fit within 200 ms
        walls = walls_of(runs)
        self.assertEqual(len(walls), int(rows[0]["runs"]), out)
        self.assertLess(sum(walls[:-1]), 0.200, out)
        self.assertIn("did not converge: sync (max_time after", out)

    def test_time_budget_never_cuts_a_cell_below_the_minimum(self):
        # a budget spent by the first run: min_repetitions first, then caps
        out, rows, runs = self.experiment(
            SLOW.replace("min_repetitions = 2", "min_repetitions = 4")
            .replace("max_time        = 200ms", "max_time        = 1ms"))
        self.assertEqual(rows[0]["stopped_by"], "max_time", out)
        self.assertEqual(rows[0]["runs"], "4", out)
        self.assertEqual(len(runs), 4)

    def test_fixed_repetitions_as_before(self):
        out, rows, runs = self.experiment(
            NOISY.replace("repetitions     = auto", "repetitions = 3")
            .replace("target_ci       = 1%\n", "")
            .replace("min_repetitions = 3\n", "")
            .replace("max_repetitions = 8\n", ""))
        for row in rows:
            self.assertEqual(row["runs"], "3")
            self.assertEqual(row["stopped_by"], "")
        self.assertEqual(len(runs), 6)
        self.assertIn("3 measured runs per cell", out)
        self.assertNotIn("did not converge", out)

    def test_progress_line_says_how_a_cell_stopped(self):
        with TempDir() as tmp:
            ini = write(os.path.join(tmp, "x.ini"), NOISY)
            rc, out, err = run("run", ini, "-o", os.path.join(tmp, "x.csv"),
                               "--plugin-path", FIXTURES)
            self.assertEqual(rc, 0, err)
            self.assertRegex(err, r"\] sync/jitter +ok +median [0-9.]+ ms  8 runs, max_repetitions\n")

    def test_validate_gives_the_range(self):
        with TempDir() as tmp:
            ini = write(os.path.join(tmp, "x.ini"), QUIET)
            rc, out, err = run("validate", ini, "--plugin-path", EXACT)
            self.assertEqual(rc, 0, err)
            self.assertIn("1 cells x up to 41 runs (1 warm-up + 5..40 measured)", out)

    def test_auto_key_without_auto_is_refused(self):
        with TempDir() as tmp:
            ini = write(os.path.join(tmp, "x.ini"),
                        NOISY.replace("repetitions     = auto", "repetitions = 3"))
            rc, out, err = run("validate", ini, "--plugin-path", FIXTURES)
            self.assertEqual(rc, 2)
            self.assertRegex(err, r"x\.ini:5: \[experiment\] target_ci applies only "
                                  r"with repetitions = auto \(now 3\)")


if __name__ == "__main__":
    unittest.main()
