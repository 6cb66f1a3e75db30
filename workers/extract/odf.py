"""OpenDocument presentations and spreadsheets (ODP, ODS), which unstructured does not read.

The text comes from ``content.xml``: one page per slide or per sheet, paragraphs and table rows
kept as lines; unstructured then structures each page like any other plain text.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from workers.extract.errors import ExtractionError

_NS = {
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _paragraphs(node: etree._Element) -> list[str]:
    out = []
    for p in node.iter(f"{{{_NS['text']}}}p", f"{{{_NS['text']}}}h"):
        text = " ".join("".join(p.itertext()).split())
        if text:
            out.append(text)
    return out


def _sheet_rows(sheet: etree._Element) -> list[str]:
    rows = []
    for row in sheet.iter(f"{{{_NS['table']}}}table-row"):
        cells = [" ".join(_paragraphs(cell)) for cell in row.iter(f"{{{_NS['table']}}}table-cell")]
        line = "\t".join(c for c in cells if c)
        if line:
            rows.append(line)
    return rows


def read_odf_pages(path: Path, fmt: str) -> list[str]:
    """Text of each slide (ODP) or sheet (ODS), in document order."""
    try:
        with zipfile.ZipFile(path) as zf:
            root = etree.fromstring(zf.read("content.xml"), _PARSER)
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError) as exc:
        raise ExtractionError(f"fichier {fmt.upper()} illisible ou corrompu ({exc})") from exc
    if fmt == "odp":
        return ["\n".join(_paragraphs(page)) for page in root.iterfind(".//draw:page", _NS)]
    return ["\n".join(_sheet_rows(sheet)) for sheet in root.iterfind(".//table:table", _NS)]
