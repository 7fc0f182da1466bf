"""Bad input: every experiment file of tests/fixtures/bad-input/, plus a few
too big to commit that are generated here, makes `concur validate` and
`concur run` exit 2 with the message the folder's `expected` list gives it
(naming the file, and the line when there is one), within a second of CPU,
with no sanitizer report and nothing written.  The caps on cells, workers,
tasks and memory say which limit was hit.  The folder's README has the
convention."""
import glob
import os
import re
import resource
import subprocess
import time
import unittest

from common import CONCUR, SOURCE, TempDir, sanitized

BAD = os.path.join(SOURCE, "tests", "fixtures", "bad-input")
SANITIZER_SIGNS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer", "ThreadSanitizer")

STAGES = ("read", "check")


def expected():
    """The folder's list: (environment to set, names to unset,
    {file: (stage, line or None, message fragment)})."""
    env, unset, files = {}, [], {}
    with open(os.path.join(BAD, "expected"), encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            text = text.rstrip("\n")
            if not text or text.startswith("#"):
                continue
            if text.startswith("env "):
                name, _, value = text[4:].partition("=")
                env[name] = value
            elif text.startswith("unset "):
                unset.append(text[6:])
            else:
                name, stage, line, message = text.split(None, 3)
                assert stage in STAGES, f"expected:{n}: stage {stage!r}"
                assert name not in files, f"expected:{n}: {name} twice"
                files[name] = (stage, None if line == "-" else int(line),
                               message)
    return env, unset, files


ENV, UNSET, EXPECTED = expected()

# The generated files below, as the list states the committed ones.
GENERATED = {
    "million-items.ini": ("read", None, "larger than 1048576 bytes"),
    "million-list-lines.ini": ("read", None, "larger than 1048576 bytes"),
}

# The caps: file -> what its message must name (the limit it hit), kept
# beside the list so a rewording of one of them cannot drop the limit.
LIMITS = {
    "billion-cells.ini": ["limit"],
    "huge-range.ini": ["limit"],
    "huge-workers.ini": ["allowed 1 .. 4096"],
    "too-many-tasks.ini": ["limit of 50000000"],
    "many-sections.ini": ["limit"],
    "many-keys.ini": ["limit"],
    "list-lines-cap.ini": ["limit"],
    "long-line.ini": ["limit"],
    "huge-repetitions.ini": ["allowed 1 .. 10000"],
    "million-items.ini": ["1048576"],
    "million-list-lines.ini": ["1048576"],
}


def generated(d):
    """The big ones: a 10^6-item list and 10^6 continuation lines."""
    big = {
        "million-items.ini": "[experiment]\n[strategy pthreads]\nworkers = "
        + ", ".join(["1"] * 1000000) + "\n[workload w]\nplugin = null\n",
        "million-list-lines.ini": "[experiment]\n[strategy sync]\n[workload w]\n"
        "plugin = http_download\nurl = http://a/\n" + "  http://a/\n" * 1000000,
    }
    paths = []
    for name, text in big.items():
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        paths.append(p)
    return paths


def run_timed(args, preexec=None):
    """Run concur; return (rc, stderr, wall seconds, CPU seconds)."""
    env = dict(os.environ)
    env.update(ENV)
    for name in UNSET:
        env.pop(name, None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run([CONCUR, *args], capture_output=True, env=env,
                       timeout=60, preexec_fn=preexec)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p.returncode, p.stderr.decode("utf-8", "replace"), wall, cpu


class BadInput(unittest.TestCase):
    def check(self, path, want):
        name = os.path.basename(path)
        _, line, message = want
        where = re.escape(path) + (f":{line}" if line is not None else "")
        with TempDir() as d:
            out = os.path.join(d, "out.csv")
            for args in (["validate", path], ["run", path, "-o", out]):
                rc, err, wall, cpu = run_timed(args)
                what = f"{name}: {args[0]}: {err[:300]!r}"
                self.assertEqual(rc, 2, what)
                self.assertRegex(err, r"^concur: " + where + r": ", what)
                self.assertIn(message, err, what)
                for sign in SANITIZER_SIGNS:
                    self.assertNotIn(sign, err, what)
                # "within a second": CPU time, which a loaded machine does
                # not inflate; wall time gets a generous bound
                self.assertLess(cpu, 1.0, what)
                self.assertLess(wall, 10.0, what)
                for frag in LIMITS.get(name, []):
                    self.assertIn(frag, err, what)
            self.assertEqual(os.listdir(d), [], f"{name}: something was written")

    def test_committed_files(self):
        files = sorted(glob.glob(os.path.join(BAD, "*.ini")))
        # 42 + 36 when the two folders of bad input became this one
        self.assertGreaterEqual(len(files), 78)
        for path in files:
            name = os.path.basename(path)
            with self.subTest(file=name):
                self.assertTrue(name in EXPECTED,
                                f"{name} is not in tests/fixtures/bad-input/expected")
                self.check(path, EXPECTED[name])

    def test_list_names_only_files_here(self):
        names = {os.path.basename(p) for p in glob.glob(os.path.join(BAD, "*.ini"))}
        self.assertEqual(set(EXPECTED) - names, set())
        self.assertEqual(sorted(os.listdir(BAD)),
                         sorted(names | {"README", "expected"}))

    def test_generated_giants(self):
        with TempDir() as d:
            for path in generated(d):
                with self.subTest(file=os.path.basename(path)):
                    self.check(path, GENERATED[os.path.basename(path)])

    def test_every_limit_is_exercised(self):
        names = set(EXPECTED) | set(GENERATED)
        self.assertEqual(set(LIMITS) - names, set())

    @unittest.skipIf(sanitized(), "ASan needs more address space than the limit")
    def test_memory_cap_under_ulimit(self):
        with TempDir() as d:
            ini = os.path.join(d, "mem.ini")
            with open(ini, "w") as f:
                f.write("[experiment]\n[strategy sync]\n[workload w]\n"
                        "plugin = null\ncount = 45000000\n")

            def limit():
                resource.setrlimit(resource.RLIMIT_AS, (1500 << 20, 1500 << 20))
            rc, err, _, _ = run_timed(["validate", ini], preexec=limit)
            self.assertEqual(rc, 2, err)
            self.assertIn(f"concur: {ini}: cell sync/w needs 1716 MiB", err)
            self.assertIn("ulimit -v", err)


if __name__ == "__main__":
    unittest.main()
