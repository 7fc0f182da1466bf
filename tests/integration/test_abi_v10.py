"""Plugins built against concur 0.1's header (ABI v1.0) through the binary.

legacy_ticker (a 0.1 workload) and legacy_loop (a 0.1 poll(2) event-loop
strategy), built from tests/fixtures/abi/v1.0 with nothing of the current
header, are listed, validated and run from --plugin-path like any plugin.
The 0.1 workload's `url = builtin` still makes the core start the embedded
test server: its create refuses to run without it.
"""
import os
import unittest

from common import BUILD, TempDir, read_dicts, run, write

V10 = os.path.join(BUILD, "tests", "fixtures", "abi", "v1.0")

EXPERIMENT = """[experiment]
name = v10
repetitions = 2
warmup = 0
output = %s/v10.csv

[strategy legacy_loop]
concurrency = 8
blocking = false, true
[strategy epoll]
max_inflight = 4
threads = 2

[workload legacy_ticker]
url = builtin
count = 20
delay = 1ms
seed = 5
"""


class AbiV10(unittest.TestCase):
    def test_list_shows_both(self):
        rc, out, err = run("list", "--plugin-path", V10)
        self.assertEqual(rc, 0, err)
        self.assertIn("strategy legacy_loop 0.1  (%s/legacy_loop.so)" % V10,
                      out)
        self.assertIn("workload legacy_ticker 0.1  (%s/legacy_ticker.so)"
                      % V10, out)
        for param in ("concurrency", "blocking", "count", "delay", "url",
                      "fail_task"):
            self.assertRegex(out, r"\n    %s +" % param)
        self.assertNotIn(V10 + "/legacy", err)

    def test_help_describes_the_workload(self):
        rc, out, err = run("help", "legacy_ticker", "--plugin-path", V10)
        self.assertEqual(rc, 0, err)
        self.assertIn("legacy_ticker", out)
        self.assertIn("fail_task", out)
        self.assertIn("header: v1.0", out)
        self.assertIn("load keys: rate, arrival (every workload", out)
        self.assertIn("seed is this plugin's own parameter", out)
        rc, out, err = run("help", "legacy_loop", "--plugin-path", V10)
        self.assertEqual(rc, 0, err)
        self.assertIn("header: v1.0", out)
        self.assertIn("concurrency", out)

    def test_validate_and_run_with_builtin_server(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "v10.ini"), EXPERIMENT % d)
            rc, out, err = run("validate", ini, "--plugin-path", V10)
            self.assertEqual(rc, 0, out + err)
            rc, out, err = run("run", ini, "--plugin-path", V10, "-q",
                               timeout=240)
            self.assertEqual(rc, 0, out + err)
            rows = read_dicts(os.path.join(d, "v10.csv"))
            self.assertEqual(len(rows), 3, rows)
            seen = set()
            for r in rows:
                self.assertEqual(r["status"], "ok", (r["cell"], r["error"]))
                self.assertEqual(r["error"], "", r["cell"])
                self.assertEqual(r["runs"], "2", r["cell"])
                # two runs of 20 tasks
                self.assertEqual(r["tasks"], "40", r["cell"])
                self.assertEqual(r["tasks_failed"], "0", r["cell"])
                self.assertEqual(r["workload.url"], "builtin", r["cell"])
                # 0.1's own `seed`, not the core's: the run stays closed-loop
                self.assertEqual(r["workload.seed"], "5", r["cell"])
                self.assertEqual(r.get("offered_rate", ""), "", r["cell"])
                seen.add(r["strategy"])
            self.assertEqual(seen, {"legacy_loop", "epoll"})

    def test_failing_task_reaches_the_csv(self):
        with TempDir() as d:
            text = (EXPERIMENT % d).replace("url = builtin",
                                            "url = builtin\nfail_task = 3")
            ini = write(os.path.join(d, "v10.ini"), text)
            rc, out, err = run("run", ini, "--plugin-path", V10, "-q",
                               timeout=240)
            self.assertEqual(rc, 1, out + err)  # some cell failed
            rows = read_dicts(os.path.join(d, "v10.csv"))
            self.assertEqual(len(rows), 3, rows)
            for r in rows:
                self.assertNotEqual(r["status"], "ok", r["cell"])
                self.assertIn("task 3", r["error"], r["cell"])
                self.assertIn("fail_task = 3", r["error"], r["cell"])
                # one a run: task 3 only
                self.assertIn(r["tasks_failed"], ("1", "2"), r["cell"])


if __name__ == "__main__":
    unittest.main()
