"""Recognise a file's format from its bytes (libmagic, then the zip directory), never its name."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import magic

#: libmagic MIME type -> phare format slug
_BY_MIME = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/epub+zip": "epub",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "md",
    "text/csv": "csv",
    "text/plain": "txt",
    "application/msword": "doc",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.ms-excel": "xls",
    "text/rtf": "rtf",
    "application/rtf": "rtf",
}

#: OOXML/ODF main part -> format, for zips libmagic only calls "application/zip"
_ZIP_MARKERS = {
    "word/document.xml": "docx",
    "ppt/presentation.xml": "pptx",
    "xl/workbook.xml": "xlsx",
}
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.presentation": "odp",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/epub+zip": "epub",
}

MIME_OF = {fmt: mime for mime, fmt in _BY_MIME.items()}


def _zip_format(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                fmt = _ODF_MIMETYPES.get(zf.read("mimetype").strip())
                if fmt:
                    return fmt
            for marker, fmt in _ZIP_MARKERS.items():
                if marker in names:
                    return fmt
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return "zip"


def detect_format(path: Path, name: str = "") -> tuple[str, str]:
    """Return ``(format, mime_type)``; format is ``empty`` or ``unknown`` when nothing fits. ``name``:
    the file's own name, when ``path`` is a stored copy without it (a hint for text formats only)."""
    if path.stat().st_size == 0:
        return "empty", "application/x-empty"
    mime = magic.from_file(str(path), mime=True)
    if mime in ("application/zip", "application/octet-stream") or mime.startswith("application/vnd."):
        fmt = _zip_format(path) if zipfile.is_zipfile(path) else _BY_MIME.get(mime)
        if fmt:
            return fmt, MIME_OF.get(fmt, mime)
    fmt = _BY_MIME.get(mime)
    if fmt in ("txt", "csv", "md") or mime in ("text/xml", "application/xml"):
        fmt = _refine_text(path, name or path.name)
        mime = MIME_OF.get(fmt, mime)
    return (fmt or "unknown"), mime


_MD_HEADING = re.compile(r"^#{1,6}\s+\S", re.M)
_MD_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*\r?\n", re.S)
_MD_SIGNS = (re.compile(r"^\s*[-*+]\s+\S", re.M), re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"),
             re.compile(r"\*\*[^*\n]+\*\*"), re.compile(r"^\s*\d+\.\s+\S", re.M), re.compile(r"^```", re.M),
             re.compile(r"^>\s", re.M))
_DELIMITERS = (",", ";", "\t", "|")


def looks_like_markdown(text: str) -> bool:
    """Front matter, an ATX heading, or several kinds of Markdown marks."""
    if _MD_FRONT_MATTER.match(text) or _MD_HEADING.search(text):
        return True
    return sum(bool(sign.search(text)) for sign in _MD_SIGNS) >= 2


_FUNCTION_WORD = re.compile(r"(?:^|\s)(?:le|la|les|l'|de|des|du|d'|un|une|et|à|au|aux|pour|en|par|qui|que|est|"
                            r"the|of|and)(?=\s|$)", re.I)
_SENTENCE_END = re.compile(r"[.!?…]\s*$")


def looks_tabular(text: str) -> bool:
    """Most lines cut by the same delimiter into the same number (2 or more) of cells, and cells that
    read as values rather than bits of sentences: a table, not prose that happens to hold commas."""
    lines = [line for line in text.replace("’", "'").splitlines() if line.strip()][:30]
    if len(lines) < 2 or sum(bool(_SENTENCE_END.search(line)) for line in lines) > 0.3 * len(lines):
        return False
    for delimiter in _DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        common = max(set(counts), key=counts.count)
        if common >= 1 and counts.count(common) >= 0.8 * len(lines):
            cells = [c.strip() for line in lines for c in line.split(delimiter) if c.strip()]
            wordy = sum(bool(_FUNCTION_WORD.search(c)) for c in cells)
            if cells and sum(len(c) for c in cells) / len(cells) < 60 and wordy <= 0.3 * len(cells):
                return True
    return False


def _refine_text(path: Path, name: str) -> str:
    """Text whose kind libmagic cannot tell: HTML, Markdown (by name or by its marks), a table, or prose."""
    head = path.read_bytes()[:16384].decode("utf-8", "ignore")
    lowered = head.lower()
    if "<html" in lowered or "<!doctype html" in lowered:
        return "html"
    suffix = Path(name).suffix.lower()
    if suffix in (".md", ".markdown") or (suffix not in (".csv", ".tsv") and looks_like_markdown(head)):
        return "md"
    if suffix in (".csv", ".tsv") or looks_tabular(head):
        return "csv" if looks_tabular(head) else "txt"
    return "txt"
