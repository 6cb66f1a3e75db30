"""The HTTP read side on a library ingested by a real worker: same JSON as the CLI, French errors."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs

import lxml.html
import pytest
from fastapi.testclient import TestClient

from schemas.search import SearchQuery
from services.bootstrap import Container
from services.search.app import create_app
from tests.support import FIXTURES, ingest_and_wait, until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def library(shared_library: Container, tmp_path_factory: pytest.TempPathFactory) -> Container:
    """The library the tests below read (none of them writes)."""
    docs = tmp_path_factory.mktemp("docs")
    shutil.copy(FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf", docs)
    (docs / "piege.html").write_text(
        "<html><head><title>Piège</title></head><body><h1>Étude des inondations à Échirolles</h1>"
        "<p>Les inondations &lt;script&gt;alert(1)&lt;/script&gt; menacent Échirolles.</p>"
        "<script>alert(2)</script></body></html>", encoding="utf-8")
    states = ingest_and_wait(shared_library, [docs])
    assert {s for s, _ in states.values()} == {"indexed"}
    return shared_library


@pytest.fixture
def client(library: Container) -> TestClient:
    return TestClient(create_app(library))


def test_the_gazetteer_loads_once_the_server_has_started(container: Container) -> None:
    """Building the routes does not wait for the gazetteer (one GIL: a load in a thread meanwhile
    delays the server's start by as much); the server's start sets it loading."""
    app = create_app(container)
    labels = container.search_service.labels
    assert not labels.gazetteer_loaded
    with TestClient(app) as started:
        assert started.get("/healthz").status_code == 200
        until(lambda: labels.gazetteer_loaded, "the gazetteer was not loaded after the start", 60)


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_search_matches_the_service(client: TestClient, library: Container) -> None:
    api = client.get("/api/v1/search", params={"q": "friches", "limit": 5}).json()
    direct = library.search_service.search(SearchQuery(text="friches", limit=5)).model_dump()
    assert api == direct and api["total"] == 1


def test_document_detail_and_404_in_french(client: TestClient) -> None:
    doc_id = client.get("/api/v1/search", params={"q": "friches"}).json()["hits"][0]["id"]
    detail = client.get(f"/api/v1/documents/{doc_id}").json()
    assert detail["id"] == doc_id and detail["pages"] == 2
    assert client.get(f"/api/v1/documents/{doc_id}", params={"text": True}).json()["pages"][1]["page"] == 2
    missing = client.get("/api/v1/documents/0000000000000000")
    assert missing.status_code == 404 and missing.json()["detail"] == "document introuvable"


def test_malformed_queries_never_fail(client: TestClient) -> None:
    for q in ["(((", "title:", "a AND", "*", "x" * 1000, "\x00"]:
        assert client.get("/api/v1/search", params={"q": q}).status_code == 200
    assert client.get("/api/v1/search", params={"limit": 1000}).status_code == 422


def test_document_markup_never_reaches_pages_unescaped(client: TestClient) -> None:
    page = client.get("/recherche", params={"q": "inondations"}).text
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert '<html lang="fr">' in page and "<mark>inondations</mark>" in page
    doc_id = client.get("/api/v1/search", params={"q": "inondations"}).json()["hits"][0]["id"]
    assert "<script>alert" not in client.get(f"/documents/{doc_id}").text
    html = client.get(f"/documents/{doc_id}/pages/1", params={"q": "inondations"}).text
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html  # shown as text, escaped


def test_french_validation_errors(client: TestClient) -> None:
    response = client.get("/api/v1/search", params={"limit": 1000})
    assert response.status_code == 422
    assert response.json()["detail"] == "paramètre invalide : nombre de résultats (doit être au plus 100)"
    page = client.get("/recherche", params={"horizon": "bientôt"})
    assert page.status_code == 400 and "nombre entier" in page.text and 'lang="fr"' in page.text
    assert client.get("/nulle-part").status_code == 404
    assert client.get("/api/v1/nulle-part").json() == {"detail": "page introuvable"}


def test_download_page_text_and_citations(client: TestClient) -> None:
    doc_id = client.get("/api/v1/search", params={"q": "friches"}).json()["hits"][0]["id"]
    original = client.get(f"/api/v1/documents/{doc_id}/file")
    assert original.status_code == 200 and original.content.startswith(b"%PDF")
    assert original.headers["content-type"] == "application/pdf"
    assert original.headers["content-disposition"] == 'attachment; filename="220310_mandat_GT_CNIG_Friches.pdf"'
    shown = client.get(f"/api/v1/documents/{doc_id}/file", params={"inline": True})
    assert shown.headers["content-disposition"].startswith("inline;") and shown.content == original.content
    assert shown.headers["content-security-policy"] == "sandbox; frame-ancestors 'none'"
    page = client.get(f"/api/v1/documents/{doc_id}/pages/2").json()
    assert page["page"] == 2 and page["page_count"] == 2 and page["text"]
    assert client.get(f"/api/v1/documents/{doc_id}/pages/3").status_code == 404
    ris = client.get(f"/api/v1/documents/{doc_id}/citation", params={"format": "ris"})
    assert ris.headers["content-type"].startswith("application/x-research-info-systems")
    assert ris.text.startswith("TY  - RPRT\r\nTI  - Mandat du GT CNIG Friches") and ris.text.endswith("ER  - \r\n")
    csl = client.get(f"/api/v1/documents/{doc_id}/citation", params={"format": "csl-json"}).json()
    assert csl[0]["type"] == "report" and csl[0]["URL"].endswith(f"/documents/{doc_id}")


def test_document_pages_carry_what_citation_managers_read(client: TestClient) -> None:
    """Parsed as Zotero's "Embedded Metadata" translator and a COinS reader do: the ``citation_*``
    meta tags of the head, and the OpenURL ContextObject in the title of the ``Z3988`` span."""
    doc_id = client.get("/api/v1/search", params={"q": "friches"}).json()["hits"][0]["id"]
    detail = client.get(f"/api/v1/documents/{doc_id}").json()
    tree = lxml.html.fromstring(client.get(f"/documents/{doc_id}").content)
    meta: dict[str, list[str]] = {}
    for tag in tree.xpath("//head/meta[starts-with(@name, 'citation_')]"):
        meta.setdefault(tag.get("name"), []).append(tag.get("content"))
    assert meta["citation_title"] == [detail["title"]] and meta["citation_language"] == ["fr"]
    assert meta["citation_pdf_url"] == [f"http://127.0.0.1:8000/api/v1/documents/{doc_id}/file"]
    assert meta["citation_keywords"][0].split("; ")[0] == detail["themes"][0]["label"]
    if detail["year"]:
        assert meta["citation_publication_date"] == [str(detail["year"])]
    if detail["producer"]:
        assert meta["citation_technical_report_institution"] == [detail["producer"]["label"]]
    [span] = tree.xpath("//span[@class='Z3988']")
    context = parse_qs(span.get("title"))
    assert context["ctx_ver"] == ["Z39.88-2004"] and context["rft.genre"] == ["report"]
    assert context["rft.btitle"] == [detail["title"]] and context["rft_id"][0].endswith(f"/documents/{doc_id}")
    hostile = client.get("/api/v1/search", params={"q": "Échirolles"}).json()["hits"][0]["id"]
    head = lxml.html.fromstring(client.get(f"/documents/{hostile}").content).xpath("//head")[0]
    assert not head.xpath(".//script[not(@src)]")  # a title never becomes markup in the head


def test_facet_trees_latest_and_atom_feed(client: TestClient) -> None:
    trees = client.get("/api/v1/facets").json()
    roots = {n["value"]: n for n in trees["territories"]}
    assert "region:84" in roots  # Échirolles rolls up: région → département → EPCI → commune
    isere = next(n for n in roots["region:84"]["children"] if n["value"] == "departement:38")
    metro = next(n for n in isere["children"] if n["value"] == "epci:200040715")
    assert any(c["value"] == "commune:38151" for c in metro["children"])
    latest = client.get("/api/v1/latest", params={"limit": 5}).json()
    assert len(latest) == 2 and latest[0]["added_at"] >= latest[1]["added_at"] > 0
    feed = client.get("/api/v1/search.atom", params={"q": "inondations"})
    assert feed.headers["content-type"].startswith("application/atom+xml")
    from xml.etree import ElementTree as ET

    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1 and entries[0].find("a:title", ns).text == "Étude des inondations à Échirolles"
    assert "<mark>inondations</mark>" in entries[0].find("a:summary", ns).text


def test_suggest_similar_and_sort(client: TestClient) -> None:
    suggestions = client.get("/api/v1/suggest", params={"q": "mandat"}).json()
    assert {"text": "Mandat du GT CNIG Friches version du 9 mars 2022 Titre GT CNIG Friches", "kind": "title",
            "value": ""} in suggestions
    ids = [h["id"] for h in client.get("/api/v1/search", params={"sort": "date"}).json()["hits"]]
    assert len(ids) == 2
    similar = client.get(f"/api/v1/documents/{ids[0]}/similar").json()
    assert all(h["id"] != ids[0] for h in similar)
    assert client.get("/api/v1/documents/0000000000000000/similar").status_code == 404
    assert client.get("/api/v1/search", params={"sort": "au hasard"}).status_code == 422


def test_readiness_and_metrics_read_the_real_services(client: TestClient) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"catalogue": "ok", "index": "ok", "file": "ok"}
    metrics = client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'phare_documents{state="indexed"} 2.0' in metrics.text
    assert 'phare_queue_messages{stage="extract"} 0.0' in metrics.text
    assert 'phare_stage_runs_total{stage="extract"} 2.0' in metrics.text
    assert 'phare_stage_runs_total{stage="index"}' in metrics.text
    assert 'phare_stage_seconds_total{stage="analyze"}' in metrics.text


def test_readiness_says_which_dependency_is_missing(tmp_path: Path) -> None:
    from services.bootstrap import build
    from services.settings import Settings

    container = build(Settings(data_dir=tmp_path / "data", redis_url="redis://127.0.0.1:1/0"))
    response = TestClient(create_app(container)).get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["file"].startswith("indisponible")
    assert response.json()["checks"]["catalogue"] == "ok"
    container.close()


def test_queue_depth_counts_waiting_messages(container: Container) -> None:
    from schemas.events import DocumentQueued

    container.publish(DocumentQueued(doc_id="0123456789abcdef"))  # no worker is running here
    metrics = TestClient(create_app(container)).get("/metrics").text
    assert 'phare_queue_messages{stage="extract"} 1.0' in metrics


def test_matrices_and_the_timeline_count_what_their_cells_search(client: TestClient) -> None:
    """Every cell counts the documents its link finds; themes without any posture stay as rows of zeros."""
    matrix = client.get("/api/v1/views/matrix", params={"rows": "themes", "columns": "territories"}).json()
    assert matrix["total"] == 2 and matrix["rows"] and matrix["columns"]
    assert all(c["value"].startswith("departement:") for c in matrix["columns"])
    for row in matrix["rows"]:
        for column in matrix["columns"]:
            cell = matrix["cells"][row["value"]][column["value"]]
            found = client.get("/api/v1/search", params={"theme": row["value"], "territory": column["value"]}).json()
            assert cell["count"] == found["total"] and cell["href"].startswith("/recherche?")
    postures = client.get("/api/v1/views/matrix", params={"rows": "themes", "columns": "postures"}).json()
    assert {r["value"] for r in postures["rows"]} == {r["value"] for r in matrix["rows"]}  # zeros kept
    timeline = client.get("/api/v1/views/timeline").json()
    assert all(2025 <= int(r["value"]) <= 2100 for r in timeline["rows"])
    assert client.get("/api/v1/views/matrix", params={"rows": "themes", "columns": "themes"}).status_code == 422
    horizons = client.get("/api/v1/views/matrix", params={"rows": "horizons", "columns": "years"}).json()
    assert horizons == timeline
    page = client.get("/explorer").text
    assert "Thèmes × postures prospectives" in page and "Frise des horizons" in page
    assert '<table class="matrix">' in page and "<caption>Documents par thème et par département" in page
