"""concur merge: the shards of one experiment back into the four files.

Real shards are written by the real binary (concur run --shard), then merged,
damaged, mixed and renamed; the merged files are compared with a
single-machine run of the same experiment.
"""
import csv
import glob
import os
import shutil
import unittest

from common import TempDir, read_csv, read_dicts, run, write

# 3 strategy cells x 5 workload cells; one cell fails, so statuses vary.
EXPERIMENT = """\
[experiment]
name = mrg
repetitions = 2
warmup = 0
baseline = sync

[strategy sync]

[strategy pthreads]
workers = 2, 3

[workload w]
plugin = null
count = 1..3

[workload sums]
plugin = cpu_sum
count = 3
first = 1000

[workload bad]
plugin = http_download
url = http://127.0.0.1:1/
count = 2
"""

OTHER = EXPERIMENT.replace("count = 1..3", "count = 1..2")


def env_rows(path):
    return read_csv(path)[1:]


def env_dict(path):
    return {k: v for k, v in env_rows(path)}


class Merge(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = TempDir()
        cls.dir = cls._tmp.__enter__()
        cls.exp = write(os.path.join(cls.dir, "mrg.ini"), EXPERIMENT)
        cls.whole = os.path.join(cls.dir, "whole", "mrg.csv")
        rc, _, err = run("run", cls.exp, "-o", cls.whole, "-q")
        assert rc == 1, err  # the 'bad' workload fails some tasks
        cls.shards = os.path.join(cls.dir, "shards")
        for k in range(3):
            rc, _, err = run("run", cls.exp, "-o",
                             os.path.join(cls.shards, "mrg.csv"),
                             "--shard", f"{k}/3", "-q")
            assert rc in (0, 1), err

    @classmethod
    def tearDownClass(cls):
        cls._tmp.__exit__(None, None, None)

    def setUp(self):
        self.work = os.path.join(self.dir, self.id().split(".")[-1])
        shutil.copytree(self.shards, os.path.join(self.work, "in"))
        self.inp = os.path.join(self.work, "in")
        self.out = os.path.join(self.work, "out", "mrg.csv")

    def shard(self, k, suffix=""):
        return os.path.join(self.inp, f"mrg.shard-{k}-of-3{suffix}.csv")

    def merge(self, *args):
        return run("merge", self.out, *args)

    def assert_nothing_written(self):
        self.assertFalse(os.path.exists(self.out))
        self.assertFalse(os.path.exists(self.out[:-4] + "-env.csv"))

    def test_same_cells_statuses_columns_as_one_machine(self):
        rc, out, err = self.merge(self.inp)
        self.assertEqual(rc, 1, err)  # a cell failed, as in the whole run
        whole, merged = read_dicts(self.whole), read_dicts(self.out)
        self.assertEqual(read_csv(self.whole)[0], read_csv(self.out)[0])
        self.assertEqual(
            sorted((r["cell"], r["status"], r["runs"], r["tasks"],
                    r["tasks_failed"], r["strategy.workers"],
                    r["workload.count"]) for r in whole),
            sorted((r["cell"], r["status"], r["runs"], r["tasks"],
                    r["tasks_failed"], r["strategy.workers"],
                    r["workload.count"]) for r in merged))
        # experiment order: strategy cells, then workload cells
        dry = run("run", self.exp, "--dry-run")[1].splitlines()
        order = [line.split("\t")[1] for line in dry if "\t" in line]
        self.assertEqual([r["cell"] for r in merged], order)
        runs_whole = read_csv(self.whole[:-4] + "-runs.csv")
        runs_merged = read_csv(self.out[:-4] + "-runs.csv")
        self.assertEqual(runs_whole[0], runs_merged[0])
        self.assertEqual(sorted((r[1], r[4], r[5]) for r in runs_whole[1:]),
                         sorted((r[1], r[4], r[5]) for r in runs_merged[1:]))
        mw = read_csv(self.whole[:-4] + "-matrix.csv")
        mm = read_csv(self.out[:-4] + "-matrix.csv")
        self.assertEqual(mw[0], mm[0])
        self.assertEqual([r[0] for r in mw], [r[0] for r in mm])
        self.assertIn("merged: 15 of 15 cells from 3 shards", out)
        # the chart and the workbook, as a run writes them
        with open(self.out[:-4] + ".xlsx", "rb") as f:
            self.assertEqual(f.read(2), b"PK")
        self.assertTrue(os.path.getsize(self.out[:-4] + ".svg") > 0)

    def test_speedup_recomputed_from_medians(self):
        rc, out, err = self.merge(self.inp)
        self.assertEqual(rc, 1, err)
        rows = read_dicts(self.out)
        base = {r["workload"] + r["workload.count"]: float(r["wall_median_s"])
                for r in rows if r["strategy"] == "sync"}
        for r in rows:
            want = base[r["workload"] + r["workload.count"]] / float(
                r["wall_median_s"])
            self.assertAlmostEqual(float(r["speedup"]), want,
                                   delta=want * 1e-5)
        matrix = read_csv(self.out[:-4] + "-matrix.csv")
        cells = {(r["strategy"] + ("[workers=%s]" % r["strategy.workers"]
                                   if r["strategy"] == "pthreads" else ""),
                  r["cell"].split("/", 1)[1]): r["wall_median_s"]
                 for r in rows}
        for line in matrix[1:]:
            for col, v in zip(matrix[0][1:], line[1:]):
                self.assertEqual(v, cells[(line[0], col)])

    def test_env_has_a_block_per_host(self):
        env = self.shard(1, "-env")
        rows = [[k, {"host": "node-b", "cpu_model": "Other CPU 9000"}.get(
            k, v)] for k, v in env_rows(env)]
        write(env, "key,value\r\n" + "".join(f"{k},{v}\r\n" for k, v in rows))
        rc, out, err = self.merge(self.inp)
        self.assertEqual(rc, 1, err)
        pairs = env_rows(self.out[:-4] + "-env.csv")
        hosts = [v for k, v in pairs if k == "host"]
        self.assertEqual(len(hosts), 2)
        self.assertIn("node-b", hosts)
        self.assertEqual(dict(pairs)["shards_merged"], "0 1 2")
        self.assertEqual(dict(pairs)["shards_missing"], "")
        self.assertEqual(dict(pairs)["experiment_sha256"],
                         env_dict(self.whole[:-4] + "-env.csv")[
                             "experiment_sha256"])
        blocks = {}
        for k, v in pairs:
            if k == "host":
                cur = blocks.setdefault(v, {})
            elif k in ("cpu_model", "kernel", "load_average", "host_shards"):
                cur[k] = v
        self.assertEqual(blocks["node-b"]["cpu_model"], "Other CPU 9000")
        self.assertEqual(blocks["node-b"]["host_shards"], "1")
        self.assertTrue(all(b["kernel"] and b["load_average"]
                            for b in blocks.values()))
        self.assertIn("different CPU models", out)
        self.assertIn("Other CPU 9000", out)

    def test_one_cpu_model_no_warning(self):
        rc, out, err = self.merge(self.inp)
        self.assertNotIn("CPU models", out)

    def test_missing_shard_refused_then_partial(self):
        for f in glob.glob(os.path.join(self.inp, "mrg.shard-1-of-3*")):
            os.unlink(f)
        rc, out, err = self.merge(self.inp)
        self.assertEqual(rc, 2)
        self.assertIn("shard 1 of 3 is missing", err)
        self.assertIn("--partial", err)
        self.assert_nothing_written()
        rc, out, err = self.merge(self.inp, "--partial")
        self.assertEqual(rc, 1, err)
        self.assertIn("shard 1 of 3 is missing", err)
        merged = read_dicts(self.out)
        self.assertEqual(len(merged), 15 - 3 * 2)  # shard 1: 2 workload cells
        env = env_dict(self.out[:-4] + "-env.csv")
        self.assertEqual(env["shards_missing"], "1")
        self.assertEqual(env["shards_merged"], "0 2")

    def test_one_shard_of_a_huge_split_is_summarised(self):
        huge = os.path.join(self.work, "huge")
        rc, out, err = run("run", self.exp, "-o",
                           os.path.join(huge, "mrg.csv"), "--shard",
                           "1/100000", "-q")
        self.assertIn(rc, (0, 1), err)
        out_csv = os.path.join(self.work, "hm", "mrg.csv")
        rc, out, err = run("merge", out_csv, huge)
        self.assertEqual(rc, 2)
        lines = err.splitlines()
        # the first few by name, then one line for the rest
        self.assertLess(len(lines), 20, lines[:30])
        self.assertIn("shard 0 of 100000 is missing", err)
        self.assertIn("99999", err)
        self.assertFalse(os.path.exists(out_csv))
        rc, out, err = run("merge", out_csv, huge, "--partial")
        self.assertEqual(rc, 1, err[-2000:])
        self.assertLess(len(err.splitlines()), 20)
        limit = csv.field_size_limit(1 << 24)  # shards_missing: 589 KB
        self.addCleanup(csv.field_size_limit, limit)
        env = env_dict(out_csv[:-4] + "-env.csv")
        self.assertEqual(env["shards_merged"], "1")
        missing = env["shards_missing"].split()
        self.assertEqual(len(missing), 99999)
        self.assertEqual(missing[:3], ["0", "2", "3"])
        self.assertEqual(missing[-1], "99999")

    def test_duplicate_shard_refused(self):
        other = os.path.join(self.work, "again")
        os.makedirs(other)
        for f in glob.glob(os.path.join(self.inp, "mrg.shard-2-of-3*")):
            shutil.copy(f, other)
        rc, out, err = self.merge(self.inp, other, "--partial")
        self.assertEqual(rc, 2)
        self.assertIn("shard 2 of 3 is given twice", err)
        self.assert_nothing_written()
        # the same file named twice is the same shard, not a duplicate
        rc, out, err = self.merge(self.inp, self.shard(2))
        self.assertEqual(rc, 1, err)

    def test_torn_row_refused_then_partial(self):
        path = self.shard(0)
        with open(path, "rb") as f:
            data = f.read()
        rows = len(read_dicts(path))
        with open(path, "wb") as f:
            f.write(data[:-40])  # the last row loses its end
        rc, out, err = self.merge(self.inp)
        self.assertEqual(rc, 2)
        self.assertIn("shard 0 of 3 is torn", err)
        self.assertIn("the last row of", err)
        self.assertIn(f"mrg.shard-0-of-3.csv is incomplete", err)
        self.assertIn(f"{rows - 1} of its {rows} cells", err)
        self.assert_nothing_written()
        rc, out, err = self.merge(self.inp, "--partial")
        self.assertEqual(rc, 1, err)
        self.assertEqual(len(read_dicts(self.out)), 14)
        self.assertEqual(env_dict(self.out[:-4] + "-env.csv")[
            "shards_missing"], "0")

    def test_damaged_row_inside_a_shard(self):
        path = self.shard(2)
        with open(path, "rb") as f:
            lines = f.read().split(b"\r\n")
        lines[2] = b"garbage,with,too,few,fields"
        with open(path, "wb") as f:
            f.write(b"\r\n".join(lines))
        rc, out, err = self.merge(self.inp)
        self.assertEqual(rc, 2)
        self.assertIn("shard 2 of 3 is unreadable", err)
        self.assertIn("mrg.shard-2-of-3.csv:3", err)
        self.assert_nothing_written()
        rc, out, err = self.merge(self.inp, "--partial")
        self.assertEqual(rc, 1, err)
        self.assertEqual(env_dict(self.out[:-4] + "-env.csv")[
            "shards_missing"], "2")

    def test_mixed_experiments_refused(self):
        other = write(os.path.join(self.work, "mrg.ini"), OTHER)
        alien = os.path.join(self.work, "alien", "mrg.csv")
        rc, _, err = run("run", other, "-o", alien, "--shard", "1/3", "-q")
        self.assertIn(rc, (0, 1), err)
        for f in glob.glob(os.path.join(self.inp, "mrg.shard-1-of-3*")):
            os.unlink(f)
        rc, out, err = self.merge(self.inp, os.path.dirname(alien),
                                  "--partial")
        self.assertEqual(rc, 2)
        self.assertIn("not of one experiment", err)
        self.assertIn("experiment_sha256", err)
        self.assert_nothing_written()

    def test_different_set_values_refused(self):
        other = os.path.join(self.work, "other")
        rc, _, err = run("run", self.exp, "-o", os.path.join(other, "mrg.csv"),
                         "--shard", "1/3", "--set", "sums.first=2000",
                         "-q")
        self.assertIn(rc, (0, 1), err)
        rc, out, err = self.merge(self.shard(0), self.shard(2),
                                  os.path.join(other, "mrg.shard-1-of-3.csv"))
        self.assertEqual(rc, 2)
        self.assertIn("ran with different --set values", err)
        self.assertIn("sums.first=2000", err)
        self.assert_nothing_written()

    def test_different_splits_refused(self):
        two = os.path.join(self.work, "two")
        rc, _, err = run("run", self.exp, "-o", os.path.join(two, "mrg.csv"),
                         "--shard", "1/2", "-q")
        self.assertIn(rc, (0, 1), err)
        rc, out, err = self.merge(self.shard(0), self.shard(1), self.shard(2),
                                  os.path.join(two, "mrg.shard-1-of-2.csv"))
        self.assertEqual(rc, 2)
        self.assertIn("different splits", err)

    def test_renamed_shard_refused(self):
        for suffix in ("", "-runs", "-matrix", "-env"):
            os.rename(self.shard(2, suffix),
                      self.shard(2, suffix).replace("shard-2", "shard-1"))
        rc, out, err = self.merge(self.shard(0), self.shard(1))
        self.assertEqual(rc, 2)
        self.assertIn("renamed", err)

    def test_not_a_shard_file_or_output(self):
        rc, out, err = self.merge(self.whole)
        self.assertEqual(rc, 2)
        self.assertIn("is not a shard's results file", err)
        rc, out, err = run("merge", self.shard(0), self.inp)
        self.assertEqual(rc, 2)
        self.assertIn("is a shard's file name", err)
        rc, out, err = run("merge", self.whole, self.inp)
        self.assertEqual(rc, 2)
        self.assertIn("not written by concur merge", err)
        rc, out, err = run("merge", self.out)
        self.assertEqual(rc, 2)
        self.assertIn("usage: concur merge", err)
        rc, out, err = run("merge", self.out, os.path.join(self.work, "nope"))
        self.assertEqual(rc, 2)
        self.assertIn("no such file or folder", err)
        empty = os.path.join(self.work, "empty")
        os.makedirs(empty)
        rc, out, err = run("merge", self.out, empty)
        self.assertEqual(rc, 2)
        self.assertIn("no shard results files", err)

    def test_more_shards_than_workload_cells(self):
        six = os.path.join(self.work, "six")
        for k in range(6):
            rc, out, err = run("run", self.exp, "-o",
                               os.path.join(six, "mrg.csv"),
                               "--shard", f"{k}/6", "-q")
            self.assertIn(rc, (0, 1), err)
        self.assertEqual(len(read_dicts(os.path.join(
            six, "mrg.shard-5-of-6.csv"))), 0)
        rc, out, err = run("merge", os.path.join(six, "mrg.csv"), six)
        self.assertEqual(rc, 1, err)
        self.assertEqual(len(read_dicts(os.path.join(six, "mrg.csv"))), 15)
        self.assertEqual(env_dict(os.path.join(six, "mrg-env.csv"))[
            "shards_merged"], "0 1 2 3 4 5")

    def test_merging_again_overwrites_its_own_output(self):
        self.assertEqual(self.merge(self.inp)[0], 1)
        rc, out, err = self.merge(self.inp)
        self.assertEqual(rc, 1, err)

    def rewrite(self, path, edit):
        rows = read_csv(path)
        edit(rows)
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)

    def assert_inert(self, text, where):
        for c in ("\x1b", "\x07", "\u009b"):
            self.assertNotIn(c, text, where)

    def test_control_characters_never_reach_the_terminal(self):
        """Env values and cell ids quoted in merge's messages, and the
        host names its table shows, are made visible, not obeyed."""
        evil = "\x1b]0;pwned\x07\x1b[2J\u009b31m"

        def shard_value(rows):
            for r in rows:
                if r[0] == "shard":
                    r[1] = "1/3" + evil
        self.rewrite(self.shard(1, "-env"), shard_value)
        rc, out, err = self.merge(self.inp)
        self.assertEqual(rc, 2, err)
        self.assertIn("says shard 1/3?]0;pwned??[2J?31m", err)
        self.assert_inert(out + err, "env value")

        def cell_id(rows):
            rows[1][1] += evil
        shutil.rmtree(self.inp)
        shutil.copytree(self.shards, self.inp)
        self.rewrite(self.shard(0), cell_id)
        rc, out, err = self.merge(self.inp, "--partial")
        self.assertEqual(rc, 1, err)
        self.assertIn("?]0;pwned??[2J?31m' is not one of this shard's", err)
        self.assert_inert(out + err, "cell id")

        def host(rows):
            for r in rows:
                if r[0] == "host":
                    r[1] += evil
        shutil.rmtree(self.inp)
        shutil.copytree(self.shards, self.inp)
        self.rewrite(self.shard(2, "-env"), host)
        rc, out, err = self.merge(self.inp, "--force")
        self.assertEqual(rc, 1, err)
        self.assertIn("?]0;pwned??[2J?31m", out)
        self.assert_inert(out + err, "host")

    def test_hostile_fields_stay_guarded(self):
        path = self.shard(0)
        rows = read_csv(path)
        err_col = rows[0].index("error")
        rows[1][err_col] = '=HYPERLINK("http://x")\x1b[31m'
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)
        rc, out, err = self.merge(self.inp)
        self.assertEqual(rc, 1, err)
        merged = read_csv(self.out)
        texts = [r[err_col] for r in merged[1:]]
        self.assertTrue(any(t.startswith("'=HYPERLINK") for t in texts))
        self.assertFalse(any(t.startswith("=") for t in texts))
        self.assertNotIn("\x1b", out + err)
        # negative numbers stay numbers (never "'-...")
        low = merged[0].index("wall_ci95_low_s")
        self.assertFalse(any(r[low].startswith("'") for r in merged[1:]))


if __name__ == "__main__":
    unittest.main()


class MergeOpenLoop(unittest.TestCase):
    """Sharding composes with the open-loop rate crossing: each rate is a
    workload cell, so each lands whole in one shard."""

    def test_rate_crossing_split_and_merged(self):
        with TempDir() as d:
            exp = write(os.path.join(d, "ol.ini"), """\
[experiment]
name = ol
repetitions = 2
warmup = 0
[strategy sync]
[strategy pthreads]
workers = 2
[workload w]
plugin = null
count = 20
rate = 0, 2000, 4000
""")
            rc, _, err = run("run", exp, "-o", os.path.join(d, "one.csv"),
                             "-q")
            self.assertEqual(rc, 0, err)
            for k in range(3):
                rc, _, err = run("run", exp, "-o",
                                 os.path.join(d, "sh", "ol.csv"), "--shard",
                                 f"{k}/3", "-q")
                self.assertEqual(rc, 0, err)
                rows = read_dicts(os.path.join(d, "sh",
                                               f"ol.shard-{k}-of-3.csv"))
                self.assertEqual(len({r["workload.rate"] for r in rows}), 1)
            out = os.path.join(d, "ol.csv")
            rc, _, err = run("merge", out, os.path.join(d, "sh"))
            self.assertEqual(rc, 0, err)
            one, merged = read_dicts(os.path.join(d, "one.csv")), \
                read_dicts(out)
            self.assertEqual(list(one[0].keys()), list(merged[0].keys()))
            keys = ["cell", "status", "workload.rate", "offered_rate"]
            self.assertEqual(sorted(tuple(r[k] for k in keys) for r in one),
                             sorted(tuple(r[k] for k in keys)
                                    for r in merged))
