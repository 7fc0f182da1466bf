"""The people's interface: charts, progress, help, the gallery.

Runs the real concur binary.  Experiments here use the fake clock
(CONCUR_FAKE_CLOCK=1) where the figures matter, so the chart's bars have
known heights.
"""
import glob
import os
import pty
import re
import select
import shutil
import subprocess
import unittest
import xml.etree.ElementTree as ET

from common import CONCUR, SOURCE, TempDir, read_dicts, run, write

SVG = "{http://www.w3.org/2000/svg}"

SMALL = """\
[experiment]
name        = ui
repetitions = 2
warmup      = 0
timeout     = 20s
baseline    = sync

[strategy sync]

[strategy pthreads]
workers = 1, 2

[workload sums]
plugin = cpu_sum
count  = 4
first  = 1000

[workload nothing]
plugin = null
count  = 10
"""

STRATEGY_CELLS = ["sync", "pthreads[workers=1]", "pthreads[workers=2]"]
WORKLOAD_CELLS = ["sums", "nothing"]
FAKE = {"CONCUR_FAKE_CLOCK": "1"}


def texts(root):
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def bars(root):
    """{tooltip: <g>} for every bar: a <g> with a <title> and a <rect> (or,
    for a cell that did not finish ok, a cross in a <text>)."""
    return {g.find(SVG + "title").text: g for g in root.iter(SVG + "g")
            if g.find(SVG + "title") is not None}


def bar_for(found, scell, wcell):
    """The <rect> of one bar."""
    matches = [g for t, g in found.items() if t.startswith(f"{scell} / {wcell}:")]
    assert len(matches) == 1, (scell, wcell, list(found))
    return matches[0].find(SVG + "rect")


class TestPlot(unittest.TestCase):
    def run_small(self, d, *extra, env=FAKE):
        ini = write(os.path.join(d, "ui.ini"), SMALL)
        out = os.path.join(d, "res", "ui.csv")
        rc, so, se = run("run", ini, "-o", out, "--force", *extra, env=env)
        self.assertEqual(rc, 0, se)
        return out, so, se

    def test_run_draws_chart_beside_csv(self):
        with TempDir() as d:
            out, so, _ = self.run_small(d, "-q")
            svg = os.path.join(d, "res", "ui.svg")
            self.assertIn("chart:   " + svg, so)
            root = ET.parse(svg).getroot()
            self.assertEqual(root.tag, SVG + "svg")
            found = bars(root)
            self.assertEqual(len(found), len(STRATEGY_CELLS) * len(WORKLOAD_CELLS))
            words = texts(root)
            for label in STRATEGY_CELLS + WORKLOAD_CELLS:
                self.assertIn(label, words)
            self.assertTrue(any("median wall time" in w and "\u00b5s" in w
                                for w in words), words)

    def test_bar_heights_follow_medians(self):
        with TempDir() as d:
            out, _, _ = self.run_small(d, "-q")
            rows = {r["cell"]: float(r["wall_median_s"]) for r in read_dicts(out)}
            found = bars(ET.parse(os.path.join(d, "res", "ui.svg")).getroot())
            # the values span < 2 decades: a linear axis from zero
            a = bar_for(found, "sync", "sums")
            b = bar_for(found, "sync", "nothing")
            ratio = float(b.get("height")) / float(a.get("height"))
            want = rows["sync/nothing"] / rows["sync/sums"]
            self.assertAlmostEqual(ratio, want, delta=0.02 * want)
            # one colour per strategy cell, the same in every workload group
            for s in STRATEGY_CELLS:
                self.assertEqual(bar_for(found, s, "sums").get("fill"),
                                 bar_for(found, s, "nothing").get("fill"))
            self.assertNotEqual(bar_for(found, "sync", "sums").get("fill"),
                                bar_for(found, "pthreads[workers=2]", "sums").get("fill"))

    def test_speedup_lines_when_workers_vary(self):
        with TempDir() as d:
            self.run_small(d, "-q")
            root = ET.parse(os.path.join(d, "res", "ui.svg")).getroot()
            lines = list(root.iter(SVG + "polyline"))
            self.assertEqual(len(lines), 2)  # pthreads workers x 2 workloads
            for p in lines:
                self.assertEqual(len(p.get("points").split()), 2)  # workers 1, 2
            self.assertTrue(any(w.startswith("speedup against workers")
                                for w in texts(root)))

    def test_no_speedup_chart_without_varying_parameter(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "x.ini"),
                        SMALL.replace("workers = 1, 2", "workers = 2"))
            out = os.path.join(d, "x.csv")
            rc, _, se = run("run", ini, "-o", out, "--force", "-q", env=FAKE)
            self.assertEqual(rc, 0, se)
            root = ET.parse(os.path.join(d, "x.svg")).getroot()
            self.assertEqual(list(root.iter(SVG + "polyline")), [])
            self.assertEqual(len(bars(root)), 4)

    def test_plot_command(self):
        with TempDir() as d:
            out, _, _ = self.run_small(d, "-q")
            target = os.path.join(d, "other.svg")
            rc, so, se = run("plot", out, "-o", target)
            self.assertEqual(rc, 0, se)
            self.assertIn(target, so)
            self.assertEqual(len(bars(ET.parse(target).getroot())), 6)
            self.assertEqual(glob.glob(os.path.join(d, "*.tmp*")), [])

    def test_log_scale_when_values_span_decades(self):
        with TempDir() as d:
            csv = os.path.join(d, "s.csv")
            with open(csv, "w", newline="") as f:
                f.write("experiment,cell,strategy,workload,status,wall_median_s,"
                        "wall_ci95_low_s,wall_ci95_high_s,speedup,error\r\n"
                        "e,a/w,a,w,ok,0.001,0.0009,0.0011,1,\r\n"
                        "e,b/w,b,w,ok,2.5,2.4,2.6,0.0004,\r\n"
                        "e,c/w,c,w,crashed,,,,,'-boom\r\n")
            rc, _, se = run("plot", csv)
            self.assertEqual(rc, 0, se)
            root = ET.parse(os.path.join(d, "s.svg")).getroot()
            words = texts(root)
            self.assertTrue(any("log scale" in w for w in words), words)
            self.assertEqual(len(bars(root)), 3)  # the failed cell's cross too
            self.assertIn("\u00d7", words)
            self.assertTrue(any(t.startswith("c / w: crashed -boom")
                                for t in bars(root)), list(bars(root)))

    def test_plot_refuses_what_it_cannot_draw(self):
        with TempDir() as d:
            out, _, _ = self.run_small(d, "-q")
            runs = out.replace("ui.csv", "ui-runs.csv")
            rc, _, se = run("plot", runs, "-o", os.path.join(d, "r.svg"))
            self.assertEqual(rc, 2)
            self.assertIn("not a concur summary", se)
            rc, _, se = run("plot", os.path.join(d, "missing.csv"))
            self.assertEqual(rc, 2)
            self.assertIn("missing.csv", se)
            rc, _, se = run("plot")
            self.assertEqual(rc, 2)
            self.assertFalse(os.path.exists(os.path.join(d, "r.svg")))


class TestProgress(unittest.TestCase):
    def test_quiet_prints_nothing_on_stderr(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "ui.ini"), SMALL)
            rc, so, se = run("run", ini, "-o", os.path.join(d, "u.csv"),
                             "--force", "--quiet")
            self.assertEqual(rc, 0, se)
            self.assertEqual(se, "")
            self.assertIn("results:", so)

    def test_not_a_terminal_one_plain_line_per_cell(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "ui.ini"), SMALL)
            rc, _, se = run("run", ini, "-o", os.path.join(d, "u.csv"), "--force")
            self.assertEqual(rc, 0, se)
            lines = se.splitlines()
            self.assertEqual(len(lines), 6, se)
            for i, line in enumerate(lines, 1):
                self.assertRegex(line, rf"^\[{i}/6\] \S+/\S+ +ok ")
            self.assertNotIn("\x1b", se)
            self.assertNotIn("\r", se)

    def run_on_terminal(self, d, env):
        """Run with stderr on a pseudo-terminal; return what it showed."""
        ini = write(os.path.join(d, "ui.ini"), SMALL)
        master, slave = pty.openpty()
        full = dict(os.environ)
        full.pop("NO_COLOR", None)
        full.update(TERM="xterm", **env)
        p = subprocess.Popen([CONCUR, "run", ini, "-o", os.path.join(d, "u.csv"),
                              "--force"], stdout=subprocess.DEVNULL,
                             stderr=slave, env=full)
        os.close(slave)
        seen = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                p.kill()
                self.fail("no output on the terminal for 60 s")
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child side is closed
                break
            if not chunk:
                break
            seen += chunk
        os.close(master)
        self.assertEqual(p.wait(timeout=60), 0)
        return seen.decode()

    def test_terminal_status_line_redrawn_in_place(self):
        with TempDir() as d:
            shown = self.run_on_terminal(d, {})
            # a status line per run: 6 cells x 2 runs, each redrawn with \r ESC[K
            status = re.findall(r"\r\x1b\[Kcell (\d+)/6 .*?run (\d)/2", shown)
            self.assertEqual(len(status), 12, repr(shown))
            self.assertIn("elapsed", shown)
            self.assertIn("ETA", shown)
            self.assertIn("\x1b[32mok\x1b[0m", shown)  # coloured status
            for i in range(1, 7):
                self.assertRegex(shown, rf"\[{i}/6\] ")

    def test_no_color(self):
        with TempDir() as d:
            shown = self.run_on_terminal(d, {"NO_COLOR": "1"})
            self.assertIn("cell 1/6", shown)
            self.assertIsNone(re.search(r"\x1b\[[0-9;]*m", shown), repr(shown))


class TestHelp(unittest.TestCase):
    def test_help_plugin_shows_every_parameter(self):
        rc, so, se = run("help", "cpu_sum")
        self.assertEqual(rc, 0, se)
        self.assertRegex(so, r"^workload cpu_sum \S+\n")
        self.assertIn("cpu_sum.so", so)
        # every parameter `concur list` knows for it, with type, default, range
        rc, listing, _ = run("list")
        block = listing.split("workload cpu_sum ")[1].split("\nworkload ")[0]
        params = re.findall(r"^    (\w+) +(\w+) += (\S+)", block, re.M)
        self.assertGreaterEqual(len(params), 4)
        for name, type_, default in params:
            m = re.search(rf"^  {name}\n      type     {type_}.*\n"
                          rf"      default  {re.escape(default)}\n"
                          rf"      range    .+\n      \S", so, re.M)
            self.assertIsNotNone(m, f"{name} in:\n{so}")
        self.assertIn("[workload cpu_sum]", so)

    def test_help_strategy(self):
        rc, so, _ = run("help", "pthreads")
        self.assertEqual(rc, 0)
        self.assertIn("strategy pthreads", so)
        self.assertIn("workers", so)

    def test_help_unknown_plugin_is_a_usage_error(self):
        rc, so, se = run("help", "no_such_plugin")
        self.assertEqual(rc, 2)
        self.assertIn("no_such_plugin", se)
        self.assertEqual(so, "")

    def test_help_shows_a_working_example(self):
        rc, so, _ = run("--help")
        self.assertEqual(rc, 0)
        self.assertIn("concur run configs/quick.ini", so)
        for cmd in ("run", "validate", "list", "help", "plot", "serve"):
            self.assertRegex(so, rf"\n  {cmd} ")
        with TempDir() as d:
            rc, so, se = run("run", "configs/quick.ini", "--force", "-q",
                             "-o", os.path.join(d, "q.csv"), cwd=SOURCE)
            self.assertEqual(rc, 0, se)
            self.assertTrue(os.path.exists(os.path.join(d, "q.svg")))

    def test_list_ends_with_search_path(self):
        rc, so, _ = run("list")
        self.assertEqual(rc, 0)
        self.assertIn("searched, first match wins:", so)

    @unittest.skipUnless(shutil.which("groff"), "groff not installed")
    def test_man_page_renders_without_warnings(self):
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z",
                            os.path.join(SOURCE, "docs", "concur.1")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stderr, "")


class TestGallery(unittest.TestCase):
    def test_every_config_validates(self):
        files = sorted(glob.glob(os.path.join(SOURCE, "configs", "*.ini")) +
                       glob.glob(os.path.join(SOURCE, "configs", "bench", "*.ini")))
        self.assertGreaterEqual(len(files), 5)
        for path in files:
            with self.subTest(config=os.path.relpath(path, SOURCE)):
                rc, so, se = run("validate", path)
                self.assertEqual(rc, 0, se)
                self.assertIn(": ok: ", so)

    def test_every_config_says_what_question_it_answers(self):
        for path in glob.glob(os.path.join(SOURCE, "configs", "*.ini")):
            with self.subTest(config=os.path.basename(path)):
                with open(path, encoding="utf-8") as f:
                    head = f.readline()
                self.assertTrue(head.startswith(";"), head)
                self.assertIn(os.path.basename(path), head)


if __name__ == "__main__":
    unittest.main()
