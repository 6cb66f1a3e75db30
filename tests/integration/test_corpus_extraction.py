"""Completeness of extraction on the real corpus, against independent references (skipped without it).

For every document with a text layer, the extracted text must contain ≥ 95 % of the distinct words
(3+ letters) of: pdftotext for PDF, the raw XML text for OOXML/ODF, the tag-stripped HTML, the raw
Markdown. Both sides go through the same word normalisation (case, Unicode, ligatures, line-end
hyphens), never through phare's extractor.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from tests.support import CORPUS
from workers.extract.extractor import TextExtractor

pytestmark = [pytest.mark.corpus,
              pytest.mark.skipif(not (CORPUS / "manifest.csv").exists(), reason="../shared/data/corpus absent")]

_WORD = re.compile(r"[^\W\d_]{3,}")
_HYPHEN_BREAK = re.compile(r"(\w)-\s*\n\s*(\w)")
_LIGATURES = str.maketrans({"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "’": "'", "\u00ad": ""})


def words(text: str) -> set[str]:
    text = unicodedata.normalize("NFC", text).translate(_LIGATURES)
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return set(_WORD.findall(text.lower()))


def _xml_text(path: Path, parts: re.Pattern[str]) -> str:
    with zipfile.ZipFile(path) as zf:
        texts = []
        for name in sorted(n for n in zf.namelist() if parts.fullmatch(n)):
            root = etree.fromstring(zf.read(name), etree.XMLParser(huge_tree=True))
            # one paragraph (w:p, a:p, text:p, text:h) = one line; runs inside it join without a space
            texts += ["".join(p.itertext()) for p in root.iter() if etree.QName(p).localname in ("p", "h")]
    return "\n".join(texts)


def reference_text(path: Path, fmt: str) -> str:
    if fmt == "pdf":
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    if fmt == "docx":
        return _xml_text(path, re.compile(r"word/document\.xml"))
    if fmt == "pptx":
        return _xml_text(path, re.compile(r"ppt/slides/slide\d+\.xml"))
    if fmt == "odt":
        return _xml_text(path, re.compile(r"content\.xml"))
    if fmt == "html":
        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        for tag in soup(["script", "style"]):
            tag.decompose()
        return soup.get_text(" ")
    return path.read_text(encoding="utf-8")


def _documents() -> list[tuple[str, str]]:
    if not (CORPUS / "manifest.csv").exists():
        return []
    with (CORPUS / "manifest.csv").open(encoding="utf-8") as fh:
        return [(r["file"], r["format"]) for r in csv.DictReader(fh) if not r["text_layer"].startswith("no")]


@pytest.fixture(scope="module")
def extractor() -> TextExtractor:
    return TextExtractor()


@pytest.mark.parametrize(("name", "fmt"), _documents(), ids=[n.rsplit("/", 1)[-1][:40] for n, _ in _documents()])
def test_extraction_is_complete(extractor: TextExtractor, name: str, fmt: str) -> None:
    if fmt == "pdf" and shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    path = CORPUS / name
    reference = words(reference_text(path, fmt))
    text = "\n".join(p.text for p in extractor.run(path).pages)
    ours = words(text)
    # a reference "word" may be a fragment where the reference itself broke a word (pdftotext drops
    # unmapped ligature glyphs: "administra on"); it is found if our text contains it
    flat = unicodedata.normalize("NFC", text).translate(_LIGATURES).lower()
    missing = {w for w in reference - ours if w not in flat}
    coverage = 1 - len(missing) / max(1, len(reference))
    assert coverage >= 0.95, f"{coverage:.3f} of {len(reference)} words; missing e.g. {sorted(missing)[:25]}"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cnigfr__Geostandards-Risques/ppr_BVScie_NP.pdf",
                                  "cnigfr__Geostandards-Risques/N_ZONE_REG_PPRN_20120001_S_076.pdf"])
def test_scanned_pdfs_yield_ocr_text(extractor: TextExtractor, name: str) -> None:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract not installed")
    text = " ".join(p.text for p in extractor.run(CORPUS / name).pages).lower()
    assert len(words(text)) >= 30 and ("préfet" in text or "métadonnées" in text)


def test_pages_are_structured_exactly_as_partition_text_would() -> None:
    """structure_page runs partition_text's own steps without its metadata decorators (speed): on
    every page of the corpus PDFs it must give the very elements partition_text gives."""
    from unstructured.partition.text import partition_text

    from workers.extract.partition import LANGUAGES, _to_elements, structure_page

    extractor, pages = TextExtractor(), 0
    with (CORPUS / "manifest.csv").open(encoding="utf-8") as fh:
        pdfs = [r["file"] for r in csv.DictReader(fh) if r["format"] == "pdf" and r["text_layer"] == "yes"]
    for name in pdfs:
        for page in extractor.run(CORPUS / name).pages:
            reference = _to_elements(partition_text(text=page.text, languages=LANGUAGES), default_page=page.page) \
                if page.text.strip() else []
            assert structure_page(page.text, page.page) == reference, (name, page.page)
            pages += 1
    assert pages > 250
