"""Recognise a file's format from its bytes (libmagic, then the zip directory), never its name."""

from __future__ import annotations

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


def detect_format(path: Path) -> tuple[str, str]:
    """Return ``(format, mime_type)``; format is ``empty`` or ``unknown`` when nothing fits."""
    if path.stat().st_size == 0:
        return "empty", "application/x-empty"
    mime = magic.from_file(str(path), mime=True)
    if mime in ("application/zip", "application/octet-stream") or mime.startswith("application/vnd."):
        fmt = _zip_format(path) if zipfile.is_zipfile(path) else _BY_MIME.get(mime)
        if fmt:
            return fmt, MIME_OF.get(fmt, mime)
    fmt = _BY_MIME.get(mime)
    if fmt == "txt" or mime in ("text/xml", "application/xml"):
        fmt = _refine_text(path)
    return (fmt or "unknown"), mime


def _refine_text(path: Path) -> str:
    """Plain text that is really Markdown or HTML (libmagic often says text/plain for both)."""
    head = path.read_bytes()[:4096].decode("utf-8", "ignore").lower()
    if "<html" in head or "<!doctype html" in head:
        return "html"
    if path.suffix.lower() in (".md", ".markdown") or head.startswith("# "):
        return "md"
    if path.suffix.lower() == ".csv":
        return "csv"
    return "txt"
