"""A FIFO, a device or a folder given where `merge`, `compare` or `plot`
read a results file: refused at once (exit 2) with the path and what it
is, never an open that blocks on a FIFO nor a read of /dev/zero up to the
size limit.  Each command is run with a time limit: a hang is a failure."""
import os
import shutil
import unittest

from common import TINY_EXPERIMENT, TempDir, run, write

LIMIT = 20  # seconds: far more than a refusal takes


def special(kind, path):
    """Put a FIFO or a link to /dev/zero at path."""
    if os.path.lexists(path):
        os.unlink(path)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        os.symlink("/dev/zero", path)


class SpecialFiles(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.d = self.tmp.__enter__()
        ini = write(os.path.join(self.d, "e.ini"), TINY_EXPERIMENT)
        self.good = os.path.join(self.d, "good", "e.csv")
        rc, _, err = run("run", ini, "-o", self.good, "-q")
        self.assertEqual(rc, 0, err)
        rc, _, err = run("run", ini, "-o",
                         os.path.join(self.d, "shards", "e.csv"), "-q",
                         "--shard", "0/1")
        self.assertEqual(rc, 0, err)
        self.shard = os.path.join(self.d, "shards", "e.shard-0-of-1.csv")
        self.assertTrue(os.path.exists(self.shard), os.listdir(
            os.path.dirname(self.shard)))

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def refused(self, args, path, what):
        rc, out, err = run(*args, timeout=LIMIT)
        self.assertEqual(rc, 2, out + err)
        self.assertIn(f"{path}: not a regular file ({what})", err)
        self.assertLess(len(out) + len(err), 4096)

    def test_compare(self):
        for kind, what in (("fifo", "a FIFO"),
                           ("zero", "a character device")):
            with self.subTest(kind=kind):
                bad = os.path.join(self.d, f"{kind}.csv")
                special(kind, bad)
                self.refused(["compare", bad, self.good], bad, what)
                self.refused(["compare", self.good, bad], bad, what)
                # the -runs.csv beside a good summary
                copy = os.path.join(self.d, f"copy-{kind}.csv")
                shutil.copy(self.good, copy)
                runs = copy[:-4] + "-runs.csv"
                special(kind, runs)
                self.refused(["compare", self.good, copy], runs, what)

    def test_plot(self):
        for kind, what in (("fifo", "a FIFO"),
                           ("zero", "a character device")):
            with self.subTest(kind=kind):
                bad = os.path.join(self.d, f"{kind}.csv")
                special(kind, bad)
                self.refused(["plot", bad, "-o",
                              os.path.join(self.d, "p.svg")], bad, what)
                self.assertFalse(os.path.exists(os.path.join(self.d, "p.svg")))
        self.refused(["plot", self.d, "-o", os.path.join(self.d, "p.svg")],
                     self.d, "a folder")

    def test_merge(self):
        stem = self.shard[:-4]
        for kind, what in (("fifo", "a FIFO"),
                           ("zero", "a character device")):
            for sibling in ("", "-env", "-runs", "-matrix"):
                with self.subTest(kind=kind, sibling=sibling):
                    path = stem + sibling + ".csv"
                    keep = path + ".keep"
                    os.rename(path, keep)
                    special(kind, path)
                    out = os.path.join(self.d, "m", "m.csv")
                    try:
                        self.refused(["merge", out, self.shard], path, what)
                        self.assertFalse(os.path.exists(out))
                    finally:
                        os.unlink(path)
                        os.rename(keep, path)


if __name__ == "__main__":
    unittest.main()
