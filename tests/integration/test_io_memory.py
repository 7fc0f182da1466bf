"""Memory of downloads in flight (README "Benchmarks", I/O table).

10,000 downloads held open at once each keep libcurl's handle, connection
and receive buffer.  With every URL builtin the buffer is sized to the
response, so one download in flight costs at most 15 KiB of the client's
resident memory (libcurl's default 16 KiB buffer made it ~17 KiB).  The
figure is the slope between a cell of 100 and one of 1,500 downloads in
flight, so the process's own size cancels out.
"""
import os
import unittest

from common import TempDir, read_dicts, run, write

SMALL, LARGE = 100, 1500
MAX_KIB_PER_DOWNLOAD = 15.0


class InFlightMemory(unittest.TestCase):
    def test_resident_memory_per_download(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "mem.ini"), """
[experiment]
name = mem
repetitions = 1
warmup = 0
timeout = 60s
output = %s/mem.csv

[strategy epoll]

[workload download]
plugin = http_download
count = %d, %d
latency = 300ms
body = 1k
expect_bytes = 1024
""" % (d, SMALL, LARGE))
            rc, out, err = run("run", ini, "--quiet")
            self.assertEqual(rc, 0, err)
            rss = {}
            for r in read_dicts(os.path.join(d, "mem.csv")):
                self.assertEqual((r["status"], r["tasks_failed"]), ("ok", "0"), r)
                rss[int(r["workload.count"])] = int(r["max_rss_kib"])
            per = (rss[LARGE] - rss[SMALL]) / (LARGE - SMALL)
            self.assertLessEqual(
                per, MAX_KIB_PER_DOWNLOAD,
                "%.1f KiB of resident memory per download in flight "
                "(max_rss %s)" % (per, rss))


if __name__ == "__main__":
    unittest.main()
