"""unstructured partitioners for every non-PDF format, and for giving PDF page text its structure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from schemas.documents import Element
from workers.extract.errors import ExtractionError
from workers.extract.offline_nlp import install_offline_nlp

LANGUAGES = ["fra"]


def _partitioner(fmt: str) -> Callable[..., list[Any]]:
    """Import lazily: each partitioner pulls its own format library."""
    if fmt == "docx":
        from unstructured.partition.docx import partition_docx
        return partition_docx
    if fmt == "pptx":
        from unstructured.partition.pptx import partition_pptx
        return partition_pptx
    if fmt == "xlsx":
        from unstructured.partition.xlsx import partition_xlsx
        return partition_xlsx
    if fmt == "odt":
        from unstructured.partition.odt import partition_odt
        return partition_odt
    if fmt == "html":
        from unstructured.partition.html import partition_html
        return partition_html
    if fmt == "md":
        from unstructured.partition.md import partition_md
        return partition_md
    if fmt == "csv":
        from unstructured.partition.csv import partition_csv
        return partition_csv
    if fmt == "txt":
        from unstructured.partition.text import partition_text
        return partition_text
    if fmt == "rtf":
        from unstructured.partition.rtf import partition_rtf
        return partition_rtf
    if fmt == "epub":
        from unstructured.partition.epub import partition_epub
        return partition_epub
    raise ExtractionError(f"format non pris en charge : {fmt}")


def _to_elements(raw: list[Any], default_page: int = 1) -> list[Element]:
    out: list[Element] = []
    for el in raw:
        text = (getattr(el, "text", "") or "").strip()
        if not text:
            continue
        page = getattr(el.metadata, "page_number", None) or default_page
        out.append(Element(category=el.category, text=text, page=int(page)))
    return out


def partition_file(path: Path, fmt: str) -> list[Element]:
    """Elements of a non-PDF file, with their page (or slide) numbers."""
    install_offline_nlp()
    fn = _partitioner(fmt)
    kwargs: dict[str, Any] = {"filename": str(path), "languages": LANGUAGES}
    try:
        raw = fn(**kwargs)
    except ExtractionError:
        raise
    except Exception as exc:  # parsers raise anything on corrupt input
        detail = f"{type(exc).__name__}: {exc}"[:200]
        raise ExtractionError(f"fichier {fmt.upper()} illisible ou corrompu ({detail})") from exc
    return _to_elements(raw)


def partition_markdown(text: str) -> list[Element]:
    """Elements of Markdown text (front matter already taken off): heading marks never reach the text."""
    install_offline_nlp()
    from unstructured.partition.md import partition_md

    try:
        raw = partition_md(text=text, languages=LANGUAGES)
    except Exception as exc:  # the parser raises anything on odd input
        raise ExtractionError(f"fichier MD illisible ({type(exc).__name__}: {exc})"[:250]) from exc
    return _to_elements(raw)


def structure_page(text: str, page: int) -> list[Element]:
    """Structure one page of plain text (PDF text layer or OCR) into elements.

    What ``partition_text`` does, with its own steps (paragraph grouping, splitting, element
    classification), minus its metadata decorators: they deep-copy a metadata object per element,
    a third of the extraction time, for metadata we do not keep. A test keeps the two equal."""
    install_offline_nlp()
    from unstructured.cleaners.core import auto_paragraph_grouper
    from unstructured.partition.text import _is_empty_bullet, _split_by_paragraph, element_from_text

    if not text.strip():
        return []
    paragraphs = (p.strip() for p in _split_by_paragraph(auto_paragraph_grouper(text)))
    return _to_elements([element_from_text(p) for p in paragraphs if p and not _is_empty_bullet(p)],
                        default_page=page)
