"""The web interface in a real browser: Debian's Chromium driven by Playwright, on documents
ingested by a real worker and served by uvicorn over HTTP."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.bootstrap import Container
from services.search.app import create_app
from tests.support import FIXTURES, serving

pytestmark = pytest.mark.slow
SCREENSHOTS = os.environ.get("PHARE_SCREENSHOTS")  # a folder: the flow test saves its screens there


@pytest.fixture
def site(running: Container, tmp_path: Path) -> Iterator[str]:
    from tests.support import ingest_and_wait

    docs = tmp_path / "bibliotheque" / "risques"
    docs.mkdir(parents=True)
    shutil.copy(FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf", docs)
    shutil.copy(FIXTURES / "glossaire_gt_paysages.docx", docs.parent)
    (docs / "piege.html").write_text(
        "<html><head><title>Inondations à Échirolles</title></head><body><h1>Inondations à Échirolles</h1>"
        "<p>Le PPRI d'Échirolles encadre les inondations <script>alert('xss')</script>"
        "&lt;img src=x onerror=alert(1)&gt; dans la métropole grenobloise.</p>"
        "<p>À Échirolles, la crue de l'Isère menace les quartiers.</p></body></html>", encoding="utf-8")
    states = ingest_and_wait(running, [docs.parent])
    assert {s for s, _ in states.values()} == {"indexed"}, states
    with serving(create_app(running)) as port:
        yield f"http://127.0.0.1:{port}"


def shot(page, name: str) -> None:  # noqa: ANN001
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def test_search_facet_filter_document_page_link_and_download(site: str, browser, tmp_path: Path) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Parcourir par thème").is_visible()
    shot(page, "accueil")

    # search from the box, with the keyboard only
    page.get_by_label("Rechercher dans les études et documents").fill("inondations")
    page.keyboard.press("Enter")
    page.wait_for_url("**/recherche?q=inondations")
    assert page.get_by_role("heading", level=1).inner_text().startswith("1 document")
    assert page.locator(".snippet mark").first.inner_text().lower().startswith("inondation")

    # open a territory facet: the document about Échirolles is under Isère
    page.goto(site + "/recherche")
    total = int(page.get_by_role("heading", level=1).inner_text().split()[0])
    assert total == 3
    facets = page.get_by_role("complementary", name="Affiner la recherche")
    facets.get_by_role("link", name="Isère (département)").click()
    page.wait_for_url("**territory=departement%3A38**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("1 document")
    chip = page.get_by_role("link", name="Retirer le filtre Territoire : Isère (département)")
    assert chip.is_visible()
    shot(page, "resultats")

    # the URL holds the whole state: reloading it gives the same page
    url = page.url
    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text().startswith("1 document")

    # filter on a collection (the sub-folder), then remove the chip
    chip.click()
    collections = page.get_by_role("region", name="Collections")
    collections.get_by_role("link", name="risques").click()
    page.wait_for_url("**collection=**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("2 documents")

    # open the document, then follow an evidence page link
    page.goto(site + "/recherche?q=PPRI")
    assert page.get_by_text("plan de prévention du risque inondation").first.is_visible()  # the acronym, explained
    page.locator(".hit h3 a").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Inondations à Échirolles"
    assert page.get_by_role("heading", name="Territoires").is_visible()
    assert page.get_by_role("link", name="Échirolles").first.is_visible()
    shot(page, "document")
    page.locator(".evidence .pagelink").first.click()
    page.wait_for_url("**/pages/1**")
    assert "page 1 sur 1" in page.get_by_role("heading", level=1).inner_text()
    assert "<img src=x onerror=alert(1)>" in page.locator(".page-text").inner_text()  # markup shown as text

    # download the original
    page.goto(site + "/recherche?q=friches")
    page.locator(".hit h3 a").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l'original").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "220310_mandat_GT_CNIG_Friches.pdf" and saved.read_bytes().startswith(b"%PDF")
    assert dialogs == []  # no script from a document ever ran


def test_accessibility_basics_keyboard_and_phone(site: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for url in ("/", "/recherche?q=inondations", "/recherche?q=friches&sort=date"):
        page.goto(site + url)
        for landmark in ("banner", "main", "contentinfo", "search"):
            assert page.get_by_role(landmark).count() >= 1, (url, landmark)
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.outerHTML)""")
        assert unlabelled == []
        assert page.evaluate("() => document.title").endswith("centre de ressources de l'Atelier des futurs")
    # the first Tab reaches the skip link, which is visible when focused
    page.goto(site + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == "Aller au contenu"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    # text contrast of body and links against white (WCAG AA 4.5:1)
    ratios = page.evaluate("""() => {
      const lum = c => { const v = c.match(/\\d+/g).slice(0, 3).map(x => { x = x / 255;
        return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
      return [...document.querySelectorAll('p, a, .meta, .count, label')].slice(0, 80)
        .map(e => (1.05) / (lum(getComputedStyle(e).color) + 0.05)); }""")
    assert min(ratios) >= 4.5
    # a phone-sized screen: results come before the facets, nothing overflows sideways
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(site + "/recherche?q=inondations")
    shot(phone, "mobile")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    hits_top = phone.locator(".hits").bounding_box()["y"]
    facets_top = phone.locator(".facets").bounding_box()["y"]
    assert hits_top < facets_top


def test_the_exploration_page_draws_maps_and_matrices(site: str, browser) -> None:  # noqa: ANN001
    """Chromium: the maps colour the territories documents are about, and clicking one filters;
    the same counts are in a table; the matrices link to their searches."""
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(site + "/explorer")
    maps = page.locator("figure.map svg")
    assert maps.count() == 2 and page.locator("figure.map").nth(1).locator("path").count() == 96
    isere = page.get_by_role("link", name="Isère (département) : 1 document", exact=True)
    assert isere.locator("path").get_attribute("class") != "heat-0"
    assert page.get_by_role("link", name="Savoie (département) : 0 document", exact=True).locator("path").get_attribute(
        "class") == "heat-0"
    shot(page, "explorer")
    page.get_by_text("Les mêmes nombres en tableau").click()
    assert page.get_by_role("table", name="Documents par territoire dont ils traitent").is_visible()
    isere.click()
    page.wait_for_url("**territory=departement%3A38**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("1 document")
    page.goto(site + "/explorer")
    matrix = page.get_by_role("table", name="Documents par thème et par département dont ils traitent")
    first = matrix.locator("td a").first
    label = first.get_attribute("aria-label")
    first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(label.rsplit(": ", 1)[1].split()[0])
