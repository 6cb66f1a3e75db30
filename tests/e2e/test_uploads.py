"""Uploads, deletions and statuses over HTTP, with keys, limits and a real worker behind them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from schemas.search import SearchQuery
from services.bootstrap import Container
from services.search.app import create_app
from services.settings import ExtractSettings, Settings
from tests.support import FIXTURES

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox", write_rate="6/minute",
                    extract=ExtractSettings(max_file_mb=1), upload_max_mb=2)


@pytest.fixture
def key(running: Container) -> str:
    return running.api_keys.create("documentaliste")


@pytest.fixture
def client(running: Container) -> TestClient:
    return TestClient(create_app(running))


def _wait_state(client: TestClient, doc_id: str, states: set[str], timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/api/v1/documents/{doc_id}/status").json()
        if status["state"] in states:
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.2)


def test_writes_need_a_valid_key(client: TestClient, key: str) -> None:
    files = {"files": ("note.md", b"# Note\n\nTexte.", "text/markdown")}
    missing = client.post("/api/v1/documents", files=files)
    assert missing.status_code == 401 and missing.json()["detail"].startswith("clé d'API manquante")
    assert missing.headers["www-authenticate"].startswith("Basic")
    wrong = client.post("/api/v1/documents", files=files, headers={"X-API-Key": key + "x"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "clé d'API inconnue ou révoquée"
    assert client.delete("/api/v1/documents/0123456789abcdef").status_code == 401


def test_upload_index_find_and_delete(client: TestClient, running: Container, key: str) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    files = [("files", ("../../../etc/passwd", "# Plan vélo\n\nLe schéma cyclable de Voiron.".encode(), "text/plain")),
             ("files", ("mandat.pdf", (FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf").read_bytes(),
                        "application/pdf"))]
    response = client.post("/api/v1/documents", files=files, headers=headers)
    assert response.status_code == 202
    accepted = response.json()
    assert [a["name"] for a in accepted] == ["passwd", "mandat.pdf"]
    for item in accepted:
        assert _wait_state(client, item["id"], {"indexed", "failed"})["state"] == "indexed"
    assert not Path("/etc/passwd").read_bytes().startswith(b"# Plan")  # the name never became a path
    assert list(running.settings.uploads_dir.iterdir()) == []  # no copy left behind
    hit = running.search_service.search(SearchQuery(text="cyclable")).hits[0]
    assert hit.id == accepted[0]["id"]
    assert running.search_service.search(SearchQuery(collections=["téléversements"])).total == 2
    download = client.get(f"/api/v1/documents/{hit.id}/file")
    assert download.headers["content-disposition"] == 'attachment; filename="passwd"'

    deleted = client.delete(f"/api/v1/documents/{hit.id}", headers=headers)
    assert deleted.status_code == 202 and deleted.json()["state"] == "deleted"
    deadline = time.monotonic() + 30
    while running.search_service.search(SearchQuery(text="cyclable")).total:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    again = client.post("/api/v1/documents", files=[files[0]], headers=headers).json()[0]  # back again
    assert again["id"] == hit.id and _wait_state(client, hit.id, {"indexed"})


def test_failures_are_listed_with_their_reason(client: TestClient, key: str) -> None:
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a complete pdf"
    [item] = client.post("/api/v1/documents", files={"files": ("cassé.pdf", broken, "application/pdf")},
                         headers={"X-API-Key": key}).json()
    status = _wait_state(client, item["id"], {"failed", "indexed"})
    assert status["state"] == "failed" and status["reason"]
    listed = client.get("/api/v1/documents", params={"state": "failed"}).json()
    assert [(d["id"], d["paths"]) for d in listed] == [(item["id"], ["cassé.pdf"])]
    page = client.get("/etat").text
    assert "cassé.pdf" in page and status["reason"].split(" (", 1)[0] in page
    reason = status["reason"].split(" (", 1)[0]
    assert f'phare_failures{{reason="{reason}"}} 1.0' in client.get("/metrics").text


def test_oversized_uploads_are_refused_without_reading_them(client: TestClient, key: str) -> None:
    big = b"x" * (3 * 2**20)
    declared = client.post("/api/v1/documents", files={"files": ("gros.txt", big, "text/plain")},
                           headers={"X-API-Key": key})
    assert declared.status_code == 413 and declared.json()["detail"] == "envoi trop volumineux (au plus 2 Mo par envoi)"

    def chunks():  # noqa: ANN202 - no Content-Length: the limit is counted as the body streams in
        yield b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"g.txt\"\r\n\r\n"
        for _ in range(48):
            yield b"y" * 65536
        yield b"\r\n--b--\r\n"

    streamed = client.post("/api/v1/documents", content=chunks(),
                           headers={"X-API-Key": key, "Content-Type": "multipart/form-data; boundary=b"})
    assert streamed.status_code == 413


def test_the_size_limit_is_per_file_and_stated_honestly(client: TestClient, key: str) -> None:
    """A probe found the limit applied to the whole request, and a 5.8 MB file reported as "5 Mo > 5 Mo"."""
    one = int(0.6 * 2**20)
    both = client.post("/api/v1/documents", headers={"X-API-Key": key}, files=[
        ("files", ("a.txt", b"a" * one, "text/plain")), ("files", ("b.txt", b"b" * one, "text/plain"))])
    assert both.status_code == 202 and len(both.json()) == 2  # 1.2 MB in all, each file under 1 MB
    over = client.post("/api/v1/documents", headers={"X-API-Key": key},
                       files={"files": ("rapport.txt", b"r" * (2**20 + 1), "text/plain")})
    assert over.status_code == 413
    assert over.json()["detail"] == "« rapport.txt » dépasse la limite de 1 Mo par fichier"
    from schemas.files import too_large_reason

    reason = too_large_reason(int(5.8 * 2**20), 5 * 2**20)
    assert reason == "fichier trop volumineux (5,8 Mo ; au plus 5 Mo par fichier)"
    assert too_large_reason(5 * 2**20 + 1, 5 * 2**20).startswith("fichier trop volumineux (5,1 Mo")


def test_writes_are_rate_limited(client: TestClient, key: str) -> None:
    codes = [client.delete("/api/v1/documents/0123456789abcdef", headers={"X-API-Key": key}).status_code
             for _ in range(7)]
    assert codes[:6] == [404] * 6 and codes[6] == 429


def test_documents_of_the_watched_folder_are_removed_from_the_folder(client: TestClient, running: Container,
                                                                      key: str, tmp_path: Path) -> None:
    from tests.support import ingest_and_wait

    note = tmp_path / "inbox" / "note.md"
    note.parent.mkdir(parents=True)
    note.write_text("# Note\n\nLe téléphérique urbain.", encoding="utf-8")
    ingest_and_wait(running, [note])
    doc_id = running.search_service.search(SearchQuery(text="téléphérique")).hits[0].id
    refused = client.delete(f"/api/v1/documents/{doc_id}", headers={"X-API-Key": key})
    assert refused.status_code == 409 and "dossier surveillé" in refused.json()["detail"]


def test_reads_can_require_a_key(running: Container, key: str) -> None:
    from services.bootstrap import build

    other = build(running.settings.model_copy(update={"protect_reads": True}))
    guarded = TestClient(create_app(other))
    assert guarded.get("/api/v1/search").status_code == 401
    assert guarded.get("/").status_code == 401 and guarded.get("/").headers["www-authenticate"].startswith("Basic")
    assert guarded.get("/api/v1/search", headers={"X-API-Key": key}).status_code == 200
    assert guarded.get("/", auth=("moi", key)).status_code == 200  # the browser's login prompt
    assert guarded.get("/healthz").status_code == 200
    assert "access-control-allow-origin" not in guarded.get(
        "/api/v1/search", headers={"X-API-Key": key, "Origin": "https://ailleurs.example"}).headers
    other.close()
