"""Labels and names that spreadsheets would retype (0012 -> 12, 1e5 ->
100000, true -> TRUE, 1.2.3 -> a date) are warned about, at validate and at
run time, with FILE:LINE and a safer label; the experiment still runs."""
import os
import unittest

from common import TempDir, read_dicts, run, write

RISKY = """[experiment]
name = 1.2.3
repetitions = 1
warmup = 0

[strategy 0012]
plugin = sync

[strategy true]
plugin = sync

[workload 1e5]
plugin = null
count = 2
"""


class RetypeWarnings(unittest.TestCase):
    def check_warnings(self, err, path):
        self.assertIn(f"{path}:2: [experiment] name '1.2.3' is read by "
                      "spreadsheets opening the CSV as a date", err)
        self.assertIn(f"{path}:6: [strategy 0012]: the label '0012' is read "
                      "by spreadsheets opening the CSV as the number 12 "
                      "(the leading zeros are lost); a label with a letter "
                      "such as 's_0012' stays text", err)
        self.assertIn(f"{path}:9: [strategy true]: the label 'true' is read "
                      "by spreadsheets opening the CSV as the boolean TRUE",
                      err)
        self.assertIn(f"{path}:12: [workload 1e5]: the label '1e5' is read "
                      "by spreadsheets opening the CSV as the number 100000; "
                      "a label with a letter such as 'w_1e5' stays text", err)

    def test_validate_warns_and_succeeds(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "risky.ini"), RISKY)
            rc, out, err = run("validate", ini)
            self.assertEqual(rc, 0, err)
            self.assertIn("ok: 2 cells", out)
            self.check_warnings(err, ini)

    def test_run_warns_and_runs(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "risky.ini"), RISKY)
            out_csv = os.path.join(d, "risky.csv")
            rc, out, err = run("run", ini, "-o", out_csv, "-q")
            self.assertEqual(rc, 0, err)
            self.check_warnings(err, ini)
            rows = read_dicts(out_csv)
            self.assertEqual([r["strategy"] for r in rows], ["0012", "true"])
            self.assertEqual({r["status"] for r in rows}, {"ok"})

    def test_cell_ids_that_look_like_dates(self):
        """Labels 1 and 2 are fine alone, but their cell id 1/2 is a date."""
        with TempDir() as d:
            ini = write(os.path.join(d, "ids.ini"),
                        "[experiment]\n[strategy 1]\nplugin = sync\n"
                        "[workload 2]\nplugin = null\n")
            rc, _, err = run("validate", ini)
            self.assertEqual(rc, 0, err)
            self.assertIn("1 cell id(s) such as '1/2' are read by "
                          "spreadsheets opening the CSV as a date", err)
            self.assertNotIn("the label '", err)

    def test_safe_labels_are_quiet(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "fine.ini"),
                        "[experiment]\nname = v1.2.3\n[strategy s_0012]\n"
                        "plugin = sync\n[workload w12]\nplugin = null\n")
            rc, _, err = run("validate", ini)
            self.assertEqual(rc, 0, err)
            self.assertNotIn("warning", err)


if __name__ == "__main__":
    unittest.main()
