"""`concur compare`: golden output on fixed result files (terminal, Markdown,
CSV), exit statuses, every damaged input refused with exit 2 and a reason,
and two real result sets with a known difference.

The fixed files are tests/fixtures/compare/{base,new}{,-runs}.csv (written by
make_fixtures.py there; see its docstring for what each cell exercises).
To regenerate the expected output after an intended change:
    CONCUR_GOLDEN_UPDATE=1 ctest -R integration_compare
and review the diff before committing.
"""
import csv
import difflib
import io
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import unittest

from common import (BUILD, CONCUR, SOURCE, TempDir, read_csv, read_dicts, run,
                    run_walls, sanitized, write)

DATA = os.path.join(SOURCE, "tests", "fixtures", "compare")
EXPECTED = os.path.join(DATA, "expected")
BASE = os.path.join(DATA, "base.csv")
NEW = os.path.join(DATA, "new.csv")
UPDATE = os.environ.get("CONCUR_GOLDEN_UPDATE") == "1"


def rel(text):
    """Output with the fixture folder written as DATA/ (machine-independent)."""
    return text.replace(DATA + os.sep, "DATA/")


def copy_fixture(tmp, name="base"):
    """Copy a fixture pair into tmp (to damage it); return the summary path."""
    for suffix in ("", "-runs"):
        shutil.copy(os.path.join(DATA, name + suffix + ".csv"), tmp)
    return os.path.join(tmp, name + ".csv")


def edit(path, old, new, count=1):
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    assert old in text, f"{old!r} not in {path}"
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write(text.replace(old, new, count))


class Golden(unittest.TestCase):
    maxDiff = None

    def assert_same(self, name, got):
        path = os.path.join(EXPECTED, name)
        if UPDATE:
            with open(path, "w", newline="", encoding="utf-8") as f:
                f.write(got)
            return
        with open(path, newline="", encoding="utf-8") as f:
            want = f.read()
        if want != got:
            self.fail("".join(difflib.unified_diff(
                want.splitlines(True), got.splitlines(True), path, "got")))

    def test_terminal(self):
        rc, out, err = run("compare", BASE, NEW)
        self.assertEqual(rc, 3, err)  # sync/crashy crashed in NEW
        self.assertEqual(err, "")
        self.assert_same("compare.txt", rel(out))

    def test_markdown(self):
        rc, out, err = run("compare", BASE, NEW, "--markdown")
        self.assertEqual(rc, 3, err)
        self.assert_same("compare.md", rel(out))

    def test_csv(self):
        with TempDir() as tmp:
            out_csv = os.path.join(tmp, "cmp.csv")
            rc, out, err = run("compare", BASE, NEW, "-o", out_csv)
            self.assertEqual(rc, 3, err)
            with open(out_csv, newline="", encoding="utf-8") as f:
                text = f.read()
        self.assert_same("compare.csv", text)
        rows = list(csv.DictReader(io.StringIO(text)))
        verdict = {r["cell"]: r["verdict"] for r in rows}
        self.assertEqual(verdict, {
            "sync/nap": "slower", "pthreads[workers=2]/nap": "faster",
            "pthreads[workers=4]/nap": "same", "epoll/nap": "same",
            "forkpool/nap": "unsure", "sync/tied": "slower",
            "sync/crashy": "not_ok",
            "pthreads[workers=8]/nap": "only_in_base",
            "pthreads[workers=16]/nap": "only_in_new"})
        nap = next(r for r in rows if r["cell"] == "sync/nap")
        self.assertAlmostEqual(float(nap["ratio"]), 1.1, places=3)
        self.assertLess(float(nap["ratio_ci95_low"]), 1.1)
        self.assertGreater(float(nap["ratio_ci95_high"]), 1.1)
        self.assertEqual(nap["p_method"], "exact")
        # 10 vs 10 values, all of NEW above all of BASE: U = 100, p = 2/C(20,10)
        self.assertEqual(nap["mann_whitney_u"], "100")
        self.assertAlmostEqual(float(nap["p_value"]) / (2 / 184756), 1, places=5)
        tied = next(r for r in rows if r["cell"] == "sync/tied")
        self.assertEqual(tied["p_method"], "normal")
        self.assertAlmostEqual(float(tied["p_value"]), 0.0207209, places=6)
        self.assertTrue(text.endswith("\r\n"))

    def test_threshold_and_alpha(self):
        with TempDir() as tmp:
            new = copy_fixture(tmp, "new")  # with sync/crashy ok: exit 0/1
            set_row(new, "sync/crashy", "status", "ok")
            # a 20% threshold turns the 10% changes into "same"
            rc, out, err = run("compare", BASE, new, "--threshold", "20%")
            self.assertEqual(rc, 1, out)  # sync/tied is +67%: still slower
            self.assertIn("sync/nap ", out)
            self.assertRegex(out, r"sync/nap .* same\n")
            rc, out, _ = run("compare", BASE, new, "--threshold", "70%")
            self.assertEqual(rc, 0, out)
        # alpha 0.2 lets 3 and 3 runs decide (min p 0.1)
        rc, out, _ = run("compare", BASE, NEW, "--alpha", "0.2")
        self.assertRegex(out, r"forkpool/nap .* slower \+50\.0%\n")

    def test_busy_machine_note_comes_from_the_env_file(self):
        with TempDir() as tmp:
            base, new = copy_fixture(tmp), copy_fixture(tmp, "new")
            rc, out, err = run("compare", base, new)  # no -env.csv copied
            self.assertEqual(rc, 3, err)
            self.assertNotIn("busy machine", out)
            shutil.copy(os.path.join(DATA, "new-env.csv"), tmp)
            rc, out, err = run("compare", base, new)
            self.assertIn("NEW ran on a busy machine (load average 3.40 on 2 CPUs)", out)
            shutil.copy(os.path.join(DATA, "new-env.csv"),
                        os.path.join(tmp, "base-env.csv"))
            rc, out, err = run("compare", base, new)
            self.assertIn("BASE and NEW ran on a busy machine (load average 3.40 and 3.40 on 2 CPUs)", out)

    def test_same_file_is_same(self):
        rc, out, err = run("compare", BASE, BASE)
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("slower", out.split("\n\n")[1])
        self.assertIn("0 slower, 0 faster, 7 same, 1 unsure", out)


class Refused(unittest.TestCase):
    """Every input that cannot be compared: exit 2, a reason, no table."""

    def refused(self, *args, want):
        rc, out, err = run("compare", *args)
        self.assertEqual(rc, 2, out + err)
        self.assertEqual(out, "")
        self.assertRegex(err, want)
        self.assertNotIn("Traceback", err)
        return err

    def test_usage(self):
        self.refused(BASE, want="needs two summary files")
        self.refused(BASE, NEW, NEW, want="needs two summary files")
        self.refused(BASE, NEW, "--threshold", "abc",
                     want="--threshold takes a percentage .* not abc")
        self.refused(BASE, NEW, "--threshold", "-5%", want="--threshold")
        # "0.05" could mean 5% or 0.05%: the % sign is required
        self.refused(BASE, NEW, "--threshold", "0.05",
                     want="--threshold takes a percentage .* not 0.05")
        self.refused(BASE, NEW, "--alpha", "1.5",
                     want="--alpha takes a number between 0 and 1")
        self.refused(BASE, NEW, "--alpha", "0", want="--alpha")
        self.refused(BASE, NEW, "--bogus", want="unknown or incomplete option")
        self.refused(BASE, NEW, "-o", want="unknown or incomplete option")

    def test_missing_files(self):
        with TempDir() as tmp:
            self.refused(os.path.join(tmp, "nope.csv"), NEW,
                         want=r"nope\.csv: cannot open: No such file")
            path = copy_fixture(tmp)
            os.remove(os.path.join(tmp, "base-runs.csv"))
            self.refused(path, NEW, want=r"base-runs\.csv: cannot open: No such file")

    def test_not_a_summary(self):
        self.refused(os.path.join(DATA, "base-runs.csv"), NEW,
                     want="not a concur summary file: no 'runs' column")
        with TempDir() as tmp:
            empty = write(os.path.join(tmp, "e.csv"), "")
            write(os.path.join(tmp, "e-runs.csv"), "")
            self.refused(empty, NEW, want=r"e\.csv:1: empty file")
            path = copy_fixture(tmp)
            with open(path, newline="") as f:
                header = f.readline()
            write(path, header)
            self.refused(path, NEW, want="no cell has finished")

    def test_damaged_rows(self):
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(path, ",10ms,ok,10,", ",10ms,ok,10,extra,")
            self.refused(path, NEW, want=r"base\.csv:2: damaged row: 32 fields where the header has 31")
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(path, ",10ms,ok,10,", ",10ms,ok,10," + "," * 200000)
            self.refused(path, NEW, want=r"base\.csv:2: damaged row: more than 131072 fields where the header has 31")
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(os.path.join(tmp, "base-runs.csv"), ",ok,0.05,", ",ok,fast,")
            self.refused(path, NEW, want=r"base-runs\.csv:2: wall_s 'fast' is not a positive number")
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(os.path.join(tmp, "base-runs.csv"), ",ok,0.05,", ",ok,-0.05,")
            self.refused(path, NEW, want="is not a positive number")
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(path, "nap,sync/nap,sync", 'nap,"sync/nap,sync')
            self.refused(path, NEW, want=r"base\.csv:2: damaged row: not valid CSV")
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(path, "nap,sync/nap,sync", 'nap,"sync/nap"x,sync')
            self.refused(path, NEW, want=r"base\.csv:2: damaged row: not valid CSV")

    def test_files_that_do_not_belong_together(self):
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            shutil.copy(os.path.join(DATA, "new-runs.csv"),
                        os.path.join(tmp, "base-runs.csv"))
            self.refused(path, NEW, want="sync/crashy' has runs = '5' but .* holds 4 measured runs of it: the two files do not belong together")

    def test_duplicate_cell(self):
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(path, "nap,pthreads[workers=2]/nap,", "nap,sync/nap,")
            self.refused(path, NEW, want=r"base\.csv:3: cell 'sync/nap' again \(first at line 2\)")

    def test_different_experiments(self):
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(path, "\nnap,", "\nother,", count=100)
            self.refused(path, NEW, want="cannot compare different experiments: .*base.csv is 'other', .*new.csv is 'nap'")
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(path, "\r\nnap,sync/nap,", "\r\nother,sync/nap,")
            self.refused(path, NEW, want=r"base\.csv:3: experiment 'nap' in a file of experiment 'other' \(line 2\)")

    def test_different_columns(self):
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(path, "workload.latency", "workload.body")
            self.refused(path, NEW, want="the parameter columns differ: .*base.csv has 'workload.body', .*new.csv does not")

    def test_control_characters_never_reach_the_terminal(self):
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            new = copy_fixture(tmp, "new")
            edit(new, "run 5 killed by SIGSEGV", "run 5 \x1b]0;pwned\x07 killed")
            rc, out, err = run("compare", path, new, "--markdown")
            self.assertEqual(rc, 3, err)
            self.assertNotIn("\x1b", out)
            self.assertNotIn("\x07", out)
            self.assertIn("run 5 ?\\]0;pwned? killed", out)

    def test_mutated_files_never_crash(self):
        """A fixed-seed mutation run over both files of one side: every
        outcome is a table (0, 1 or 3) or a reason (2), never a signal or a
        sanitizer report (this runs in the ASan build too)."""
        rng = random.Random(15)
        junk = [b'"', b",", b"\r\n", b"\n", b"\x00", b"'", b"-", b"nan",
                b"1e999", b"\xff", b"=", b",,,,", b'""']
        originals = {}
        for name in ("base.csv", "base-runs.csv"):
            with open(os.path.join(DATA, name), "rb") as f:
                originals[name] = f.read()
        with TempDir() as tmp:
            for trial in range(150):
                for name, data in originals.items():
                    b = bytearray(data)
                    for _ in range(rng.randint(0, 3)):
                        at = rng.randrange(len(b))
                        op = rng.randrange(3)
                        if op == 0:
                            b[at:at + rng.randint(1, 40)] = b""
                        elif op == 1:
                            b[at:at] = rng.choice(junk)
                        else:
                            b = b[:at]
                            break
                    with open(os.path.join(tmp, name), "wb") as f:
                        f.write(b)
                rc, out, err = run("compare", os.path.join(tmp, "base.csv"), NEW)
                self.assertIn(rc, (0, 1, 2, 3), f"trial {trial}: {err}")
                self.assertNotIn("Sanitizer", err, f"trial {trial}")
                self.assertNotIn("runtime error", err, f"trial {trial}")
                if rc == 2:  # after any torn-row warnings, the reason
                    self.assertTrue(err.strip().splitlines()[-1]
                                    .startswith("concur: compare: "), err)

    def test_torn_last_row_is_left_out(self):
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            with open(path, "ab") as f:
                f.write(b"nap,sync/late,sync,late,,10ms,ok,3")
            rc, out, err = run("compare", path, NEW)
            self.assertEqual(rc, 3, err)
            self.assertIn("its last row is incomplete", err)
            self.assertNotIn("sync/late", out)

    def test_unwritable_output(self):
        with TempDir() as tmp:
            rc, out, err = run("compare", BASE, NEW, "-o",
                               os.path.join(tmp, "no", "such", "x.csv"))
            self.assertEqual(rc, 2)
            self.assertIn("cannot write", err)


def set_row(path, cell, column, value):
    """Set one field of cell's row in a summary file (by column name)."""
    rows = read_csv(path)
    col = rows[0].index(column)
    for r in rows[1:]:
        if r[1] == cell:
            r[col] = value
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


def rename_cell(tmp, old, new):
    """Rename a cell in every fixture copy in tmp (summary and runs)."""
    for name in os.listdir(tmp):
        rows = read_csv(os.path.join(tmp, name))
        for r in rows[1:]:
            if len(r) > 1 and r[1] == old:
                r[1] = new
        with open(os.path.join(tmp, name), "w", newline="",
                  encoding="utf-8") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)


class NotOk(unittest.TestCase):
    """A cell that did not finish ok on a side has no speed verdict: its
    times say nothing about the code's speed, and a build whose tasks all
    fail must not pass the gate."""

    def test_failed_new_is_not_faster(self):
        with TempDir() as tmp:
            new = copy_fixture(tmp, "new")
            # NEW's workers=2 cell is 10% faster; now its tasks failed
            set_row(new, "pthreads[workers=2]/nap", "status", "failed")
            set_row(new, "pthreads[workers=2]/nap", "error",
                    "50 of 50 tasks failed")
            out_csv = os.path.join(tmp, "c.csv")
            rc, out, err = run("compare", BASE, new, "-o", out_csv)
            self.assertEqual(rc, 3, out + err)
            self.assertRegex(out, r"pthreads\[workers=2\]/nap .* not ok in NEW\n")
            self.assertNotIn("faster", out.split("\n\n")[1])
            self.assertIn("pthreads[workers=2]/nap: status failed in NEW: "
                          "50 of 50 tasks failed", out)
            row = {r["cell"]: r for r in read_dicts(out_csv)}
            cell = row["pthreads[workers=2]/nap"]
            self.assertEqual(cell["verdict"], "not_ok")
            self.assertEqual(cell["ratio"], "")
            self.assertEqual(cell["p_value"], "")

    def test_any_not_ok_cell_fails_the_gate(self):
        with TempDir() as tmp:
            base = copy_fixture(tmp)
            again = os.path.join(tmp, "again.csv")
            shutil.copy(base, again)
            shutil.copy(os.path.join(tmp, "base-runs.csv"),
                        os.path.join(tmp, "again-runs.csv"))
            rc, out, err = run("compare", base, again)
            self.assertEqual(rc, 0, out + err)
            for status in ("failed", "timeout", "crashed"):
                set_row(base, "sync/nap", "status", status)
                rc, out, err = run("compare", base, again)
                self.assertEqual(rc, 3, out + err)
                self.assertRegex(out, r"sync/nap .* not ok in BASE\n")
                self.assertIn("1 not ok", out)
            set_row(again, "sync/nap", "status", "crashed")
            rc, out, err = run("compare", base, again, "--markdown")
            self.assertEqual(rc, 3, out + err)
            self.assertIn("not ok in both", out)


class Output(unittest.TestCase):
    """-o never overwrites an input, and an existing file only with
    --force."""

    def test_an_input_is_never_the_output(self):
        with TempDir() as tmp:
            base, new = copy_fixture(tmp), copy_fixture(tmp, "new")
            os.symlink(os.path.join(tmp, "new-runs.csv"),
                       os.path.join(tmp, "alias.csv"))
            os.link(base, os.path.join(tmp, "hard.csv"))
            for target in (new, base, os.path.join(tmp, "base-runs.csv"),
                           os.path.join(tmp, "alias.csv"),
                           os.path.join(tmp, "hard.csv")):
                with open(target, "rb") as f:
                    before = f.read()
                for force in ([], ["--force"]):
                    rc, out, err = run("compare", base, new, "-o", target,
                                       *force)
                    self.assertEqual(rc, 2, err)
                    self.assertEqual(out, "")
                    self.assertIn("is an input of this comparison", err)
                with open(target, "rb") as f:
                    self.assertEqual(f.read(), before, target)

    def test_an_existing_file_needs_force(self):
        with TempDir() as tmp:
            target = write(os.path.join(tmp, "old.csv"), "precious\n")
            rc, out, err = run("compare", BASE, NEW, "-o", target)
            self.assertEqual(rc, 2, err)
            self.assertEqual(out, "")
            self.assertIn("already exists: add --force to overwrite it", err)
            with open(target) as f:
                self.assertEqual(f.read(), "precious\n")
            rc, out, err = run("compare", BASE, NEW, "-o", target, "--force")
            self.assertEqual(rc, 3, err)
            self.assertEqual(read_csv(target)[0][0], "experiment")


class Parameters(unittest.TestCase):
    """Parameter values are text everywhere: -o writes what N.csv holds."""

    def test_parameters_stay_text(self):
        with TempDir() as tmp:
            base = copy_fixture(tmp)
            set_row(base, "pthreads[workers=2]/nap", "strategy.workers",
                    "0012")
            set_row(base, "pthreads[workers=4]/nap", "strategy.workers",
                    "1.50")
            out_csv = os.path.join(tmp, "c.csv")
            rc, out, err = run("compare", base, base, "-o", out_csv)
            self.assertEqual(rc, 0, err)
            got = {r["cell"]: r["strategy.workers"]
                   for r in read_dicts(out_csv)}
            self.assertEqual(got["pthreads[workers=2]/nap"], "0012")
            self.assertEqual(got["pthreads[workers=4]/nap"], "1.50")


HOSTILE = ("<img src=x onerror=alert(1)> @admin ![p](http://e.example/p.png) "
           "[link](http://e.example) `code` | pipe *b* _i_ ~s~ $x$ "
           "http://e.example www.e.example #12 &amp; <!--")


class Escaping(unittest.TestCase):
    """What comes from the files never becomes Markdown or drives the
    terminal."""

    def assert_inert(self, md):
        """Every ASCII punctuation the Markdown could act on is escaped; an
        @ is followed by a zero-width space, so it mentions no one."""
        bare = re.sub(r"\\[!-/:-@\[-`{-~]", "", md)
        bare = bare.replace("@&#8203;", "")
        for line in md.splitlines():
            if line.startswith("| ") and not line.startswith("| cell "):
                # the skeleton: 8 unescaped pipes, 7 columns
                self.assertEqual(len(re.findall(r"(?<!\\)\|", line)), 8,
                                 line)
        table_and_notes = bare.split("**", 2)[-1]
        for bad in ("<img", "<!--", "@admin", "](", "`code`", "$x$",
                    "http://e", "www.e", "*b*", "_i_", "~s~"):
            self.assertNotIn(bad, table_and_notes)

    def test_markdown_escapes_ids_errors_and_values(self):
        with TempDir() as tmp:
            base, new = copy_fixture(tmp), copy_fixture(tmp, "new")
            rename_cell(tmp, "sync/crashy", "sync/" + HOSTILE)
            set_row(new, "sync/" + HOSTILE, "error", HOSTILE + "\nline 2")
            set_row(new, "sync/nap", "workload.latency", HOSTILE)
            rc, out, err = run("compare", base, new, "--markdown")
            self.assertEqual(rc, 3, err)
            self.assert_inert(out)
            # what is shown is still there, escaped
            self.assertIn("@&#8203;admin", out)
            self.assertIn("\\<img src=x onerror=alert\\(1\\)\\>", out)
            self.assertNotIn("\nline 2", out)  # a newline splits nothing

    def test_a_bad_wall_time_cannot_drive_the_terminal(self):
        with TempDir() as tmp:
            path = copy_fixture(tmp)
            edit(os.path.join(tmp, "base-runs.csv"), ",ok,0.05,",
                 ",ok,\x1b]0;pwned\x07\x1b[2J\u009b31m,")
            rc, out, err = run("compare", path, NEW)
            self.assertEqual(rc, 2, err)
            self.assertIn("is not a positive number", err)
            for c in ("\x1b", "\x07", "\u009b"):
                self.assertNotIn(c, err)
            self.assertIn("?]0;pwned??[2J?31m", err)


FIXED = os.path.join(BUILD, "tests", "fixtures", "openloop")

TASKS_INI = """\
; 4 tasks of an exact duration (the `fixed` fixture: a nap, then a spin to
; the end): only the machine's own delays vary a run
[experiment]
name        = exact
repetitions = 30
warmup      = 1

[strategy sync]

[workload exact]
plugin   = fixed
count    = 4
duration = 10ms
"""


def run_three(d, repetitions, runs):
    """Run TASKS_INI three times at once, so a burst of load on this shared
    machine slows all three alike instead of one of them; runs maps each
    name to its extra arguments.  Returns name -> results path."""
    ini = write(os.path.join(d, f"exact{repetitions}.ini"),
                TASKS_INI.replace("repetitions = 30", f"repetitions = {repetitions}"))
    paths, procs = {}, []
    for name, extra in runs.items():
        paths[name] = os.path.join(d, name + ".csv")
        procs.append(subprocess.Popen(
            [CONCUR, "run", ini, "-o", paths[name], "-q",
             "--plugin-path", FIXED, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, out
    return paths


class RealRuns(unittest.TestCase):
    """Three real runs of one experiment: BASE, NEW with every task 10%
    longer, and AGAIN, BASE once more: how far two runs of one experiment
    drift apart on this machine at this moment."""

    @classmethod
    def setUpClass(cls):
        """A calibration first: three runs of ten 10 ms tasks as the real
        ones will run.  Their spread (slowest run - fastest) is the delay
        this machine adds now, whatever the tasks; the task duration D is
        chosen so that NEW's 0.4 D more a run is five times that spread
        (10 ms on a quiet machine, at most 100 ms), so the difference
        stands clear of the noise however busy the machine is.  What the
        machine adds to every run dilutes the 10%, so NEW is judged with a
        threshold of half the ratio to expect (5% on a quiet machine)."""
        cls.tmp = TempDir()
        d = cls.tmp.__enter__()
        cal = run_three(d, 10, {f"cal{k}": [] for k in range(3)})
        spread = max(max(w) - min(w) for w in map(run_walls, cal.values()))
        ms = min(100, max(10, 10 * math.ceil(5 * spread * 1e3 / 0.4 / 10)))
        cls.base_ms, cls.new_ms = ms, ms * 11 // 10
        # what the machine adds to a run (wake-ups: per task, not per ms)
        # dilutes the 10%: judge NEW against half the ratio to expect
        added = max(0.0, statistics.median(
            w for p in cal.values() for w in run_walls(p)) - 0.040)
        expect = (4e-3 * cls.new_ms + added) / (4e-3 * cls.base_ms + added)
        cls.threshold = f"{min(5.0, 50 * (expect - 1)):.1f}%"
        print(f"calibration: runs spread {spread * 1e3:.3f} ms, "
              f"{added * 1e3:.3f} ms added; tasks of {cls.base_ms} ms and "
              f"{cls.new_ms} ms, threshold {cls.threshold}", file=sys.stderr)
        dur = "exact.duration={}ms"
        cls.paths = run_three(d, 30, {
            "base": ["--set", dur.format(cls.base_ms)],
            "new": ["--set", dur.format(cls.new_ms)],
            "again": ["--set", dur.format(cls.base_ms)]})

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def compare(self, a, b, *extra):
        with TempDir() as tmp:
            out_csv = os.path.join(tmp, "c.csv")
            rc, out, err = run("compare", self.paths[a], self.paths[b],
                               "-o", out_csv, *extra)
            rows = read_csv(out_csv)
        return rc, out, err, dict(zip(rows[0], rows[1]))

    def assert_ratio_from_the_runs(self, a, b, row, out):
        """The ratio is an estimate over pairs of runs (one of each side):
        it lies between the smallest and the largest such pair's ratio."""
        ra, rb = run_walls(self.paths[a]), run_walls(self.paths[b])
        ratio = float(row["ratio"])
        self.assertLessEqual(min(rb) / max(ra), ratio, out)
        self.assertLessEqual(ratio, max(rb) / min(ra), out)

    def test_ten_percent_slower(self):
        rc, out, err, row = self.compare("base", "new", "--threshold", self.threshold)
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(row["verdict"], "slower", out)
        self.assert_ratio_from_the_runs("base", "new", row, out)
        # NEW stands further from BASE than AGAIN, the same experiment, does
        _, _, _, same = self.compare("base", "again")
        self.assertGreater(float(row["ratio"]), float(same["ratio"]), out)
        # the contract is p <= alpha; how far below depends on how busy the
        # shared machine is while the two runs happen
        self.assertLessEqual(float(row["p_value"]), 0.05, out)
        # exact without ties; runs of exact tasks can tie to the microsecond
        walls = run_walls(self.paths["base"]) + run_walls(self.paths["new"])
        self.assertEqual(row["p_method"],
                         "exact" if len(set(walls)) == len(walls) else "normal")
        self.assertIn(f"parameter workload.duration differs: {self.base_ms}ms in BASE, "
                      f"{self.new_ms}ms in NEW", out)
        # the other way round it is faster by the same factor, and exit 0
        rc, out, err, back = self.compare("new", "base", "--threshold", self.threshold)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(back["verdict"], "faster", out)
        self.assertAlmostEqual(float(back["ratio"]) * float(row["ratio"]), 1, places=4)

    def test_same_experiment_twice_is_same(self):
        rc, out, err, row = self.compare("base", "again")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(row["verdict"], "same", out)
        self.assert_ratio_from_the_runs("base", "again", row, out)


def compare_rss_kib(a, b):
    """(exit status, stderr, peak resident KiB) of `concur compare a b`,
    measured by GNU time (a child's ru_maxrss starts from its parent's
    peak when it forks, and this Python process is far bigger)."""
    p = subprocess.run(["/usr/bin/time", "-f", "maxrss_kib=%M", CONCUR,
                        "compare", a, b],
                       capture_output=True, text=True, timeout=300)
    m = re.search(r"maxrss_kib=(\d+)\s*$", p.stderr)
    assert m, p.stderr
    return p.returncode, p.stderr[:m.start()], int(m.group(1))


class MemoryBound(unittest.TestCase):
    """Peak memory of compare above a one-cell comparison stays under
    twice the two runs files: the statistics need a number per run, not
    every field of every row (the speed half is a benchmark:
    configs/bench/compare-scale.sh)."""

    FACTOR = 2

    def gen(self, d, name, cells, runs, seed):
        path = os.path.join(d, name + ".csv")
        subprocess.run([sys.executable,
                        os.path.join(SOURCE, "scripts", "gen-compare.py"),
                        str(cells), str(runs), path, "--seed", str(seed)],
                       check=True)
        return path

    def test_runs_files_of_100000_runs(self):
        with TempDir() as d:
            rc, err, base = compare_rss_kib(self.gen(d, "ta", 1, 10, 1),
                                            self.gen(d, "tb", 1, 10, 2))
            self.assertLessEqual(rc, 1, err)
            a = self.gen(d, "a", 50, 2000, 1)
            b = self.gen(d, "b", 50, 2000, 2)
            rc, err, rss = compare_rss_kib(a, b)
            self.assertLessEqual(rc, 1, err)
            if sanitized():
                return  # the exit status still counts
            runs_kib = sum(os.path.getsize(p[:-4] + "-runs.csv")
                           for p in (a, b)) / 1024
            self.assertLess(rss - base, self.FACTOR * runs_kib,
                            f"peak {rss} KiB (one cell: {base} KiB) for "
                            f"{runs_kib:.0f} KiB of runs files")


if __name__ == "__main__":
    unittest.main()
