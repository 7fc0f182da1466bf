"""The workbook's scratch space: the package is put together in anonymous
memory files, so nothing concur does goes through a name in $TMPDIR (or
$TMP) that someone else could have planted, and a run or merge killed in
the middle of the workbook leaves no file behind; merge removes the
temporary files a killed one left beside its outputs, as a run does."""
import os
import signal
import subprocess
import sys
import time
import unittest

from common import CONCUR, TINY_EXPERIMENT, TempDir, gen_shard, run, write


def dead_pid():
    """The pid of a process that has ended."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def listing(folder):
    return sorted(os.listdir(folder))


class Scratch(unittest.TestCase):
    def test_a_planted_link_in_tmpdir_is_never_followed(self):
        with TempDir() as d:
            tmp = os.path.join(d, "tmp")
            thesis = os.path.join(d, "thesis")
            os.mkdir(tmp)
            os.mkdir(thesis)
            write(os.path.join(thesis, "chapter1.tex"), "years of work")
            # named like the scratch folder of a concur that has ended
            for pid in (dead_pid(), os.getpid()):
                os.symlink(thesis, os.path.join(tmp, f"concur-xlsx-{pid}-x"))
            ini = write(os.path.join(d, "e.ini"), TINY_EXPERIMENT)
            rc, _, err = run("run", ini, "-o", os.path.join(d, "r", "e.csv"),
                             "-q", env={"TMPDIR": tmp, "TMP": tmp})
            self.assertEqual(rc, 0, err)
            self.assertEqual(listing(thesis), ["chapter1.tex"])
            self.assertEqual(len(listing(tmp)), 2)
            self.assertTrue(os.path.exists(os.path.join(d, "r", "e.xlsx")))

    def test_killed_merge_leaves_no_scratch(self):
        with TempDir() as d:
            tmp = os.path.join(d, "tmp")
            os.mkdir(tmp)
            shard = os.path.join(d, "in", "b.shard-0-of-1.csv")
            os.mkdir(os.path.dirname(shard))
            gen_shard(shard, 50000)
            out = os.path.join(d, "out", "m.csv")
            svg = out[:-4] + ".svg"
            p = subprocess.Popen([CONCUR, "merge", out, shard],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL,
                                 env=dict(os.environ, TMPDIR=tmp, TMP=tmp))
            try:
                # the chart is written just before the workbook, which
                # takes a good part of a second at this size
                deadline = time.monotonic() + 120
                while not os.path.exists(svg) and p.poll() is None \
                        and time.monotonic() < deadline:
                    time.sleep(0.002)
                time.sleep(0.2)
                p.send_signal(signal.SIGKILL)
            finally:
                p.wait(timeout=60)
            if os.path.exists(out[:-4] + ".xlsx"):
                self.skipTest("the workbook was done before the kill")
            self.assertEqual(listing(tmp), [])
            # a temporary file a killed merge left beside its outputs is
            # removed by the next merge
            for name in ("m.xlsx.0123456789abcdef.tmp",
                         "m-runs.csv.fedcba9876543210.tmp"):
                write(os.path.join(d, "out", name), "half a file")
            rc, _, err = run("merge", out, shard, timeout=300,
                             env={"TMPDIR": tmp, "TMP": tmp})
            self.assertEqual(rc, 0, err)
            self.assertEqual(listing(os.path.join(d, "out")),
                             ["m-env.csv", "m-matrix.csv", "m-runs.csv",
                              "m.csv", "m.svg", "m.xlsx"])
            self.assertEqual(listing(tmp), [])


if __name__ == "__main__":
    unittest.main()
