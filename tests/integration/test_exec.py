"""The exec workload through the real binary (docs/plugins.md "The exec workload").

A key the plugin does not declare crosses into its command like any
parameter (threads = 1, 2, 4 into `command = ... {threads}`), names cells
and CSV columns; env.NAME reaches the command and --set can change it;
url = builtin starts the embedded server and {url} reaches curl; a
workload without the capability still refuses unknown keys.
"""
import os
import shutil
import subprocess
import time
import unittest

from common import CONCUR, TempDir, read_csv, read_dicts, run, write
from test_faults import no_leftovers
from test_gallery import CONTROL

# The hostile gallery's rules for commands: label -> (command, status, the
# text the error must hold).  Each costs its own cell and nothing else.
HOSTILE = {
    "ctrl": ("printf '\\033[2J\\007pwned\\n' >&2; exit 5", "failed",
             "exit 5; stderr: "),
    "hang": ("sleep 100 & sleep 100", "failed", "timed out after 300ms"),
    "escape": ("setsid sleep 100 & exit 0", "ok", ""),
    "closed": ("exec >&- 2>&-; sleep 0.01", "ok", ""),
    "flood": ("head -c 20000000 /dev/urandom >&2; exit 1", "failed",
              "exit 1; stderr: "),
    "missing": ("exec /nonexistent/cmd", "failed", "exit 127"),
}


class Exec(unittest.TestCase):
    def test_crossing_into_the_command(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "x.ini"), """
[experiment]
name = x
repetitions = 1
warmup = 0
output = %s/x.csv

[strategy sync]
[strategy epoll]

[workload echo]
plugin = exec
command = echo {threads}
stdout = check
expect_bytes = 2
threads = 1, 2, 4
tasks = 3

[workload below4]
plugin = exec
command = test {threads} -lt 4
threads = 2, 4
tasks = 2

[workload env]
plugin = exec
command = printenv GREETING
stdout = check
expect_stdout = hello
env.GREETING = hello
tasks = 2
""" % d)
            rc, out, err = run("run", ini, "-q", "--set",
                               "env.env.GREETING=hello")
            self.assertEqual(rc, 1, err)  # below4[threads=4] fails
            rows = {r["cell"]: r for r in read_dicts(os.path.join(d, "x.csv"))}
            for s in ("sync", "epoll"):
                for t in ("1", "2", "4"):
                    r = rows["%s/echo[threads=%s]" % (s, t)]
                    self.assertEqual(r["status"], "ok", r["error"])
                    self.assertEqual(r["workload.threads"], t)
                    self.assertEqual(r["workload.command"], "echo {threads}")
                ok = rows["%s/below4[threads=2]" % s]
                self.assertEqual(ok["status"], "ok", ok["error"])
                bad = rows["%s/below4[threads=4]" % s]
                self.assertEqual(bad["status"], "failed")
                self.assertIn("exit 1", bad["error"])
                env = rows["%s/env" % s]
                self.assertEqual(env["status"], "ok", env["error"])
                self.assertEqual(env["workload.env.GREETING"], "hello")
            # --set reaches a dotted key: a wrong value fails the check
            rc, out, err = run("run", ini, "-q", "--force", "--set",
                               "env.env.GREETING=bye")
            rows = {r["cell"]: r for r in read_dicts(os.path.join(d, "x.csv"))}
            self.assertEqual(rows["sync/env"]["status"], "failed")
            self.assertIn("differs from expect_stdout",
                          rows["sync/env"]["error"])

    @unittest.skipUnless(shutil.which("curl"), "curl is not installed")
    def test_builtin_server_url(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "c.ini"), """
[experiment]
name = c
repetitions = 1
warmup = 0
output = %s/c.csv

[strategy epoll]

[workload fetch]
plugin = exec
url = builtin
command = curl -sf {url}?size=1234
stdout = check
expect_bytes = 1234
tasks = 4
""" % d)
            rc, out, err = run("run", ini, "-q")
            self.assertEqual(rc, 0, err)
            r = read_dicts(os.path.join(d, "c.csv"))[0]
            self.assertEqual(r["status"], "ok", r["error"])

    def test_help_says_it_takes_extra_keys(self):
        rc, out, err = run("help", "exec")
        self.assertEqual(rc, 0, err)
        self.assertIn("extra keys: yes", out)
        rc, out, err = run("help", "cpu_sum")
        self.assertNotIn("extra keys", out)

    def test_unknown_key_and_placeholder_errors(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "e.ini"), """
[experiment]
[strategy sync]
[workload n]
plugin = null
threads = 2
""")
            rc, out, err = run("validate", ini)
            self.assertEqual(rc, 2)
            self.assertIn("e.ini:6:", err)
            self.assertIn("unknown key 'threads'", err)
            write(ini, """
[experiment]
[strategy sync]
[workload x]
plugin = exec
command = echo {thread}
threads = 2
""")
            rc, out, err = run("validate", ini)
            self.assertEqual(rc, 2, err)
            self.assertIn("unknown placeholder {thread}", err)
            self.assertIn("known: {task}, {threads}", err)

    def test_hostile_commands(self):
        with TempDir() as d:
            body = ("[experiment]\nname = h\nrepetitions = 2\nwarmup = 0\n"
                    "timeout = 60s\noutput = %s/h.csv\n\n[strategy sync]\n"
                    "[strategy epoll]\n" % d)
            for label, (cmd, _, _) in HOSTILE.items():
                body += ("[workload %s]\nplugin = exec\nshell = true\n"
                         "command = %s\ntasks = 3\ntimeout = %s\n"
                         % (label, cmd, "300ms" if label == "hang" else "60s"))
            body += "[workload after]\nplugin = exec\ncommand = true\n"
            ini = write(os.path.join(d, "h.ini"), body)
            p = subprocess.Popen([CONCUR, "run", ini], cwd=d,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 start_new_session=True)
            out, err = p.communicate(timeout=240)
            out, err = out.decode("utf-8", "replace"), err.decode("utf-8",
                                                                  "replace")
            self.assertEqual(p.returncode, 1, err[-3000:])
            rows = {r["cell"]: r for r in read_dicts(os.path.join(d, "h.csv"))}
            for s in ("sync", "epoll"):
                for label, (_, status, reason) in HOSTILE.items():
                    with self.subTest(cell="%s/%s" % (s, label)):
                        r = rows["%s/%s" % (s, label)]
                        self.assertEqual(r["status"], status, r["error"])
                        self.assertIn(reason, r["error"])
                self.assertEqual(rows["%s/after" % s]["status"], "ok")
            summary = read_csv(os.path.join(d, "h.csv"))
            for row in summary:
                self.assertEqual(len(row), len(summary[0]), row)
            with open(os.path.join(d, "h.csv"), encoding="utf-8") as f:
                self.assertIsNone(CONTROL.search(f.read()))
            for name, text in (("stdout", out), ("stderr", err)):
                self.assertIsNone(CONTROL.search(text), name)
            # the setsid'd sleeps left the group: concur reaps them too
            no_leftovers(self, p.pid)


if __name__ == "__main__":
    unittest.main()
