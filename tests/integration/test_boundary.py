"""The plugin boundary: plugins see <concur/plugin.h> and nothing else of
concur; the concur binary links no plugin's libraries (the test server is a
program of its own); N-env.csv lists the libraries of what an experiment
used."""
import glob
import os
import re
import subprocess
import unittest
import urllib.request

from common import BUILD, CONCUR, SOURCE, TempDir, read_csv, read_dicts, run, write

CMAKE = os.environ.get("CONCUR_TEST_CMAKE", "cmake")

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def plugin_sources():
    return sorted(glob.glob(os.path.join(SOURCE, "plugins", "**", "*.[ch]"),
                            recursive=True))


class PluginIncludes(unittest.TestCase):
    def test_plugins_include_only_the_public_header(self):
        harness = {name for _, _, names in
                   os.walk(os.path.join(SOURCE, "harness")) for name in names}
        sources = plugin_sources()
        self.assertGreater(len(sources), 8)
        for path in sources:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for kind, name in INCLUDE.findall(text):
                where = f"{os.path.relpath(path, SOURCE)}: #include {kind}{name}"
                if kind == '"':
                    # a private helper beside the plugin (or in its own
                    # folder there), found from it
                    self.assertFalse(name.startswith("/"), where)
                    self.assertNotIn("..", name, where)
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


DOWNLOAD = """
[experiment]
name = dl
repetitions = 1
warmup = 0
[strategy sync]
[workload download]
plugin = http_download
url = {url}
count = 3
latency = 1ms
body = 1k
"""


def modversion(pkg):
    return subprocess.run(["pkg-config", "--modversion", pkg], check=True,
                          capture_output=True, text=True).stdout.strip()


def ldd(path):
    return subprocess.run(["ldd", path], check=True, capture_output=True,
                          text=True).stdout


class AbiRevision(unittest.TestCase):
    def test_minor_is_the_newest_revision_the_header_marks(self):
        with open(os.path.join(SOURCE, "include", "concur", "plugin.h"),
                  encoding="utf-8") as f:
            header = f.read()
        minor = re.search(r"^#define CONCUR_ABI_MINOR (\d+)$", header, re.M)
        self.assertIsNotNone(minor, "plugin.h defines no CONCUR_ABI_MINOR")
        marked = [int(n) for n in re.findall(r"since v1\.(\d+)", header)]
        self.assertEqual(int(minor.group(1)), max(marked))


class CoreLinksNoPluginLibrary(unittest.TestCase):
    def test_concur_links_neither_libcurl_nor_libmicrohttpd(self):
        core = ldd(CONCUR)
        self.assertIn("libc.so", core)
        self.assertNotIn("libcurl", core)
        self.assertNotIn("libmicrohttpd", core)
        # ...while the programs that use them do (so the check can fail)
        helper = ldd(os.path.join(BUILD, "harness", "concur-testserver"))
        self.assertIn("libmicrohttpd", helper)
        plugin = ldd(os.path.join(BUILD, "plugins", "workload", "http_download.so"))
        self.assertIn("libcurl", plugin)

    def test_env_lists_the_libraries_of_what_the_experiment_used(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "dl.ini"), DOWNLOAD.format(url="builtin"))
            out = os.path.join(d, "dl.csv")
            rc, _, err = run("run", ini, "-o", out, "-q")
            self.assertEqual(rc, 0, err)
            self.assertEqual(read_dicts(out)[0]["status"], "ok")
            env = dict(read_csv(out.replace(".csv", "-env.csv"))[1:])
            self.assertEqual(env["libcurl_version"], modversion("libcurl"))
            self.assertEqual(env["libmicrohttpd_version"],
                             modversion("libmicrohttpd"))

    def test_server_starts_only_when_a_plugin_needs_it(self):
        # real URLs only: http_download's needs hook drops the server, so
        # the server's library is not in the context, libcurl still is
        with TempDir() as d:
            ini = write(os.path.join(d, "dl.ini"),
                        DOWNLOAD.format(url="http://127.0.0.1:1/"))
            out = os.path.join(d, "dl.csv")
            rc, _, err = run("run", ini, "-o", out, "-q")
            self.assertEqual(rc, 1, err)  # nothing listens on port 1
            env = dict(read_csv(out.replace(".csv", "-env.csv"))[1:])
            self.assertIn("libcurl_version", env)
            self.assertNotIn("libmicrohttpd_version", env)


class Help(unittest.TestCase):
    def test_help_shows_needs_and_libraries(self):
        rc, out, err = run("help", "http_download")
        self.assertEqual(rc, 0, err)
        self.assertIn("needs: the embedded HTTP test server", out)
        self.assertIn("libraries: libcurl/" + modversion("libcurl"), out)

    def test_help_experiment_shows_every_experiment_key(self):
        rc, out, err = run("help", "experiment")
        self.assertEqual(rc, 0, err)
        keys = re.findall(r"^  ([a-z_]+)$", out, re.M)
        self.assertEqual(keys, [
            "name", "repetitions", "warmup", "timeout", "baseline", "output",
            "plugin_path", "order", "xlsx", "json", "markdown", "target_ci",
            "min_repetitions", "max_repetitions", "max_time"])
        self.assertIn("range    1..10000", out)

    def test_experiment_keys_are_checked_and_suggested_like_plugin_keys(self):
        with TempDir() as d:
            ini = write(os.path.join(d, "e.ini"),
                        "[experiment]\nwarmpu = 2\n[strategy sync]\n"
                        "[workload null]\n")
            rc, _, err = run("validate", ini)
            self.assertEqual(rc, 2)
            self.assertIn("e.ini:2: unknown key 'warmpu' in [experiment]; "
                          "did you mean 'warmup'?", err)
            self.assertIn("concur help experiment", err)
            ini = write(os.path.join(d, "e.ini"),
                        "[experiment]\nwarmup = 5000\n[strategy sync]\n"
                        "[workload null]\n")
            rc, _, err = run("validate", ini)
            self.assertEqual(rc, 2)
            self.assertIn("e.ini:2: [experiment] warmup = 5000 is out of "
                          "range: allowed 0 .. 1000", err)

    def test_help_reads_an_older_plugin_by_its_size(self):
        # the older fixture's table ends before check_task, and poison
        # follows: help must say "no", from what the plugin has
        rc, out, err = run("help", "abi_older_workload", "--plugin-path",
                           os.path.join(BUILD, "tests", "fixtures", "abi"))
        self.assertEqual(rc, 0, err)
        self.assertIn("result check: no", out)
        self.assertIn("event loop: no", out)
        self.assertNotIn("needs:", out)


COMMANDS = ["run", "validate", "list", "help", "plot", "compare", "merge",
            "slurm", "serve"]


class CommandTable(unittest.TestCase):
    """One table in main.c drives dispatch, --help and did-you-mean."""

    def test_help_lists_every_command_and_each_dispatches(self):
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        listed = re.findall(r"^  ([a-z]+) +\S", out.split("commands:")[1]
                            .split("run options:")[0], re.M)
        self.assertEqual(listed, COMMANDS)
        for name in COMMANDS:
            rc, _, err = run(name, "--no-such-flag")
            self.assertNotIn("unknown command", err, name)

    def test_unknown_command_suggests_the_nearest(self):
        rc, _, err = run("comapre", "a.csv", "b.csv")
        self.assertEqual(rc, 2)
        self.assertIn("unknown command 'comapre' (did you mean 'compare'?)", err)
        rc, _, err = run("frobnicate")
        self.assertEqual(rc, 2)
        self.assertIn("unknown command 'frobnicate'", err)
        self.assertNotIn("did you mean", err)


class ServeCommand(unittest.TestCase):
    def test_concur_serve_runs_the_helper(self):
        with subprocess.Popen([CONCUR, "serve", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) as p:
            try:
                line = p.stdout.readline()
                m = re.search(r"listening on (http://127\.0\.0\.1:\d+/)", line)
                self.assertIsNotNone(m, line)
                with urllib.request.urlopen(m.group(1) + "?size=321",
                                            timeout=10) as r:
                    self.assertEqual(len(r.read()), 321)
            finally:
                p.terminate()
                self.assertEqual(p.wait(timeout=10), 0)

    def test_concur_serve_bad_flag(self):
        rc, _, err = run("serve", "--port", "70000")
        self.assertEqual(rc, 2)
        self.assertIn("--port '70000' is not a number from 0 to 65535", err)


class Installed(unittest.TestCase):
    def test_installed_concur_finds_its_test_server(self):
        with TempDir() as d:
            prefix = os.path.join(d, "prefix")
            subprocess.run([CMAKE, "--install", BUILD, "--prefix", prefix],
                           check=True, capture_output=True)
            installed = os.path.join(prefix, "bin", "concur")
            self.assertNotIn("libmicrohttpd", ldd(installed))
            ini = write(os.path.join(d, "dl.ini"), DOWNLOAD.format(url="builtin"))
            out = os.path.join(d, "dl.csv")
            p = subprocess.run([installed, "run", ini, "-o", out, "-q"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(read_dicts(out)[0]["status"], "ok")
