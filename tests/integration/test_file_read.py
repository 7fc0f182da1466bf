"""The file_read workload through the real binary (README "The file_read
workload").

Every strategy this build has (io_uring too, where it is built) runs it
sequential and random, warm, cold and direct, every task verified; its
files are gone after a run, even one killed at its timeout while writing
them; bad parameters are refused before anything runs (exit 2) with what
is wrong and what is allowed; `concur help file_read` says how each cache
state is made.
"""
import os
import unittest

from common import CONCUR, TempDir, read_dicts, run, write

STRATEGIES = ("sync", "pthreads", "forkpool", "epoll", "io_uring")


def built_strategies():
    rc, out, err = run("list")
    assert rc == 0, err
    have = {line.split()[1] for line in out.splitlines()
            if line.startswith("strategy ")}
    return [s for s in STRATEGIES if s in have]


def experiment(out_dir, files_dir, workload, timeout="60s", strategies=None):
    body = ("[experiment]\nname = f\nrepetitions = 1\nwarmup = 0\n"
            "timeout = %s\noutput = %s/f.csv\n\n" % (timeout, out_dir))
    for s in strategies or built_strategies():
        body += "[strategy %s]\n" % s
        if s in ("pthreads", "forkpool"):
            body += "workers = 3\n"
    body += "\n[workload files]\nplugin = file_read\ndir = %s\n%s" % (
        files_dir, workload)
    return write(os.path.join(out_dir, "f.ini"), body)


class FileRead(unittest.TestCase):
    def test_every_strategy_every_cache_state(self):
        strategies = built_strategies()
        self.assertIn("epoll", strategies)
        with TempDir() as d, TempDir() as files:
            ini = experiment(d, files, """files = 3
file_size = 300k
block_size = 4k
ranges = 2
depth = 4
pattern = sequential, random
cache = warm, cold, direct
""")
            rc, out, err = run("run", ini, "-q", timeout=240)
            self.assertEqual(rc, 0, err[-3000:])
            rows = read_dicts(os.path.join(d, "f.csv"))
            self.assertEqual(len(rows), len(strategies) * 6)
            for r in rows:
                with self.subTest(cell=r["cell"]):
                    self.assertEqual(r["status"], "ok", r["error"])
                    self.assertEqual(r["tasks_failed"], "0")
                    self.assertEqual(r["tasks"], "6")
            self.assertEqual(os.listdir(files), [])

    def test_nothing_left_by_a_run_killed_while_writing(self):
        with TempDir() as d, TempDir() as files:
            ini = experiment(d, files, "files = 1\nfile_size = 4G\n",
                             timeout="300ms", strategies=["sync"])
            rc, out, err = run("run", ini, "-q")
            self.assertEqual(rc, 1, err)
            r = read_dicts(os.path.join(d, "f.csv"))[0]
            self.assertEqual(r["status"], "timeout", r["error"])
            self.assertEqual(os.listdir(files), [])

    def test_bad_parameters_exit_2(self):
        cases = [
            ("pattern = sideways", "pattern = sideways: allowed: "
             "sequential, random"),
            ("cache = lukewarm", "cache = lukewarm: allowed: warm, cold, "
             "direct"),
            ("file_size = 8k\nblock_size = 4k\nranges = 3",
             "ranges = 3, but a file has 2 block(s) of block_size: "
             "at most 2"),
            ("cache = direct\nblock_size = 1000",
             "block_size must be a multiple of 512"),
            ("block_size = 0", "block_size"),
            ("files = 0", "files"),
            ("file_size = 1x", "file_size"),
        ]
        with TempDir() as d, TempDir() as files:
            for keys, want in cases:
                with self.subTest(keys=keys):
                    ini = experiment(d, files, keys + "\n",
                                     strategies=["sync"])
                    rc, out, err = run("validate", ini)
                    self.assertEqual(rc, 2, err)
                    self.assertIn(want, err)
                    rc, out, err = run("run", ini, "-q")
                    self.assertEqual(rc, 2, err)
                    self.assertFalse(os.path.exists(os.path.join(d,
                                                                 "f.csv")))
            ini = experiment(d, os.path.join(files, "missing"), "",
                             strategies=["sync"])
            rc, out, err = run("validate", ini)
            self.assertEqual(rc, 2, err)
            self.assertIn("missing: No such file or directory; give an "
                          "existing folder", err)
            ini = experiment(d, files, "files = 2\nfile_size = 1T\n",
                             strategies=["sync"])
            rc, out, err = run("validate", ini)
            self.assertEqual(rc, 2, err)
            self.assertIn("bytes free", err)
            self.assertEqual(os.listdir(files), [])

    @unittest.skipUnless(os.path.isdir("/dev/shm"), "no /dev/shm here")
    def test_cold_refused_in_memory(self):
        with TempDir() as d:
            ini = experiment(d, "/dev/shm", "cache = cold\n",
                             strategies=["sync"])
            rc, out, err = run("validate", ini)
            self.assertEqual(rc, 2, err)
            self.assertIn("is in memory (tmpfs), there is no page cache "
                          "to drop", err)

    def test_help_says_how_the_cache_is_set(self):
        rc, out, err = run("help", "file_read")
        self.assertEqual(rc, 0, err)
        self.assertIn("posix_fadvise DONTNEED", out)
        self.assertIn("O_DIRECT", out)
        self.assertIn("read_at", out)


if __name__ == "__main__":
    unittest.main()
