"""Bad input: every case exits 2 with FILE:LINE: and a useful message, and
runs nothing (no results file appears)."""
import os
import unittest

from common import TempDir, run, write

GOOD_TAIL = "[workload w]\nplugin = null\n"

# name -> (file text, line the message must name, fragments it must contain)
CASES = {
    "unknown_key_with_suggestion": (
        "[experiment]\n[strategy pthreads]\nworker = 3\n" + GOOD_TAIL,
        3, ["unknown key 'worker'", "did you mean 'workers'"]),
    "wrong_type": (
        "[experiment]\n[strategy pthreads]\nworkers = abc\n" + GOOD_TAIL,
        3, ["workers", "integer"]),
    "out_of_range": (
        "[experiment]\n[strategy pthreads]\nworkers = 0\n" + GOOD_TAIL,
        3, ["out of range", "1 .. 4096"]),
    "out_of_range_high": (
        "[experiment]\n[strategy forkpool]\nworkers = 5000\n" + GOOD_TAIL,
        3, ["out of range"]),
    "unknown_plugin": (
        "[experiment]\n[strategy pthreadz]\n" + GOOD_TAIL,
        2, ["no strategy plugin 'pthreadz'"]),
    "key_outside_section": (
        "name = x\n[experiment]\n[strategy sync]\n" + GOOD_TAIL,
        1, ["outside any section"]),
    "duplicate_label": (
        "[experiment]\n[strategy sync]\n[strategy sync]\n" + GOOD_TAIL,
        3, ["duplicate label 'sync'"]),
    "no_experiment": (
        "[strategy sync]\n" + GOOD_TAIL, 1, ["no [experiment]"]),
    "no_strategy": (
        "[experiment]\n" + GOOD_TAIL, 1, ["no [strategy"]),
    "no_workload": (
        "[experiment]\n[strategy sync]\n", 1, ["no [workload"]),
    "line_too_long": (
        "[experiment]\nname = " + "x" * 300 + "\n[strategy sync]\n" + GOOD_TAIL,
        2, ["limit"]),
    "unterminated_section": (
        "[experiment]\n[strategy sync\n" + GOOD_TAIL, 2, ["unterminated"]),
    "unknown_experiment_key": (
        "[experiment]\nrepetition = 3\n[strategy sync]\n" + GOOD_TAIL,
        2, ["did you mean 'repetitions'"]),
    "bad_duration": (
        "[experiment]\n[strategy sync]\n[workload d]\nplugin = http_download\nlatency = 20 parsecs\n",
        5, ["latency", "duration"]),
    "repeated_scalar_key": (
        "[experiment]\n[strategy pthreads]\nworkers = 2\nworkers = 3\n" + GOOD_TAIL,
        3, ["workers"]),
    "plugin_with_slash": (
        "[experiment]\n[strategy s]\nplugin = ../evil\n" + GOOD_TAIL,
        3, ["plugin_path"]),
    "unset_env_var": (
        "[experiment]\n[strategy pthreads]\nworkers = ${CONCUR_SURELY_UNSET_VAR}\n" + GOOD_TAIL,
        3, ["CONCUR_SURELY_UNSET_VAR"]),
    "baseline_not_a_strategy": (
        "[experiment]\nbaseline = nope\n[strategy sync]\n" + GOOD_TAIL,
        2, ["nope"]),
}


class BadInput(unittest.TestCase):
    def check(self, name):
        text, line, fragments = CASES[name]
        with TempDir() as d:
            ini = write(os.path.join(d, name + ".ini"), text)
            out = os.path.join(d, "out.csv")
            for cmd in (["validate", ini], ["run", ini, "-o", out]):
                rc, _, err = run(*cmd)
                self.assertEqual(rc, 2, f"{name}: {cmd[0]}: {err}")
                self.assertIn(f"{ini}:{line}:", err, name)
                for frag in fragments:
                    self.assertIn(frag, err, name)
            self.assertFalse(os.path.exists(out), "nothing may run")


for _name in CASES:
    setattr(BadInput, "test_" + _name, lambda self, n=_name: self.check(n))


class BadCommandLine(unittest.TestCase):
    def test_unknown_command(self):
        rc, _, err = run("frobnicate")
        self.assertEqual(rc, 2)
        self.assertIn("unknown command", err)

    def test_unknown_flag(self):
        rc, _, err = run("run", "x.ini", "--no-such-flag")
        self.assertEqual(rc, 2)
        self.assertIn("--no-such-flag", err)

    def test_bad_set(self):
        rc, _, err = run("validate", "x.ini", "--set", "novalue")
        self.assertEqual(rc, 2)
        self.assertIn("--set", err)

    def test_set_value_checked_like_the_file(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "s.ini"), "[experiment]\n[strategy pthreads]\n" + GOOD_TAIL)
            rc, _, err = run("validate", ini, "--set", "pthreads.workers=0")
            self.assertEqual(rc, 2)
            self.assertIn("out of range", err)
            rc, out, err = run("validate", ini, "--set", "pthreads.workers=1..4")
            self.assertEqual(rc, 0, err)
            self.assertIn("4 cells", out)

    def test_missing_file(self):
        rc, _, err = run("validate", "/nonexistent/x.ini")
        self.assertEqual(rc, 2)
        self.assertIn("/nonexistent/x.ini", err)

    def test_help_and_version(self):
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        self.assertIn("concur run", out)
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^concur \d+\.\d+")

    def test_resume_and_force_exclusive(self):
        rc, _, err = run("run", "x.ini", "--resume", "--force")
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main()
