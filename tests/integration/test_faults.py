"""Fault tolerance: every fault is injected for real, and each test
asserts what concur did AND that no finished row was lost.

Faults come from two test workloads loaded through plugin_path:
tests/fixtures/workloads/crashy.so (segfault, abort, exit) and
tests/fixtures/faults/faulty.so (hang, spin, deaf to SIGTERM, escape the
process group, print on stdout, slow healthy tasks)."""
import csv
import ctypes
import os
import signal
import socket
import subprocess
import threading
import time
import unittest

from common import BUILD, CONCUR, SUMMARY_TAIL, TempDir, read_dicts, run, write

CRASHY_DIR = os.path.join(BUILD, "tests", "fixtures", "workloads")
FAULTY_DIR = os.path.join(BUILD, "tests", "fixtures", "faults")
HTTP_SO = os.path.join(BUILD, "plugins", "workload", "http_download.so")
STRATEGIES = ("[strategy sync]\n[strategy pthreads]\nworkers = 2\n"
              "[strategy forkpool]\nworkers = 2\n")


# Under ThreadSanitizer (scripts/tsan-check.sh sets this) a thread that calls
# exit() can take seconds to wind down, so "crashed" needs a longer run limit.
CRASH_TIMEOUT_S = 5 if os.environ.get("CONCUR_TEST_SANITIZER") == "thread" else 1


def experiment(name, body, timeout="10s", repetitions=1, warmup=0):
    return (f"[experiment]\nname = {name}\nrepetitions = {repetitions}\n"
            f"warmup = {warmup}\ntimeout = {timeout}\n"
            f"plugin_path = {CRASHY_DIR}\nplugin_path = {FAULTY_DIR}\n\n" + body)


# Orphans of concur come to this process instead of init, so a zombie or a
# process concur failed to clean up shows up here and can be checked.
PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def session_procs(sid):
    """Pids of live (non-zombie-reaped) processes in session sid."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid:  # state ppid pgrp session ...
            found.append((int(d), fields[0]))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return False


def start(*args, pipes=True, env=None):
    """Start concur in a session of its own (its pid is the session id).
    Without pipes its output is dropped: a pipe held open by a run child
    that outlived concur would make communicate() wait for that child."""
    sink = subprocess.PIPE if pipes else subprocess.DEVNULL
    return subprocess.Popen([CONCUR, *args], stdout=sink, stderr=sink,
                            text=True, start_new_session=True,
                            env=dict(os.environ, **(env or {})))


# A plugin that calls exit() from one pool thread ends the process with the
# other threads unjoined: ThreadSanitizer calls that a thread leak and turns
# the exit status into its own.  That leak is the fault being injected.
CRASH_ENV = ({"TSAN_OPTIONS": os.environ.get("TSAN_OPTIONS", "") +
              " report_thread_leaks=0"}
             if os.environ.get("CONCUR_TEST_SANITIZER") == "thread" else {})


def check_rows(test, path, ncols=None):
    """Every record of a CSV file parses, has the header's width, ends with
    a line end; returns the dict rows."""
    with open(path, "rb") as f:
        data = f.read()
    test.assertTrue(data.endswith(b"\r\n"), f"{path}: last row not whole")
    rows = list(csv.reader(data.decode("utf-8").splitlines()))
    width = len(rows[0]) if ncols is None else ncols
    for i, r in enumerate(rows):
        test.assertEqual(len(r), width, f"{path} row {i + 1}: {r}")
    return read_dicts(path)


def wait_rows(path, n, proc, limit=60):
    """Wait until the summary file holds n data rows (or proc ends)."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        try:
            with open(path, "rb") as f:
                if f.read().count(b"\n") >= n + 1:
                    return True
        except OSError:
            pass
        time.sleep(0.02)
    return False


def data(path):
    with open(path, "rb") as f:
        return f.read()


def no_leftovers(test, sid, wait=5.0, killed=False):
    """Nothing of concur's session outlives it.  When concur was killed -9
    its dead children are ours to reap (zombies are fine then, running
    processes never)."""
    end = time.monotonic() + wait
    while True:
        procs = session_procs(sid)
        if killed:
            for pid, state in procs:
                if state == "Z":
                    try:
                        os.waitpid(pid, os.WNOHANG)
                    except ChildProcessError:
                        pass
            procs = [p for p in procs if p[1] != "Z"]
        if not procs or time.monotonic() > end:
            break
        time.sleep(0.05)
    test.assertEqual(procs, [], "processes outlived concur")


class CrashIsolation(unittest.TestCase):
    """Segfault, abort, exit(), deadlock and a SIGTERM-deaf hang in sync,
    pthreads and forkpool cells: each cell crashed/timeout with the reason,
    the matrix goes on, exit 1, nothing left behind."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        d = cls.tmp.__enter__()
        body = STRATEGIES
        for mode in ("segv", "abort", "exit"):
            body += (f"[workload {mode}]\nplugin = crashy\ncount = 4\n"
                     f"crash_task = 2\nmode = {mode}\n")
        body += "[workload hang]\nplugin = faulty\nmode = hang\nfault_task = 1\n"
        body += "[workload deaf]\nplugin = faulty\nmode = deaf\nfault_task = -2\n"
        body += "[workload fine]\nplugin = null\ncount = 100\n"
        cls.ini = write(os.path.join(d, "crash.ini"),
                        experiment("crash", body, timeout=f"{CRASH_TIMEOUT_S}s",
                                   repetitions=2))
        cls.out = os.path.join(d, "crash.csv")
        p = start("run", cls.ini, "-o", cls.out, env=CRASH_ENV)
        cls.stdout, cls.stderr = p.communicate(timeout=120)
        cls.rc, cls.sid = p.returncode, p.pid
        cls.rows = {r["cell"]: r for r in read_dicts(cls.out)}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def test_exit_one_and_every_cell_once(self):
        self.assertEqual(self.rc, 1, self.stderr)
        self.assertEqual(len(self.rows), 18)
        check_rows(self, self.out)
        check_rows(self, self.out.replace(".csv", "-runs.csv"))

    def test_crash_reasons(self):
        want = {"segv": "SIGSEGV", "abort": "SIGABRT", "exit": "status 3"}
        for s in ("sync", "pthreads", "forkpool"):
            for w, reason in want.items():
                r = self.rows[f"{s}/{w}"]
                self.assertEqual(r["status"], "crashed", r)
                self.assertIn(reason, r["error"], r)
                self.assertIn("run 1", r["error"], r)

    def test_sync_and_threads_crash_has_no_figures(self):
        for s in ("sync", "pthreads"):
            r = self.rows[f"{s}/segv"]
            self.assertEqual(r["runs"], "0")
            self.assertEqual(r["wall_median_s"], "")
            self.assertEqual(r["cpu_user_s"], "")

    def test_deadlock_and_deaf_time_out(self):
        for s in ("sync", "pthreads", "forkpool"):
            for w in ("hang", "deaf"):
                r = self.rows[f"{s}/{w}"]
                self.assertEqual(r["status"], "timeout", r)
                self.assertIn(f"timed out after {CRASH_TIMEOUT_S}.000 s", r["error"])

    def test_matrix_goes_on(self):
        for s in ("sync", "pthreads", "forkpool"):
            r = self.rows[f"{s}/fine"]
            self.assertEqual(r["status"], "ok", r)
            self.assertEqual(r["runs"], "2")
            self.assertEqual(r["tasks"], "200")

    def test_runs_file_keeps_crashed_runs(self):
        runs = read_dicts(self.out.replace(".csv", "-runs.csv"))
        seg = [r for r in runs if r["cell"] == "sync/segv"]
        self.assertEqual(len(seg), 1)  # a crashed cell is not run again
        self.assertEqual(seg[0]["status"], "crashed")
        self.assertEqual(seg[0]["wall_s"], "")
        self.assertEqual(len([r for r in runs if r["cell"] == "sync/fine"]), 2)

    def test_no_orphans_or_zombies(self):
        no_leftovers(self, self.sid)


class EscapedProcesses(unittest.TestCase):
    """A plugin process that setsid()s out of the run's process group is
    still killed and reaped when its run ends (concur is a subreaper)."""

    def test_escaped_grandchildren_die_with_their_run(self):
        with TempDir() as d:
            pids = os.path.join(d, "pids")
            body = STRATEGIES + (
                f"[workload esc]\nplugin = faulty\nmode = escape\nfault_task = -2\n"
                f"pid_file = {pids}\n"
                f"[workload esc_hang]\nplugin = faulty\nmode = escape_hang\n"
                f"fault_task = 0\npid_file = {pids}\n")
            ini = write(os.path.join(d, "e.ini"), experiment("e", body, timeout="1s"))
            out = os.path.join(d, "e.csv")
            p = start("run", ini, "-o", out)
            _, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 1, err)
            rows = {r["cell"]: r for r in check_rows(self, out)}
            for s in ("sync", "pthreads", "forkpool"):
                self.assertEqual(rows[f"{s}/esc"]["status"], "ok")
                self.assertEqual(rows[f"{s}/esc_hang"]["status"], "timeout")
            with open(pids) as f:
                escaped = [int(x) for x in f.read().split()]
            self.assertGreaterEqual(len(escaped), 3 * 4 + 3)
            self.assertEqual([x for x in escaped if alive(x)], [])
            no_leftovers(self, p.pid)


class PluginStdout(unittest.TestCase):
    def test_plugin_output_never_reaches_stdout(self):
        with TempDir() as d:
            body = ("[strategy sync]\n[strategy forkpool]\nworkers = 2\n"
                    "[workload w]\nplugin = faulty\nmode = stdout\nfault_task = -2\n")
            ini = write(os.path.join(d, "s.ini"), experiment("s", body))
            out = os.path.join(d, "s.csv")
            rc, so, se = run("run", ini, "-o", out)
            self.assertEqual(rc, 0, se)
            self.assertNotIn("garbage", so)
            self.assertIn("garbage", se)
            self.assertIn("results:", so)
            self.assertEqual(len(check_rows(self, out)), 2)


def slow_experiment(d, cells=4, task_ms=150, name="slow"):
    """cells strategy cells x 1 workload; each run takes 3 x task_ms (one
    worker everywhere)."""
    body = "[strategy sync]\n"
    body += "[strategy pthreads]\nworkers = 1\nchunk = " + ", ".join(
        str(i) for i in range(1, cells)) + "\n"
    body += f"[workload w]\nplugin = faulty\nmode = none\ncount = 3\ntask_ms = {task_ms}\n"
    return write(os.path.join(d, name + ".ini"), experiment(name, body))


class KillNine(unittest.TestCase):
    """kill -9 of concur mid-matrix: the finished rows are whole, the run in
    progress dies with concur, and --resume completes the file with each
    cell exactly once."""

    def test_kill9_then_resume(self):
        with TempDir() as d:
            # each run takes 1.2 s: the run in progress must die with
            # concur, not finish on its own
            ini = slow_experiment(d, cells=5, task_ms=400)
            out = os.path.join(d, "slow.csv")
            p = start("run", ini, "-o", out, pipes=False)
            self.assertTrue(wait_rows(out, 2, p), "no rows appeared")
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=30)
            no_leftovers(self, p.pid, wait=0.5, killed=True)
            rows = check_rows(self, out)
            self.assertGreaterEqual(len(rows), 2)
            self.assertLess(len(rows), 5)
            with open(out, "rb") as f:
                before = f.read()
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 0, err)
            self.assertIn(f"resuming: {len(rows)} of 5 cells", err)
            with open(out, "rb") as f:
                self.assertTrue(f.read().startswith(before), "a finished row changed")
            rows = check_rows(self, out)
            self.assertEqual(sorted(r["cell"] for r in rows),
                             sorted({r["cell"] for r in rows}))
            self.assertEqual(len(rows), 5)
            runs = check_rows(self, out.replace(".csv", "-runs.csv"))
            self.assertEqual(sorted(r["cell"] for r in runs),
                             sorted(r["cell"] for r in rows))


def full_run(test, d, name="full", cells=4):
    body = "[strategy sync]\n[strategy pthreads]\nworkers = " + ", ".join(
        str(i) for i in range(1, cells)) + "\n[workload w]\nplugin = null\ncount = 10\n"
    ini = write(os.path.join(d, name + ".ini"), experiment(name, body, repetitions=2))
    out = os.path.join(d, name + ".csv")
    rc, _, err = run("run", ini, "-o", out)
    test.assertEqual(rc, 0, err)
    return ini, out


class TornRows(unittest.TestCase):
    """A power cut can leave a row without its line end; --resume cuts it
    off and measures that cell again instead of keeping a corrupt row."""

    def test_torn_summary_row_is_dropped(self):
        with TempDir() as d:
            ini, out = full_run(self, d)
            with open(out, "rb") as f:
                data = f.read()
            lines = data.split(b"\r\n")[:-1]  # header + 4 rows
            keep = b"\r\n".join(lines[:3]) + b"\r\n"
            torn = lines[3][: len(lines[3]) - 7]  # cut inside the last fields
            with open(out, "wb") as f:
                f.write(keep + torn)
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 0, err)
            self.assertIn("dropping the incomplete last row", err)
            rows = check_rows(self, out)
            self.assertEqual(sorted(r["cell"] for r in rows),
                             sorted({r["cell"] for r in rows}))
            self.assertEqual(len(rows), 4)
            with open(out, "rb") as f:
                self.assertTrue(f.read().startswith(keep))
            runs = check_rows(self, out.replace(".csv", "-runs.csv"))
            self.assertEqual(len(runs), 8)  # 4 cells x 2 runs, none twice

    def test_torn_runs_row_and_orphan_runs_are_dropped(self):
        with TempDir() as d:
            ini, out = full_run(self, d)
            runs_path = out.replace(".csv", "-runs.csv")
            with open(out, "rb") as f:
                lines = f.read().split(b"\r\n")[:-1]
            with open(out, "wb") as f:  # the last cell's summary row never made it
                f.write(b"\r\n".join(lines[:4]) + b"\r\n")
            with open(runs_path, "ab") as f:  # ... and a torn runs row
                f.write(b"full,pthreads(workers=3)/w,pthreads,w,1,ok,0.0001")
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 0, err)
            rows = check_rows(self, out)
            self.assertEqual(len(rows), 4)
            runs = check_rows(self, runs_path)
            cells = [r["cell"] for r in runs]
            for c in {r["cell"] for r in rows}:
                self.assertEqual(cells.count(c), 2, c)
            self.assertEqual(len(runs), 8)

    def test_damaged_middle_row_refuses_resume(self):
        with TempDir() as d:
            ini, out = full_run(self, d)
            with open(out, "rb") as f:
                lines = f.read().split(b"\r\n")[:-1]
            lines[2] = b"garbage,row"
            with open(out, "wb") as f:
                f.write(b"\r\n".join(lines) + b"\r\n")
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 2, err)
            self.assertIn(f"{out}:3: damaged row", err)

    def test_too_wide_row_refuses_resume_and_keeps_the_file(self):
        # 200,000 empty fields: never a torn write of ours, so it is not
        # dropped as one; the reader holds at most CSV_MAX_FIELDS of them
        with TempDir() as d:
            ini, out = full_run(self, d)
            with open(out, "ab") as f:
                f.write(b"," * 200000 + b"\r\n")
            with open(out, "rb") as f:
                before = f.read()
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 2, err)
            self.assertRegex(err, r":\d+: damaged row \(more than 131072 fields\)")
            with open(out, "rb") as f:
                self.assertEqual(f.read(), before)


class Signals(unittest.TestCase):
    """SIGINT and SIGTERM mid-run: exit 130 promptly, finished rows kept,
    a resume hint; then --resume completes the experiment."""

    def interrupt(self, sig, group=False, mode="none"):
        with TempDir() as d:
            ini = slow_experiment(d, cells=4, task_ms=300)
            if mode != "none":  # the run in progress ignores SIGTERM/SIGINT
                with open(ini, "a") as f:
                    f.write("[workload deaf]\nplugin = faulty\nmode = deaf\n")
            out = os.path.join(d, "slow.csv")
            p = start("run", ini, "-o", out)
            self.assertTrue(wait_rows(out, 1, p), "no rows appeared")
            t0 = time.monotonic()
            if group:  # what a terminal's Ctrl-C does
                os.killpg(p.pid, sig)
            else:
                p.send_signal(sig)
            so, err = p.communicate(timeout=30)
            self.assertLess(time.monotonic() - t0, 5, "slow to stop")
            self.assertEqual(p.returncode, 130, err)
            self.assertIn("interrupted", err)
            self.assertIn("--resume", err)
            no_leftovers(self, p.pid)
            rows = check_rows(self, out)
            self.assertGreaterEqual(len(rows), 1)
            if mode != "none":
                return  # resuming would wait out the deaf cells' timeouts
            with open(out, "rb") as f:
                before = f.read()
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 0, err)
            with open(out, "rb") as f:
                self.assertTrue(f.read().startswith(before))
            rows = check_rows(self, out)
            self.assertEqual(sorted({r["cell"] for r in rows}),
                             sorted(r["cell"] for r in rows))
            self.assertEqual(len(rows), 4)

    def test_sigint(self):
        self.interrupt(signal.SIGINT)

    def test_sigterm(self):
        self.interrupt(signal.SIGTERM)

    def test_ctrl_c_to_the_process_group(self):
        self.interrupt(signal.SIGINT, group=True)

    def test_sigterm_while_a_deaf_plugin_runs(self):
        self.interrupt(signal.SIGTERM, mode="deaf")


class Resume(unittest.TestCase):
    def test_refused_when_experiment_changed(self):
        with TempDir() as d:
            ini, out = full_run(self, d)
            with open(out, "rb") as f:
                before = f.read()
            with open(ini, "a") as f:
                f.write("; edited\n")
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 2)
            self.assertIn("has changed", err)
            self.assertIn("--force", err)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), before)

    def test_refused_when_a_set_value_changed(self):
        with TempDir() as d:
            ini, out = full_run(self, d)
            rc, _, err = run("run", ini, "-o", out, "--resume", "--set", "w.count=11")
            self.assertEqual(rc, 2)
            self.assertIn("--set", err)

    def test_nothing_done_yet(self):
        with TempDir() as d:
            ini, out = full_run(self, d)
            with open(out, "rb") as f:
                header = f.read().split(b"\r\n")[0] + b"\r\n"
            with open(out, "wb") as f:
                f.write(header)
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 0, err)
            self.assertEqual(len(check_rows(self, out)), 4)
            self.assertEqual(len(check_rows(self, out.replace(".csv", "-runs.csv"))), 8)

    def test_missing_file_starts_afresh(self):
        with TempDir() as d:
            ini = slow_experiment(d, cells=2, task_ms=0)
            out = os.path.join(d, "slow.csv")
            rc, _, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 0, err)
            self.assertEqual(len(check_rows(self, out)), 2)

    def test_complete_file_runs_nothing(self):
        with TempDir() as d:
            ini, out = full_run(self, d)
            names = [out, out.replace(".csv", "-runs.csv")]
            before = [data(n) for n in names]
            rc, so, err = run("run", ini, "-o", out, "--resume")
            self.assertEqual(rc, 0, err)
            self.assertIn("resuming: 4 of 4 cells", err)
            self.assertNotIn("[1/4]", err)
            self.assertEqual([data(n) for n in names], before)

    def test_existing_file_without_resume_or_force(self):
        with TempDir() as d:
            ini, out = full_run(self, d)
            before = data(out)
            rc, _, err = run("run", ini, "-o", out)
            self.assertEqual(rc, 2)
            self.assertIn("--resume", err)
            self.assertEqual(data(out), before)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@unittest.skipUnless(os.path.exists(HTTP_SO), "http_download.so not built")
class NetworkFaults(unittest.TestCase):
    """A port where nothing listens fails every task quickly; a server that
    accepts and never answers hits the workload's timeout, or the run's."""

    def http_run(self, d, url, extra, timeout="20s"):
        body = ("[strategy sync]\n[strategy pthreads]\nworkers = 4\n"
                f"[workload dl]\nplugin = http_download\nurl = {url}\ncount = 8\n" + extra)
        ini = write(os.path.join(d, "n.ini"), experiment("n", body, timeout=timeout))
        out = os.path.join(d, "n.csv")
        t0 = time.monotonic()
        rc, _, err = run("run", ini, "-o", out, timeout=120)
        return rc, err, time.monotonic() - t0, {r["cell"]: r for r in check_rows(self, out)}

    def test_nothing_listens(self):
        with TempDir() as d:
            rc, err, took, rows = self.http_run(
                d, f"http://127.0.0.1:{free_port()}/", "connect_timeout = 2s\n")
            self.assertEqual(rc, 1, err)
            self.assertLess(took, 15)
            for r in rows.values():
                self.assertEqual(r["status"], "failed", r)
                self.assertEqual(r["tasks_failed"], r["tasks"])
                self.assertEqual(r["tasks"], "8")

    def stalled_server(self):
        """Accepts connections, reads, never answers."""
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", 0))
        srv.listen(64)
        conns = []
        stop = threading.Event()

        def loop():
            srv.settimeout(0.1)
            while not stop.is_set():
                try:
                    conns.append(srv.accept()[0])
                except OSError:
                    pass
        t = threading.Thread(target=loop, daemon=True)
        t.start()

        def close():
            stop.set()
            t.join()
            for c in conns:
                c.close()
            srv.close()
        return srv.getsockname()[1], close

    def test_stalled_server_hits_workload_timeout(self):
        port, close = self.stalled_server()
        try:
            with TempDir() as d:
                rc, err, took, rows = self.http_run(
                    d, f"http://127.0.0.1:{port}/", "timeout = 300ms\n")
        finally:
            close()
        self.assertEqual(rc, 1, err)
        self.assertLess(took, 15)
        for r in rows.values():
            self.assertEqual(r["status"], "failed", r)
            self.assertEqual(r["tasks_failed"], r["tasks"])
            self.assertRegex(r["error"].lower(), "time")

    def test_stalled_server_hits_run_timeout(self):
        port, close = self.stalled_server()
        try:
            with TempDir() as d:
                rc, err, took, rows = self.http_run(
                    d, f"http://127.0.0.1:{port}/", "timeout = 0\n", timeout="1s")
        finally:
            close()
        self.assertEqual(rc, 1, err)
        self.assertLess(took, 15)
        for r in rows.values():
            self.assertEqual(r["status"], "timeout", r)


if __name__ == "__main__":
    unittest.main()
