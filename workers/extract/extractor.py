"""The extract stage: one file in, one ``Extraction`` (pages, elements, metadata) out."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from schemas.documents import Element, Extraction, Page, TitleSource
from workers.extract import legacy, odf, pdf
from workers.extract.cleaning import clean_text, detect_language, strip_running_lines
from workers.extract.detect import detect_format
from workers.extract.errors import ExtractionError
from workers.extract.limits import check_zip_bomb
from workers.extract.markdown import read_text, split_front_matter, without_struck
from workers.extract.partition import partition_file, partition_markdown, structure_page
from workers.extract.properties import Properties, read_properties

#: 4: title sources, Markdown front matter, text never failed as a table; 5: scanned covers' titles
EXTRACTOR_VERSION = 5
_MIN_DECLARED_TITLE_WORDS = 3  # a shorter title in the properties is a code or a stale template name

ZIP_FORMATS = frozenset({"docx", "pptx", "xlsx", "odt", "odp", "ods", "epub"})
_JUNK_TITLE = re.compile(r"^(microsoft (word|powerpoint|excel)\s*-|untitled|sans titre|document\d*$|diapositive|"
                         r"présentation powerpoint|powerpoint presentation|table des matières|sommaire|"
                         r"contents$)", re.I)
_FILEISH = re.compile(r"(\.(docx?|pptx?|xlsx?|odt|odp|ods|pdf|rtf)$)|(^\S*_\S*$)|(^[A-Z]{2,}_?[A-Z0-9]{6,}$)|"
                      r"(^\S+\s+\S*_\S*$)|(_vf|_v\d+)\b", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_MONTH_YEAR = re.compile(r"\b(janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
                         r"novembre|décembre|decembre|january|february|march|april|may|june|july|august|"
                         r"september|october|november|december)\s+(19[5-9]\d|20\d\d)\b", re.I)


def _good_title(candidate: str | None) -> str | None:
    if not candidate:
        return None
    title = " ".join(candidate.split())
    if len(title) < 4 or _JUNK_TITLE.search(title) or _FILEISH.search(title) or title[0].islower():
        return None
    return title[:300]


#: formats whose Title elements come from the document's own structure (styles, tags, marks), not from
#: a guess on plain text
_STRUCTURED: dict[str, TitleSource] = {"docx": "heading", "odt": "heading", "pptx": "heading", "odp": "heading",
                                       "epub": "heading", "rtf": "heading", "html": "html", "md": "markdown"}
Titled = tuple[str | None, TitleSource | None]


def _title_from_elements(elements: list[Element], fmt: str) -> Titled:
    """The first real heading of the first pages, with its continuation lines joined; else the first
    line of text. Its source says whether the document marked it as a heading or phare guessed it."""
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
    if parts and (title := _good_title(" ".join(parts))):
        return title, _STRUCTURED.get(fmt, "first_line")
    first = next((el.text for el in elements if sum(c.isalpha() for c in el.text) >= 3), "")
    first_line = first.split("\n")[0].strip()
    if 4 <= len(first_line) <= 150 and not first_line.endswith((".", ",", ";", ":")):
        title = _good_title(first_line)
        return title, "first_line" if title else None
    return None, None


def _first(*candidates: Titled) -> Titled:
    return next(((t, src) for t, src in candidates if t), (None, None))


_COVER_CHARS = 3000  # a document in one long page (Markdown, text, DOCX): its opening is its cover


def publication_year(pages: list[Page], property_year: int | None) -> int | None:
    """A "month year" on the cover (the first two pages, at most their first 3,000 characters each)
    wins; then the file's own date. A date deep in a long text is a reference, not the edition."""
    latest = date.today().year + 1
    for page in pages[:2]:
        for match in _MONTH_YEAR.finditer(page.text[:_COVER_CHARS]):
            year = int(match.group(2))
            if year <= latest:
                return year
    return property_year if property_year and property_year <= latest else None


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

    def run(self, path: Path, name: str = "") -> Extraction:
        """``name``: the file's own name when ``path`` is a stored copy (a hint for text formats)."""
        fmt, mime = detect_format(path, name)
        if fmt == "empty":
            raise ExtractionError("fichier vide (0 octet)")
        if fmt in ("unknown", "zip"):
            raise ExtractionError(f"format non reconnu ({mime})")
        if fmt in ZIP_FORMATS:
            check_zip_bomb(path)
        if fmt in ("doc", "ppt", "xls"):
            with legacy.converted(path, fmt) as modern:
                check_zip_bomb(modern)
                extraction = self._partitioned(modern, legacy.TARGET[fmt], mime)
            extraction.format = fmt
        elif fmt == "pdf":
            extraction = self._pdf(path)
        elif fmt in ("odp", "ods"):
            extraction = self._plain_pages(odf.read_odf_pages(path, fmt), fmt, mime, read_properties(path, fmt))
        else:
            extraction = self._partitioned(path, fmt, mime)
        if not any(p.text.strip() for p in extraction.pages):
            raise ExtractionError("aucun texte extrait d'un document qui devrait en contenir")
        return extraction

    def _plain_pages(self, texts: list[str], fmt: str, mime: str, props: Properties,
                     pdf_title: str | None = None, pdf_year: int | None = None,
                     cover_title: str | None = None) -> Extraction:
        pages = [Page(page=i + 1, text=clean_text(t)) for i, t in enumerate(texts)]
        elements = [el for p in pages for el in structure_page(p.text, p.page)]
        declared: Titled = (_good_title(pdf_title or props.title), "properties")
        cover: Titled = (_good_title(cover_title and clean_text(cover_title)), "cover")
        if declared[0] and len(declared[0].split()) < _MIN_DECLARED_TITLE_WORDS:
            declared = _first(cover, declared)  # "Zoom10"
        title, source = _first(declared, cover, _title_from_elements(elements, fmt))
        return Extraction(
            extractor_version=EXTRACTOR_VERSION, format=fmt, mime_type=mime, title=title, title_source=source,
            authors=props.authors, year=publication_year(pages, pdf_year or props.created_year),
            language=detect_language("\n".join(p.text for p in pages[:3])),
            page_count=len(pages), pages=pages, elements=elements,
        )

    def _pdf(self, path: Path) -> Extraction:
        raw = pdf.read_pdf(path, self.ocr_language)
        texts = strip_running_lines([clean_text(t) for t in raw.pages])
        authors = [a.strip() for a in re.split(r"[;,]", raw.metadata.get("Author", "")) if a.strip()]
        return self._plain_pages(texts, "pdf", "application/pdf", Properties(authors=authors),
                                 pdf_title=raw.metadata.get("Title"), pdf_year=pdf.pdf_year(raw.metadata),
                                 cover_title=raw.cover_title)

    def _partitioned(self, path: Path, fmt: str, mime: str) -> Extraction:
        if fmt == "md":
            front, body = split_front_matter(read_text(path))
            elements = partition_markdown(without_struck(body))
            props = Properties(title=front.title, authors=front.authors, created_year=front.year)
        elif fmt == "csv":
            try:
                elements = partition_file(path, fmt)
            except ExtractionError:  # not a table after all: prose with commas is read as text
                fmt, mime = "txt", "text/plain"
                elements = partition_file(path, fmt)
            props = Properties()
        else:
            elements = partition_file(path, fmt)
            props = read_properties(path, fmt) if fmt in ZIP_FORMATS else Properties()
        pages = _pages_from_elements(elements)
        declared: Titled = (_good_title(props.title), "markdown" if fmt == "md" else "properties")
        title, source = _first(declared, _title_from_elements(elements, fmt))
        return Extraction(
            extractor_version=EXTRACTOR_VERSION, format=fmt, mime_type=mime, title=title, title_source=source,
            authors=props.authors, year=publication_year(pages, props.created_year),
            language=detect_language("\n".join(p.text for p in pages[:3])),
            page_count=len(pages), pages=pages, elements=elements,
        )
