"""epoll_ctl calls per kept-alive download (docs/benchmarks.md, I/O).

On a kept-alive connection libcurl stops watching the socket when a
download ends and watches it again when the next one starts on it.  The
epoll strategy keeps the kernel's registration across that gap, so such a
download costs one epoll_ctl (a MOD), not a DEL and an ADD.  strace -f
counts every epoll_ctl of the run, the builtin server's included.
"""
import os
import re
import shutil
import subprocess
import unittest

from common import CONCUR, TempDir, read_dicts, write

DOWNLOADS, IN_FLIGHT = 2000, 20
MAX_PER_DOWNLOAD = 1.2  # a DEL and an ADD made it 2.0


class EpollChurn(unittest.TestCase):
    def test_kept_alive_download_costs_one_epoll_ctl(self):
        strace = shutil.which("strace")
        self.assertIsNotNone(strace, "strace not found (CONCUR_EXTRA_PACKAGES "
                             "in scripts/test.sh installs it)")
        with TempDir() as d:
            ini = write(os.path.join(d, "ka.ini"), """
[experiment]
name = ka
repetitions = 1
warmup = 0
timeout = 60s
output = %s/ka.csv

[strategy epoll]
max_inflight = %d

[workload download]
plugin = http_download
count = %d
latency = 0
body = 40
expect_bytes = 40
""" % (d, IN_FLIGHT, DOWNLOADS))
            counts = os.path.join(d, "strace.txt")
            p = subprocess.run([strace, "-f", "-qq", "-c", "-e", "trace=epoll_ctl",
                                "-o", counts, CONCUR, "run", ini, "--quiet"],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            for r in read_dicts(os.path.join(d, "ka.csv")):
                self.assertEqual((r["status"], r["tasks_failed"]), ("ok", "0"), r)
            with open(counts) as f:
                m = re.search(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?epoll_ctl$",
                              f.read(), re.M)
            self.assertIsNotNone(m, "no epoll_ctl line in strace's summary")
            per = int(m.group(1)) / DOWNLOADS
            self.assertLess(per, MAX_PER_DOWNLOAD,
                            "%s epoll_ctl calls for %d kept-alive downloads"
                            % (m.group(1), DOWNLOADS))


if __name__ == "__main__":
    unittest.main()
