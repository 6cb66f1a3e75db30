"""Families end to end: the real worker groups the other format, the summary and the version of a
report at indexing; the API and `phare show --json` expose the family; a documentalist splits and
merges, and phare leaves their decision alone when the document is indexed again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from schemas.documents import DocState
from services.bootstrap import Container
from services.search.app import create_app
from services.settings import SemanticSettings, Settings
from tests.support import ingest_and_wait, until
from tests.unit.test_families import paragraphs

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox", semantic=SemanticSettings(enabled=False))


def test_versions_formats_and_summaries_are_grouped(running: Container, tmp_path: Path) -> None:
    report = paragraphs(1, 40)
    files = {"rapport.md": ["# Rapport sur le territoire", *report],
             "rapport.txt": ["Rapport sur le territoire (texte brut)", *report],
             "synthese.md": ["# Synthèse du rapport", *report[5:11]],
             "rapport-v2.md": ["# Rapport sur le territoire, version 2", *report[:26], *paragraphs(2, 14)],
             "autre.md": ["# Une autre étude", *paragraphs(3, 40)]}
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, texts in files.items():
        (folder / name).write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    for name in files:  # one by one: each finds the ones before it
        ingest_and_wait(running, [folder / name])
    ids = {name: running.catalog.known_path(str(folder / name)).doc_id for name in files}

    family = running.search_service.show(ids["rapport.md"])["family"]
    relations = {m["id"]: m["relation"] for m in family["members"]}
    assert family["id"] == ids["rapport.md"] and relations == {
        ids["rapport.md"]: "principal", ids["rapport.txt"]: "same-content", ids["synthese.md"]: "summary",
        ids["rapport-v2.md"]: "version"}
    assert running.search_service.show(ids["autre.md"])["family"] is None

    client, key = TestClient(create_app(running)), running.api_keys.create("documentaliste")
    shown = client.get(f"/api/v1/documents/{ids['synthese.md']}").json()["family"]
    assert shown["id"] == ids["rapport.md"] and len(shown["members"]) == 4
    page = client.get(f"/documents/{ids['rapport.md']}").text
    assert "Autres versions (3)" in page and "résumé" in page and "même contenu, autre format" in page
    api = client.get("/api/v1/search", params={"q": "rapport territoire", "limit": 10}).json()
    family_hits = [h for h in api["hits"] if h["family"]]
    assert len(family_hits) == 4 and {h["family"]["others"] for h in family_hits} == {3}  # the API lists each
    results = client.get("/recherche", params={"q": "rapport territoire"}).text
    assert results.count("autres versions (3)") == 1  # the web shows the family once

    assert client.delete(f"/api/v1/documents/{ids['rapport-v2.md']}/family").status_code == 401
    split = client.delete(f"/api/v1/documents/{ids['rapport-v2.md']}/family", headers={"X-API-Key": key})
    assert split.status_code == 200 and split.json() is None
    merged = client.post(f"/api/v1/documents/{ids['autre.md']}/family", headers={"X-API-Key": key},
                         json={"with": ids["synthese.md"], "relation": "version"})
    assert merged.status_code == 200 and merged.json()["id"] == ids["rapport.md"]
    assert ids["rapport-v2.md"] not in {m["id"] for m in merged.json()["members"]}

    # indexed again (a correction): phare does not undo the documentalist's split
    running.catalog.transition(ids["rapport-v2.md"], DocState.INDEXED, DocState.INDEXING)
    from schemas.events import DocumentAnalyzed

    running.publish(DocumentAnalyzed(doc_id=ids["rapport-v2.md"]))
    until(lambda: running.catalog.get(ids["rapport-v2.md"]).state == DocState.INDEXED, "indexed again", 30)
    assert running.search_service.show(ids["rapport-v2.md"])["family"] is None
    principal_split = client.delete(f"/api/v1/documents/{ids['rapport.md']}/family", headers={"X-API-Key": key})
    assert principal_split.status_code == 200
    rest = running.search_service.show(ids["rapport.txt"])["family"]
    assert rest["id"] == ids["rapport.txt"] and ids["rapport.md"] not in {m["id"] for m in rest["members"]}

    # the same from the document's family page (HTTP Basic and the form's token, as a browser sends them)
    auth = ("documentaliste", key)
    form = client.get(f"/documents/{ids['rapport-v2.md']}/famille", auth=auth)
    assert form.status_code == 200 and "n'a pas de famille" in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    joined = client.post(f"/documents/{ids['rapport-v2.md']}/famille/rattacher", auth=auth, follow_redirects=False,
                         data={"csrf_token": token.group(1), "with": f"http://127.0.0.1:8000/documents/{ids['rapport.txt']}",
                               "relation": "version"})
    assert joined.status_code == 303
    assert running.search_service.show(ids["rapport-v2.md"])["family"]["id"] == ids["rapport.txt"]
    unknown = client.post(f"/documents/{ids['rapport-v2.md']}/famille/rattacher", auth=auth,
                          data={"csrf_token": token.group(1), "with": "0000000000000000", "relation": "version"})
    assert unknown.status_code == 422 and "autre document introuvable" in unknown.text
    assert client.get(f"/documents/{ids['rapport-v2.md']}/famille").status_code == 401
