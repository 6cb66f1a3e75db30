"""Extraction on real files and on hostile ones built here. Real unstructured, pdfium and tesseract."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader, PdfWriter

from tests import sandbox_targets
from tests.builders import make_docx
from tests.support import FIXTURES
from workers.extract.errors import ExtractionCrashed, ExtractionError
from workers.extract.extractor import TextExtractor
from workers.extract.ocr import tesseract_available
from workers.extract.sandbox import ExtractionSandbox

PDF = FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf"


@pytest.fixture(scope="module")
def extractor() -> TextExtractor:
    return TextExtractor()


def test_pdf_pages_title_and_language(extractor: TextExtractor) -> None:
    result = extractor.run(PDF)
    assert result.format == "pdf" and result.page_count == 2 == len(result.pages)
    assert "friches" in result.pages[0].text.lower()
    assert result.title and result.title.startswith("Mandat du GT CNIG Friches")
    assert result.language == "fr"
    assert result.year == 2022
    assert any(el.category == "Title" for el in result.elements)
    assert {el.page for el in result.elements} == {1, 2}


def test_docx_with_heading(tmp_path: Path, extractor: TextExtractor) -> None:
    path = make_docx(tmp_path / "etude.docx", "Stratégie d'adaptation de la Métropole grenobloise",
                     "À l'horizon 2050, la neutralité carbone est visée par le territoire.")
    result = extractor.run(path)
    assert result.format == "docx"
    assert result.title == "Stratégie d'adaptation de la Métropole grenobloise"
    assert "neutralité carbone" in result.pages[0].text


def test_real_docx_and_html_fixtures(extractor: TextExtractor) -> None:
    docx = extractor.run(FIXTURES / "glossaire_gt_paysages.docx")
    assert docx.title == "Glossaire GT Paysages" and "Paysagistes" in docx.pages[0].text
    html = extractor.run(FIXTURES / "example-10k-1p.html")
    assert html.format == "html" and html.language == "en" and "Galaxy Gaming" in html.pages[0].text


def test_format_comes_from_content_not_extension(tmp_path: Path, extractor: TextExtractor) -> None:
    disguised = tmp_path / "rapport.docx"
    shutil.copy(PDF, disguised)
    assert extractor.run(disguised).format == "pdf"
    text_as_docx = tmp_path / "notes.docx"
    text_as_docx.write_text("Compte rendu de la réunion sur les mobilités douces à Échirolles.\n", encoding="utf-8")
    assert "mobilités douces" in extractor.run(text_as_docx).pages[0].text


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes(b""), "fichier vide"),
        (lambda p: p.write_bytes(PDF.read_bytes()[:3000]), "PDF"),
        (lambda p: shutil.copy("/bin/true", p), "format non reconnu"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 200), "format non reconnu"),
    ],
    ids=["zero-bytes", "truncated-pdf", "elf-renamed-pdf", "broken-zip"],
)
def test_hostile_files_fail_with_a_reason(tmp_path: Path, extractor: TextExtractor, make, reason: str) -> None:  # noqa: ANN001
    path = tmp_path / "document.pdf"
    make(path)
    with pytest.raises(ExtractionError) as info:
        extractor.run(path)
    assert reason in info.value.reason


def _encrypted(tmp_path: Path, user_password: str) -> Path:
    writer = PdfWriter()
    for page in PdfReader(PDF).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="proprietaire")
    out = tmp_path / "chiffre.pdf"
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def test_user_password_pdf_fails(tmp_path: Path, extractor: TextExtractor) -> None:
    with pytest.raises(ExtractionError, match="protégé par mot de passe"):
        extractor.run(_encrypted(tmp_path, "secret"))


def test_owner_password_only_pdf_is_extracted(tmp_path: Path, extractor: TextExtractor) -> None:
    assert "friches" in extractor.run(_encrypted(tmp_path, "")).pages[0].text.lower()


def _scanned_copy(tmp_path: Path) -> Path:
    """An image-only PDF: the fixture's first page rendered at 200 dpi, no text layer."""
    page = pdfium.PdfDocument(str(PDF))[0]
    image = page.render(scale=200 / 72).to_pil().convert("RGB")
    out = tmp_path / "scan.pdf"
    image.save(out, "PDF", resolution=200)
    return out


@pytest.mark.slow
def test_scanned_pdf_is_read_by_french_ocr(tmp_path: Path, extractor: TextExtractor) -> None:
    if not tesseract_available("fra"):
        pytest.skip("tesseract-ocr-fra not installed")
    result = extractor.run(_scanned_copy(tmp_path))
    assert "friches" in result.pages[0].text.lower()


def test_sandbox_returns_the_same_extraction(tmp_path: Path, extractor: TextExtractor) -> None:
    sandboxed = ExtractionSandbox(timeout_s=60).run(PDF)
    assert sandboxed == extractor.run(PDF)


def test_sandbox_kills_a_hanging_parser() -> None:
    with pytest.raises(ExtractionError, match="délai d'extraction dépassé"):
        ExtractionSandbox(timeout_s=1, target=sandbox_targets.hang).run(PDF)


def test_sandbox_survives_a_crashing_parser() -> None:
    with pytest.raises(ExtractionCrashed, match="arrêté brutalement \\(code 139\\)"):
        ExtractionSandbox(timeout_s=10, target=sandbox_targets.crash).run(PDF)


def test_a_child_killed_from_outside_is_a_crash_not_a_verdict() -> None:
    """SIGKILL from the OOM killer or an operator says nothing about the file: retryable."""
    with pytest.raises(ExtractionCrashed, match="tué par le système \\(SIGKILL"):
        ExtractionSandbox(timeout_s=30, target=sandbox_targets.killed).run(PDF)


def test_sandbox_kills_a_ballooning_parser() -> None:
    with pytest.raises(ExtractionError, match="limite mémoire"):
        ExtractionSandbox(timeout_s=60, memory_mb=300, target=sandbox_targets.balloon).run(PDF)


def test_a_ready_sandbox_has_its_parsers_loaded() -> None:
    """``wait_ready`` returns once the fork server has imported the parsers (pdfium is in its memory):
    a worker that says it is ready does not make its first document wait for those imports."""
    from multiprocessing import forkserver

    sandbox = ExtractionSandbox()
    sandbox.warm_up()
    sandbox.wait_ready()
    server_pid = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert "pdfium" in Path(f"/proc/{server_pid}/maps").read_text()
