"""The documentation holds together: every relative link in README.md and
docs/*.md names a file that exists and, with #anchor, a heading of that
file; every page under docs/ is reachable from the table of contents; and
every page of docs/ cited by the sources, with the section in quotes after
it, names a page and a heading that exist."""
import glob
import os
import re
import subprocess
import unittest

from common import SOURCE

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
CITE = re.compile(r'docs/([\w.-]+\.md)(?:[ \t]*(?:\n[ \t]*[*;#]?[ \t]*)?"([^"]+)")?')


def slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path):
    with open(path, encoding="utf-8") as f:
        text = FENCE.sub("", f.read())
    return {slug(h) for h in re.findall(r"^#{1,6} (.*)$", text, re.M)}


def headings(path):
    with open(path, encoding="utf-8") as f:
        text = FENCE.sub("", f.read())
    return re.findall(r"^#{1,6} (.*)$", text, re.M)


def pages():
    return [os.path.join(SOURCE, "README.md")] + sorted(
        glob.glob(os.path.join(SOURCE, "docs", "*.md")))


def broken_links(path):
    with open(path, encoding="utf-8") as f:
        text = FENCE.sub("", f.read())
    bad = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) \
            if file else path
        if not os.path.exists(dest):
            bad.append(f"{target}: no such file")
        elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
            bad.append(f"{target}: no heading with that anchor")
    return bad


class TestDocs(unittest.TestCase):
    def test_relative_links_resolve(self):
        for path in pages():
            with self.subTest(page=os.path.relpath(path, SOURCE)):
                self.assertEqual(broken_links(path), [])

    def test_every_page_is_in_the_table_of_contents(self):
        toc = os.path.join(SOURCE, "docs", "README.md")
        with open(toc, encoding="utf-8") as f:
            linked = set(LINK.findall(f.read()))
        for path in glob.glob(os.path.join(SOURCE, "docs", "*.md")):
            name = os.path.basename(path)
            if name != "README.md":
                self.assertIn(name, linked, f"docs/README.md does not link {name}")

    def test_citations_in_the_sources_resolve(self):
        files = subprocess.run(
            ["git", "ls-files", "harness", "plugins", "include", "tests",
             "configs", "scripts", "docs/concur.1"],
            cwd=SOURCE, capture_output=True, text=True, check=True).stdout
        bad = []
        for rel in files.split():
            if rel.startswith("tests/fixtures/") or not os.path.isfile(
                    os.path.join(SOURCE, rel)):
                continue
            with open(os.path.join(SOURCE, rel), encoding="utf-8",
                      errors="replace") as f:
                text = f.read()
            for page, section in CITE.findall(text):
                path = os.path.join(SOURCE, "docs", page)
                if not os.path.exists(path):
                    bad.append(f"{rel}: docs/{page} does not exist")
                    continue
                section = re.sub(r"\s*\n\s*[*;#]?\s*", " ", section)
                section = section.replace("\\", "")
                if section and not any(h.startswith(section)
                                       for h in headings(path)):
                    bad.append(f'{rel}: docs/{page} has no "{section}"')
        self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main()
