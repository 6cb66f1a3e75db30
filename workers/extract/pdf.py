"""PDF text, page by page, with pdfium; pages without a text layer go to OCR when it is available.

We do not call ``unstructured.partition_pdf``: it imports the layout-model stack (torch) and is
15× slower than reading the text layer. pdfium gives the page text; unstructured's text
partitioner then gives it structure (titles, list items, narrative text) page by page.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from PIL.Image import Image

from workers.extract import ocr
from workers.extract.cover import TITLE_BLOCK_SHARE, TITLE_SIZE_RATIO
from workers.extract.errors import ExtractionError

_PDFIUM_PASSWORD = 4
_MIN_TEXT_CHARS = 20  # a page with less text than this and an image is treated as scanned
_DATE = re.compile(r"D:(\d{4})")


@dataclass
class PdfText:
    pages: list[str]
    metadata: dict[str, str] = field(default_factory=dict)
    ocr_pages: list[int] = field(default_factory=list)
    cover_title: str | None = None


_TITLE_SCAN_CHARS = 5000
_TITLE_GAP_CHARS = 20  # this much smaller text ends the title block


def cover_title(textpage: pdfium.PdfTextPage) -> str | None:
    """The first block of the largest letters on a page (a cover's or a paper's title), if they stand
    out from the body text."""
    chars = [(chr(pdfium.raw.FPDFText_GetUnicode(textpage.raw, i)),
              pdfium.raw.FPDFText_GetFontSize(textpage.raw, i))
             for i in range(min(textpage.count_chars(), _TITLE_SCAN_CHARS))]
    alpha = [size for c, size in chars if c.isalpha()]
    if len(alpha) < 20 or max(alpha) < TITLE_SIZE_RATIO * statistics.median(alpha):
        return None
    floor = TITLE_BLOCK_SHARE * max(alpha)
    out: list[str] = []
    gap = 0
    for c, size in chars:
        if size >= floor and c not in "\r\n\x00":
            if gap and out:
                out.append(" ")
            out.append(c)
            gap = 0
        elif c.isalnum():
            gap += 1
            if out and gap >= _TITLE_GAP_CHARS:
                break
        elif out and not gap:
            gap = 1 if c.isspace() or c in "\r\n" else gap
    title = re.sub(r"[ \t\r\n]+", " ", "".join(out)).strip()  # not str.split: pdfium's \x1f is a glyph
    return title if sum(ch.isalpha() for ch in title) >= 4 else None


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _PDFIUM_PASSWORD:
            raise ExtractionError("document protégé par mot de passe") from exc
        raise ExtractionError(f"PDF illisible ou corrompu ({exc})") from exc


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))


def read_pdf(path: Path, ocr_language: str = "fra") -> PdfText:
    """Text of every page (1-based order kept). Raises ExtractionError for unreadable files.

    Pages without a text layer are rendered at 300 dpi and read by tesseract, several at a time.
    """
    pdf = _open(path)
    scans: dict[int, Image] = {}
    try:
        result = PdfText(pages=[], metadata={k: v for k, v in pdf.get_metadata_dict().items() if v})
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n")
                if index == 0 and len(text.strip()) >= _MIN_TEXT_CHARS:
                    result.cover_title = cover_title(textpage)
                if len(text.strip()) < _MIN_TEXT_CHARS and _has_image(page):
                    scans[index] = page.render(scale=300 / 72, grayscale=True).to_pil()
                result.pages.append(text)
            finally:
                page.close()
    except pdfium.PdfiumError as exc:
        raise ExtractionError(f"PDF corrompu : page illisible ({exc})") from exc
    finally:
        pdf.close()
    if scans:
        # a scanned cover: its title is the tallest text tesseract reads with confidence
        texts, title = ocr.ocr_images(list(scans.values()), ocr_language, cover=0 in scans)
        for index, text in zip(scans, texts, strict=True):
            result.pages[index] = text
        result.ocr_pages = [i + 1 for i in scans]
        result.cover_title = result.cover_title or title
    return result


def pdf_year(metadata: dict[str, str]) -> int | None:
    for key in ("CreationDate", "ModDate"):
        match = _DATE.match(metadata.get(key, ""))
        if match and 1950 <= int(match.group(1)) <= 2100:
            return int(match.group(1))
    return None
