"""The build names itself: `concur --version` and N-env.csv's git_revision
come from the tree at build time, not configure time.  In a clone of the
source, configured once: build, commit, rebuild, and the revision follows
the commit; edit a tracked file and rebuild, and it says "-dirty"."""
import os
import shutil
import subprocess
import unittest

from common import BUILD, SOURCE, TempDir, read_dicts, write

CMAKE = os.environ.get("CONCUR_TEST_CMAKE", "cmake")
GIT = shutil.which("git")
GIT_ID = ["-c", "user.name=concur test", "-c", "user.email=test@localhost",
          "-c", "commit.gpgsign=false"]


def git(repo, *args):
    return subprocess.run([GIT, "-C", repo, *GIT_ID, *args], check=True,
                          capture_output=True, text=True).stdout.strip()


class BuildTimeRevision(unittest.TestCase):
    def setUp(self):
        if not GIT or subprocess.run([GIT, "-C", SOURCE, "rev-parse"],
                                     capture_output=True).returncode:
            self.skipTest("the source is not a git work tree")
        self._tmp = TempDir()
        self.d = self._tmp.__enter__()
        self.src = os.path.join(self.d, "src")
        subprocess.run([GIT, "clone", "-q", SOURCE, self.src], check=True)
        # The tree under test is the working tree, edits included: copy the
        # files that differ from HEAD or are new and commit them in the clone.
        changed = (git(SOURCE, "diff", "--name-only", "HEAD").splitlines() +
                   git(SOURCE, "ls-files", "--others",
                       "--exclude-standard").splitlines())
        for rel in changed:
            if os.path.exists(os.path.join(SOURCE, rel)):
                os.makedirs(os.path.dirname(os.path.join(self.src, rel)),
                            exist_ok=True)
                shutil.copy2(os.path.join(SOURCE, rel), os.path.join(self.src, rel))
            else:
                os.remove(os.path.join(self.src, rel))
        if changed:
            git(self.src, "add", "-A")
            git(self.src, "commit", "-qm", "the working tree under test")
        self.bin = os.path.join(self.d, "b")
        subprocess.run([CMAKE, "-S", self.src, "-B", self.bin,
                        "-DCMAKE_BUILD_TYPE=Debug", "-DBUILD_TESTING=OFF"],
                       check=True, capture_output=True)

    def tearDown(self):
        self._tmp.__exit__(None, None, None)

    def build(self):
        p = subprocess.run([CMAKE, "--build", self.bin, "--target", "concur",
                            "-j", "2"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])

    def version(self):
        out = subprocess.run([os.path.join(self.bin, "harness", "concur"),
                              "--version"], check=True, capture_output=True,
                             text=True).stdout
        words = out.split()
        self.assertEqual(words[0], "concur")
        return words[2].strip("(,")

    def env_revision(self):
        """git_revision as a run of this build records it in N-env.csv."""
        ini = write(os.path.join(self.d, "v.ini"), """
[experiment]
name = v
repetitions = 1
warmup = 0
[strategy sync]
[workload sums]
plugin = cpu_sum
count = 2
first = 1000
""")
        out = os.path.join(self.d, "out", "v.csv")
        p = subprocess.run([os.path.join(self.bin, "harness", "concur"),
                            "run", ini, "-o", out, "-q", "--force",
                            "--plugin-path", os.path.join(BUILD, "plugins")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        env = {r["key"]: r["value"]
               for r in read_dicts(os.path.join(self.d, "out", "v-env.csv"))}
        return env["git_revision"]

    def test_revision_follows_the_tree(self):
        self.build()
        first = git(self.src, "rev-parse", "--short=12", "HEAD")
        self.assertEqual(self.version(), first)
        self.assertEqual(self.env_revision(), first)

        # a commit, then only `cmake --build` (no reconfigure)
        git(self.src, "commit", "-q", "--allow-empty", "-m", "a new commit")
        second = git(self.src, "rev-parse", "--short=12", "HEAD")
        self.assertNotEqual(first, second)
        self.build()
        self.assertEqual(self.version(), second)
        self.assertEqual(self.env_revision(), second)

        # an edited tracked file: the build says so
        with open(os.path.join(self.src, "README.md"), "a") as f:
            f.write("\nan edit\n")
        self.build()
        self.assertEqual(self.version(), second + "-dirty")
        self.assertEqual(self.env_revision(), second + "-dirty")

        # an untracked file is not an edit of the tree; undoing the edit
        # makes it clean again
        write(os.path.join(self.src, "scratch.txt"), "x\n")
        git(self.src, "checkout", "--", "README.md")
        self.build()
        self.assertEqual(self.version(), second)


if __name__ == "__main__":
    unittest.main()
