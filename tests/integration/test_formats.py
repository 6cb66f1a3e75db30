"""Every format of the extraction issue, detected by content, with pages, titles and metadata."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from schemas.documents import Page
from tests.builders import make_docx, make_epub, make_odp, make_ods, make_ratio_bomb_docx, make_rtf
from tests.support import FIXTURES
from workers.extract.cleaning import strip_running_lines
from workers.extract.errors import ExtractionError
from workers.extract.extractor import TextExtractor, publication_year
from workers.extract.legacy import soffice
from workers.extract.limits import check_zip_bomb


@pytest.fixture(scope="module")
def extractor() -> TextExtractor:
    return TextExtractor()


def test_odp_gives_one_page_per_slide(tmp_path: Path, extractor: TextExtractor) -> None:
    slides = [["Atelier des futurs", "Scénarios 2050"], ["Mobilités douces à Échirolles"]]
    path = make_odp(tmp_path / "diapos.bin", slides, title="Atelier des futurs : restitution")
    result = extractor.run(path)
    assert result.format == "odp" and result.page_count == 2
    assert "Mobilités douces" in result.pages[1].text
    assert result.title == "Atelier des futurs : restitution"
    assert result.authors == ["Agence d'urbanisme"] and result.year == 2023


def test_ods_gives_one_page_per_sheet(tmp_path: Path, extractor: TextExtractor) -> None:
    path = make_ods(tmp_path / "indicateurs.ods", {"Population": [["Commune", "Habitants"], ["Grenoble", "156 000"]],
                                                    "Climat": [["Émissions de GES", "2019"]]})
    result = extractor.run(path)
    assert result.format == "ods" and result.page_count == 2
    assert "Grenoble 156 000" in result.pages[0].text and "Émissions de GES" in result.pages[1].text


def test_rtf(tmp_path: Path, extractor: TextExtractor) -> None:
    result = extractor.run(make_rtf(tmp_path / "note.rtf", "Note sur la résilience des réseaux d'eau potable."))
    assert result.format == "rtf" and "résilience des réseaux" in result.pages[0].text


def test_epub(tmp_path: Path, extractor: TextExtractor) -> None:
    path = make_epub(tmp_path / "livre.epub", "Prospective alpine",
                     ["La montagne face au changement climatique.", "Le tourisme quatre saisons."])
    result = extractor.run(path)
    assert result.format == "epub"
    assert "tourisme quatre saisons" in " ".join(p.text for p in result.pages)


def test_csv_and_markdown(tmp_path: Path, extractor: TextExtractor) -> None:
    csv_path = tmp_path / "donnees.csv"
    csv_path.write_text("commune;population\nÉchirolles;36000\nMeylan;17000\n", encoding="utf-8")
    assert "Échirolles" in extractor.run(csv_path).pages[0].text
    md = tmp_path / "notes.md"
    md.write_text("# Atelier mobilités\n\nLe covoiturage progresse dans le Grésivaudan.\n", encoding="utf-8")
    result = extractor.run(md)
    assert result.format == "md" and result.title == "Atelier mobilités"


def test_docx_properties_title_wins_over_headings(tmp_path: Path, extractor: TextExtractor) -> None:
    path = make_docx(tmp_path / "diag.docx", "Introduction", "Le foncier économique se raréfie. Publié en mars 2021.",
                     title="Diagnostic foncier de la Métropole", author="Service urbanisme")
    result = extractor.run(path)
    assert result.title == "Diagnostic foncier de la Métropole"
    assert result.authors == ["Service urbanisme"] and result.year == 2021


@pytest.mark.parametrize("junk", ["Microsoft Word - rapport_final.docx", "SKM_C28720061813581",
                                  "240204_StandardPaysagesV0.4_Diffusion", "Présentation PowerPoint"])
def test_junk_property_titles_are_replaced_by_the_heading(tmp_path: Path, extractor: TextExtractor, junk: str) -> None:
    path = make_docx(tmp_path / "x.docx", "Stratégie alimentaire du Trièves", "Texte.", title=junk)
    assert extractor.run(path).title == "Stratégie alimentaire du Trièves"


def test_publication_year_prefers_the_cover_date() -> None:
    pages = [Page(page=1, text="Guide méthodologique\nJanvier 2024"), Page(page=2, text="Données de 2019")]
    assert publication_year(pages, 2023) == 2024
    assert publication_year([Page(page=1, text="sans date")], 2022) == 2022


def test_running_headers_footers_and_page_numbers_are_removed() -> None:
    pages = [f"Guide ERC – janvier 2024\nContenu propre à la page {n}.\nSuite du texte {n}.\n{n}/5"
             for n in range(1, 6)]
    cleaned = strip_running_lines(pages)
    assert len(cleaned) == 5
    assert all("Guide ERC" not in p and "/5" not in p for p in cleaned)
    assert "Contenu propre à la page 3." in cleaned[2]


def test_zip_bomb_fails_before_parsing(tmp_path: Path, extractor: TextExtractor) -> None:
    bomb = make_ratio_bomb_docx(tmp_path / "bombe.docx", FIXTURES / "glossaire_gt_paysages.docx")
    with pytest.raises(ExtractionError, match="bombe de décompression"):
        extractor.run(bomb)
    with pytest.raises(ExtractionError, match="Mo décompressés"):
        check_zip_bomb(FIXTURES / "glossaire_gt_paysages.docx", max_total=10_000)


def test_legacy_office_without_libreoffice_says_so(tmp_path: Path, extractor: TextExtractor,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    doc_file = _legacy_doc(tmp_path)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ExtractionError, match="LibreOffice est requis"):
        extractor.run(doc_file)


def test_legacy_office_through_libreoffice(tmp_path: Path, extractor: TextExtractor) -> None:
    result = extractor.run(_legacy_doc(tmp_path))
    assert result.format == "doc" and "Paysagistes" in result.pages[0].text


def _legacy_doc(tmp_path: Path) -> Path:
    """A real Word 97 file, made by LibreOffice from the DOCX fixture."""
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice not installed")
    src = tmp_path / "glossaire.docx"
    shutil.copy(FIXTURES / "glossaire_gt_paysages.docx", src)
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to", "doc",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=120)
    out = tmp_path / "glossaire.doc"
    renamed = tmp_path / "ancien.bin"
    out.rename(renamed)
    return renamed


def test_pdfium_markers_for_line_break_hyphens_and_ti_ligatures() -> None:
    from workers.extract.cleaning import clean_text

    raw = "un pay\x02\r\nsage de la collec\x1fvité na\x1fonale"
    assert clean_text(raw) == "un paysage de la collectivité nationale"


def test_pdf_title_is_the_cover_s_largest_text(tmp_path: Path, extractor: TextExtractor) -> None:
    """Author lines above the title, no title in the properties: the largest letters are the title."""
    from docx import Document
    from docx.shared import Pt

    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice not installed")
    doc = Document()
    doc.add_paragraph("Agence d'urbanisme de la région grenobloise, service études").runs[0].font.size = Pt(9)
    doc.add_paragraph().add_run("Trajectoire de sobriété foncière du Trièves").font.size = Pt(28)
    for _ in range(6):
        doc.add_paragraph("Le diagnostic présente la consommation d'espaces naturels et agricoles. " * 3)
    src = tmp_path / "etude.docx"
    doc.save(str(src))
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=120)
    assert extractor.run(tmp_path / "etude.pdf").title == "Trajectoire de sobriété foncière du Trièves"


# -- text is text, Markdown is Markdown (issue 13) ---------------------------------------------------
_FRONT_MATTER_MD = """---
ordre: 2
title: Le SCoT de la grande région de Grenoble
date: 2021-04-01
intro : Le SCoT est l'outil de conception d'une planification stratégique intercommunale.
---

### Le SCoT de la grande région de Grenoble (GREG)

Le SCoT est l'outil de conception et de mise en œuvre d'une planification stratégique intercommunale.

- un rapport de présentation
- le **projet d'aménagement** (PADD)
"""


def test_markdown_is_known_by_its_marks_even_without_its_name(tmp_path: Path, extractor: TextExtractor) -> None:
    """A blob has no extension: libmagic says text/plain, the front matter and marks say Markdown."""
    blob = tmp_path / "4f0a9c"
    blob.write_text(_FRONT_MATTER_MD, encoding="utf-8")
    for result in (extractor.run(blob), extractor.run(blob, "Le-SCoT.md")):
        assert result.format == "md" and result.mime_type == "text/markdown"
        assert result.title == "Le SCoT de la grande région de Grenoble" and result.title_source == "markdown"
        assert result.year == 2021
        text = "\n".join(p.text for p in result.pages)
        assert "ordre" not in text and "intro :" not in text and "---" not in text  # never body text
        assert "###" not in text and "**" not in text
        assert "Le SCoT de la grande région de Grenoble (GREG)" in text


def test_a_markdown_heading_title_has_no_marks(tmp_path: Path, extractor: TextExtractor) -> None:
    blob = tmp_path / "note"
    blob.write_text("### Plan vélo de Voiron\n\nLe schéma cyclable relie la gare aux lycées.\n", encoding="utf-8")
    result = extractor.run(blob, "plan.md")
    assert result.title == "Plan vélo de Voiron" and result.title_source == "markdown"


def test_struck_through_markdown_is_not_text(tmp_path: Path, extractor: TextExtractor) -> None:
    """An action sheet strikes the objectives it does not pursue: they are not what it says."""
    blob = tmp_path / "fiche.md"
    blob.write_text("## Objectifs\n\n1. Adaptation au changement climatique\n2. ~~Production et consommation des "
                    "ENR~~\n3. ~~Maîtrise de l'énergie~~ et sobriété\n", encoding="utf-8")
    text = " ".join(p.text for p in extractor.run(blob, "fiche.md").pages)
    assert "Adaptation au changement climatique" in text and "sobriété" in text
    assert "ENR" not in text and "Maîtrise" not in text and "~~" not in text


@pytest.mark.parametrize("prose", [  # libmagic calls both "text/csv"
    "Définition : le registre, la finalité\nLe responsable, le délégué\nLa personne, le tiers\n",
    "Qui est concerné ? Les communes, les EPCI\nLe préfet, le maire\nLes habitants, les associations\n",
])
def test_prose_with_commas_is_never_failed_as_a_broken_table(tmp_path: Path, extractor: TextExtractor,
                                                            prose: str) -> None:
    path = tmp_path / "fiche.txt"
    path.write_text(prose, encoding="utf-8")
    result = extractor.run(path)
    import magic

    assert magic.from_file(str(path), mime=True) == "text/csv"  # what made a fiche fail before
    assert result.format == "txt" and prose.split("\n")[1] in result.pages[0].text
    assert result.title_source == "first_line"  # a guess: it weighs as a heading, not as a title


def test_a_real_table_stays_a_table(tmp_path: Path, extractor: TextExtractor) -> None:
    blob = tmp_path / "table"
    blob.write_text("commune,population,epci\nÉchirolles,36000,Grenoble-Alpes\nMeylan,17000,Grenoble-Alpes\n",
                    encoding="utf-8")
    assert extractor.run(blob, "communes.csv").format == "csv"


def test_title_sources(tmp_path: Path, extractor: TextExtractor) -> None:
    docx = make_docx(tmp_path / "d.docx", "Introduction", "Texte.", title="Diagnostic foncier de la Métropole")
    assert extractor.run(docx).title_source == "properties"
    styled = make_docx(tmp_path / "s.docx", "Stratégie alimentaire du Trièves", "Texte.")
    assert extractor.run(styled).title_source == "heading"
    page = tmp_path / "p.html"
    page.write_text("<html><body><h1>Observatoire du foncier</h1><p>Texte.</p></body></html>", encoding="utf-8")
    assert extractor.run(page).title_source == "html"
