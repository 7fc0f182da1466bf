"""A real single-node Slurm cluster runs one experiment as 4 shards.

The test starts its own cluster from Debian's slurm-wlm and munge packages,
on this host, in a temporary folder, and stops it afterwards whatever
happens: munged as the munge user with a fresh key from mungekey, then
slurmctld and slurmd (cgroup-free: proctrack/linuxproc, task/none) with a
minimal slurm.conf passed through SLURM_CONF.  It submits the script
`concur slurm` prints, waits for it (sbatch --wait, passed through as an
sbatch option), and compares the merged files with a single-machine run of
the same experiment: the same cells, statuses and columns (the figures
differ; the structure must not).

It skips, saying why, only where Slurm cannot run at all: not root (munged
must run as the munge user and slurmd as root), or the packages missing.
"""
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from common import TempDir, read_csv, read_dicts, run, write, CONCUR

# In the ASan build, LeakSanitizer's exit-time scan can crash (gcc 12's
# runtime reads a stale dynamic-TLS block left by libcurl/OpenSSL after the
# http_download plugin is unloaded: "Tracer caught signal 11", 2 runs in 3
# here).  This test is about the batch-system glue; leaks of `concur run`
# are checked by every other ASan test, so leak checking is off for the
# processes this one starts (Slurm jobs inherit the environment).
if "ASAN_OPTIONS" in os.environ:
    os.environ["ASAN_OPTIONS"] += ":detect_leaks=0"

# 6 workload cells x 2 strategy cells; one workload cell fails on purpose
# (nothing listens on port 1), so a shard exits 1 and the merge still runs.
EXPERIMENT = """\
[experiment]
name = onslurm
repetitions = 3
warmup = 1
baseline = sync

[strategy sync]

[strategy pthreads]
workers = 2

[workload sums]
plugin = cpu_sum
count = 4
first = 200000, 400000, 800000

[workload nothing]
plugin = null
count = 100, 1000

[workload refused]
plugin = http_download
url = http://127.0.0.1:1/
count = 2
"""

DAEMONS = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue",
           "sinfo", "scancel")


def why_slurm_cannot_run():
    """A reason to skip, or None when a cluster can be started here."""
    missing = [d for d in DAEMONS if not shutil.which(d) and
               not os.path.exists(f"/usr/sbin/{d}")]
    if missing:
        return ("Slurm cannot run here: %s not installed (apt-get install "
                "slurm-wlm munge)" % ", ".join(missing))
    if os.geteuid() != 0:
        return ("Slurm cannot run here: starting munged as the munge user "
                "and slurmd needs root")
    try:
        pwd.getpwnam("munge")
    except KeyError:
        return "Slurm cannot run here: no 'munge' user (install munge)"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tool(name):
    return shutil.which(name) or f"/usr/sbin/{name}"


def die_with_us():
    """In a daemon's child before exec: SIGTERM when the test dies (a ctest
    timeout kills it with no chance to clean up)."""
    import ctypes
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG,
                                            signal.SIGTERM)


class Cluster:
    """slurmctld + slurmd + munged on this host, in a temporary folder."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="concur-slurm-")
        os.chmod(self.dir, 0o755)
        self.procs = []
        self.conf = os.path.join(self.dir, "slurm.conf")
        self.env = dict(os.environ, SLURM_CONF=self.conf)

    def start(self):
        self._start_munge()
        self._write_conf()
        for daemon in ("slurmctld", "slurmd"):
            log = open(os.path.join(self.dir, f"{daemon}.out"), "w")
            args = [tool(daemon), "-D", "-f", self.conf]
            if daemon == "slurmctld":
                args.append("-c")  # a fresh cluster: no saved state
            self.procs.append(subprocess.Popen(
                args, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=die_with_us))
        self._wait_idle()

    def _start_munge(self):
        munge = pwd.getpwnam("munge")
        mdir = os.path.join(self.dir, "munge")
        os.mkdir(mdir)
        os.chown(mdir, munge.pw_uid, munge.pw_gid)
        os.chmod(mdir, 0o755)  # clients reach the socket in it
        self.key = os.path.join(mdir, "munge.key")
        self.socket = os.path.join(mdir, "munge.socket")
        self.munge_pidfile = os.path.join(mdir, "munged.pid")
        as_munge = ["runuser", "-u", "munge", "--"]
        subprocess.run(as_munge + [tool("mungekey"), "--create",
                                   "--keyfile", self.key], check=True)
        # in the foreground, a child of this test, so it is stopped by pid
        self.procs.append(subprocess.Popen(as_munge + [
            tool("munged"), "--foreground", f"--key-file={self.key}",
            f"--socket={self.socket}", f"--pid-file={self.munge_pidfile}",
            f"--log-file={os.path.join(mdir, 'munged.log')}",
            f"--seed-file={os.path.join(mdir, 'munged.seed')}"],
            preexec_fn=die_with_us))
        deadline = time.monotonic() + 20
        while not os.path.exists(self.socket):
            if self.procs[0].poll() is not None or \
                    time.monotonic() > deadline:
                raise AssertionError("munged did not start: see " +
                                     os.path.join(mdir, "munged.log"))
            time.sleep(0.1)

    def _write_conf(self):
        host = socket.gethostname()
        d = self.dir
        for sub in ("state", "spool"):
            os.mkdir(os.path.join(d, sub))
        write(self.conf, f"""\
ClusterName=concurtest
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={self.socket}
CredType=cred/munge
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName={host} CPUs={os.cpu_count()} State=UNKNOWN
PartitionName=concur Nodes={host} Default=YES MaxTime=INFINITE State=UP
""")

    def _wait_idle(self, bound=60):
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            for p in self.procs:
                if p.poll() is not None:
                    raise AssertionError(
                        f"{p.args[0]} exited with {p.returncode}:\n" +
                        self.logs())
            out = subprocess.run([tool("sinfo"), "-h", "-o", "%T"],
                                 env=self.env, capture_output=True,
                                 text=True).stdout
            if out.strip() == "idle":
                return
            time.sleep(0.5)
        raise AssertionError("the Slurm node did not become idle:\n" +
                             self.logs())

    def logs(self):
        text = ""
        for name in ("slurmctld.log", "slurmd.log", "slurmctld.out",
                     "slurmd.out"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f"--- {name}\n" + "".join(f.readlines()[-30:])
        return text

    def stop(self):
        """Cancel every job, then stop each daemon started here, by pid."""
        if len(self.procs) > 1 and self.procs[1].poll() is None:
            subprocess.run([tool("scancel"), "--user", "root"],
                           env=self.env, capture_output=True, timeout=30)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                q = subprocess.run([tool("squeue"), "-h"], env=self.env,
                                   capture_output=True, text=True,
                                   timeout=30)
                if q.returncode != 0 or not q.stdout.strip():
                    break
                time.sleep(0.5)
        # slurmd, then slurmctld, then munged
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def structure(rows, keys):
    return sorted(tuple(r[k] for k in keys) for r in rows)


class OnSlurm(unittest.TestCase):
    def setUp(self):
        reason = why_slurm_cannot_run()
        if reason:
            self.skipTest(reason)
        self._tmp = TempDir()
        self.dir = self._tmp.__enter__()
        os.chmod(self.dir, 0o755)
        self.exp = write(os.path.join(self.dir, "onslurm.ini"), EXPERIMENT)
        self.cluster = Cluster()
        self.addCleanup(self._tmp.__exit__, None, None, None)
        self.addCleanup(self.cluster.stop)
        self.cluster.start()

    def test_four_shards_merge_into_the_single_machine_files(self):
        single = os.path.join(self.dir, "single", "onslurm.csv")
        t0 = time.monotonic()
        rc, _, err = run("run", self.exp, "-o", single, "-q", timeout=300)
        t_single = time.monotonic() - t0
        self.assertEqual(rc, 1, err)  # the 'refused' cells fail

        merged = os.path.join(self.dir, "cluster", "onslurm.csv")
        rc, script, err = run("slurm", self.exp, "--shards", "4", "-o",
                              merged, "--", "--wait", cwd=self.dir)
        self.assertEqual(rc, 0, err)
        self.assertIn("--array=0-3", script)
        self.assertIn("--exclusive", script)
        self.assertIn("--dependency=afterok:$array_job", script)
        path = write(os.path.join(self.dir, "submit.sh"), script)
        t0 = time.monotonic()
        p = subprocess.run(["bash", path], env=self.cluster.env,
                           capture_output=True, text=True, timeout=600,
                           cwd=self.dir, preexec_fn=die_with_us)
        t_slurm = time.monotonic() - t0
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr +
                         self.cluster.logs())
        self.assertRegex(p.stdout, r"array job \d+: 4 shards")
        self.assertRegex(p.stdout, r"merge job \d+: ")
        sys.stderr.write(
            f"\nwall time: single machine {t_single:.2f} s, "
            f"Slurm 4 shards + merge {t_slurm:.2f} s "
            f"(nproc {os.cpu_count()}, load {os.getloadavg()[0]:.2f})\n")

        # the same cells, statuses and columns as one machine
        one, many = read_dicts(single), read_dicts(merged)
        self.assertEqual(read_csv(single)[0], read_csv(merged)[0])
        keys = ["cell", "strategy", "workload", "strategy.workers",
                "workload.count", "workload.first", "status", "runs",
                "tasks", "tasks_failed"]
        self.assertEqual(structure(one, keys), structure(many, keys))
        self.assertEqual(len(many), 12)
        self.assertEqual({r["status"] for r in many}, {"ok", "failed"})
        for r in many:
            if r["status"] == "ok":
                self.assertNotEqual(r["speedup"], "")
        runs1 = read_dicts(single[:-4] + "-runs.csv")
        runsn = read_dicts(merged[:-4] + "-runs.csv")
        self.assertEqual(read_csv(single[:-4] + "-runs.csv")[0],
                         read_csv(merged[:-4] + "-runs.csv")[0])
        self.assertEqual(structure(runs1, ["cell", "run", "status"]),
                         structure(runsn, ["cell", "run", "status"]))
        m1 = read_csv(single[:-4] + "-matrix.csv")
        mn = read_csv(merged[:-4] + "-matrix.csv")
        self.assertEqual(m1[0], mn[0])
        self.assertEqual([r[0] for r in m1], [r[0] for r in mn])
        env = dict(read_csv(merged[:-4] + "-env.csv")[1:])
        self.assertEqual(env["shards"], "4")
        self.assertEqual(env["shards_merged"], "0 1 2 3")
        self.assertEqual(env["shards_missing"], "")
        self.assertEqual(env["host"], socket.gethostname())

        # every shard found itself in the array, and logged next to results
        for k in range(4):
            senv = dict(read_csv(os.path.join(
                self.dir, "cluster", f"onslurm.shard-{k}-of-4-env.csv"))[1:])
            self.assertIn(f"SLURM_ARRAY_TASK_ID=", senv["shard_source"])
            self.assertEqual(senv["shard"], f"{k}/4")
            with open(os.path.join(self.dir, "cluster",
                                   f"onslurm.shard-{k}-of-4.log")) as f:
                self.assertIn(f"shard {k} of 4 (SLURM_ARRAY_TASK_ID=",
                              f.read())
        with open(os.path.join(self.dir, "cluster",
                               "onslurm-merge.log")) as f:
            self.assertIn("merged: 12 of 12 cells from 4 shards", f.read())


STUB_SBATCH = """\
#!/bin/bash
# records its words and the job script on stdin; runs nothing
n=$(ls "$CONCUR_STUB_RECORD" | grep -c '^argv-')
printf '%s\\0' "$@" > "$CONCUR_STUB_RECORD/argv-$n"
cat > "$CONCUR_STUB_RECORD/job-$n"
echo $((4200 + n))
"""


class ScriptSafety(unittest.TestCase):
    """The script `concur slurm` prints, run with a stub sbatch on PATH that
    only records its words and job scripts: whatever the file names and
    options, nothing but sbatch may run (a canary file would appear)."""

    def setUp(self):
        self._tmp = TempDir()
        self.dir = self._tmp.__enter__()
        self.addCleanup(self._tmp.__exit__, None, None, None)
        self.exp = write(os.path.join(self.dir, "onslurm.ini"), EXPERIMENT)
        self.canary = os.path.join(self.dir, "CANARY")
        self.bin = os.path.join(self.dir, "bin")
        self.record = os.path.join(self.dir, "record")
        os.mkdir(self.bin)
        os.mkdir(self.record)
        write(os.path.join(self.bin, "sbatch"), STUB_SBATCH)
        os.chmod(os.path.join(self.bin, "sbatch"), 0o755)

    def submit(self, script):
        """bash -n, then bash with the stub sbatch: (process, job scripts)."""
        p = subprocess.run(["bash", "-n"], input=script, text=True,
                           capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        env = dict(os.environ, CONCUR_STUB_RECORD=self.record,
                   PATH=self.bin + ":" + os.environ["PATH"])
        p = subprocess.run(["bash"], input=script, text=True, env=env,
                           capture_output=True, cwd=self.dir, timeout=60)
        self.assertFalse(os.path.exists(self.canary), script)
        jobs = []
        for n in range(len(os.listdir(self.record)) // 2):
            with open(os.path.join(self.record, f"job-{n}")) as f:
                jobs.append(f.read())
            self.assertFalse(os.path.exists(self.canary), jobs[-1])
        return p, jobs

    def words(self, job, marker):
        """The words of the job script's command line holding marker, as
        bash reads them."""
        line = [l for l in job.splitlines() if marker in l][0]
        return subprocess.run(
            ["bash", "-c", 'printf "%s\\n" ' + line.split(" || ")[0]],
            capture_output=True, text=True).stdout.splitlines()

    def test_control_characters_are_refused(self):
        # ends the job script's here-document, runs a command, opens
        # another that the real terminator closes: valid bash
        evil = ("x\nCONCUR_SHARD\ntouch " + self.canary +
                "\ncat <<CONCUR_SHARD\ny")
        odd = os.path.join(self.dir, evil)
        os.makedirs(odd)
        odd_exp = write(os.path.join(odd, "onslurm.ini"), EXPERIMENT)
        for args in (
            [self.exp, "-o", evil + ".csv"],
            [self.exp, "--plugin-path", evil],
            [self.exp, f"--plugin-path={evil}"],
            [odd_exp],
            [self.exp, "--", "--comment=" + evil],
            [self.exp, "-o", "tab\there.csv"],
        ):
            rc, out, err = run("slurm", *args[:1], "--shards", "2",
                               *args[1:], cwd=self.dir)
            if rc == 0:  # show what it would have done
                self.submit(out)
            self.assertEqual(rc, 2, (args, err))
            self.assertEqual(out, "")
            self.assertIn("control character", err)
            self.assertNotIn("\n", err.rstrip("\n"))
        # the experiment's name may come from the environment
        named = write(os.path.join(self.dir, "named.ini"),
                      EXPERIMENT.replace("name = onslurm",
                                         "name = ${CONCUR_TEST_NAME}"))
        rc, out, err = run("slurm", named, "--shards", "2", cwd=self.dir,
                           env={"CONCUR_TEST_NAME": evil})
        if rc == 0:
            self.submit(out)
        self.assertEqual(rc, 2, err)
        self.assertIn("control character", err)
        self.assertEqual(out, "")

    def test_odd_words_reach_sbatch_and_concur_as_typed(self):
        odd = "it's $(touch %s) `touch %s` *; a" % (self.canary, self.canary)
        os.makedirs(os.path.join(self.dir, odd))
        out_csv = os.path.join(odd, "r.csv")
        rc, script, err = run("slurm", self.exp, "--shards", "2", "-o",
                              out_csv, "--set", "sums.count=2", "--",
                              "--comment=" + odd, cwd=self.dir)
        self.assertEqual(rc, 0, err)
        p, jobs = self.submit(script)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(jobs), 2)
        self.assertIn("array job 4200: 2 shards", p.stdout)
        with open(os.path.join(self.record, "argv-0")) as f:
            argv = f.read().split("\0")
        self.assertIn("--comment=" + odd, argv)
        words = self.words(jobs[0], " run ")
        self.assertEqual(words[1:3], ["run", self.exp])
        self.assertIn(out_csv, words)
        self.assertIn("sums.count=2", words)

    def test_heredoc_terminators_are_random(self):
        marks = []
        for _ in range(2):
            rc, script, err = run("slurm", self.exp, "--shards", "2",
                                  cwd=self.dir)
            self.assertEqual(rc, 0, err)
            ends = re.findall(r"<<'([A-Za-z0-9_]+)'", script)
            self.assertEqual(len(ends), 2)
            for end in ends:  # opened once, closed once
                self.assertEqual(script.splitlines().count(end), 1)
                self.assertGreaterEqual(len(end), 16)
            marks.append(ends)
        self.assertNotEqual(marks[0][0], marks[1][0])
        self.assertNotEqual(marks[0][1], marks[1][1])

    def test_output_folder_starting_with_a_dash(self):
        rc, script, err = run("slurm", self.exp, "--shards", "2", "-o",
                              "-res/x.csv", cwd=self.dir)
        self.assertEqual(rc, 0, err)
        p, jobs = self.submit(script)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.isdir(os.path.join(self.dir, "-res")))
        self.assertEqual(len(jobs), 2)
        # the merge job reads -res/x.csv as its output, not as options
        m = subprocess.run(["bash"], input=jobs[1], text=True,
                           capture_output=True, cwd=self.dir)
        self.assertNotIn("option", m.stderr)
        self.assertIn("-res/x.shard-", m.stderr)
        self.assertIn("-res/x.csv", self.words(jobs[0], " run "))

    def test_combined_short_options(self):
        rc, script, err = run("slurm", "-qo", "out.csv", self.exp,
                              "--shards", "2", cwd=self.dir)
        self.assertEqual(rc, 0, err)
        p, jobs = self.submit(script)
        self.assertEqual(p.returncode, 0, p.stderr)
        words = self.words(jobs[0], " run ")
        self.assertEqual(words[1:3], ["run", self.exp])
        self.assertEqual(words.count(self.exp), 1, words)
        self.assertIn("out.csv", words)
        self.assertEqual(words[words.index("out.csv") - 1], "-o", words)
        self.assertIn("-q", words)


if __name__ == "__main__":
    unittest.main()
