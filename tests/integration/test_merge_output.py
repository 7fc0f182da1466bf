"""Where `concur merge` writes: under the lock a run takes (an exclusive
flock on OUT.csv), so a second merge, or a run, on the same output is
refused with the first one's pid and nothing of either is mixed; and never
over a file of its own input shards, however the output is named."""
import fcntl
import hashlib
import os
import subprocess
import time
import unittest

from common import CONCUR, TempDir, gen_shard, run, write

EXPERIMENT = """[experiment]
name = e
repetitions = 2
warmup = 0

[strategy sync]

[strategy pthreads]
workers = 2

[workload null]
count = 1, 2
"""

OUTPUTS = ("m.csv", "m-runs.csv", "m-matrix.csv", "m-env.csv", "m.svg",
           "m.xlsx")


def snapshot(folder):
    """Every file below folder: name -> SHA-256 of its bytes."""
    got = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                got[os.path.relpath(path, folder)] = hashlib.sha256(
                    f.read()).hexdigest()
    return got


class MergeOutput(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.d = self.tmp.__enter__()
        self.ini = write(os.path.join(self.d, "e.ini"), EXPERIMENT)
        self.shards = os.path.join(self.d, "shards")
        for k in range(2):
            rc, _, err = run("run", self.ini, "-o",
                             os.path.join(self.shards, "e.csv"), "-q",
                             "--shard", f"{k}/2")
            self.assertEqual(rc, 0, err)
        self.out = os.path.join(self.d, "out", "m.csv")

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def merge(self, out, *extra):
        return run("merge", out, self.shards, *extra, timeout=300)

    def test_no_xlsx_writes_everything_but_the_workbook(self):
        rc, out, err = self.merge(self.out, "--no-xlsx")
        self.assertEqual(rc, 0, err)
        got = set(os.listdir(os.path.dirname(self.out)))
        self.assertEqual(got, set(OUTPUTS) - {"m.xlsx"})
        self.assertNotIn("workbook:", out)
        rc, out, err = self.merge(self.out)
        self.assertEqual(rc, 0, err)
        self.assertIn("workbook:", out)
        self.assertIn("m.xlsx", os.listdir(os.path.dirname(self.out)))

    def test_a_held_lock_refuses_the_merge_and_touches_nothing(self):
        rc, _, err = self.merge(self.out)
        self.assertEqual(rc, 0, err)
        before = snapshot(os.path.dirname(self.out))
        self.assertEqual(sorted(before), sorted(OUTPUTS))
        with open(self.out, "rb") as held:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            rc, out, err = self.merge(self.out)
        self.assertEqual(rc, 2, out + err)
        self.assertIn(f"{self.out} is being written by another process "
                      f"(pid {os.getpid()}): wait for it to end, or name "
                      "another OUT.csv", err)
        self.assertEqual(snapshot(os.path.dirname(self.out)), before)

    def test_a_merge_refuses_while_a_run_writes_the_output(self):
        slow = EXPERIMENT.replace("count = 1, 2",
                                  "count = 1, 2\n\n[workload sleepy]\n"
                                  "plugin = http_download\nurl = builtin\n"
                                  "count = 2\nlatency = 400ms\nbody = 10")
        ini = write(os.path.join(self.d, "slow.ini"), slow)
        p = subprocess.Popen([CONCUR, "run", ini, "-o", self.out, "-q"],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            while not os.path.exists(self.out[:-4] + "-env.csv"):
                self.assertIsNone(p.poll(), "the run ended too soon")
                time.sleep(0.01)
            rc, out, err = self.merge(self.out, "--force")
            self.assertEqual(rc, 2, out + err)
            self.assertIn(f"{self.out} is being written by another concur "
                          f"run (pid {p.pid})", err)
        finally:
            self.assertEqual(p.wait(timeout=120), 0)

    def test_two_merges_at_once_one_is_refused(self):
        # a merge of 20,000 cells holds the lock for a second or more
        big = os.path.join(self.d, "big", "b.shard-0-of-1.csv")
        os.mkdir(os.path.dirname(big))
        gen_shard(big, 20000)
        first = subprocess.Popen([CONCUR, "merge", self.out, big],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
        try:
            while not os.path.exists(self.out) and first.poll() is None:
                time.sleep(0.002)  # until the lock is taken
            if first.poll() is not None:
                self.assertEqual(first.returncode, 0, first.stderr.read())
                self.skipTest("the first merge ended before the second began")
            rc, out, err = run("merge", self.out, big, timeout=300)
            self.assertEqual(rc, 2, out + err)
            self.assertIn(f"{self.out} is being written by another concur "
                          f"merge (pid {first.pid})", err)
        finally:
            self.assertEqual(first.wait(timeout=300), 0)
        # the first merge's files, whole: every row of the shard is there
        with open(self.out, newline="") as f:
            self.assertEqual(sum(1 for _ in f), 20001)

    def test_an_output_named_like_a_shard_is_refused(self):
        before = snapshot(self.shards)
        for name in ("e.shard-0-of-2", "e.shard-1-of-2", "./e.shard-0-of-2"):
            with self.subTest(name=name):
                out = os.path.join(self.shards, name)
                rc, stdout, err = self.merge(out, "--force")
                self.assertEqual(rc, 2, stdout + err)
                self.assertRegex(err, r"would overwrite .*e\.shard-[01]-of-2"
                                      r"[-a-z]*\.[a-z]+, a file of shard "
                                      r"[01] of 2: name the merged file "
                                      r"after the experiment")
                self.assertEqual(snapshot(self.shards), before)

    def test_an_output_that_is_a_shards_file_by_another_path(self):
        before = snapshot(self.shards)
        link = os.path.join(self.d, "link")
        os.symlink(self.shards, link)
        os.link(os.path.join(self.shards, "e.shard-0-of-2-runs.csv"),
                os.path.join(self.d, "hard-runs.csv"))
        for out in (os.path.join(link, "e.shard-0-of-2"),
                    os.path.join(self.d, "hard.csv")):
            with self.subTest(out=out):
                rc, stdout, err = self.merge(out, "--force")
                self.assertEqual(rc, 2, stdout + err)
                self.assertIn("a file of shard 0 of 2", err)
                self.assertEqual(snapshot(self.shards), before)


if __name__ == "__main__":
    unittest.main()
