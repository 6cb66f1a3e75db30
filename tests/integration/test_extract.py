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
from workers.extract.ocr import cover_title_from_tsv, tesseract_available
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


def _scanned_cover(tmp_path: Path) -> Path:
    """An image-only PDF of a report's cover: a small letterhead, a date stamp, the title in large
    letters, then a line of body text."""
    from PIL import Image, ImageDraw, ImageFont

    fonts = Path("/usr/share/fonts/truetype/dejavu")
    small, large = (ImageFont.truetype(str(fonts / "DejaVuSans.ttf"), size) for size in (34, 80))
    image = Image.new("RGB", (2480, 3508), "white")
    draw = ImageDraw.Draw(image)
    draw.text((200, 200), "PRÉFET DE LA SEINE-MARITIME", font=small, fill="black")
    draw.text((200, 260), "Direction départementale des territoires", font=small, fill="black")
    draw.text((200, 320), "Rouen, le 29 mai 2020", font=small, fill="black")
    draw.text((200, 900), "Plan de prévention des risques", font=large, fill="black")
    draw.text((200, 1010), "du bassin versant de la Scie", font=large, fill="black")
    draw.text((200, 1300), "Rapport de présentation soumis à enquête publique.", font=small, fill="black")
    out = tmp_path / "couverture.pdf"
    image.save(out, "PDF", resolution=300)
    return out


@pytest.mark.slow
def test_a_scanned_cover_gives_its_title(tmp_path: Path, extractor: TextExtractor) -> None:
    """Its largest letters, read with confidence, as for a text PDF's cover (not its first line,
    the letterhead)."""
    if not tesseract_available("fra"):
        pytest.skip("tesseract-ocr-fra not installed")
    result = extractor.run(_scanned_cover(tmp_path))
    assert result.title == "Plan de prévention des risques du bassin versant de la Scie"
    assert result.title_source == "cover"


def _tsv_line(block: int, line: int, words: list[str], height: int, conf: float) -> list[str]:
    return [f"5\t1\t{block}\t1\t{line}\t{n}\t100\t{100 * block}\t50\t{height}\t{conf}\t{word}"
            for n, word in enumerate(words, 1)]


def test_a_cover_title_is_the_tallest_text_read_with_confidence() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    stamp = _tsv_line(1, 1, ["Où", "grréié", "on", "dsis", "du:"], 70, 63.8)  # tall, but noise
    letterhead = _tsv_line(2, 1, ["PRÉFET", "DE", "LA", "MANCHE"], 21, 94.0)
    title = [*_tsv_line(3, 1, ["Plan", "climat"], 60, 95.0), *_tsv_line(3, 2, ["de", "Cherbourg"], 61, 94.0)]
    body = [*_tsv_line(4, 1, ["Le", "rapport", "présente"], 40, 96.0), *_tsv_line(4, 2, ["les", "actions"], 41, 95.0)]
    tsv = "\n".join([header, *stamp, *letterhead, *title, *body])
    assert cover_title_from_tsv(tsv) == "Plan climat de Cherbourg"
    flat = "\n".join([header, *letterhead, *body])  # nothing stands out: no title
    assert cover_title_from_tsv(flat) is None


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
