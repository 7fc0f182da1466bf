"""The results open right in LibreOffice under a German locale.

One LibreOffice start-up (headless, private profile, de_DE.UTF-8) converts
to .ods: the workbooks of two experiments, the four CSV files of one of
them with LibreOffice's default import settings, and a control file.  The
cells read back from the .ods files must show:

- workbook: the five sheets; every cell of the four data sheets equal to
  its CSV field (numbers as numbers, exactly equal; labels and env values
  as text, without the formula guard: 0012, 1.2.3, -x, 1e5 stay text); the
  median charts (bars with custom error bars read from the charts sheet,
  whose lengths are the CSV's CI around the median) and the speedup chart;
- CSV: no cell became a number other than its true value (48.845 would
  have become 48845: the control file proves this LibreOffice does that).
"""
import os
import re
import shutil
import unittest

import ods
from common import BUILD, SOURCE, TempDir, read_csv, run, write

NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
LABELS = {"experiment", "cell", "strategy", "workload", "status", "error"}
FIXTURES = os.path.join(BUILD, "tests", "fixtures", "workloads")

RISKY = """[experiment]
name = =Größe 1.2.3
repetitions = 3
warmup = 0
baseline = 0012

[strategy 0012]
plugin = sync

[strategy 1.2.3]
plugin = pthreads
workers = 1, 2, 4

[workload -x]
plugin = null
count = 3

[workload 1e5]
plugin = cpu_sum
count = 2
first = 1000
"""


def unguard(s):
    return s[1:] if len(s) > 1 and s[0] == "'" and s[1] in "=+-@\t\r" else s


def is_param_number(field):
    digits = field.lstrip("-")
    return (re.fullmatch(r"-?\d+(\.\d+)?", field) is not None
            and not (len(digits) > 1 and digits[0] == "0"
                     and digits[1].isdigit()))


def siblings(csv_path):
    base = csv_path[:-4]
    return {"summary": csv_path, "runs": base + "-runs.csv",
            "matrix": base + "-matrix.csv", "env": base + "-env.csv"}


@unittest.skipIf(ods.SOFFICE is None, ods.NO_SOFFICE)
class LibreOfficeGerman(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if not ods.locale_available("de_DE.UTF-8"):
            raise unittest.SkipTest(
                "the de_DE.UTF-8 locale is missing: "
                "localedef -i de_DE -f UTF-8 de_DE.UTF-8")
        cls.tmp = TempDir()
        d = cls.dir = cls.tmp.__enter__()
        risky = write(os.path.join(d, "risky.ini"), RISKY)
        cls.a = os.path.join(d, "a", "a.csv")
        rc, _, err = run("run", risky, "-o", cls.a, "-q")
        assert rc == 0, err
        cls.b = os.path.join(d, "b", "b.csv")
        rc, _, err = run("run", os.path.join(SOURCE, "tests", "golden",
                                             "crossed.ini"),
                         "-o", cls.b, "-q", "--plugin-path", FIXTURES,
                         env={"CONCUR_FAKE_CLOCK": "1"})
        assert rc == 0, err
        inputs = [shutil.copy(cls.a[:-4] + ".xlsx",
                              os.path.join(d, "a-book.xlsx")),
                  shutil.copy(cls.b[:-4] + ".xlsx",
                              os.path.join(d, "b-book.xlsx")),
                  write(os.path.join(d, "control.csv"),
                        "x\r\n48.845\r\n")]
        inputs += list(siblings(cls.b).values())
        out = os.path.join(d, "ods")
        os.mkdir(out)
        done = ods.convert(inputs, out)
        cls.ods = dict(zip(["a", "b", "control", "b.csv", "b-runs.csv",
                            "b-matrix.csv", "b-env.csv"], done))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    # ---- the workbook -------------------------------------------------

    def expect_cell(self, where, got, field, text):
        if text or not NUMBER.fullmatch(field):
            if field == "":
                self.assertIsNone(got, where)
                return
            self.assertIsNotNone(got, where)
            self.assertEqual((got.type, got.text), ("string", unguard(field)),
                             where)
            return
        self.assertIsNotNone(got, where)
        self.assertEqual(got.type, "float", f"{where}: {got}")
        self.assertEqual(got.value, float(field), where)

    def check_sheet(self, sheet, rows, name):
        self.assertEqual(len(sheet), len(rows), name)
        header = rows[0]
        for r, row in enumerate(rows):
            for c, field in enumerate(row):
                got = sheet[r][c] if c < len(sheet[r]) else None
                col = header[c]
                text = (r == 0 or name == "env" or col in LABELS
                        or (name == "matrix" and c == 0)
                        or (col.startswith(("strategy.", "workload."))
                            and not is_param_number(field)))
                self.expect_cell(f"{name} row {r + 1} {col}", got, field,
                                 text)

    def check_workbook(self, key, csv_path):
        sheets = ods.read_sheets(self.ods[key])
        self.assertEqual(list(sheets),
                         ["summary", "charts", "runs", "matrix", "env"])
        for name, path in siblings(csv_path).items():
            self.check_sheet(sheets[name], read_csv(path), name)
        return sheets

    def test_workbook_risky_labels(self):
        sheets = self.check_workbook("a", self.a)
        summary = sheets["summary"]
        col = {c.text: i for i, c in enumerate(summary[0])}
        labels = {(r[col["strategy"]].type, r[col["strategy"]].text)
                  for r in summary[1:]}
        self.assertEqual(labels, {("string", "0012"), ("string", "1.2.3")})
        workloads = {r[col["workload"]].text for r in summary[1:]}
        self.assertEqual(workloads, {"-x", "1e5"})  # no guard, not a number
        self.assertEqual(summary[1][col["experiment"]].text, "=Größe 1.2.3")
        self.assertEqual(summary[1][col["runs"]].type, "float")

    def test_workbook_crossed(self):
        self.check_workbook("b", self.b)

    def test_charts(self):
        charts = ods.chart_objects(self.ods["a"])
        classes = sorted(c for c, _ in charts)
        # one median chart per workload cell, speedup against workers
        self.assertEqual(classes, ["chart:bar", "chart:bar", "chart:scatter"])
        for bar in (x for c, x in charts if c == "chart:bar"):
            self.assertIn('chart:error-category="cell-range"', bar)
            self.assertRegex(bar, r'chart:error-upper-range="charts\.')
            self.assertRegex(bar, r'chart:error-lower-range="charts\.')

    def test_error_bar_lengths_are_the_ci(self):
        """The charts sheet's whisker tables hold median - ci95_low and
        ci95_high - median of each cell (0 where the median is outside)."""
        sheets = ods.read_sheets(self.ods["a"])
        rows = read_csv(self.a)
        h = {n: i for i, n in enumerate(rows[0])}
        by_id = {r[h["cell"]]: r for r in rows[1:]}
        chart = sheets["charts"]
        m = 12  # column M
        tables, checked = {}, 0
        for i, row in enumerate(chart):
            if len(row) > m and row[m] is not None and \
                    row[m].text in ("below (s)", "above (s)"):
                tables[row[m].text] = i
        self.assertEqual(set(tables), {"below (s)", "above (s)"})
        for name, top in tables.items():
            wcells = [c.text for c in chart[top][m + 1:] if c is not None]
            r = top + 1
            while r < len(chart) and len(chart[r]) > m and \
                    chart[r][m] is not None and chart[r][m].text not in (
                        "below (s)", "above (s)"):
                scell = chart[r][m].text
                for j, w in enumerate(wcells):
                    src = by_id[unguard(scell) + "/" + w] \
                        if unguard(scell) + "/" + w in by_id \
                        else by_id["'" + scell + "/" + w]
                    med, lo, hi = (float(src[h[k]]) for k in (
                        "wall_median_s", "wall_ci95_low_s",
                        "wall_ci95_high_s"))
                    want = max(med - lo, 0) if name == "below (s)" \
                        else max(hi - med, 0)
                    got = chart[r][m + 1 + j]
                    self.assertEqual(got.type, "float")
                    self.assertAlmostEqual(got.value, want,
                                           delta=1e-12 + 1e-12 * want)
                    checked += 1
                r += 1
        self.assertEqual(checked, 2 * 4 * 2)  # 2 tables x 4 x 2 cells

    # ---- the CSV, LibreOffice defaults ----------------------------------

    def test_control_shows_the_hazard(self):
        """This LibreOffice, under de_DE, does read 48.845 as 48845."""
        sheet = ods.read_sheets(self.ods["control"])
        cells = [c for row in sheet.values() for c in row]
        self.assertEqual(cells[1][0].type, "float")
        self.assertEqual(cells[1][0].value, 48845.0)

    def test_csv_default_import_never_misreads(self):
        padded = 0
        numbers = 0
        for key in ("b.csv", "b-runs.csv", "b-matrix.csv", "b-env.csv"):
            path = os.path.join(os.path.dirname(self.b), key)
            rows = read_csv(path)
            sheet = next(iter(ods.read_sheets(self.ods[key]).values()))
            for r, row in enumerate(rows):
                for c, field in enumerate(row):
                    padded += re.fullmatch(r"-?\d+\.\d{3}0", field) is not None
                    got = sheet[r][c] if r < len(sheet) and \
                        c < len(sheet[r]) else None
                    if got is None or got.type != "float":
                        continue
                    where = f"{key} row {r + 1} column {c + 1}: {field!r}"
                    self.assertTrue(NUMBER.fullmatch(field),
                                    f"{where} became the number {got.value}")
                    self.assertEqual(got.value, float(field), where)
                    numbers += 1
        self.assertGreater(padded, 0, "no value exercised the 3-decimal rule")
        self.assertGreater(numbers, 100, "LibreOffice read almost no numbers")


if __name__ == "__main__":
    unittest.main()
