"""N.xlsx read back with openpyxl (Debian's python3-openpyxl, run with
/usr/bin/python3): sheet names, cell types and values against the CSV,
number formats, frozen header, autofilter, fitted widths, the charts and
their custom error bars; [experiment] xlsx = false; a killed run leaves a
complete workbook and --resume rebuilds it from the results files; text
past a cell's limit is cut with a marker."""
import os
import re
import signal
import subprocess
import time
import unittest

from common import (CONCUR, TINY_EXPERIMENT, TempDir, gen_shard, read_csv,
                    run, write)

try:
    import openpyxl
except ImportError:  # pragma: no cover - reported as a skip
    openpyxl = None

NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
LABELS = {"experiment", "cell", "strategy", "workload", "status", "error"}

EXPERIMENT = """[experiment]
name = =x 0012
repetitions = 2
warmup = 0
baseline = 0012

[strategy 0012]
plugin = sync

[strategy true]
plugin = pthreads
workers = 1, 2

[workload 1.2.3]
plugin = null
count = 3

[workload sums]
plugin = cpu_sum
count = 2
first = 1000
"""

SLOW = """[experiment]
name = slow
repetitions = 1
warmup = 0
order = grouped

[strategy sync]

[workload sums]
plugin = cpu_sum
count = 4
first = 40000000, 40000001, 40000002, 40000003, 40000004, 40000005, 40000006, 40000007
"""


def unguard(s):
    return s[1:] if len(s) > 1 and s[0] == "'" and s[1] in "=+-@\t\r" else s


def values(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


@unittest.skipIf(openpyxl is None,
                 "openpyxl is missing: apt-get install python3-openpyxl "
                 "(and run this test with /usr/bin/python3)")
class Workbook(unittest.TestCase):
    maxDiff = None

    def run_ok(self, ini_text, d, *extra):
        ini = write(os.path.join(d, "e.ini"), ini_text)
        out = os.path.join(d, "r", "e.csv")
        rc, _, err = run("run", ini, "-o", out, "-q", *extra)
        self.assertEqual(rc, 0, err)
        return out

    def check_against_csv(self, ws, csv_path, sheet):
        rows = read_csv(csv_path)
        got = list(ws.iter_rows())
        self.assertEqual(len(got), len(rows), sheet)
        header = rows[0]
        for r, row in enumerate(rows):
            for c, field in enumerate(row):
                cell = got[r][c]
                where = f"{sheet}!{cell.coordinate} {field!r}"
                col = header[c]
                text = (r == 0 or sheet == "env" or col in LABELS
                        or (sheet == "matrix" and c == 0))
                if field == "":
                    self.assertIsNone(cell.value, where)
                elif text or not NUMBER.fullmatch(field) or (
                        col.startswith(("strategy.", "workload."))
                        and re.match(r"-?0\d", field)):
                    self.assertEqual(cell.data_type, "s", where)
                    self.assertEqual(cell.value, unguard(field), where)
                else:
                    self.assertEqual(cell.data_type, "n", where)
                    self.assertEqual(float(cell.value), float(field), where)

    def test_types_formats_and_sheets(self):
        with TempDir() as d:
            out = self.run_ok(EXPERIMENT, d)
            wb = openpyxl.load_workbook(out[:-4] + ".xlsx")
            self.assertEqual(wb.sheetnames,
                             ["summary", "charts", "runs", "matrix", "env"])
            base = out[:-4]
            for sheet, path in (("summary", out), ("runs", base + "-runs.csv"),
                                ("matrix", base + "-matrix.csv"),
                                ("env", base + "-env.csv")):
                ws = wb[sheet]
                self.check_against_csv(ws, path, sheet)
                self.assertEqual(ws.freeze_panes, "A2", sheet)
                self.assertEqual(ws.auto_filter.ref,
                                 f"A1:{ws.cell(ws.max_row, ws.max_column).coordinate}",
                                 sheet)
                self.assertTrue(ws["A1"].font.b, sheet)
            summary = wb["summary"]
            head = {c.value: c.column_letter for c in summary[1]}
            self.assertEqual(summary[head["wall_median_s"] + "2"].number_format,
                             "0.000000")
            self.assertEqual(summary[head["task_p50_ms"] + "2"].number_format,
                             "0.000")
            self.assertEqual(summary[head["speedup"] + "2"].number_format,
                             "0.00")
            self.assertEqual(summary[head["tasks"] + "2"].number_format,
                             "#,##0")
            strategies = {summary[head["strategy"] + str(r)].value
                          for r in range(2, summary.max_row + 1)}
            self.assertEqual(strategies, {"0012", "true"})
            self.assertEqual(summary[head["experiment"] + "2"].value,
                             "=x 0012")
            self.assertEqual(summary[head["experiment"] + "2"].data_type, "s")
            # widths fitted: the cell column is as wide as its longest id
            longest = max(len(str(summary[head["cell"] + str(r)].value))
                          for r in range(2, summary.max_row + 1))
            self.assertGreaterEqual(
                summary.column_dimensions[head["cell"]].width, longest)
            charts = wb["charts"]._charts
            # a median chart per workload cell, then speedup vs workers
            self.assertEqual([c.tagname for c in charts],
                             ["barChart", "barChart", "scatterChart"])
            for bars in charts[:2]:
                self.assertEqual(len(bars.series), 1)
                s = bars.series[0]
                self.assertRegex(s.val.numRef.f, r"^matrix!\$[BC]\$2:\$[BC]\$4$")
                self.assertEqual(s.errBars.errValType, "cust")
                self.assertRegex(s.errBars.plus.numRef.f, r"^charts!")
                self.assertRegex(s.errBars.minus.numRef.f, r"^charts!")
            self.assertEqual(len(charts[2].series), 2)  # one per workload

    def test_numbers_are_the_csv_values_exactly(self):
        # full-precision figures (17 significant digits) read back as the
        # very doubles the CSV fields hold, in every data sheet
        with TempDir() as d:
            shard = os.path.join(d, "in", "b.shard-0-of-1.csv")
            os.mkdir(os.path.dirname(shard))
            gen_shard(shard, 40)
            out = os.path.join(d, "m.csv")
            rc, _, err = run("merge", out, shard)
            self.assertEqual(rc, 0, err)
            self.assertTrue(any(len(re.sub(r"[-.]|e.*", "", f).lstrip("0"))
                                >= 17 for row in read_csv(out) for f in row
                                if NUMBER.fullmatch(f)))
            wb = openpyxl.load_workbook(out[:-4] + ".xlsx")
            self.check_against_csv(wb["summary"], out, "summary")
            self.check_against_csv(wb["matrix"], out[:-4] + "-matrix.csv",
                                   "matrix")

    def test_text_past_a_cells_limit_is_cut_visibly(self):
        # a cell holds 32,767 characters: a longer command line is cut, and
        # says so, instead of leaving the cell empty
        sets = ["--set", "null.count=1"] * 3000
        with TempDir() as d:
            out = self.run_ok(TINY_EXPERIMENT, d, *sets)
            env = dict(read_csv(out[:-4] + "-env.csv"))
            full = env["command_line"]
            self.assertGreater(len(full), 32767)
            rows = {r[0]: r[1] for r in values(
                openpyxl.load_workbook(out[:-4] + ".xlsx")["env"])}
            cut = rows["command_line"]
            self.assertIsNotNone(cut)
            self.assertLessEqual(len(cut), 32767)
            self.assertRegex(cut, r"\[truncated: [\d,]+ of [\d,]+ characters; "
                                  r"the CSV file has them all\]$")
            kept = cut[:cut.rindex(" [truncated")]
            self.assertGreater(len(kept), 32000)
            self.assertTrue(full.startswith(kept.rstrip("\u2026")))

    def test_xlsx_false(self):
        with TempDir() as d:
            out = self.run_ok(EXPERIMENT.replace(
                "warmup = 0", "warmup = 0\nxlsx = false"), d)
            self.assertTrue(os.path.exists(out))
            self.assertFalse(os.path.exists(out[:-4] + ".xlsx"))
        with TempDir() as d:
            out = self.run_ok(EXPERIMENT, d, "--set", "experiment.xlsx=no")
            self.assertFalse(os.path.exists(out[:-4] + ".xlsx"))

    def summary_rows(self, path):
        wb = openpyxl.load_workbook(path)
        return values(wb["summary"])

    def same_rows(self, xlsx_rows, csv_path):
        rows = read_csv(csv_path)
        self.assertLessEqual(len(xlsx_rows), len(rows))
        for got, want in zip(xlsx_rows, rows):
            self.assertEqual(
                [None if v is None else str(v) if isinstance(v, str)
                 else float(v) for v in got],
                [None if f == "" else float(f) if NUMBER.fullmatch(f)
                 and i > 3 else unguard(f) for i, f in enumerate(want)])
        return len(rows)

    def test_killed_run_then_resume(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "slow.ini"), SLOW)
            out = os.path.join(d, "r", "slow.csv")
            book = out[:-4] + ".xlsx"
            p = subprocess.Popen([CONCUR, "run", ini, "-o", out, "-q"],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    if os.path.exists(out) and len(read_csv(out)) >= 3:
                        break
                    time.sleep(0.05)
                p.send_signal(signal.SIGKILL)
            finally:
                p.wait(timeout=60)
            n_csv = len(read_csv(out))
            self.assertLess(n_csv, 9, "the run finished before the kill")
            rows = self.summary_rows(book)  # a whole workbook, it loads
            self.assertGreaterEqual(len(rows), 1)
            self.same_rows(rows, out)
            # --resume rebuilds it from the files, and finishes the rest;
            # the killed run left no scratch files (test_workbook_scratch)
            os.unlink(book)
            rc, _, err = run("run", ini, "-o", out, "-q", "--resume")
            self.assertEqual(rc, 0, err)
            rows = self.summary_rows(book)
            self.assertEqual(len(rows), 9)
            self.assertEqual(self.same_rows(rows, out), 9)
            runs = values(openpyxl.load_workbook(book)["runs"])
            self.assertEqual(len(runs), len(read_csv(out[:-4] + "-runs.csv")))
            self.assertFalse(os.path.exists(book + ".tmp"))


if __name__ == "__main__":
    unittest.main()
