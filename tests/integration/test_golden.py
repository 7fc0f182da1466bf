"""Golden tests: the experiments in tests/golden/, run with the fake clock,
write CSV byte-identical to the committed files in tests/golden/expected/.

CONCUR_FAKE_CLOCK=1 makes every clock reading advance exactly 1 us and
zeroes the resource figures (CPU time, RSS, context switches), so with the
single-threaded strategies every figure is a function of the experiment
alone.  N-env.csv (date, host, load, command line) is never compared.

The terminal table is compared too, after removing what depends on the
machine: the CPU count in the footnote, the load-average warning and the
lines that name the output files.

To regenerate the expected files after an intended change, run
    CONCUR_GOLDEN_UPDATE=1 ctest -R integration_golden
(or python3 -m unittest test_golden from tests/integration with the
CONCUR_TEST_* variables set) and review the diff before committing.
"""
import difflib
import glob
import os
import re
import unittest

from common import BUILD, SOURCE, TempDir, run

GOLDEN = os.path.join(SOURCE, "tests", "golden")
EXPECTED = os.path.join(GOLDEN, "expected")
FIXTURES = os.path.join(BUILD, "tests", "fixtures", "workloads")
COMPARED = ("", "-runs", "-matrix")  # N.csv, N-runs.csv, N-matrix.csv
EXIT_STATUS = {"failing": 1, "crash": 1}  # the others: 0
UPDATE = os.environ.get("CONCUR_GOLDEN_UPDATE") == "1"


def configs():
    names = sorted(os.path.basename(p)[:-4]
                   for p in glob.glob(os.path.join(GOLDEN, "*.ini")))
    assert names, "no golden configs in " + GOLDEN
    return names


def run_golden(name, outdir):
    """Run tests/golden/NAME.ini into outdir; return (status, stdout, stderr)."""
    return run("run", os.path.join(GOLDEN, name + ".ini"),
               "-o", os.path.join(outdir, name + ".csv"), "-q",
               "--plugin-path", FIXTURES,
               env={"CONCUR_FAKE_CLOCK": "1", "LC_ALL": "C"})


def normalise_table(text, outdir):
    """The terminal table without the parts that depend on the machine or
    the run: the CPU count, the load-average warning, and lines naming the
    output folder ("results: ...", "chart: ...")."""
    text = re.sub(r"\d+ cores here", "N cores here", text)
    keep = [line for line in text.splitlines(keepends=True)
            if not line.startswith("warning: the load average")
            and outdir not in line]
    return "".join(keep)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class Golden(unittest.TestCase):
    maxDiff = None

    def assert_same(self, expected_path, got):
        """got (bytes) equals the expected file, or show a readable diff."""
        if UPDATE:
            with open(expected_path, "wb") as f:
                f.write(got)
            return
        self.assertTrue(os.path.exists(expected_path),
                        f"{expected_path} is missing: run with CONCUR_GOLDEN_UPDATE=1")
        want = read_bytes(expected_path)
        if want == got:
            return
        diff = difflib.unified_diff(
            want.decode("utf-8", "replace").splitlines(keepends=True),
            got.decode("utf-8", "replace").splitlines(keepends=True),
            expected_path, "this run")
        self.fail("golden mismatch (CONCUR_GOLDEN_UPDATE=1 regenerates):\n"
                  + "".join(diff))

    def test_csv_matches_expected(self):
        for name in configs():
            with self.subTest(config=name), TempDir() as d:
                rc, out, err = run_golden(name, d)
                self.assertEqual(rc, EXIT_STATUS.get(name, 0), err)
                for suffix in COMPARED:
                    got = read_bytes(os.path.join(d, name + suffix + ".csv"))
                    self.assert_same(
                        os.path.join(EXPECTED, name + suffix + ".csv"), got)
                self.assert_same(os.path.join(EXPECTED, name + ".txt"),
                                 normalise_table(out, d).encode("utf-8"))

    def test_stable_across_runs_and_places(self):
        """Two runs from different working folders give the same bytes;
        only N-env.csv may differ (and it must exist)."""
        for name in configs():
            with self.subTest(config=name), TempDir() as a, TempDir() as b:
                run_golden(name, a)
                run("run", os.path.join(GOLDEN, name + ".ini"),
                    "-o", name + ".csv", "-q", "--plugin-path", FIXTURES,
                    env={"CONCUR_FAKE_CLOCK": "1"}, cwd=b)
                for suffix in COMPARED:
                    self.assertEqual(
                        read_bytes(os.path.join(a, name + suffix + ".csv")),
                        read_bytes(os.path.join(b, name + suffix + ".csv")),
                        name + suffix)
                self.assertTrue(os.path.exists(os.path.join(b, name + "-env.csv")))

    def test_expected_files_have_no_strays(self):
        """Every expected file belongs to a golden config (no stale ones)."""
        want = {n + s + ".csv" for n in configs() for s in COMPARED}
        want |= {n + ".txt" for n in configs()}
        self.assertEqual(set(os.listdir(EXPECTED)) - want, set())


if __name__ == "__main__":
    unittest.main()
