"""Crash safety under torture: run an experiment, kill -9 concur
at 100 random moments, --resume after each, and check every time that

- every file parses: N-matrix.csv and N-env.csv whole (they are replaced
  atomically), N.csv and N-runs.csv whole except at most a torn last row
  (which --resume cuts off);
- every summary row that was whole before a kill is still there after the
  next one, byte for byte, exactly once, and every cell in N.csv has
  exactly `repetitions` rows in N-runs.csv;
- a completed experiment has every cell exactly once and no temporary
  file is left.

The experiment is null-plugin cells so that a full run takes a fraction of
a second and the kills land everywhere: in a run, in the write and fsync of
a row, in the matrix rewrite, in the chart.  What concur was doing at each
kill is read from /proc/PID/syscall just before it, and the tally printed.

CONCUR_TORTURE_KILLS sets the number of kills (default 100; 30 in a
sanitizer build, where each start of concur costs ten times as much and
the Release build has already done the hundred) and CONCUR_TORTURE_SEED the
random seed (default: time, printed)."""
import collections
import csv
import io
import os
import random
import signal
import subprocess
import time
import unittest

from common import CONCUR, TempDir, write, sanitized
from test_faults import experiment


KILLS = int(os.environ.get("CONCUR_TORTURE_KILLS", "30" if sanitized() else "100"))
SEED = int(os.environ.get("CONCUR_TORTURE_SEED", str(int(time.time()))))
REPS = 2
# x86-64 and aarch64 system call numbers of interest
SYSCALLS = {"x86_64": {1: "write", 74: "fsync", 75: "fdatasync", 82: "rename",
                       316: "renameat2", 61: "wait4", 7: "poll", 257: "openat",
                       0: "read", 230: "clock_nanosleep", 35: "nanosleep",
                       56: "clone", 435: "clone3", 87: "unlink", 77: "ftruncate"},
            "aarch64": {64: "write", 82: "fsync", 83: "fdatasync",
                        276: "renameat2", 38: "renameat", 260: "wait4",
                        73: "ppoll", 56: "openat", 63: "read",
                        115: "clock_nanosleep", 101: "nanosleep",
                        220: "clone", 435: "clone3", 35: "unlinkat",
                        46: "ftruncate"}}.get(os.uname().machine, {})


def records(path):
    """(whole records, torn tail bytes) of a CSV file we wrote (CRLF rows)."""
    with open(path, "rb") as f:
        data = f.read()
    whole, _, tail = data.rpartition(b"\r\n")
    if not whole and not data.endswith(b"\r\n"):
        return [], data
    text = (whole + b"\r\n").decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""))), tail


def doing(pid):
    """What pid is doing right now: a system call's name, or 'running'."""
    try:
        with open(f"/proc/{pid}/syscall") as f:
            field = f.read().split()[0]
    except (OSError, IndexError):
        return "gone"
    if field == "running":
        return "running (user space)"
    if field.lstrip("-").isdigit():
        n = int(field)
        return SYSCALLS.get(n, f"syscall {n}")
    return field


class Torture(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.d = self.tmp.__enter__()
        body = ("[strategy sync]\n[strategy pthreads]\nworkers = 1, 2, 3, 4\n"
                "[strategy forkpool]\nworkers = 1, 2\n"
                "[workload w]\nplugin = null\ncount = 20, 40, 60, 80\n")
        self.ini = write(os.path.join(self.d, "t.ini"),
                         experiment("t", body, repetitions=REPS))
        self.out = os.path.join(self.d, "t.csv")
        self.cells = 7 * 4

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def paths(self):
        base = self.out[:-4]
        return {"summary": self.out, "runs": base + "-runs.csv",
                "matrix": base + "-matrix.csv", "env": base + "-env.csv"}

    def start(self):
        return subprocess.Popen([CONCUR, "run", self.ini, "-o", self.out,
                                 "--resume", "-q"],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE,
                                start_new_session=True)

    def check_files(self, kept):
        """Every file parses; the rows in `kept` are all still there, once,
        byte for byte.  Returns the summary rows now whole, by cell."""
        p = self.paths()
        for name in ("matrix", "env"):
            if os.path.exists(p[name]):
                rows, tail = records(p[name])
                self.assertEqual(tail, b"", f"{name} torn: {tail[:80]!r}")
                self.assertTrue(rows and all(len(r) == len(rows[0]) for r in rows),
                                f"{name} does not parse")
        if not os.path.exists(p["summary"]):
            self.assertEqual(kept, {})
            return {}
        rows, _ = records(p["summary"])
        now = {}
        if rows:
            width = len(rows[0])
            for r in rows[1:]:
                self.assertEqual(len(r), width, r)
                self.assertNotIn(r[1], now, f"cell {r[1]} twice")
                now[r[1]] = r
        for cell, row in kept.items():
            self.assertEqual(now.get(cell), row, f"finished row of {cell} lost or changed")
        if os.path.exists(p["runs"]):
            runs, _ = records(p["runs"])
            per = collections.Counter(r[1] for r in runs[1:]
                                      if len(r) == len(runs[0]))
            for cell in now:
                self.assertEqual(per[cell], REPS, f"runs of {cell}")
        return now

    def test_kill_nine_at_random_moments(self):
        rng = random.Random(SEED)
        # how long a whole experiment takes here, to spread the kills over it
        t0 = time.monotonic()
        p = self.start()
        _, err = p.communicate(timeout=120)
        full = time.monotonic() - t0
        self.assertEqual(p.returncode, 0, err)
        for path in self.paths().values():
            os.unlink(path)
        os.unlink(self.out[:-4] + ".svg")

        kept, kills, completed, tally = {}, 0, 0, collections.Counter()
        while kills < KILLS:
            p = self.start()
            time.sleep(rng.uniform(0, full * 1.1))
            if p.poll() is None:
                tally[doing(p.pid)] += 1
                os.killpg(p.pid, signal.SIGKILL)
                kills += 1
            _, err = p.communicate(timeout=60)
            err = err.decode("utf-8", "replace")
            self.assertIn(p.returncode, (0, -signal.SIGKILL), err)
            kept = self.check_files(kept)
            if p.returncode == 0:  # it finished before the kill
                self.assertEqual(len(kept), self.cells)
                left = [n for n in os.listdir(self.d) if n.endswith(".tmp")]
                self.assertEqual(left, [])
                completed += 1
                for path in self.paths().values():
                    os.unlink(path)
                kept = {}
        # finish the last one and check it whole
        p = self.start()
        _, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(len(self.check_files(kept)), self.cells)
        self.assertEqual([n for n in os.listdir(self.d) if n.endswith(".tmp")], [])
        print(f"\ntorture: seed {SEED}, {kills} kill -9 over a {full:.2f} s "
              f"experiment of {self.cells} cells, {completed} runs completed "
              f"between kills; every finished row survived exactly once.\n"
              f"concur was in: " + ", ".join(f"{k} {v}" for k, v in tally.most_common()),
              flush=True)


if __name__ == "__main__":
    unittest.main()
