"""Helpers for concur's integration tests: run the real binary, read CSV."""
import csv
import os
import re
import subprocess
import sys
import tempfile

BUILD = os.environ["CONCUR_TEST_BUILD_DIR"]
SOURCE = os.environ["CONCUR_TEST_SOURCE_DIR"]
CONCUR = os.path.join(BUILD, "harness", "concur")

SUMMARY_TAIL = [
    "status", "runs", "tasks", "tasks_failed", "wall_median_s", "wall_mean_s",
    "wall_stddev_s", "wall_min_s", "wall_max_s", "wall_cv", "wall_ci95_low_s",
    "wall_ci95_high_s", "speedup", "tasks_per_s", "task_p50_ms", "task_p90_ms",
    "task_p99_ms", "task_max_ms", "service_p50_ms", "service_p99_ms",
    "offered_rate", "achieved_rate", "start_lag_p99_ms", "cpu_user_s", "cpu_sys_s", "cpu_util",
    "max_rss_kib", "ctx_voluntary", "ctx_involuntary", "error", "stopped_by",
]


def sanitized():
    """A sanitizer build: its shadow memory and quarantine are not concur's,
    and it needs more address space and time than a Release build."""
    try:
        with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
            return re.search(r"^CONCUR_SANITIZE:\w+=\S", f.read(),
                             re.M) is not None
    except OSError:
        return False


def run(*args, env=None, timeout=120, cwd=None):
    """Run concur; return (exit status, stdout, stderr)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run([CONCUR, *args], capture_output=True, text=True,
                       env=full_env, timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def read_dicts(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def walls_of(runs_rows):
    """The wall seconds of -runs.csv rows (read_dicts), in run order."""
    return [float(r["wall_s"]) for r in sorted(runs_rows, key=lambda r: int(r["run"]))]


def run_walls(summary_path):
    """The wall seconds of a results file's measured runs, in run order."""
    return walls_of(read_dicts(summary_path[:-4] + "-runs.csv"))


class TempDir:
    def __enter__(self):
        self._d = tempfile.TemporaryDirectory(prefix="concur-it-")
        return self._d.name

    def __exit__(self, *exc):
        self._d.cleanup()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


# The smallest experiment: one cell of the null workload, two runs.
TINY_EXPERIMENT = """[experiment]
name = e
repetitions = 2
warmup = 0

[strategy sync]

[workload null]
count = 2
"""


def gen_shard(path, cells):
    """A synthetic experiment of `cells` cells, every one ok, as the only
    shard of its split (scripts/gen-summary.py --shard): path is
    NAME.shard-0-of-1.csv, its folder exists."""
    subprocess.run([sys.executable,
                    os.path.join(SOURCE, "scripts", "gen-summary.py"),
                    str(cells), path, "--shard",
                    "--failed-every", "1000000000"], check=True)
