"""The extract stage: one file in, one ``Extraction`` (pages, elements, metadata) out."""

from __future__ import annotations

import re
from pathlib import Path

from schemas.documents import Element, Extraction, Page
from workers.extract import pdf
from workers.extract.cleaning import clean_text, detect_language
from workers.extract.detect import detect_format
from workers.extract.errors import ExtractionError
from workers.extract.partition import partition_file, structure_page

EXTRACTOR_VERSION = 1

_JUNK_TITLE = re.compile(r"^(microsoft (word|powerpoint|excel)\s*-|untitled|sans titre|document\d*$|diapositive)", re.I)
_FILEISH = re.compile(r"\.(docx?|pptx?|xlsx?|odt|pdf|rtf)$", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_LEGACY = {"doc", "ppt", "xls", "rtf"}


def _good_title(candidate: str | None) -> str | None:
    if not candidate:
        return None
    title = " ".join(candidate.split())
    if len(title) < 4 or _JUNK_TITLE.search(title) or _FILEISH.search(title):
        return None
    return title[:300]


def _title_from_elements(elements: list[Element]) -> str | None:
    """The first real heading of the first pages, with its continuation lines joined."""
    parts: list[str] = []
    for el in elements:
        if el.page > 2:
            break
        if el.category == "Title" and sum(c.isalpha() for c in el.text) >= 3 and not _YEAR.fullmatch(el.text.strip()):
            parts.append(el.text)
            if len(" ".join(parts)) > 60:
                break
        elif parts:
            break
    if parts:
        return _good_title(" ".join(parts))
    first = next((el.text for el in elements if sum(c.isalpha() for c in el.text) >= 3), "")
    first_line = first.split("\n")[0].strip()
    if 4 <= len(first_line) <= 150 and not first_line.endswith((".", ",", ";", ":")):
        return _good_title(first_line)
    return None


def _pages_from_elements(elements: list[Element]) -> list[Page]:
    by_page: dict[int, list[str]] = {}
    for el in elements:
        by_page.setdefault(el.page, []).append(el.text)
    last = max(by_page, default=1)
    return [Page(page=n, text=clean_text("\n\n".join(by_page.get(n, [])))) for n in range(1, last + 1)]


class TextExtractor:
    """Reads a file of any supported format. ``run`` raises ExtractionError with a French reason."""

    def __init__(self, ocr_language: str = "fra") -> None:
        self.ocr_language = ocr_language

    def run(self, path: Path, name_hint: str | None = None) -> Extraction:
        fmt, mime = detect_format(path)
        if fmt == "empty":
            raise ExtractionError("fichier vide (0 octet)")
        if fmt in _LEGACY:
            raise ExtractionError(f"format {fmt.upper()} ancien non pris en charge (LibreOffice requis)")
        if fmt in ("unknown", "zip"):
            raise ExtractionError(f"format non reconnu ({mime})")
        if fmt == "pdf":
            extraction = self._pdf(path)
        else:
            extraction = self._partitioned(path, fmt, mime)
        if not any(p.text.strip() for p in extraction.pages):
            raise ExtractionError("aucun texte extrait d'un document qui devrait en contenir")
        return extraction

    def _pdf(self, path: Path) -> Extraction:
        raw = pdf.read_pdf(path, self.ocr_language)
        pages = [Page(page=i + 1, text=clean_text(t)) for i, t in enumerate(raw.pages)]
        elements = [el for p in pages for el in structure_page(p.text, p.page)]
        text = "\n".join(p.text for p in pages[:3])
        return Extraction(
            extractor_version=EXTRACTOR_VERSION, format="pdf", mime_type="application/pdf",
            title=_good_title(raw.metadata.get("Title")) or _title_from_elements(elements),
            authors=[a.strip() for a in re.split(r"[;,]", raw.metadata.get("Author", "")) if a.strip()],
            year=pdf.pdf_year(raw.metadata), language=detect_language(text),
            page_count=len(pages), pages=pages, elements=elements,
        )

    def _partitioned(self, path: Path, fmt: str, mime: str) -> Extraction:
        elements, props = partition_file(path, fmt)
        pages = _pages_from_elements(elements)
        return Extraction(
            extractor_version=EXTRACTOR_VERSION, format=fmt, mime_type=mime,
            title=_good_title(props.get("title")) or _title_from_elements(elements),
            language=detect_language("\n".join(p.text for p in pages[:3])),
            page_count=len(pages), pages=pages, elements=elements,
        )
