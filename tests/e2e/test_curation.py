"""Corrections by documentalists, end to end: the API (key, French errors, history), the worker
re-indexing at once, facets and filters following, corrections surviving a re-analysis, and the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import update

from schemas.curation import DocumentEdit
from schemas.documents import DocState
from schemas.events import DocumentExtracted
from services.bootstrap import Container
from services.ingest.catalog import DocumentRow
from services.search.app import create_app
from services.settings import SemanticSettings, Settings
from tests.support import ROOT, ingest_and_wait, serving, until

pytestmark = pytest.mark.slow
NOTE = ("# Crues de la Romanche\n\nÀ Échirolles, la commune prépare les quartiers aux crues de l'Isère et du Drac "
        "d'ici 2030 : digues, alertes et zones d'expansion des crues.\n")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Words only: every correction re-indexes its document, and re-embedding it each time would only
    compete with the tests for the CPU (semantic search end to end: test_semantic.py)."""
    return Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox", semantic=SemanticSettings(enabled=False))


@pytest.fixture
def library(running: Container, tmp_path: Path) -> tuple[TestClient, str, str]:
    """A client, an API key and the id of one indexed note."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "crues.md").write_text(NOTE, encoding="utf-8")
    assert set(ingest_and_wait(running, [tmp_path / "notes"]).values()) == {("indexed", None)}
    [doc_id] = running.catalog.all_ids([DocState.INDEXED])
    return TestClient(create_app(running)), running.api_keys.create("documentaliste"), doc_id


def in_facet(client: TestClient, territory: str) -> list[str]:
    return [h["id"] for h in client.get("/api/v1/search", params={"territory": territory}).json()["hits"]]


def test_a_correction_reaches_search_facets_and_history(library: tuple[TestClient, str, str]) -> None:
    client, key, doc_id = library
    assert in_facet(client, "departement:73") == []
    proposed = client.get(f"/api/v1/documents/{doc_id}").json()["curation"]["territories"]["value"]
    assert proposed and "departement:73" not in proposed and in_facet(client, proposed[0]) == [doc_id]
    body = {"territories": ["departement:73"], "themes": ["eau", "risques-naturels/inondations"],
            "title": "Les crues vues par la commune", "validated": ["horizons"]}
    answer = client.patch(f"/api/v1/documents/{doc_id}", json=body, headers={"X-API-Key": key})
    assert answer.status_code == 200, answer.text
    changed = {c["field"]: c for c in answer.json()["changes"]}
    assert set(changed) == {"territories", "themes", "title", "horizons"}
    assert changed["territories"]["before"] == proposed and changed["territories"]["after"] == ["departement:73"]
    assert changed["horizons"]["before"] == changed["horizons"]["after"] == [2030] and changed["horizons"]["validated"]

    until(lambda: in_facet(client, "departement:73") == [doc_id], "corrected territory searchable", 30)
    assert in_facet(client, proposed[0]) == []  # the place phare proposed no longer counts
    facets = client.get("/api/v1/search", params={"q": "crues"}).json()["facets"]
    assert {"value": "region:84", "count": 1} in [{"value": f["value"], "count": f["count"]}
                                                  for f in facets["territories"]]  # ancestors come along
    hit = client.get("/api/v1/search", params={"q": "crues"}).json()["hits"][0]
    assert hit["title"] == "Les crues vues par la commune"

    shown = client.get(f"/api/v1/documents/{doc_id}").json()["curation"]
    assert shown["territories"] == {"value": ["departement:73"], "corrected": True, "validated": False,
                                    "by": "documentaliste", "at": shown["territories"]["at"]}
    assert shown["horizons"]["validated"] and not shown["horizons"]["corrected"]
    history = client.get(f"/api/v1/documents/{doc_id}/history").json()
    assert {h["field"] for h in history} == set(changed) and {h["by"] for h in history} == {"documentaliste"}

    again = client.patch(f"/api/v1/documents/{doc_id}", json={"territories": ["departement:73"]},
                         headers={"X-API-Key": key})
    assert again.json()["changes"] == []  # the same value again changes nothing and writes no history


def test_a_summary_and_authors_are_searched_shown_and_cited(library: tuple[TestClient, str, str]) -> None:
    client, key, doc_id = library
    body = {"summary": "Note de synthèse sur les hydroliennes du Drac.", "authors": ["Camille Dubreuil"]}
    assert client.patch(f"/api/v1/documents/{doc_id}", json=body, headers={"X-API-Key": key}).status_code == 200
    until(lambda: [h["id"] for h in client.get("/api/v1/search", params={"q": "hydroliennes"}).json()["hits"]]
          == [doc_id], "summary searchable", 30)
    assert [h["id"] for h in client.get("/api/v1/search", params={"q": "Dubreuil"}).json()["hits"]] == [doc_id]
    shown = client.get(f"/api/v1/documents/{doc_id}").json()
    assert shown["authors"] == ["Camille Dubreuil"] and shown["summary"] == body["summary"]
    page = client.get(f"/documents/{doc_id}").text
    assert "<dt>Résumé</dt><dd class=\"summary\">Note de synthèse sur les hydroliennes du Drac.</dd>" in page
    assert "AB  - Note de synthèse" in client.get(f"/api/v1/documents/{doc_id}/citation").text
    too_long = client.patch(f"/api/v1/documents/{doc_id}", json={"summary": "x" * 5001}, headers={"X-API-Key": key})
    assert too_long.status_code == 422


def test_corrections_survive_a_new_analysis(library: tuple[TestClient, str, str], running: Container) -> None:
    client, key, doc_id = library
    client.patch(f"/api/v1/documents/{doc_id}", json={"territories": ["departement:73"]}, headers={"X-API-Key": key})
    until(lambda: in_facet(client, "departement:73") == [doc_id], "corrected territory searchable", 30)
    running.catalog.set_state(doc_id, DocState.ANALYZING)  # what `phare reindex` does after a taxonomy edit
    running.publish(DocumentExtracted(doc_id=doc_id))
    until(lambda: running.catalog.get(doc_id).state == DocState.INDEXED, "analysed and indexed again", 30)
    assert in_facet(client, "departement:73") == [doc_id]


def test_edits_need_a_key_and_known_values(library: tuple[TestClient, str, str]) -> None:
    client, key, doc_id = library
    assert client.patch(f"/api/v1/documents/{doc_id}", json={"themes": ["eau"]}).status_code == 401
    unknown = client.patch(f"/api/v1/documents/{doc_id}", json={"themes": ["astrologie"]}, headers={"X-API-Key": key})
    assert unknown.status_code == 422 and unknown.json()["detail"] == "themes inconnu(s) : astrologie"
    nowhere = client.patch(f"/api/v1/documents/{doc_id}", json={"territories": ["commune:99999"]},
                           headers={"X-API-Key": key})
    assert nowhere.status_code == 422 and "commune:99999" in nowhere.json()["detail"]
    extra = client.patch(f"/api/v1/documents/{doc_id}", json={"resume": "…"}, headers={"X-API-Key": key})
    assert extra.status_code == 422 and "champ inconnu" in extra.json()["detail"]
    missing = client.patch("/api/v1/documents/0000000000000000", json={"year": 2020}, headers={"X-API-Key": key})
    assert missing.status_code == 404 and missing.json()["detail"] == "document introuvable"
    assert client.get(f"/api/v1/documents/{doc_id}/history").json() == []


def test_a_hostile_title_is_shown_as_text(library: tuple[TestClient, str, str]) -> None:
    client, key, doc_id = library
    client.patch(f"/api/v1/documents/{doc_id}", json={"title": "<script>alert(1)</script>"},
                 headers={"X-API-Key": key})
    until(lambda: client.get("/api/v1/search", params={"q": "crues"}).json()["hits"][0]["title"].startswith("<"),
          "title re-indexed", 30)
    page = client.get(f"/documents/{doc_id}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_the_cli_edits_exports_and_imports(library: tuple[TestClient, str, str], running: Container,
                                           tmp_path: Path) -> None:
    _, _, doc_id = library
    env = {"PATH": "/usr/bin:/bin", "PHARE_DATA_DIR": str(running.settings.data_dir),
           "PHARE_REDIS_URL": running.settings.redis_url or "", "PHARE_SEMANTIC__ENABLED": "false"}
    done = subprocess.run([sys.executable, "-m", "services.cli", "edit", doc_id, "--posture", "adaptation",
                           "--vider", "horizons", "--valider", "themes", "--par", "Camille", "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert {c["field"] for c in out["changes"]} == {"postures", "horizons", "themes"}
    assert out["curation"]["horizons"]["value"] == [] and out["curation"]["postures"]["by"] == "Camille"
    refused = subprocess.run([sys.executable, "-m", "services.cli", "edit", doc_id, "--territoire", "38"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "territoires" in refused.stdout + refused.stderr

    exported = subprocess.run([sys.executable, "-m", "services.cli", "corrections", "export"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    [entry] = yaml.safe_load(exported.stdout)
    assert entry["id"] == doc_id and entry["corrections"] == {"horizons": [], "postures": ["adaptation"]}
    assert entry["validated"] == ["themes"] and entry["path"].endswith("crues.md")
    entry["corrections"]["territories"] = ["departement:73"]  # edited in a text editor, versioned with git
    (tmp_path / "corrections.yaml").write_text(yaml.safe_dump([entry], allow_unicode=True), encoding="utf-8")
    imported = subprocess.run([sys.executable, "-m", "services.cli", "corrections", "import",
                               str(tmp_path / "corrections.yaml")], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
    assert "1 document(s) modifié(s) ; 0 introuvable(s)" in imported.stderr, imported.stderr[-2000:]  # the console
    assert running.curation.in_force(doc_id)["territories"]["value"] == ["departement:73"]


def test_bulk_edits_count_first_then_apply(running: Container, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for i, town in enumerate(["Échirolles", "Meylan", "Voiron"]):
        (notes / f"note-{i}.md").write_text(f"# Note {i}\n\nLes crues menacent {town} d'ici 2030.\n", encoding="utf-8")
    (notes / "autre.md").write_text("# Cantines\n\nLes cantines servent des repas bio.\n", encoding="utf-8")
    ingest_and_wait(running, [notes])
    client, key = TestClient(create_app(running)), running.api_keys.create("documentaliste")
    selection = {"query": {"text": "crues"}, "add": {"themes": ["culture-patrimoine"]},
                 "remove": {"postures": ["attenuation"]}}
    dry = client.post("/api/v1/corrections", json=selection, headers={"X-API-Key": key}).json()
    assert dry == {"count": 3, "changed": 3, "applied": False}
    assert client.get("/api/v1/search", params={"theme": "culture-patrimoine"}).json()["total"] == 0

    done = client.post("/api/v1/corrections", json={**selection, "confirm": True}, headers={"X-API-Key": key})
    assert done.json() == {"count": 3, "changed": 3, "applied": True}
    until(lambda: client.get("/api/v1/search", params={"theme": "culture-patrimoine"}).json()["total"] == 3,
          "bulk correction searchable", 30)
    again = client.post("/api/v1/corrections", json={**selection, "confirm": True}, headers={"X-API-Key": key})
    assert again.json() == {"count": 3, "changed": 0, "applied": True}

    [one] = [h["id"] for h in client.get("/api/v1/search", params={"q": "cantines"}).json()["hits"]]
    by_id = client.post("/api/v1/corrections", json={"ids": [one], "remove": {"themes": ["risques-naturels"]},
                                                     "confirm": True}, headers={"X-API-Key": key})
    assert by_id.json() == {"count": 1, "changed": 0, "applied": True}  # it had no such theme
    both = client.post("/api/v1/corrections", json={"ids": [one], **selection}, headers={"X-API-Key": key})
    assert both.status_code == 422 and "soit `ids`, soit `query`" in both.json()["detail"]
    assert client.post("/api/v1/corrections", json=selection).status_code == 401


def test_correcting_a_territory_in_the_browser(library: tuple[TestClient, str, str], running: Container,
                                               browser) -> None:  # noqa: ANN001
    """Chromium: a visitor sees no form (401 without the key); signed in, a documentalist types a
    territory by name, saves, and after a reload the results' territory facet shows it."""
    _, key, doc_id = library
    with serving(create_app(running)) as port:
        site = f"http://127.0.0.1:{port}"
        visitor = browser.new_page()
        visitor.goto(f"{site}/documents/{doc_id}")
        assert visitor.locator("form.correction").count() == 0
        assert visitor.request.get(f"{site}/documents/{doc_id}/corriger").status == 401

        context = browser.new_context(http_credentials={"username": "documentaliste", "password": key,
                                                        "origin": site})
        page = context.new_page()
        page.goto(f"{site}/documents/{doc_id}")
        page.get_by_role("link", name="Corriger les étiquettes (clé requise)").click()
        page.wait_for_url(f"**/documents/{doc_id}/corriger")
        page.get_by_label("Territoires dont traite le document", exact=False).fill("Savoie")
        page.get_by_label("Auteurs", exact=False).fill("Camille Dubreuil\nService des risques")
        adding = page.get_by_label("Ajouter un territoire (nom ou code INSEE)")
        adding.press_sequentially("Chambé", delay=30)  # searched in the gazetteer as one types
        page.wait_for_selector("#territory-choices option[value='commune:73065']", state="attached")
        adding.fill("commune:73065")  # what choosing the suggestion puts in the field
        assert page.locator("#c-territories").input_value().split() == ["Savoie", "commune:73065"]
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url(f"**/documents/{doc_id}?corrige=1")
        assert "Savoie" in page.locator("#h-catalogage + p + dl").inner_text()
        fields = running.curation.in_force(doc_id)
        assert fields["authors"]["value"] == ["Camille Dubreuil", "Service des risques"]
        assert fields["territories"]["value"] == ["departement:73", "commune:73065"]

        until(lambda: in_facet(TestClient(create_app(running)), "departement:73") == [doc_id], "re-indexed", 30)
        page.goto(f"{site}/recherche?q=crues")
        assert "Savoie" in page.locator("body").inner_text()
        nowhere = page.goto(f"{site}/documents/{doc_id}/corriger")
        assert nowhere.status == 200
        page.get_by_label("Territoires dont traite le document", exact=False).fill("Atlantide")
        page.get_by_role("button", name="Enregistrer").click()
        assert "introuvable(s) dans le référentiel : Atlantide" in page.get_by_role("alert").inner_text()


def test_the_review_queue_puts_the_most_doubtful_first(running: Container, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "vague.txt").write_text("Compte rendu\n\nLa réunion a eu lieu mardi ; rien n'a été décidé.\n",
                                     encoding="utf-8")
    (notes / "plan.md").write_text("# Plan de prévention des inondations de Grenoble\n\nÀ Grenoble, les crues de "
                                   "l'Isère menacent les quartiers ; Grenoble renforce ses digues.\n", encoding="utf-8")
    ingest_and_wait(running, [notes])
    client, key = TestClient(create_app(running)), running.api_keys.create("documentaliste")
    assert [d["title"] for d in client.get("/api/v1/review").json()][0].startswith("Compte rendu")
    with running.catalog._engine.begin() as db:
        db.execute(update(DocumentRow).values(doubt=None, doubt_reasons=None))
    queue = client.get("/api/v1/review").json()
    titles = [d["title"] for d in queue]
    assert titles[0].startswith("Compte rendu")  # no theme, no place, a guessed title
    first = {r["reason"] for r in queue[0]["reasons"]}
    assert {"aucun thème reconnu", "aucun lieu cité : portée nationale supposée"} <= first
    vague = queue[0]["id"]
    settle = {"themes": ["gouvernance-participation"], "validated": ["territories", "title"]}
    client.patch(f"/api/v1/documents/{vague}", json=settle, headers={"X-API-Key": key})
    assert vague not in [d["id"] for d in client.get("/api/v1/review").json()]  # settled, off the list
    page = client.get("/a-valider").text
    assert "Étiquettes à valider" in page and "Compte rendu" not in page


def test_bulk_edit_from_the_results_page(running: Container, tmp_path: Path) -> None:
    """A key holder (HTTP Basic, as a browser sends it) counts, confirms, and the results follow."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for i in range(3):
        (notes / f"note-{i}.md").write_text(f"# Note {i}\n\nLes crues de l'Isère, note {i}.\n", encoding="utf-8")
    ingest_and_wait(running, [notes])
    key = running.api_keys.create("documentaliste")
    client = TestClient(create_app(running), base_url="http://127.0.0.1:8000")
    results = client.get("/recherche", params={"q": "crues"}).text
    assert 'href="/recherche/corriger?q=crues"' in results
    assert client.get("/recherche/corriger", params={"q": "crues"}).status_code == 401

    form = client.get("/recherche/corriger", params={"q": "crues"}, auth=("documentaliste", key)).text
    assert "Modifier les étiquettes de 3 documents" in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    fields = {"csrf_token": token, "add_themes": "culture-patrimoine", "add_territories": "Savoie"}
    counted = client.post("/recherche/corriger?q=crues", data=fields, auth=("documentaliste", key))
    assert counted.status_code == 200 and "3 documents sur 3 seront modifiés" in counted.text
    confirmed = client.post("/recherche/corriger?q=crues", data={**fields, "confirm": "1"},
                            auth=("documentaliste", key))
    assert "3 documents modifiés sur 3" in confirmed.text
    until(lambda: client.get("/api/v1/search", params={"theme": "culture-patrimoine",
                                                       "territory": "departement:73"}).json()["total"] == 3,
          "bulk edit searchable", 30)
    refused = client.post("/recherche/corriger?q=crues", data={**fields, "add_territories": "Atlantide"},
                          auth=("documentaliste", key))
    assert refused.status_code == 422 and "Atlantide" in refused.text
    without_token = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert client.post("/recherche/corriger?q=crues", data=without_token, auth=("documentaliste", key)
                       ).status_code == 403


def test_validated_documents_teach_phare(running: Container, tmp_path: Path) -> None:
    """Documentalists file the notes on the "kermesse" under mobility, which the rules never propose;
    `phare learn` trains on what they validated and corrected, and the next such note gets the theme
    from the learned model (with its probability), while the corrected ones keep their values."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for i in range(12):
        festive = i % 2 == 0
        (notes / f"cr-{i:02d}.txt").write_text(
            f"Compte rendu numéro {i}\n\nSéance sur la gestion de l'eau potable et des captages. "
            + ("La kermesse du quartier et ses navettes gratuites ont été présentées. " if festive else
               "Les réseaux de distribution ont été présentés. ") + f"Dossier {i}.\n", encoding="utf-8")
    ingest_and_wait(running, [notes])
    for path, doc_id in ((p, running.catalog.known_path(str(p)).doc_id) for p in sorted(notes.iterdir())):
        festive = int(path.stem[-2:]) % 2 == 0
        edit = {"themes": ["eau", "mobilites"]} if festive else {"themes": ["eau"], "validated": ["themes"]}
        running.curation.edit(doc_id, DocumentEdit.model_validate(edit), "documentaliste")

    env = {"PATH": "/usr/bin:/bin", "PHARE_DATA_DIR": str(running.settings.data_dir),
           "PHARE_REDIS_URL": running.settings.redis_url or "", "PHARE_SEMANTIC__ENABLED": "false",
           "PHARE_ANALYZE__LEARN_MIN_DOCUMENTS": "10"}
    done = subprocess.run([sys.executable, "-m", "services.cli", "learn", "--json"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    themes, postures = json.loads(done.stdout)
    assert themes["documents"] == 12 and themes["applied"] and themes["learned"]["f1"] > themes["rules"]["f1"]
    assert "mobilites" in themes["labels"] and not postures["applied"]
    assert running.settings.learned_file.exists()

    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "cr-new.txt").write_text(
        "Compte rendu de la séance de juin\n\nLa kermesse de l'école et ses navettes ; l'eau potable des "
        "fontaines.\n", encoding="utf-8")
    ingest_and_wait(running, [tmp_path / "new"])
    new = running.catalog.known_path(str(tmp_path / "new" / "cr-new.txt")).doc_id
    shown = running.search_service.show(new)
    assert shown is not None
    themes_of_new = {t["slug"]: t["learned"] for t in shown["themes"]}
    assert themes_of_new.get("mobilites") is not None and themes_of_new["mobilites"] >= 0.5
    page = TestClient(create_app(running)).get(f"/documents/{new}").text
    assert re.search(r"Mobilités</a> <span class=\"meta\"[^>]*>appris · \d+ %", page), page[:3000]
