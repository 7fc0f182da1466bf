"""Who concur trusts (issue 11, findings 4 and 5): an experiment file is
code, and a plugin is loaded only from a folder nobody else can write to.
"""
import os
import re
import unittest

from common import SOURCE, run

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

    def test_readme_says_it(self):
        with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
            self.assertIn(WARNING, flat(f.read()))

    def test_man_page_says_it(self):
        with open(os.path.join(SOURCE, "docs", "concur.1"),
                  encoding="utf-8") as f:
            self.assertIn(WARNING, flat(f.read()))


if __name__ == "__main__":
    unittest.main()
