"""What a download costs the client besides the download itself
(docs/benchmarks.md, I/O): resident memory per download in flight and
epoll_ctl calls per kept-alive download.

Memory: 10,000 downloads held open at once each keep libcurl's handle,
connection and receive buffer.  With every URL builtin the buffer is sized
to the response, so one download in flight costs at most 13.3 KiB of the
client's resident memory (libcurl's default 16 KiB buffer made it ~17 KiB,
a buffer with 1 KiB of room for the headers 13.7 KiB; 256 bytes: 12.9).
The figure is the slope between a cell of 100 and one of 1,500 downloads in
flight, so the process's own size cancels out.

epoll_ctl: on a kept-alive connection libcurl stops watching the socket
when a download ends and watches it again when the next one starts on it.
The epoll strategy keeps the kernel's registration across that gap, so
such a download costs one epoll_ctl (a MOD), not a DEL and an ADD.
strace -f counts every epoll_ctl of the run, the builtin server's included.
"""
import os
import re
import shutil
import subprocess
import unittest

from common import CONCUR, TempDir, read_dicts, run, write

SMALL, LARGE = 100, 1500
MAX_KIB_PER_DOWNLOAD = 13.3
KEPT_ALIVE, IN_FLIGHT = 2000, 20
MAX_EPOLL_CTL_PER_DOWNLOAD = 1.2  # a DEL and an ADD made it 2.0


def downloads(d, strategy, count, latency, body):
    """An experiment of one epoll cell per count; returns (ini, csv)."""
    ini = write(os.path.join(d, "io.ini"), """
[experiment]
name = io
repetitions = 1
warmup = 0
timeout = 60s
output = %s/io.csv

[strategy epoll]
%s

[workload download]
plugin = http_download
count = %s
latency = %s
body = %d
expect_bytes = %d
""" % (d, strategy, count, latency, body, body))
    return ini, os.path.join(d, "io.csv")


def ok_rows(test, csv_path):
    rows = read_dicts(csv_path)
    for r in rows:
        test.assertEqual((r["status"], r["tasks_failed"]), ("ok", "0"), r)
    return rows


class IoCosts(unittest.TestCase):
    def test_resident_memory_per_download(self):
        with TempDir() as d:
            ini, out = downloads(d, "", "%d, %d" % (SMALL, LARGE), "300ms", 1024)
            rc, _, err = run("run", ini, "--quiet")
            self.assertEqual(rc, 0, err)
            rss = {int(r["workload.count"]): int(r["max_rss_kib"])
                   for r in ok_rows(self, out)}
            per = (rss[LARGE] - rss[SMALL]) / (LARGE - SMALL)
            self.assertLessEqual(
                per, MAX_KIB_PER_DOWNLOAD,
                "%.1f KiB of resident memory per download in flight "
                "(max_rss %s)" % (per, rss))

    def test_kept_alive_download_costs_one_epoll_ctl(self):
        strace = shutil.which("strace")
        self.assertIsNotNone(strace, "strace not found (CONCUR_EXTRA_PACKAGES "
                             "in scripts/test.sh installs it)")
        with TempDir() as d:
            ini, out = downloads(d, "max_inflight = %d" % IN_FLIGHT,
                                 KEPT_ALIVE, "0", 40)
            counts = os.path.join(d, "strace.txt")
            p = subprocess.run([strace, "-f", "-qq", "-c", "-e", "trace=epoll_ctl",
                                "-o", counts, CONCUR, "run", ini, "--quiet"],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            ok_rows(self, out)
            with open(counts) as f:
                m = re.search(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?epoll_ctl$",
                              f.read(), re.M)
            self.assertIsNotNone(m, "no epoll_ctl line in strace's summary")
            per = int(m.group(1)) / KEPT_ALIVE
            self.assertLess(per, MAX_EPOLL_CTL_PER_DOWNLOAD,
                            "%s epoll_ctl calls for %d kept-alive downloads"
                            % (m.group(1), KEPT_ALIVE))


if __name__ == "__main__":
    unittest.main()
