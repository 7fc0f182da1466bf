"""The plugin boundary: plugins see <concur/plugin.h> and nothing else of
concur."""
import glob
import os
import re
import subprocess
import unittest

from common import SOURCE

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def plugin_sources():
    return sorted(glob.glob(os.path.join(SOURCE, "plugins", "**", "*.[ch]"),
                            recursive=True))


class PluginIncludes(unittest.TestCase):
    def test_plugins_include_only_the_public_header(self):
        harness = set(os.listdir(os.path.join(SOURCE, "harness")))
        sources = plugin_sources()
        self.assertGreater(len(sources), 8)
        for path in sources:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for kind, name in INCLUDE.findall(text):
                where = f"{os.path.relpath(path, SOURCE)}: #include {kind}{name}"
                if kind == '"':
                    # a private helper beside the plugin, found next to it
                    self.assertNotIn("/", name, where)
                    self.assertTrue(os.path.exists(
                        os.path.join(os.path.dirname(path), name)), where)
                elif name.startswith("concur/"):
                    self.assertEqual(name, "concur/plugin.h", where)
                else:
                    self.assertNotIn(os.path.basename(name), harness, where)

    def test_plugins_compile_with_only_include_on_the_path(self):
        for path in plugin_sources():
            if not path.endswith(".c"):
                continue
            p = subprocess.run(
                ["cc", "-std=gnu11", "-fsyntax-only", "-Wall", "-Werror",
                 "-I", os.path.join(SOURCE, "include"), path],
                capture_output=True, text=True)
            self.assertEqual(p.returncode, 0,
                             f"{os.path.relpath(path, SOURCE)}:\n{p.stderr}")


if __name__ == "__main__":
    unittest.main()
