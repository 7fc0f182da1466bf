"""Read what LibreOffice made of a file: convert it to .ods headless (under
a chosen locale, with a private profile, bounded in time) and parse the
cells of content.xml back, with their types."""
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "chart": "urn:oasis:names:tc:opendocument:xmlns:chart:1.0",
}
SOFFICE = shutil.which("soffice")
NO_SOFFICE = ("LibreOffice is not installed (no soffice on PATH): "
              "apt-get install libreoffice-calc-nogui")


def q(tag):
    prefix, name = tag.split(":")
    return "{%s}%s" % (NS[prefix], name)


def locale_available(name):
    out = subprocess.run(["locale", "-a"], capture_output=True,
                         text=True).stdout.lower().split()
    return name.lower().replace("utf-8", "utf8") in out


def convert(paths, outdir, locale="de_DE.UTF-8", timeout=300):
    """Convert every path to .ods in outdir with one soffice start-up
    (LibreOffice starts slowly); returns the .ods paths."""
    profile = os.path.join(outdir, "lo-profile")
    env = dict(os.environ, LC_ALL=locale, LANG=locale,
               LANGUAGE=locale.split(".")[0], HOME=outdir)
    subprocess.run([SOFFICE, "-env:UserInstallation=file://" + profile,
                    "--headless", "--norestore", "--convert-to", "ods",
                    "--outdir", outdir, *paths],
                   env=env, check=True, capture_output=True, timeout=timeout)
    out = []
    for p in paths:
        ods = os.path.join(outdir, os.path.splitext(os.path.basename(p))[0]
                           + ".ods")
        if not os.path.exists(ods):
            raise AssertionError(f"LibreOffice did not convert {p}")
        out.append(ods)
    return out


def cell_text(cell):
    """The text of a cell, with <text:s/>, tabs and line breaks."""
    lines = []
    for p in cell.findall(q("text:p")):
        parts = [p.text or ""]
        for child in p.iter():
            if child is p:
                continue
            if child.tag == q("text:s"):
                parts.append(" " * int(child.get(q("text:c"), "1")))
            elif child.tag == q("text:tab"):
                parts.append("\t")
            elif child.tag == q("text:line-break"):
                parts.append("\n")
            elif child.text and child.tag != q("text:s"):
                parts.append(child.text)
            parts.append(child.tail or "")
        lines.append("".join(parts))
    return "\n".join(lines)


class Cell:
    """type: 'float', 'string', 'boolean', 'date', ... or None (empty)."""

    def __init__(self, type_, value, text):
        self.type, self.value, self.text = type_, value, text

    def __repr__(self):
        return f"Cell({self.type}, {self.value!r}, {self.text!r})"


def parse_cell(el):
    t = el.get(q("office:value-type"))
    if t in ("float", "percentage", "currency"):
        return Cell("float", float(el.get(q("office:value"))), cell_text(el))
    if t == "boolean":
        return Cell("boolean", el.get(q("office:boolean-value")),
                    cell_text(el))
    if t in ("date", "time"):
        return Cell(t, el.get(q("office:date-value")
                              if t == "date" else q("office:time-value")),
                    cell_text(el))
    if t == "string":
        return Cell("string", None, cell_text(el))
    return None


def read_sheets(ods_path):
    """{sheet name: [[Cell or None, ...], ...]} with trailing empties cut."""
    with zipfile.ZipFile(ods_path) as z:
        root = ET.fromstring(z.read("content.xml"))
    sheets = {}
    for table in root.iter(q("table:table")):
        rows = []
        for row in table.iter(q("table:table-row")):
            cells = []
            for el in row:
                if el.tag not in (q("table:table-cell"),
                                  q("table:covered-table-cell")):
                    continue
                n = int(el.get(q("table:number-columns-repeated"), "1"))
                c = parse_cell(el)
                cells.extend([c] * (n if c is not None else min(n, 16384)))
            while cells and cells[-1] is None:
                cells.pop()
            reps = int(row.get(q("table:number-rows-repeated"), "1"))
            rows.extend([cells] * (reps if cells else min(reps, 65536)))
        while rows and not rows[-1]:
            rows.pop()
        sheets[table.get(q("table:name"))] = rows
    return sheets


def chart_objects(ods_path):
    """[(chart class, content.xml text)] of every embedded chart."""
    out = []
    with zipfile.ZipFile(ods_path) as z:
        for name in z.namelist():
            if name.startswith("Object ") and name.endswith("/content.xml"):
                xml = z.read(name).decode("utf-8")
                root = ET.fromstring(xml)
                ch = root.find(".//" + q("chart:chart"))
                if ch is not None:
                    out.append((ch.get(q("chart:class")), xml))
    return out
