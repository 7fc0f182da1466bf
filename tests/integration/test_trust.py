"""Who concur trusts (issue 11, findings 4 and 5): an experiment file is
code, and a plugin is loaded only from a folder nobody else can write to.
"""
import os
import re
import shutil
import stat
import tempfile
import unittest

from common import BUILD, SOURCE, run

FIXTURE = os.path.join(BUILD, "tests", "fixtures", "loader", "fixture_ok.so")

WARNING = ("an experiment file is code: loading a plugin runs it; "
           "do not run an experiment file you do not trust")


def flat(text):
    """Text with roff escapes, markdown emphasis and line breaks folded."""
    text = re.sub(r"\\-", "-", text)
    text = re.sub(r"^\.[A-Z]+ ?", "", text, flags=re.M)
    text = text.replace("**", "").replace("`", "")
    return re.sub(r"\s+", " ", text).lower()


class TestExperimentFileIsCode(unittest.TestCase):
    """fio says it of job files; concur says it of experiment files, where
    a user reads before running something."""

    def test_help_says_it(self):
        rc, so, _ = run("--help")
        self.assertEqual(rc, 0)
        self.assertIn(WARNING, flat(so))

    def test_experiment_file_page_says_it(self):
        with open(os.path.join(SOURCE, "docs", "experiment-file.md"),
                  encoding="utf-8") as f:
            self.assertIn(WARNING, flat(f.read()))

    def test_man_page_says_it(self):
        with open(os.path.join(SOURCE, "docs", "concur.1"),
                  encoding="utf-8") as f:
            self.assertIn(WARNING, flat(f.read()))


class TestPluginFolderTrust(unittest.TestCase):
    """A plugin is code concur runs: it loads only when nobody but root and
    the user could have written it or its folders (OpenSSH's safe_path).
    The tests run as root, so ownership by root is fine and the mode bits
    are what they vary."""

    def setUp(self):
        # mkdtemp: 0700, under /tmp (root's, sticky: an allowed ancestor)
        self.top = tempfile.mkdtemp(prefix="concur-trust-")
        self.addCleanup(shutil.rmtree, self.top, ignore_errors=True)
        self.dir = os.path.join(self.top, "plugins")
        os.mkdir(self.dir, 0o755)
        self.so = os.path.join(self.dir, "fixture_ok.so")
        shutil.copy(FIXTURE, self.so)
        os.chmod(self.so, 0o755)

    def help(self, *extra, env=None):
        return run("help", "fixture_ok", "--plugin-path", self.dir, *extra,
                   env=env)

    def refused(self, path, why, *fix):
        rc, so, se = self.help()
        self.assertEqual(rc, 2, so + se)
        self.assertIn("refusing to load plugin", se)
        self.assertIn(path, se)
        self.assertIn(why, se)
        for f in fix:
            self.assertIn(f, se)
        self.assertIn("--trust-plugin-path", se)
        return se

    def test_a_safe_folder_loads(self):
        rc, so, se = self.help()
        self.assertEqual(rc, 0, se)
        self.assertIn("fixture_ok", so)

    def test_group_writable_folder_refused(self):
        os.chmod(self.dir, 0o775)
        self.refused(self.dir, "writable by group (mode 0775)",
                     "chmod go-w " + self.dir)

    def test_world_writable_plugin_refused(self):
        os.chmod(self.so, 0o757)
        self.refused(self.so, "writable by others (mode 0757)",
                     "chmod go-w " + self.so)

    def test_writable_parent_folder_refused(self):
        os.chmod(self.top, 0o777)
        self.refused(self.top, "writable by group and others (mode 0777)",
                     "chmod go-w " + self.top)

    @unittest.skipUnless(os.geteuid() == 0, "chown needs root")
    def test_sticky_parent_owned_by_another_user_refused(self):
        """Only root's sticky folders (/tmp) are fine above the plugin."""
        os.chmod(self.top, 0o1777)
        os.chown(self.top, 65534, 65534)
        self.refused(self.top, "belongs to uid 65534")

    def test_symlink_into_a_world_writable_folder_refused(self):
        ww = os.path.join(self.top, "shared")
        os.mkdir(ww)
        os.chmod(ww, 0o1777)  # sticky does not save a plugin's own folder
        target = os.path.join(ww, "fixture_ok.so")
        os.rename(self.so, target)
        os.symlink(target, self.so)
        se = self.refused(ww, "writable by group and others (mode 1777)")
        self.assertIn("really " + target, se)

    @unittest.skipUnless(os.geteuid() == 0, "chown needs root")
    def test_plugin_owned_by_another_user_refused(self):
        os.chown(self.so, 65534, 65534)
        self.refused(self.so, "belongs to uid 65534", "chown")

    def test_escape_hatch_flag_and_environment(self):
        os.chmod(self.dir, 0o777)
        rc, so, se = self.help("--trust-plugin-path")
        self.assertEqual(rc, 0, se)
        rc, so, se = self.help(env={"CONCUR_TRUST_PLUGIN_PATH": "1"})
        self.assertEqual(rc, 0, se)
        rc, so, se = self.help(env={"CONCUR_TRUST_PLUGIN_PATH": "0"})
        self.assertEqual(rc, 2, se)

    def test_escape_hatch_wrong_value(self):
        rc, _, se = self.help(env={"CONCUR_TRUST_PLUGIN_PATH": "yes"})
        self.assertEqual(rc, 2)
        self.assertIn("CONCUR_TRUST_PLUGIN_PATH='yes'", se)
        self.assertIn("want 1", se)

    def test_loaded_through_the_descriptor_it_checked(self):
        """No check-then-open race: the dynamic loader opens
        /proc/self/fd/N, the file concur opened and checked, never the path
        again (LD_DEBUG=files names what it opens)."""
        rc, so, se = self.help(env={"LD_DEBUG": "files"})
        self.assertEqual(rc, 0, se)
        loaded = re.findall(r"file=(\S+) \[0\];  dynamically loaded by", se)
        self.assertEqual(len(loaded), 1, loaded)
        self.assertRegex(loaded[0], r"^/proc/self/fd/\d+$")

    def test_experiment_plugin_path_is_checked_too(self):
        os.chmod(self.dir, 0o777)
        ini = os.path.join(self.top, "x.ini")
        with open(ini, "w") as f:
            f.write("[experiment]\nname = x\nplugin_path = plugins\n"
                    "[strategy sync]\n[workload w]\nplugin = fixture_ok\n")
        rc, _, se = run("validate", ini)
        self.assertEqual(rc, 2, se)
        self.assertIn("refusing to load plugin", se)


if __name__ == "__main__":
    unittest.main()
