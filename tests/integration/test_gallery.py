"""The hostile-plugin gallery: tests/fixtures/gallery/rogue.so is
a strategy that runs its tasks, then writes below or above its task records,
corrupts the core's header and error text, claims huge counts, stamps
impossible times, forks a child it never reaps, closes stdout and stderr,
changes directory, calls setsid, or scribbles on every inherited descriptor.
Each misdeed costs its own cell and nothing else: concur survives, every
other cell runs and is ok, the results files parse and hold nothing of the
rogue's, nothing is left running, and no control character reaches the
terminal."""
import os
import re
import subprocess
import time
import unittest
import zipfile

from common import (BUILD, CONCUR, SUMMARY_TAIL, TempDir, read_csv, read_dicts,
                    sanitized, write)
from test_faults import no_leftovers

GALLERY_DIR = os.path.join(BUILD, "tests", "fixtures", "gallery")
SANITIZER_SIGNS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer")

# mode -> (statuses allowed, text the error must contain)
EXPECT = {
    "none": ({"ok"}, ""),
    "below": ({"crashed"}, "wrote below its task records"),
    "above": ({"crashed"}, "wrote past its task records"),
    # a megabyte past the mapping lands wherever the child's memory is: a
    # SIGSEGV of the child or damage to its own memory, never to concur's
    "far_above": ({"crashed", "ok"}, ""),
    "header": ({"crashed"}, "corrupted concur's run header"),
    "error_text": ({"crashed"}, "wrote below its task records"),
    "ctrl_error": ({"failed"}, "pwned"),
    "wild_times": ({"crashed"}, "impossible times"),
    "fork_child": ({"ok"}, ""),
    "close_stdio": ({"ok"}, ""),
    "chdir": ({"ok"}, ""),
    "setsid": ({"ok"}, ""),
    "scribble": ({"ok"}, ""),
}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def gallery_ini(d):
    body = ("[experiment]\nname = gallery\nrepetitions = 2\nwarmup = 0\n"
            "timeout = 20s\n\n[strategy sync]\n")
    for mode in EXPECT:
        body += f"[strategy rogue_{mode}]\nplugin = rogue\nmode = {mode}\n"
    body += "[strategy after]\nplugin = sync\n"
    body += "[workload w]\nplugin = null\ncount = 50\n"
    return write(os.path.join(d, "gallery.ini"), body)


class Gallery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        d = cls.tmp.__enter__()
        cls.out = os.path.join(d, "out", "gallery.csv")
        ini = gallery_ini(d)
        t0 = time.monotonic()
        env = dict(os.environ)
        if sanitized():
            # rogue_far_above writes where nothing is mapped, on purpose:
            # its run child must die of the SIGSEGV as in a normal build,
            # not print AddressSanitizer's report of the plugin's crash.
            # Memory errors are still reported (they are not signals), and
            # a crash of concur itself still fails the exit status check.
            env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":handle_segv=0"
        p = subprocess.Popen([CONCUR, "run", ini, "-o", cls.out,
                              "--plugin-path", GALLERY_DIR],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True, cwd=d, env=env)
        out, err = p.communicate(timeout=240)
        cls.wall = time.monotonic() - t0
        cls.rc, cls.sid = p.returncode, p.pid
        cls.stdout = out.decode("utf-8", "replace")
        cls.stderr = err.decode("utf-8", "replace")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def rows(self):
        return {r["cell"]: r for r in read_dicts(self.out)}

    def test_concur_survives_with_exit_one(self):
        self.assertEqual(self.rc, 1, self.stderr[-3000:])
        for sign in SANITIZER_SIGNS:
            self.assertNotIn(sign, self.stderr)

    def test_each_misdeed_costs_its_cell(self):
        rows = self.rows()
        for mode, (statuses, reason) in EXPECT.items():
            with self.subTest(mode=mode):
                r = rows[f"rogue_{mode}/w"]
                self.assertIn(r["status"], statuses, r)
                self.assertIn(reason, r["error"], r)

    def test_every_other_cell_is_ok(self):
        rows = self.rows()
        self.assertEqual(len(rows), len(EXPECT) + 2)
        for cell in ("sync/w", "after/w"):
            self.assertEqual(rows[cell]["status"], "ok", rows[cell])
            self.assertEqual(rows[cell]["runs"], "2")
            self.assertEqual(rows[cell]["tasks"], "100")

    def test_files_parse_and_hold_nothing_of_the_rogue(self):
        summary = read_csv(self.out)
        width = len(summary[0])
        self.assertEqual(summary[0][-len(SUMMARY_TAIL):], SUMMARY_TAIL)
        for row in summary:
            self.assertEqual(len(row), width, row)
        runs = read_csv(self.out.replace(".csv", "-runs.csv"))
        # a crashed cell is not run again: one run row, the others two
        want = sum(1 if r["status"] == "crashed" else 2
                   for r in self.rows().values())
        self.assertEqual(len(runs), 1 + want)
        for row in runs:
            self.assertEqual(len(row), len(runs[0]), row)
        for name in os.listdir(os.path.dirname(self.out)):
            path = os.path.join(os.path.dirname(self.out), name)
            if name.endswith(".xlsx"):  # a zip: look at its XML parts
                with zipfile.ZipFile(path) as z:
                    parts = [(f"{name}:{p}", z.read(p)) for p in z.namelist()]
            else:
                with open(path, "rb") as f:
                    parts = [(name, f.read())]
            for where, data in parts:
                self.assertNotIn(b"ROGUE", data, where)
                self.assertIsNone(CONTROL.search(data.decode("utf-8", "replace")
                                                 .replace("\r\n", "\n")), where)

    def test_no_control_character_reaches_the_terminal(self):
        for name, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            self.assertIsNone(CONTROL.search(text),
                              f"{name}: {text[-2000:]!r}")

    def test_nothing_left_running(self):
        # fork_child's child sleeps 30 s: it must not hold the run up either
        self.assertLess(self.wall, 25, self.stderr[-2000:])
        no_leftovers(self, self.sid)


if __name__ == "__main__":
    unittest.main()
