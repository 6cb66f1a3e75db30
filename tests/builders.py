"""Build test documents in formats the fixtures do not cover (ODP, ODS, RTF, EPUB) and hostile zips."""

from __future__ import annotations

import zipfile
from pathlib import Path

_ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')


def _odf(path: Path, mimetype: str, body: str, title: str) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS}>'
                                   f"<office:body>{body}</office:body></office:document-content>")
        zf.writestr("meta.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODF_NS}>'
                                f"<office:meta><dc:title>{title}</dc:title><dc:creator>Agence d'urbanisme</dc:creator>"
                                "<meta:creation-date>2023-05-02T10:00:00</meta:creation-date></office:meta>"
                                "</office:document-meta>")
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return path


def make_docx(path: Path, heading: str, paragraph: str, title: str | None = None, author: str | None = None) -> Path:
    """A real DOCX written by python-docx: one heading, one paragraph, optional core properties."""
    from docx import Document

    doc = Document()
    if title is not None:
        doc.core_properties.title = title
    if author is not None:
        doc.core_properties.author = author
    doc.add_heading(heading, level=1)
    doc.add_paragraph(paragraph)
    doc.save(path)
    return path


def make_odp(path: Path, slides: list[list[str]], title: str = "Présentation") -> Path:
    pages = "".join(
        '<draw:page draw:name="p">' + "".join(f"<draw:frame><draw:text-box><text:p>{p}</text:p></draw:text-box>"
                                              "</draw:frame>" for p in slide) + "</draw:page>"
        for slide in slides)
    return _odf(path, "application/vnd.oasis.opendocument.presentation",
                f"<office:presentation>{pages}</office:presentation>", title)


def make_ods(path: Path, sheets: dict[str, list[list[str]]], title: str = "Indicateurs") -> Path:
    body = "".join(
        f'<table:table table:name="{name}">' + "".join(
            "<table:table-row>" + "".join(f"<table:table-cell><text:p>{c}</text:p></table:table-cell>" for c in row)
            + "</table:table-row>" for row in rows) + "</table:table>"
        for name, rows in sheets.items())
    return _odf(path, "application/vnd.oasis.opendocument.spreadsheet",
                f"<office:spreadsheet>{body}</office:spreadsheet>", title)


def make_rtf(path: Path, text: str) -> Path:
    escaped = "".join(c if ord(c) < 128 else f"\\'{c.encode('cp1252')[0]:02x}" for c in text)
    path.write_text(r"{\rtf1\ansi\deff0 {\fonttbl {\f0 Times;}}\f0 " + escaped + r"\par}", encoding="ascii")
    return path


def make_epub(path: Path, title: str, chapters: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml",
                    '<?xml version="1.0"?><container version="1.0" '
                    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                    '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
                    "</rootfiles></container>")
        items = "".join(f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
                        for i in range(len(chapters)))
        spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
        zf.writestr("content.opf",
                    '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
                    'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
                    f'<dc:identifier id="id">x</dc:identifier><dc:title>{title}</dc:title><dc:language>fr</dc:language>'
                    f"</metadata><manifest>{items}</manifest><spine>{spine}</spine></package>")
        for i, chapter in enumerate(chapters):
            zf.writestr(f"c{i}.xhtml", '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
                                       f"<head><title>{title}</title></head><body><p>{chapter}</p></body></html>")
    return path


def make_ratio_bomb_docx(path: Path, source: Path, inflated_mb: int = 64) -> Path:
    """A real DOCX plus one entry of zeros that deflates ~1000:1."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        with dst.open("word/media/zeros.bin", "w", force_zip64=True) as fh:
            chunk = b"\x00" * (1 << 20)
            for _ in range(inflated_mb):
                fh.write(chunk)
    return path
