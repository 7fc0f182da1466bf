"""`concur plot` on hostile results files.

A results file is input like any other: it may come from someone else, be
damaged, or be written to attack whoever opens the chart.  Every text the
chart shows must come out as XML text (escaped, valid UTF-8, no control
characters), and reading must stay bounded in memory.
"""
import os
import re
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

from common import CONCUR, SOURCE, TempDir, run, sanitized

SVG = "{http://www.w3.org/2000/svg}"

# What a chart may contain; anything else (a <script>, a <foreignObject>)
# means text escaped into markup.
ELEMENTS = {"svg", "rect", "text", "line", "g", "title", "path", "polyline",
            "circle"}

# Markup, quotes, entities, terminal escapes, control characters, invalid
# UTF-8 (a stray byte, an overlong '/', a surrogate) and a non-character.
PAYLOAD = (b'</title><script>alert(1)</script>"\'&amp;&<![CDATA[x]]><!--'
           b'\x01\x1b[31m\x7f\xff\xc0\xaf\xed\xa0\x80\xef\xbf\xbe-->end')
# The part of the payload that must reach the reader exactly as written.
VISIBLE = '</title><script>alert(1)</script>"\'&amp;&<![CDATA[x]]><!--'


def field(b):
    return b'"' + b.replace(b'"', b'""') + b'"'


def hostile_csv(path):
    """Every column the chart shows carries the payload, with a prefix that
    tells them apart: experiment, cell (strategy and workload halves),
    strategy, workload (through a cell id without '/'), a parameter's name
    and the other parameter values, status and error."""
    h = {k: k.encode() + PAYLOAD for k in
         ("EXP", "SC", "WC", "STRAT", "WORK", "PARAM", "STATUS", "ERR")}
    header = [b"experiment", b"cell", b"strategy", b"workload",
              b"strategy.workers", b"strategy." + h["PARAM"], b"status",
              b"wall_median_s", b"wall_ci95_low_s", b"wall_ci95_high_s",
              b"speedup", b"error"]
    rows = [header]
    for w in (1, 2, 4):
        cell = b"p[workers=%d," % w + h["SC"] + b"]/" + h["WC"]
        rows.append([h["EXP"], cell, h["STRAT"], h["WORK"], b"%d" % w,
                     b"%d" % w, b"ok", b"%g" % (1.0 / w), b"%g" % (0.9 / w),
                     b"%g" % (1.1 / w), b"%d" % w, b""])
    rows.append([h["EXP"], b"q[" + h["SC"] + b"]", h["STRAT"], h["WORK"],
                 b"", b"", h["STATUS"], b"", b"", b"", b"", h["ERR"]])
    with open(path, "wb") as f:
        for r in rows:
            f.write(b",".join(field(x) for x in r) + b"\r\n")


class TestPlotEscaping(unittest.TestCase):
    def test_hostile_text_in_every_column_stays_text(self):
        with TempDir() as d:
            csv = os.path.join(d, "h.csv")
            svg = os.path.join(d, "h.svg")
            hostile_csv(csv)
            rc, _, se = run("plot", csv, "-o", svg)
            self.assertEqual(rc, 0, se)
            with open(svg, "rb") as f:
                raw = f.read()
            text = raw.decode("utf-8")  # strict: valid UTF-8 only
            bad = [c for c in text if ord(c) < 0x20 and c not in "\t\n\r"]
            self.assertEqual(bad, [], "control characters in the SVG")
            self.assertNotIn("\ufffe", text)
            root = ET.fromstring(raw)  # well-formed XML
            for el in root.iter():
                name = el.tag.replace(SVG, "")
                self.assertIn(name, ELEMENTS, "markup from the data: " + name)
                for attr in el.attrib:
                    self.assertFalse(attr.lower().startswith("on"), attr)
            shown = "\n".join("".join(el.itertext())
                              for el in root.iter(SVG + "title")) + \
                "\n".join("".join(el.itertext())
                          for el in root.iter(SVG + "text"))
            for key in ("EXP", "SC", "WC", "STRAT", "WORK", "PARAM",
                        "STATUS", "ERR"):
                self.assertIn(key + VISIBLE, shown, key)
            # Invalid bytes and control characters became U+FFFD, in place.
            self.assertIn("STATUS" + VISIBLE + "\ufffd", shown)
            self.assertTrue(re.search("\ufffd+-->end", shown), shown[-200:])

    def test_legend_shortening_never_cuts_a_character(self):
        """The legend cuts long labels to 44 characters; cutting inside a
        multi-byte character or an escape would leave invalid text."""
        with TempDir() as d:
            csv = os.path.join(d, "u.csv")
            label = "\u00e9\u4e2d&<" * 30
            with open(csv, "w", encoding="utf-8", newline="") as f:
                f.write("experiment,cell,strategy,workload,status,"
                        "wall_median_s\r\n")
                f.write(f'e,"{label}/w",s,w,ok,1\r\n')
            rc, _, se = run("plot", csv, "-o", os.path.join(d, "u.svg"))
            self.assertEqual(rc, 0, se)
            root = ET.parse(os.path.join(d, "u.svg")).getroot()
            legend = [t for t in ("".join(x.itertext())
                                  for x in root.iter(SVG + "text"))
                      if t.endswith("\u2026")]
            self.assertEqual(len(legend), 1, legend)
            self.assertTrue(label.startswith(legend[0][:-1]), legend)


def plot_rss_kib(csv, svg):
    """(exit status, stderr, peak resident KiB) of `concur plot` on csv.
    GNU time measures it: a child's ru_maxrss starts from its parent's peak
    when it forks, and this Python process is far bigger than concur."""
    p = subprocess.run(["/usr/bin/time", "-f", "maxrss_kib=%M", CONCUR,
                        "plot", csv, "-o", svg],
                       capture_output=True, text=True, timeout=120)
    m = re.search(r"maxrss_kib=(\d+)\s*$", p.stderr)
    assert m, p.stderr
    return p.returncode, p.stderr[:m.start()], int(m.group(1))


class TestPlotMemoryBound(unittest.TestCase):
    """Peak memory of `concur plot` above what a one-row file takes stays
    under 10x the file's size (the speed half is a benchmark:
    configs/bench/plot-scale.sh)."""

    FACTOR = 10

    def baseline(self, d):
        tiny = os.path.join(d, "tiny.csv")
        with open(tiny, "w", newline="") as f:
            f.write("cell,strategy,wall_median_s\r\na/w,a,1\r\n")
        rc, err, rss = plot_rss_kib(tiny, os.path.join(d, "tiny.svg"))
        self.assertEqual(rc, 0, err)
        return rss

    def check_bound(self, d, csv, want_rc=0):
        base = self.baseline(d)
        rc, err, rss = plot_rss_kib(csv, os.path.join(d, "out.svg"))
        self.assertEqual(rc, want_rc, err)
        if sanitized():
            return err  # the exit status and message still count
        size_kib = os.path.getsize(csv) / 1024
        self.assertLess(rss - base, self.FACTOR * size_kib,
                        f"peak {rss} KiB (tiny file: {base} KiB) for a "
                        f"{size_kib:.0f} KiB file")
        return err

    def test_a_large_matrix(self):
        with TempDir() as d:
            csv = os.path.join(d, "big.csv")
            subprocess.run([sys.executable,
                            os.path.join(SOURCE, "scripts", "gen-summary.py"),
                            "20000", csv], check=True)
            self.check_bound(d, csv)
            root = ET.parse(os.path.join(d, "out.svg")).getroot()
            self.assertEqual(len([g for g in root.iter(SVG + "g")]), 20000)

    def test_a_line_of_commas(self):
        """Each empty field used to cost a malloc'd string and a pointer:
        ~50x the file."""
        with TempDir() as d:
            csv = os.path.join(d, "commas.csv")
            with open(csv, "w", newline="") as f:
                f.write("experiment,cell,strategy,workload,status,"
                        "wall_median_s\r\ne,a/w,a,w,ok,1\r\n")
                f.write("," * 4_000_000 + "\r\n")
            self.check_bound(d, csv)

    def test_a_header_of_commas_and_many_rows(self):
        with TempDir() as d:
            csv = os.path.join(d, "wide.csv")
            with open(csv, "w", newline="") as f:
                f.write("cell,strategy,wall_median_s" +
                        ",strategy.x" * 20000 + "\r\n")
                for i in range(100):
                    f.write(f"a{i}/w,a,1" + ",1" * 20000 + "\r\n")
            self.check_bound(d, csv)

    def test_rows_too_small_for_a_summary_are_refused(self):
        """A file of tiny rows would make the model bigger than the bound:
        refused with a message, not read on."""
        with TempDir() as d:
            csv = os.path.join(d, "tiny-rows.csv")
            with open(csv, "w", newline="") as f:
                f.write("cell,strategy,wall_median_s\r\n")
                f.write("a/w,a,1\n" * 1_000_000)
            err = self.check_bound(d, csv, want_rc=2)
            self.assertIn("too many for the file's size", err)


class TestPlotOutput(unittest.TestCase):
    """-o never overwrites the results file being drawn, and an existing
    file only with --force (as run treats its results)."""

    def summary(self, d):
        csv = os.path.join(d, "s.csv")
        with open(csv, "w", newline="") as f:
            f.write("experiment,cell,strategy,workload,status,"
                    "wall_median_s\r\ne,a/w,a,w,ok,1\r\n")
        return csv

    def test_the_input_is_never_the_output(self):
        with TempDir() as d:
            csv = self.summary(d)
            os.symlink(csv, os.path.join(d, "alias.svg"))
            os.link(csv, os.path.join(d, "hard.svg"))
            with open(csv, "rb") as f:
                before = f.read()
            for target in (csv, os.path.join(d, "alias.svg"),
                           os.path.join(d, "hard.svg"),
                           os.path.join(d, ".", "s.csv")):
                for force in ([], ["--force"]):
                    rc, out, err = run("plot", csv, "-o", target, *force)
                    self.assertEqual(rc, 2, err)
                    self.assertEqual(out, "")
                    self.assertIn("is the results file being drawn", err)
            with open(csv, "rb") as f:
                self.assertEqual(f.read(), before)
            self.assertTrue(os.path.islink(os.path.join(d, "alias.svg")))

    def test_an_existing_file_needs_force(self):
        with TempDir() as d:
            csv = self.summary(d)
            svg = os.path.join(d, "old.svg")
            with open(svg, "w") as f:
                f.write("precious\n")
            rc, out, err = run("plot", csv, "-o", svg)
            self.assertEqual(rc, 2, err)
            self.assertIn("already exists: add --force to overwrite it", err)
            with open(svg) as f:
                self.assertEqual(f.read(), "precious\n")
            rc, out, err = run("plot", csv, "-o", svg, "--force")
            self.assertEqual(rc, 0, err)
            ET.parse(svg)
            # the chart beside the results file is concur's own: redrawn
            rc, out, err = run("plot", csv)
            self.assertEqual(rc, 0, err)
            rc, out, err = run("plot", csv)
            self.assertEqual(rc, 0, err)
            ET.parse(os.path.join(d, "s.svg"))


if __name__ == "__main__":
    unittest.main()
