"""--export-json / json = true and --export-markdown / markdown = true
(docs/results.md "Exports"): Google Benchmark's JSON, valid against a schema written
from Google Benchmark's documentation and read by its own tools/compare.py
(Debian's libbenchmark-tools); the Markdown summary for a pull request;
both rebuilt identically by --resume and by merge, hostile text escaped,
and bad values refused before anything runs.

Runs with the system python: compare.py needs Debian's python3-scipy, the
schema check python3-jsonschema.
"""
import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import unittest

from common import BUILD, SOURCE, TempDir, read_dicts, run, write

COMPARE_PY = "/usr/share/benchmark/compare.py"
SCHEMA = os.path.join(SOURCE, "tests", "fixtures", "export",
                      "gbench.schema.json")
GOLDEN = os.path.join(SOURCE, "tests", "golden")
FIXTURES = os.path.join(BUILD, "tests", "fixtures", "workloads")
FAKE = {"CONCUR_FAKE_CLOCK": "1", "LC_ALL": "C"}
# context members that name the moment, the machine's load or the command
VOLATILE = {"date", "executable", "load_avg", "command_line", "git_revision"}
HOSTILE = 'q"uote\\back\x01ctl\x1besc|pipe<b>&amp é\u2603 `*_[x](y)'


def load_json(path):
    """The file as strict JSON: UTF-8, and no NaN or Infinity."""
    def no_constant(name):
        raise ValueError(f"{path}: {name} is not JSON")
    with open(path, encoding="utf-8", errors="strict") as f:
        return json.load(f, parse_constant=no_constant)


def compare_py(*args):
    return subprocess.run([sys.executable, COMPARE_PY, "--no-color", *args],
                          capture_output=True, text=True, timeout=120)


def stable(doc):
    """The document without what differs between two writes of the same
    results: the context's moment, load and command line."""
    doc = copy.deepcopy(doc)
    for k in VOLATILE:
        doc["context"].pop(k, None)
    return doc


def table_rows(md):
    return [line for line in md.splitlines() if line.startswith("|")]


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class Schema(unittest.TestCase):
    """Failing and crashing cells, crossed parameters: every entry valid."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.dir = cls.tmp.__enter__()
        cls.out = os.path.join(cls.dir, "failing.csv")
        cls.rc, cls.stdout, cls.stderr = run(
            "run", os.path.join(GOLDEN, "failing.ini"), "-o", cls.out, "-q",
            "--plugin-path", FIXTURES, "--set", "experiment.json=true",
            "--export-markdown", os.path.join(cls.dir, "pr.md"), env=FAKE)
        cls.doc = load_json(os.path.join(cls.dir, "failing.json"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def test_valid_against_the_schema(self):
        import jsonschema
        self.assertEqual(self.rc, 1, self.stderr)
        with open(SCHEMA) as f:
            jsonschema.Draft7Validator(json.load(f)).validate(self.doc)

    def test_entries_follow_the_results(self):
        cells = read_dicts(self.out)
        runs = read_dicts(self.out[:-4] + "-runs.csv")
        its = [b for b in self.doc["benchmarks"]
               if b["run_type"] == "iteration"]
        self.assertEqual(len(its), len(runs) + sum(
            1 for c in cells if c["runs"] == "0"))
        for r in runs:
            b = next(b for b in its if b["run_name"] == r["cell"] and
                     b["repetition_index"] == int(r["run"]) - 1)
            self.assertEqual(b["time_unit"], "us")
            self.assertAlmostEqual(b["real_time"], float(r["wall_s"]) * 1e6)
            self.assertEqual(b["tasks"], int(r["tasks"]))
            self.assertEqual(b.get("error_occurred", False),
                             r["status"] != "ok")
        for c in cells:
            aggs = {b["aggregate_name"]: b for b in self.doc["benchmarks"]
                    if b["run_type"] == "aggregate" and
                    b["run_name"] == c["cell"]}
            if int(c["runs"]) < 2:
                self.assertEqual(aggs, {})
                continue
            self.assertEqual(sorted(aggs), ["cv", "mean", "median", "stddev"])
            self.assertEqual(aggs["median"]["name"], c["cell"] + "_median")
            self.assertAlmostEqual(aggs["median"]["real_time"],
                                   float(c["wall_median_s"]) * 1e6, places=3)
            self.assertEqual(aggs["cv"]["aggregate_unit"], "percentage")
            if c["status"] != "ok":
                self.assertTrue(aggs["mean"]["error_occurred"])
                self.assertTrue(aggs["mean"]["error_message"].startswith(
                    c["status"] + ": " + c["error"]))

    def test_markdown_has_every_cell(self):
        md = read_text(os.path.join(self.dir, "pr.md"))
        rows = table_rows(md)
        self.assertEqual(len(rows), 2 + len(read_dicts(self.out)))
        self.assertIn("| crashed |", md)
        self.assertIn("json:", self.stdout)


class ComparePy(unittest.TestCase):
    """Google Benchmark's own compare.py reads concur's files."""

    def test_two_runs_compared(self):
        with TempDir() as d:
            files = []
            for name in ("base", "new"):
                path = os.path.join(d, name + ".json")
                rc, out, err = run(
                    "run", os.path.join(SOURCE, "configs", "quick.ini"),
                    "-o", os.path.join(d, name + ".csv"), "-q",
                    "--set", "sums.count=2", "--set", "nothing.count=10",
                    "--export-json", path)
                self.assertEqual(rc, 0, err)
                files.append(path)
            p = compare_py("benchmarks", *files)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("Comparing", p.stdout)
            self.assertIn("pthreads/sums_median", p.stdout)
            self.assertIn("forkpool/nothing_pvalue", p.stdout)

    def test_seeds_compared(self):
        """configs/seeds.ini made short with --set, as CI would run it."""
        with TempDir() as d:
            path = os.path.join(d, "seeds.json")
            rc, out, err = run(
                "run", os.path.join(SOURCE, "configs", "seeds.ini"),
                "-o", os.path.join(d, "seeds.csv"), "-q",
                "--set", "experiment.repetitions=2",
                "--set", "experiment.warmup=0",
                "--set", "pthreads.workers=4", "--set", "download.count=8",
                "--set", "download.latency=1ms", "--set", "sums.count=4",
                "--set", "sums.first=10000", "--export-json", path,
                timeout=300)
            self.assertEqual(rc, 0, err)
            p = compare_py("benchmarks", path, path)
            self.assertEqual(p.returncode, 0, p.stderr)
            for cell in ("sync/download", "pthreads/sums",
                         "epoll/download_median", "forkpool/sums_mean"):
                self.assertIn(cell, p.stdout)


class Rebuilt(unittest.TestCase):
    """--resume and merge rebuild what a straight run writes (fake clock:
    the figures are a function of the experiment alone)."""

    INI = os.path.join(GOLDEN, "crossed.ini")
    SETS = ("--set", "experiment.json=true",
            "--set", "experiment.markdown=true")

    def straight(self, d):
        out = os.path.join(d, "whole", "x.csv")
        rc, _, err = run("run", self.INI, "-o", out, "-q", *self.SETS,
                         env=FAKE)
        self.assertEqual(rc, 0, err)
        return out

    def copy(self, whole, d, name):
        os.makedirs(os.path.join(d, name))
        out = os.path.join(d, name, "x.csv")
        for suffix in ("", "-runs", "-matrix", "-env"):
            shutil.copy(whole[:-4] + suffix + ".csv",
                        out[:-4] + suffix + ".csv")
        return out

    def resume(self, out):
        rc, _, err = run("run", self.INI, "-o", out, "-q", "--resume",
                         *self.SETS, env=FAKE)
        self.assertEqual(rc, 0, err)

    def test_resume_of_finished_results(self):
        """Nothing left to run: the same bytes, from the files alone."""
        with TempDir() as d:
            whole = self.straight(d)
            again = self.copy(whole, d, "again")
            self.resume(again)
            for ext in (".json", ".md"):
                with open(whole[:-4] + ext, "rb") as a, \
                        open(again[:-4] + ext, "rb") as b:
                    self.assertEqual(a.read(), b.read(), ext)

    def test_resume_of_an_interrupted_run(self):
        """The cells on disk keep their entries, byte for byte; the cells
        run again get theirs from the new rows (own clock readings)."""
        with TempDir() as d:
            whole = self.straight(d)
            cut = self.copy(whole, d, "cut")
            with open(cut, newline="") as f:
                lines = f.readlines()
            with open(cut, "w", newline="") as f:
                f.writelines(lines[:4])  # header and three cells
            self.resume(cut)
            kept = {c["cell"] for c in read_dicts(cut)[:3]}
            a = load_json(whole[:-4] + ".json")
            b = load_json(cut[:-4] + ".json")
            self.assertEqual(stable(a)["context"], stable(b)["context"])
            self.assertEqual(
                [e for e in a["benchmarks"] if e["run_name"] in kept],
                [e for e in b["benchmarks"] if e["run_name"] in kept])
            self.assertEqual([e["name"] for e in a["benchmarks"]],
                             [e["name"] for e in b["benchmarks"]])
            self.assertEqual(table_rows(read_text(whole[:-4] + ".md"))[:5],
                             table_rows(read_text(cut[:-4] + ".md"))[:5])

    def test_merge(self):
        """The merged export holds each shard's entries as the shard's own
        export has them (a shard's clock readings are its own, so not a
        straight run's), in experiment order: cell by cell as OUT.csv."""
        with TempDir() as d:
            shards = os.path.join(d, "shards")
            for k in range(3):
                rc, _, err = run("run", self.INI, "-o",
                                 os.path.join(shards, "x.csv"), "-q",
                                 "--shard", f"{k}/3", *self.SETS, env=FAKE)
                self.assertEqual(rc, 0, err)
            merged = os.path.join(d, "merged", "x.csv")
            os.makedirs(os.path.dirname(merged))
            rc, out, err = run("merge", merged, shards, env=FAKE)
            self.assertEqual(rc, 0, err)
            self.assertIn("json:", out)
            self.assertIn("markdown:", out)
            parts, rows = [], []
            for k in range(3):
                stem = os.path.join(shards, f"x.shard-{k}-of-3")
                parts += load_json(stem + ".json")["benchmarks"]
                rows += table_rows(read_text(stem + ".md"))[2:]
            got = load_json(merged[:-4] + ".json")["benchmarks"]
            order = [c["cell"] for c in read_dicts(merged)]
            self.assertEqual(len(got), len(parts))
            self.assertEqual(list(dict.fromkeys(b["run_name"] for b in got)),
                             order)
            for b in got:
                want = [p for p in parts if p["name"] == b["name"] and
                        p.get("repetition_index") ==
                        b.get("repetition_index")]
                self.assertEqual(len(want), 1, b["name"])
                self.assertEqual({**want[0], "family_index": 0},
                                 {**b, "family_index": 0})
            self.assertEqual(
                sorted(table_rows(read_text(merged[:-4] + ".md"))[2:]),
                sorted(rows))


class Hostile(unittest.TestCase):
    """Quotes, backslashes, control characters, '|', '<', UTF-8 in an
    error and a cell id reach the JSON exactly and the Markdown escaped."""

    def test_round_trip(self):
        with TempDir() as d:
            shards = os.path.join(d, "shards")
            rc, _, err = run("run", os.path.join(GOLDEN, "sync-null.ini"),
                             "-o", os.path.join(shards, "h.csv"), "-q",
                             "--shard", "0/1", env=FAKE)
            self.assertEqual(rc, 0, err)
            summary = os.path.join(shards, "h.shard-0-of-1.csv")
            self.rewrite(summary)
            self.rewrite(summary[:-4] + "-runs.csv")
            merged = os.path.join(d, "h.csv")
            rc, out, err = run("merge", merged, shards, "--export-json",
                               os.path.join(d, "h.json"), "--export-markdown",
                               os.path.join(d, "h.md"))
            self.assertEqual(rc, 1, err)  # the cell says it failed
            doc = load_json(os.path.join(d, "h.json"))
            msgs = {b["error_message"] for b in doc["benchmarks"]}
            self.assertEqual(msgs, {"failed: " + HOSTILE})
            md = read_text(os.path.join(d, "h.md"))
            row = table_rows(md)[2]
            self.assertNotRegex(md, "[\x00-\x09\x0b-\x1f\x7f]")
            self.assertIn(r'q"uote\\back ctl esc\|pipe\<b\>\&amp é☃ '
                          r"\`\*\_\[x\]\(y\)", row)
            self.assertEqual(row.count(" | "), 9)  # ten cells, no more

    @staticmethod
    def rewrite(path):
        """Every row failed, with the hostile text as its error."""
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        head = rows[0]
        for r in rows[1:]:
            r[head.index("status")] = "failed"
            r[head.index("error")] = HOSTILE
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)


class BadValues(unittest.TestCase):
    """Refused before anything runs: exit 2, nothing written or lost."""

    def run_quick(self, d, *args):
        return run("run", os.path.join(SOURCE, "configs", "quick.ini"),
                   "-o", os.path.join(d, "q.csv"), "-q",
                   "--set", "sums.count=1", "--set", "nothing.count=1",
                   *args)

    def test_json_not_a_bool(self):
        with TempDir() as d:
            rc, _, err = self.run_quick(d, "--set", "experiment.json=maybe")
            self.assertEqual(rc, 2)
            self.assertIn("json", err)
            self.assertIn("true", err)
            self.assertFalse(os.path.exists(os.path.join(d, "q.csv")))

    def test_folder_missing(self):
        with TempDir() as d:
            rc, _, err = self.run_quick(d, "--export-json",
                                        os.path.join(d, "no", "x.json"))
            self.assertEqual(rc, 2)
            self.assertIn("does not exist", err)
            self.assertFalse(os.path.exists(os.path.join(d, "q.csv")))

    def test_folder_not_writable(self):
        if os.geteuid() == 0:
            self.skipTest("root writes in any folder")
        with TempDir() as d:
            ro = os.path.join(d, "ro")
            os.mkdir(ro, 0o555)
            rc, _, err = self.run_quick(d, "--export-json",
                                        os.path.join(ro, "x.json"))
            self.assertEqual(rc, 2)
            self.assertIn("cannot write", err)

    def test_an_input_or_output(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "e.ini"), read_text(
                os.path.join(SOURCE, "configs", "quick.ini")))
            for target in (ini, os.path.join(d, "q-runs.csv"),
                           os.path.join(d, "q.xlsx")):
                rc, _, err = run("run", ini, "-o", os.path.join(d, "q.csv"),
                                 "-q", "--export-markdown", target)
                self.assertEqual(rc, 2, target)
                self.assertIn("concur reads or writes itself", err)
            self.assertEqual(read_text(ini), read_text(
                os.path.join(SOURCE, "configs", "quick.ini")))
            self.assertEqual(sorted(os.listdir(d)), ["e.ini"])

    def test_existing_file_needs_force(self):
        with TempDir() as d:
            target = write(os.path.join(d, "keep.json"), "precious")
            rc, _, err = self.run_quick(d, "--export-json", target)
            self.assertEqual(rc, 2)
            self.assertIn("already exists", err)
            self.assertEqual(read_text(target), "precious")
            self.assertFalse(os.path.exists(os.path.join(d, "q.csv")))
            rc, _, err = self.run_quick(d, "--export-json", target, "--force")
            self.assertEqual(rc, 0, err)
            load_json(target)

    def test_the_same_file_twice(self):
        with TempDir() as d:
            rc, _, err = self.run_quick(
                d, "--set", "experiment.json=true",
                "--export-json", os.path.join(d, ".", "q.json"))
            self.assertEqual(rc, 2)
            self.assertIn("named for two exports", err)


if __name__ == "__main__":
    unittest.main()
