"""Hardening of the core: output files written the curl way and
locked, every error with a message, a total budget for ${ENV} expansion, a
shell-safe resume hint, no control characters on the terminal.  Each test
here failed on the code before its fix."""
import os
import re
import resource
import signal
import stat
import subprocess
import time
import unittest

from common import BUILD, CONCUR, TempDir, read_csv, read_dicts, run, write
from test_faults import check_rows, experiment, start, wait_rows

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def quick(d, name="q"):
    body = ("[strategy sync]\n[strategy pthreads]\nworkers = 1, 2\n"
            "[workload w]\nplugin = null\ncount = 10\n")
    return write(os.path.join(d, name + ".ini"), experiment(name, body))


def slow(d, name="slow", task_ms=200):
    body = ("[strategy sync]\n[strategy pthreads]\nworkers = 1\n"
            "chunk = 1, 2, 3\n[workload w]\nplugin = faulty\nmode = none\n"
            f"count = 2\ntask_ms = {task_ms}\n")
    return write(os.path.join(d, name + ".ini"), experiment(name, body))


def siblings(out):
    base = out[:-4]
    return [out, base + "-runs.csv", base + "-matrix.csv", base + "-env.csv"]


class OutputFiles(unittest.TestCase):
    """Finding 3: no predictable temporary name, no write through a planted
    symlink, all four files checked, permissions kept, one run at a time."""

    def test_planted_symlink_at_the_old_temporary_name_is_not_followed(self):
        with TempDir() as d:
            ini, out = quick(d), os.path.join(d, "q.csv")
            victim = write(os.path.join(d, "victim"), "precious\n")
            for path in siblings(out)[1:]:
                os.symlink(victim, path + ".tmp")
            rc, _, err = run("run", ini, "-o", out)
            self.assertEqual(rc, 0, err)
            with open(victim) as f:
                self.assertEqual(f.read(), "precious\n")
            check_rows(self, siblings(out)[2])

    def test_symlink_in_place_of_a_results_file_is_refused(self):
        with TempDir() as d:
            ini, out = quick(d), os.path.join(d, "q.csv")
            victim = write(os.path.join(d, "victim"), "precious\n")
            for target in (siblings(out)[0], siblings(out)[1]):
                with self.subTest(target=os.path.basename(target)):
                    os.symlink(victim, target)
                    rc, _, err = run("run", ini, "-o", out, "--force")
                    self.assertEqual(rc, 2, err)
                    self.assertIn(f"{target} is a symbolic link", err)
                    with open(victim) as f:
                        self.assertEqual(f.read(), "precious\n")
                    os.unlink(target)

    def test_every_results_file_is_checked_before_writing(self):
        with TempDir() as d:
            ini, out = quick(d), os.path.join(d, "q.csv")
            for path in siblings(out)[1:]:
                with self.subTest(existing=os.path.basename(path)):
                    write(path, "mine\n")
                    rc, _, err = run("run", ini, "-o", out)
                    self.assertEqual(rc, 2, err)
                    self.assertIn(f"{path} already exists", err)
                    self.assertIn("--force", err)
                    with open(path) as f:
                        self.assertEqual(f.read(), "mine\n")
                    self.assertFalse(os.path.exists(out), "summary left behind")
                    os.unlink(path)

    def test_permissions_of_an_old_file_are_kept_new_ones_0644(self):
        with TempDir() as d:
            ini, out = quick(d), os.path.join(d, "q.csv")
            old = os.umask(0o022)
            try:
                rc, _, err = run("run", ini, "-o", out)
                self.assertEqual(rc, 0, err)
                for path in siblings(out):
                    self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o644, path)
                for path in siblings(out):
                    os.chmod(path, 0o600)
                rc, _, err = run("run", ini, "-o", out, "--force")
                self.assertEqual(rc, 0, err)
                for path in siblings(out):
                    self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
            finally:
                os.umask(old)

    def test_no_temporary_file_is_left_and_stale_ones_are_removed(self):
        with TempDir() as d:
            ini, out = quick(d), os.path.join(d, "q.csv")
            stale = siblings(out)[2] + ".0123456789abcdef.tmp"
            write(stale, "left by a kill -9\n")
            write(os.path.join(d, "q.xlsx.0123456789abcdef.tmp"), "stale\n")
            rc, _, err = run("run", ini, "-o", out)
            self.assertEqual(rc, 0, err)
            self.assertEqual(sorted(os.listdir(d)),
                             sorted(["q.ini", "q.csv", "q-runs.csv", "q-matrix.csv",
                                     "q-env.csv", "q.svg", "q.xlsx"]))

    def test_resume_after_a_kill_between_lock_and_env_starts_afresh(self):
        """The torture test found it: a kill -9 after the summary file was
        created (to be locked) but before N-env.csv was written left an
        empty N.csv that --resume refused for want of a SHA-256."""
        with TempDir() as d:
            ini, out = quick(d), os.path.join(d, "q.csv")
            write(out, "")
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 0, err)
            self.assertEqual(len(check_rows(self, out)), 3)

    def test_resume_never_starts_afresh_over_a_file_it_cannot_read(self):
        """A summary file past the resume reader's bound (1 GiB) must be
        refused, not taken for empty and truncated."""
        with TempDir() as d:
            ini, out = quick(d), os.path.join(d, "q.csv")
            rc, _, err = run("run", ini, "-o", out)
            self.assertEqual(rc, 0, err)
            with open(out, "ab") as f:
                f.truncate((1 << 30) + (1 << 20))  # sparse: no disk used
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 2, err)
            self.assertIn("cannot resume", err)
            self.assertIn("larger than", err)
            self.assertEqual(os.path.getsize(out), (1 << 30) + (1 << 20))

    def test_a_second_run_on_the_same_output_is_refused_with_the_pid(self):
        with TempDir() as d:
            ini, out = slow(d), os.path.join(d, "slow.csv")
            first = start("run", ini, "-o", out)
            try:
                self.assertTrue(wait_rows(out, 0, first), "first run did not start")
                for flag in ("--force", "--resume"):
                    with self.subTest(flag=flag):
                        rc, _, err = run("run", ini, "-o", out, flag)
                        self.assertEqual(rc, 2, err)
                        self.assertIn(f"another concur run (pid {first.pid})", err)
                so, err = first.communicate(timeout=120)
            finally:
                if first.poll() is None:
                    first.kill()
                    first.wait()
            self.assertEqual(first.returncode, 0, err)
            rows = check_rows(self, out)
            self.assertEqual(len(rows), 4)
            self.assertEqual(len({r["cell"] for r in rows}), 4)


class ErrorMessages(unittest.TestCase):
    def test_too_many_cells_says_why(self):
        """Finding 8: the cell-limit error used an uninitialised buffer and
        printed 'concur: \\003'."""
        with TempDir() as d:
            ini = write(os.path.join(d, "big.ini"),
                        "[experiment]\nname = big\n[strategy pthreads]\n"
                        "workers = 1..4096\n[workload w]\nplugin = null\n"
                        "count = 1..10000\n")
            for cmd in ("validate", "run"):
                rc, _, err = run(cmd, ini, "-o", os.path.join(d, "o.csv"))
                self.assertEqual(rc, 2, err)
                self.assertIn("4096 x 10000 cells, more than the limit of 100000", err)
                self.assertIsNone(CONTROL.search(err), repr(err))

    def test_control_characters_never_reach_the_terminal(self):
        """Finding 11: file names, values and plugin text are shown with
        their control characters made visible."""
        with TempDir() as d:
            ini = write(os.path.join(d, "esc.ini"),
                        "[experiment]\nname = esc\n[strategy pthreads]\n"
                        "workers = \x1b[2J\x1b]0;pwned\x07\n"
                        "[workload w]\nplugin = null\n")
            missing = os.path.join(d, "no\x1b[31mne\x07.ini")
            for args in (["validate", ini], ["validate", missing],
                         ["plot", missing]):
                rc, out, err = run(*args)
                self.assertEqual(rc, 2, err)
                self.assertIsNone(CONTROL.search(err), repr(err))
                self.assertIsNone(CONTROL.search(out), repr(out))

    def test_cell_ids_are_printable(self):
        """A crossed string value with an escape sequence names a cell: the
        id (progress, table, CSV cell column) shows it as '?', the
        parameter column keeps the value as written."""
        with TempDir() as d:
            ini = write(os.path.join(d, "ids.ini"),
                        "[experiment]\nname = ids\nrepetitions = 1\nwarmup = 0\n"
                        "[strategy sync]\n[strategy r]\nplugin = rogue\n"
                        "mode = none, \x1b[2Jnone\n"
                        "[workload w]\nplugin = null\ncount = 5\n")
            out = os.path.join(d, "ids.csv")
            rc, so, err = run("run", ini, "-o", out, "--plugin-path",
                              os.path.join(BUILD, "tests", "fixtures", "gallery"))
            self.assertEqual(rc, 1, err)  # the second mode is refused
            self.assertIsNone(CONTROL.search(so), repr(so))
            self.assertIsNone(CONTROL.search(err), repr(err))
            rows = {r["cell"]: r for r in read_dicts(out)}
            self.assertIn("r[mode=?[2Jnone]/w", rows)
            self.assertEqual(rows["r[mode=?[2Jnone]/w"]["strategy.mode"],
                             "\x1b[2Jnone")


class EnvBudget(unittest.TestCase):
    def test_expansion_has_a_total_budget(self):
        """Finding 9: 5,000 lines of k = ${BIG} (64 KiB each) took 328 MB;
        now the expansion stops at its budget with an error."""
        with TempDir() as d:
            ini = write(os.path.join(d, "env.ini"),
                        "[experiment]\nname = env\n[strategy sync]\n"
                        "[workload w]\nplugin = http_download\n"
                        + "url = ${BIG}\n" * 5000)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            p = subprocess.run([CONCUR, "validate", ini], capture_output=True,
                               text=True, timeout=60,
                               env=dict(os.environ, BIG="x" * 65536))
            peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertRegex(p.stderr, r"env\.ini:\d+: url: with \$\{\.\.\.\} "
                             r"expanded, the values of this file pass 4 MiB")
            # ASan's shadow memory adds its own; before the fix: 328 MB+
            if peak_kib > before:
                self.assertLess(peak_kib, 200 * 1024)


class ResumeHint(unittest.TestCase):
    """Finding 10: the printed resume command must run exactly the same
    arguments when pasted into a shell, and nothing else."""

    def hint_for(self, d, out):
        ini = slow(d)
        p = start("run", ini, "-o", out, "--set", "w.task_ms=200")
        self.assertTrue(wait_rows(out, 1, p), "no rows appeared")
        p.send_signal(signal.SIGINT)
        so, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 130, err)
        lines = err.splitlines()
        i = next(k for k, line in enumerate(lines) if "continue with:" in line)
        return ini, lines[i + 1].strip()

    def check(self, out_name):
        with TempDir() as d:
            out = os.path.join(d, out_name)
            ini, hint = self.hint_for(d, out)
            self.assertIsNone(CONTROL.search(hint), repr(hint))
            self.assertTrue(hint.startswith("concur "), hint)
            # run the hint in a real shell with `concur` printing its argv
            script = 'concur() { printf "%s\\0" "$@"; }\n' + hint + "\n"
            p = subprocess.run(["bash", "-c", script], capture_output=True,
                               cwd=d, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            args = p.stdout.decode("utf-8", "surrogateescape").split("\0")[:-1]
            self.assertEqual(args, ["run", ini, "-o", out, "--set",
                                    "w.task_ms=200", "--resume"])
            self.assertFalse(os.path.exists(os.path.join(d, "PWNED")))

    def test_command_substitution_in_the_path_stays_text(self):
        self.check("x'$(touch PWNED)'y.csv")

    def test_backquotes_and_quotes(self):
        self.check("a `touch PWNED` \"b\" 'c'.csv")

    def test_control_characters_are_escaped(self):
        self.check("tab\there\x1b[2J.csv")


if __name__ == "__main__":
    unittest.main()


def children(pid):
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return found


def pgrp(pid):
    with open(f"/proc/{pid}/stat") as f:
        stat_line = f.read()
    return int(stat_line[stat_line.rindex(")") + 2:].split()[2])


class BoundedWaits(unittest.TestCase):
    def test_a_stopped_test_server_cannot_hold_concur(self):
        """Finding 11: concur waited for the builtin server without bound
        after SIGTERM; a stopped (or stuck) server hung it forever.  Now it
        waits 5 s, kills it, says so, and exits normally."""
        with TempDir() as d:
            body = ("[strategy sync]\n"
                    "[workload web]\nplugin = http_download\nurl = builtin\n"
                    "count = 2\nlatency = 0\n"
                    "[workload slow]\nplugin = faulty\nmode = none\n"
                    "count = 1\ntask_ms = 1500\n")
            ini = write(os.path.join(d, "srv.ini"), experiment("srv", body))
            out = os.path.join(d, "srv.csv")
            p = start("run", ini, "-o", out)
            try:
                self.assertTrue(wait_rows(out, 1, p), "no rows appeared")
                server = [c for c in children(p.pid) if pgrp(c) == p.pid]
                self.assertEqual(len(server), 1, children(p.pid))
                os.kill(server[0], signal.SIGSTOP)
                t0 = time.monotonic()
                so, err = p.communicate(timeout=40)
                took = time.monotonic() - t0
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            self.assertEqual(p.returncode, 0, err)
            self.assertIn(f"the builtin test server (pid {server[0]}) did not "
                          "stop within 5 s of SIGTERM; it was killed", err)
            self.assertLess(took, 20)
            self.assertEqual(len(check_rows(self, out)), 2)
            self.assertFalse(os.path.exists(f"/proc/{server[0]}"))
