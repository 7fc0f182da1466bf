"""concur run --shard: one experiment split over the tasks of a batch job.

The real binary runs real (tiny) experiments; every shard's files are read
back with Python's csv module.
"""
import os
import subprocess
import unittest

from common import TempDir, read_csv, read_dicts, run, write

# 2 strategy cells x 5 workload cells.
EXPERIMENT = """\
[experiment]
name = split
repetitions = 2
warmup = 0
baseline = sync

[strategy sync]

[strategy pthreads]
workers = 2

[workload w]
plugin = null
count = 1..4

[workload sums]
plugin = cpu_sum
count = 3
first = 1000
"""


def env_dict(path):
    return {k: v for k, v in read_csv(path)[1:]}


class ShardRun(unittest.TestCase):
    def setUp(self):
        self._tmp = TempDir()
        self.dir = self._tmp.__enter__()
        self.exp = write(os.path.join(self.dir, "split.ini"), EXPERIMENT)
        self.out = os.path.join(self.dir, "res", "split.csv")

    def tearDown(self):
        self._tmp.__exit__(None, None, None)

    def shard_path(self, k, n, suffix=""):
        return os.path.join(self.dir, "res",
                            f"split.shard-{k}-of-{n}{suffix}.csv")

    def test_dry_run_prints_the_split(self):
        rc, out, err = run("run", self.exp, "--dry-run", "--shards", "2")
        self.assertEqual(rc, 0, err)
        self.assertIn("shard 0 of 2: 3 workload cells, 6 cells, 12 runs", out)
        self.assertIn("shard 1 of 2: 2 workload cells, 4 cells, 8 runs", out)
        # the workload cell w[count=1] stays whole, with both strategies
        block0 = out.split("shard 1 of 2")[0]
        self.assertIn("sync/w[count=1]", block0)
        self.assertIn("pthreads/w[count=1]", block0)
        rc, out, err = run("run", self.exp, "--dry-run", "--shard", "1/2")
        self.assertEqual(rc, 0, err)
        self.assertNotIn("shard 0 of 2", out)
        self.assertIn("pthreads/w[count=2]", out)
        rc, out, err = run("run", self.exp, "--dry-run", "--shards", "7")
        self.assertEqual(rc, 0, err)
        self.assertIn("shards 5 to 6 have no cells", out)

    def test_bad_shard_options_exit_2(self):
        for args, words in [
            (["--shard", "2/2"], "0 <= K < N"),
            (["--shard", "x"], "expected K/N"),
            (["--shards", "0", "--dry-run"], "--shards '0'"),
            (["--shards", "2"], "runs nothing by itself"),
            (["--shard", "0/2", "--shards", "3"], "disagrees"),
        ]:
            rc, out, err = run("run", self.exp, "-o", self.out, *args)
            self.assertEqual(rc, 2, (args, err))
            self.assertIn(words, err)
            self.assertFalse(os.path.exists(os.path.join(self.dir, "res")))

    def test_shards_together_hold_every_cell_once(self):
        cells = set()
        for k in range(3):
            rc, out, err = run("run", self.exp, "-o", self.out, "--shard",
                               f"{k}/3", "-q")
            self.assertEqual(rc, 0, err)
            rows = read_dicts(self.shard_path(k, 3))
            ids = [r["cell"] for r in rows]
            self.assertEqual(len(ids), len(set(ids)))
            self.assertFalse(cells & set(ids))
            cells |= set(ids)
            # whole workload cells: each with both strategies, speedup there
            works = {r["cell"].split("/", 1)[1] for r in rows}
            self.assertEqual(len(rows), 2 * len(works))
            for r in rows:
                self.assertNotEqual(r["speedup"], "", r)
            matrix = read_csv(self.shard_path(k, 3, "-matrix"))
            self.assertEqual(len(matrix[0]) - 1, len(works))
            self.assertEqual([m[0] for m in matrix[1:]],
                             ["sync", "pthreads"])
            env = env_dict(self.shard_path(k, 3, "-env"))
            self.assertEqual(env["shard"], f"{k}/3")
            self.assertEqual(env["shard_source"], "command line")
            self.assertEqual(env["experiment_cells"], "10")
            self.assertEqual(env["shard_cells"], str(len(rows)))
            self.assertEqual(env["baseline"], "sync")
        self.assertEqual(len(cells), 10)
        self.assertFalse(os.path.exists(self.out))

    def test_slurm_environment_picks_the_shard(self):
        env = {"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0",
               "SLURM_ARRAY_TASK_MAX": "1", "SLURM_ARRAY_TASK_COUNT": "2"}
        rc, out, err = run("run", self.exp, "-o", self.out, env=env)
        self.assertEqual(rc, 0, err)
        self.assertIn("shard 1 of 2 (SLURM_ARRAY_TASK_ID=1", err)
        e = env_dict(self.shard_path(1, 2, "-env"))
        self.assertEqual(e["shard"], "1/2")
        self.assertIn("SLURM_ARRAY_TASK_ID=1", e["shard_source"])
        # --shard all ignores the array
        rc, out, err = run("run", self.exp, "-o", self.out, "--shard", "all",
                           "-q", env=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(read_dicts(self.out)), 10)

    def test_environment_values_cannot_drive_the_terminal(self):
        for name in ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT",
                     "JOB_COMPLETION_INDEX"):
            env = {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2",
                   name: "1\x1b]0;pwned\x07\x1b[2J\u009b31m"}
            if name == "JOB_COMPLETION_INDEX":
                del env["SLURM_ARRAY_TASK_ID"]
            rc, out, err = run("run", self.exp, "-o", self.out, env=env)
            self.assertEqual(rc, 2, err)
            self.assertIn(name + "=1?]0;pwned??[2J?31m", err)
            for c in ("\x1b", "\x07", "\u009b"):
                self.assertNotIn(c, err, name)

    def test_kubernetes_index_needs_a_count(self):
        env = {"JOB_COMPLETION_INDEX": "0"}
        rc, out, err = run("run", self.exp, "-o", self.out, env=env)
        self.assertEqual(rc, 2)
        self.assertIn("--shards N", err)
        self.assertIn("CONCUR_SHARDS", err)
        env["CONCUR_SHARDS"] = "2"
        rc, out, err = run("run", self.exp, "-o", self.out, "-q", env=env)
        self.assertEqual(rc, 0, err)
        e = env_dict(self.shard_path(0, 2, "-env"))
        self.assertIn("JOB_COMPLETION_INDEX=0 of 2 from CONCUR_SHARDS",
                      e["shard_source"])

    def test_resume_and_set_per_shard(self):
        args = ["run", self.exp, "-o", self.out, "--shard", "0/2",
                "--set", "pthreads.workers=3", "-q"]
        rc, out, err = run(*args)
        self.assertEqual(rc, 0, err)
        path = self.shard_path(0, 2)
        rows = read_dicts(path)
        self.assertTrue(all(r["strategy.workers"] in ("", "3")
                            for r in rows))
        # lose the last two rows, as a killed array task would
        with open(path, "rb") as f:
            lines = f.read().split(b"\r\n")
        with open(path, "wb") as f:
            f.write(b"\r\n".join(lines[:-3]) + b"\r\n")
        rc, out, err = run(*args[:-1], "--resume")
        self.assertEqual(rc, 0, err)
        self.assertIn(f"resuming: {len(rows) - 2} of {len(rows)} cells", err)
        again = read_dicts(path)
        self.assertEqual(sorted(r["cell"] for r in again),
                         sorted(r["cell"] for r in rows))
        # without --resume the shard's files are not overwritten
        rc, out, err = run(*args)
        self.assertEqual(rc, 2)
        self.assertIn("already exists", err)


if __name__ == "__main__":
    unittest.main()


class SlurmScript(unittest.TestCase):
    """concur slurm: the script's text (the real cluster: test_slurm)."""

    def setUp(self):
        self._tmp = TempDir()
        self.dir = self._tmp.__enter__()
        self.exp = write(os.path.join(self.dir, "split.ini"), EXPERIMENT)

    def tearDown(self):
        self._tmp.__exit__(None, None, None)

    def slurm(self, *args):
        return run("slurm", self.exp, *args, cwd=self.dir)

    def test_script_submits_array_then_merge(self):
        rc, out, err = self.slurm("--shards", "3", "-o", "res/split.csv",
                                  "--set", "pthreads.workers=4", "-q", "--",
                                  "--partition=bench", "--time=1:00:00")
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("#!/bin/bash\n"))
        self.assertIn(f"cd {self.dir}\n", out)
        self.assertIn("mkdir -p -- res\n", out)
        array, merge = out.split("merge_job=$(sbatch", 1)
        self.assertIn("--array=0-2 ", array)
        self.assertIn(f"--cpus-per-task={os.cpu_count()} ", array)
        self.assertIn("\t--exclusive \\\n", array)
        self.assertIn("--output=res/split.shard-%a-of-3.log ", array)
        self.assertIn("--partition=bench", array)
        self.assertIn("--time=1:00:00", array)
        self.assertIn(f" run {self.exp} -o res/split.csv --set "
                      "pthreads.workers=4 -q --shards 3 --resume "
                      "|| [ $? -eq 1 ]", array)
        self.assertIn("--dependency=afterok:$array_job", merge)
        self.assertIn("--kill-on-invalid-dep=yes", merge)
        self.assertIn("--partition=bench", merge)
        self.assertNotIn("--exclusive", merge)
        self.assertIn(" merge -- res/split.csv res/split.shard-*-of-3.csv",
                      merge)
        self.assertIn('"$array_job"', out)
        self.assertIn('"$merge_job"', out)
        p = subprocess.run(["bash", "-n"], input=out, text=True,
                           capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_sbatch_options_replace_the_defaults(self):
        rc, out, err = self.slurm("--shards", "2", "--", "-c", "8",
                                  "--oversubscribe")
        self.assertEqual(rc, 0, err)
        self.assertNotIn("--cpus-per-task=", out)
        self.assertNotIn("\t--exclusive", out)
        self.assertIn("\t-c \\\n\t8 \\\n", out)

    def test_odd_paths_are_quoted(self):
        odd = os.path.join(self.dir, "it's a $dir")
        os.makedirs(odd)
        exp = write(os.path.join(odd, "split.ini"), EXPERIMENT)
        rc, out, err = run("slurm", exp, "--shards", "2", "-o",
                           os.path.join(odd, "out.csv"), cwd=self.dir)
        self.assertEqual(rc, 0, err)
        self.assertIn("'" + odd.replace("'", "'\\''") + "/split.ini'", out)
        self.assertIn("'" + odd.replace("'", "'\\''") + "/out.shard-'*"
                      "-of-2.csv", out)
        # the quoted words come back as they were
        line = [l for l in out.splitlines()
                if l.endswith(" || [ $? -eq 1 ]") and " run " in l][0]
        words = subprocess.run(
            ["bash", "-c", 'printf "%s\\n" ' + line.split(" || ")[0]],
            capture_output=True, text=True).stdout.splitlines()
        self.assertEqual(words[1:4], ["run", exp, "-o"])
        self.assertEqual(words[4], os.path.join(odd, "out.csv"))

    def test_a_newline_in_a_path_is_refused(self):
        # it could end the job script's here-document (test_slurm has more)
        odd = os.path.join(self.dir, "a\ntouch pwned")
        os.makedirs(odd)
        exp = write(os.path.join(odd, "split.ini"), EXPERIMENT)
        rc, out, err = run("slurm", exp, "--shards", "2", cwd=self.dir)
        self.assertEqual(rc, 2, err)
        self.assertEqual(out, "")
        self.assertIn("a?touch pwned/split.ini' holds a control character",
                      err)

    def test_refusals(self):
        for args, words in [
            ([], "slurm takes --shards N"),
            (["--shards", "2", "--shard", "0/2"], "slurm takes --shards N"),
            (["--shards", "6"], "has 5 workload cells"),
            (["--shards", "x"], "--shards 'x'"),
        ]:
            rc, out, err = self.slurm(*args)
            self.assertEqual(rc, 2, (args, err))
            self.assertIn(words, err)
            self.assertEqual(out, "")
        os.makedirs(os.path.join(self.dir, "res"))
        write(os.path.join(self.dir, "res", "split.shard-1-of-2.csv"), "x\n")
        rc, out, err = self.slurm("--shards", "2", "-o", "res/split.csv")
        self.assertEqual(rc, 2)
        self.assertIn("res/split.shard-1-of-2.csv already exists", err)
        self.assertIn("--resume", err)
        rc, out, err = self.slurm("--shards", "2", "-o", "res/split.csv",
                                  "--resume")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.slurm("--shards", "2", "-o", "res/split.csv",
                                  "--force")
        self.assertEqual(rc, 0, err)
        self.assertIn("--shards 2 || [", out)
        self.assertIn(" merge --force -- res/split.csv", out)
