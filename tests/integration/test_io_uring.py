"""The io_uring strategy where the kernel refuses io_uring: the plugin still
loads, a cell that needs it ends `failed` with the errno text, the likely
cause and what to do, the other cells of the experiment run, and
`concur help io_uring` says so.  The refusal is the real thing: a launcher
(tests/fixtures/deny_io_uring) installs a seccomp filter that makes
io_uring_setup fail with EPERM, as a container's default profile does, and
execs concur."""
import os
import subprocess
import unittest

from common import BUILD, CONCUR, TempDir, read_dicts, run

DENY = os.path.join(BUILD, "tests", "fixtures", "deny_io_uring")

EXPERIMENT = """[experiment]
name = ring
repetitions = 1
warmup = 0
output = %s/ring.csv

[strategy io_uring]
[strategy epoll]

[workload null]
count = 20
"""


def write_experiment(d):
    ini = os.path.join(d, "ring.ini")
    with open(ini, "w") as f:
        f.write(EXPERIMENT % d)
    return ini


def run_denied(*args):
    """concur under the seccomp filter: (exit status, stdout, stderr)."""
    p = subprocess.run([DENY, CONCUR, *args], capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


class Unavailable(unittest.TestCase):
    def test_cell_fails_with_the_reason(self):
        with TempDir() as d:
            ini = write_experiment(d)
            rc, out, err = run_denied("run", ini, "-q")
            self.assertEqual(rc, 1, err)  # a failed cell, not bad input
            rows = {r["strategy"]: r for r in
                    read_dicts(os.path.join(d, "ring.csv"))}
            self.assertEqual(rows["epoll"]["status"], "ok")
            ring = rows["io_uring"]
            self.assertEqual(ring["status"], "failed")
            self.assertIn("io_uring is unavailable: io_uring_setup: "
                          "Operation not permitted", ring["error"])
            self.assertIn("seccomp", ring["error"])
            self.assertIn("run this cell on strategy epoll", ring["error"])

    def test_same_experiment_runs_where_allowed(self):
        with TempDir() as d:
            ini = write_experiment(d)
            rc, out, err = run("run", ini, "-q")
            self.assertEqual(rc, 0, err)
            for r in read_dicts(os.path.join(d, "ring.csv")):
                self.assertEqual(r["status"], "ok", r["error"])

    def test_plugin_loads_and_help_says_so(self):
        rc, out, err = run_denied("help", "io_uring")
        self.assertEqual(rc, 0, err)
        self.assertIn("open loop: yes", out)
        self.assertIn("where the kernel refuses io_uring", out)
        self.assertIn("its cells fail, saying why", out)


if __name__ == "__main__":
    unittest.main()
