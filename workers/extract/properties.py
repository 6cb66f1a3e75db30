"""Document properties of OOXML (docProps/core.xml) and ODF (meta.xml) files, read without a parser."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}
_YEAR = re.compile(r"^(\d{4})")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass
class Properties:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    created_year: int | None = None


def _text(root: etree._Element, xpath: str) -> str | None:
    found = root.xpath(xpath, namespaces=_NS)
    return found[0].text.strip() if found and found[0].text and found[0].text.strip() else None


def _year(value: str | None) -> int | None:
    match = _YEAR.match(value or "")
    return int(match.group(1)) if match and 1950 <= int(match.group(1)) <= 2100 else None


def read_properties(path: Path, fmt: str) -> Properties:
    """Title, authors and creation year from the package metadata; empty when absent or unreadable."""
    part = "meta.xml" if fmt in ("odt", "odp", "ods") else "docProps/core.xml"
    try:
        with zipfile.ZipFile(path) as zf:
            if part not in zf.namelist() or zf.getinfo(part).file_size > 1_000_000:
                return Properties()
            root = etree.fromstring(zf.read(part), _PARSER)
    except (zipfile.BadZipFile, OSError, etree.XMLSyntaxError, KeyError):
        return Properties()
    if part == "meta.xml":
        authors = [a for a in (_text(root, "//meta:initial-creator"), _text(root, "//dc:creator")) if a]
        created = _text(root, "//meta:creation-date") or _text(root, "//dc:date")
    else:
        authors = [a for a in (_text(root, "//dc:creator"),) if a]
        created = _text(root, "//dcterms:created") or _text(root, "//dcterms:modified")
    return Properties(title=_text(root, "//dc:title"), authors=list(dict.fromkeys(authors)),
                      created_year=_year(created))
