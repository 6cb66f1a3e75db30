"""Veille end to end: saved searches over the API and the web page, digests sent to a real SMTP
server (aiosmtpd) started here, never twice, nothing lost while the server is down; search history."""

from __future__ import annotations

import email
import subprocess
import sys
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from services.bootstrap import Container
from services.search.app import create_app
from services.settings import SemanticSettings, Settings, SmtpSettings
from tests.support import ROOT, ingest_and_wait, serving

pytestmark = pytest.mark.slow
DAY = 86_400.0


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: ANN401 - aiosmtpd's hook
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mailbox(smtp_port: int) -> Iterator[tuple[Mailbox, Controller]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield box, controller
    if not controller.loop.is_closed():  # a test may have stopped it (the server "down")
        controller.stop()


@pytest.fixture
def settings(tmp_path: Path, smtp_port: int) -> Settings:
    return Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox", semantic=SemanticSettings(enabled=False),
                    smtp=SmtpSettings(host="127.0.0.1", port=smtp_port, sender="veille@phare.example.org"))


def note(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_digests_list_new_documents_once_and_survive_a_mail_server_outage(
        running: Container, tmp_path: Path, mailbox: tuple[Mailbox, Controller], smtp_port: int) -> None:
    box, controller = mailbox
    client, key = TestClient(create_app(running)), running.api_keys.create("camille")
    isere = client.post("/api/v1/subscriptions", headers={"X-API-Key": key}, json={
        "name": "Crues en Isère", "params": {"territory": ["departement:38"]}, "email": "camille@example.org",
        "frequency": "daily"})
    assert isere.status_code == 201, isere.text
    assert isere.json()["feed"].endswith("/api/v1/search.atom?territory=departement%3A38")
    weekly = client.post("/api/v1/subscriptions", headers={"X-API-Key": key}, json={
        "name": "Énergie", "params": {"theme": "energie"}, "email": "camille@example.org", "frequency": "weekly"})
    assert weekly.status_code == 201

    ingest_and_wait(running, [note(tmp_path / "a", "crues.md", "# Crues à Échirolles\n\nÀ Échirolles, les crues du "
                                   "Drac menacent Échirolles ; la commune d'Échirolles renforce ses digues.\n"),
                              note(tmp_path / "a", "savoie.md", "# Avalanches à Chambéry\n\nÀ Chambéry, les "
                                   "avalanches et Chambéry : la ville de Chambéry prépare ses plans.\n")])
    subscriptions = running.subscriptions
    assert subscriptions.digest().sent == 0  # nothing is due before a day has passed

    outcome = subscriptions.digest(now=time.time() + DAY + 60)
    assert (outcome.sent, outcome.documents, outcome.failed) == (1, 1, [])  # the weekly one is not due yet
    [message] = box.messages
    assert message["To"] == "camille@example.org" and message["From"] == "veille@phare.example.org"
    assert message["Subject"] == "phare — 1 nouveau document : Crues en Isère"
    text, html = parts(message)
    doc_id = running.catalog.known_path(str(tmp_path / "a" / "crues.md")).doc_id
    assert "Crues à Échirolles" in text and f"http://127.0.0.1:8000/documents/{doc_id}" in text
    assert "Chambéry" not in text and "Échirolles (commune)" in text  # the places it is about, in words
    assert f'<a href="http://127.0.0.1:8000/documents/{doc_id}"><strong>Crues à Échirolles</strong></a>' in html
    assert "Gérer vos veilles" in text and 'lang="fr"' in html

    assert subscriptions.digest(now=time.time() + 2 * DAY + 120).sent == 0  # nothing new: nothing sent twice
    assert len(box.messages) == 1

    ingest_and_wait(running, [note(tmp_path / "b", "digues.md", "# Digues de Grenoble\n\nÀ Grenoble, les digues de "
                                   "l'Isère à Grenoble ; Grenoble et ses quartiers.\n")])
    controller.stop()  # the mail server is down: the digest fails, and nothing is marked as sent
    down = subscriptions.digest(now=time.time() + 3 * DAY + 180)
    assert down.sent == 0 and len(down.failed) == 1 and "Crues en Isère" in down.failed[0]
    [stored] = [s for s in subscriptions.of("camille") if s.name == "Crues en Isère"]
    assert stored.last_error and "127.0.0.1" in stored.last_error

    restarted = Controller(box, hostname="127.0.0.1", port=smtp_port)
    restarted.start()
    try:
        assert subscriptions.digest(now=time.time() + 3 * DAY + 240).sent == 1
        text, _ = parts(box.messages[-1])
        assert "Digues de Grenoble" in text and "Crues à Échirolles" not in text  # only what is new
        ingest_and_wait(running, [note(tmp_path / "c", "isere.md", "# Plan de Grenoble\n\nGrenoble, Grenoble et "
                                       "encore Grenoble : le plan climat de Grenoble.\n")])
        env = {"PATH": "/usr/bin:/bin", "PHARE_DATA_DIR": str(running.settings.data_dir),
               "PHARE_REDIS_URL": running.settings.redis_url or "", "PHARE_SEMANTIC__ENABLED": "false",
               "PHARE_SMTP__HOST": "127.0.0.1", "PHARE_SMTP__PORT": str(smtp_port)}
        done = subprocess.run([sys.executable, "-m", "services.cli", "digest", "--now", "--toutes"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "1 courriel(s) envoyé(s), 1 document(s) signalé(s)" in done.stdout + done.stderr
        assert "Plan de Grenoble" in parts(box.messages[-1])[0]
    finally:
        restarted.stop(no_assert=True)


def test_each_key_sees_only_its_own_and_requests_are_checked(running: Container) -> None:
    client = TestClient(create_app(running))
    camille, dominique = running.api_keys.create("camille"), running.api_keys.create("dominique")
    saved = client.post("/api/v1/subscriptions", headers={"X-API-Key": camille},
                        json={"name": "Mobilités", "params": {"q": "covoiturage", "theme": ["mobilites"]}}).json()
    assert saved["params"] == {"q": ["covoiturage"], "theme": ["mobilites"]} and saved["email"] is None
    assert client.get("/api/v1/subscriptions", headers={"X-API-Key": dominique}).json() == []
    other = f"/api/v1/subscriptions/{saved['id']}"
    assert client.get(other, headers={"X-API-Key": dominique}).status_code == 404
    assert client.delete(other, headers={"X-API-Key": dominique}).status_code == 404
    assert client.get("/api/v1/subscriptions").status_code == 401
    renamed = client.patch(other, headers={"X-API-Key": camille}, json={"name": "Covoiturage"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Covoiturage"
    half = client.post("/api/v1/subscriptions", headers={"X-API-Key": camille},
                       json={"name": "x", "email": "camille@example.org"})
    assert half.status_code == 422 and "fréquence" in half.json()["detail"]
    unknown = client.post("/api/v1/subscriptions", headers={"X-API-Key": camille},
                          json={"name": "x", "params": {"couleur": "rouge"}})
    assert unknown.status_code == 422 and unknown.json()["detail"] == "paramètre(s) de recherche inconnu(s) : couleur"
    assert client.delete(other, headers={"X-API-Key": camille}).status_code == 204
    assert client.get("/api/v1/subscriptions", headers={"X-API-Key": camille}).json() == []


def test_saving_a_search_and_the_history_in_the_browser(running: Container, tmp_path: Path,
                                                        browser) -> None:  # noqa: ANN001
    """Chromium: searches are remembered on the home page; a signed-in user saves one from its
    results, finds it on "Ma veille", renames and deletes it; a visitor gets 401 there."""
    ingest_and_wait(running, [note(tmp_path / "a", "crues.md", "# Crues à Échirolles\n\nLes crues du Drac.\n")])
    key = running.api_keys.create("camille")
    with serving(create_app(running)) as port:
        site = f"http://127.0.0.1:{port}"
        visitor = browser.new_page()
        assert visitor.request.get(f"{site}/veille").status == 401
        context = browser.new_context(http_credentials={"username": "camille", "password": key, "origin": site})
        page = context.new_page()
        page.goto(f"{site}/recherche?q=crues")
        page.goto(f"{site}/")
        recent = page.locator("section.history")
        assert recent.is_visible() and "« crues »" in recent.inner_text()
        page.goto(f"{site}/recherche?q=crues")
        page.get_by_role("link", name="Enregistrer cette recherche, recevoir ses nouveautés (clé requise)").click()
        page.get_by_label("Nom").fill("Les crues")
        page.get_by_label("Fréquence").select_option("weekly")
        page.get_by_label("Adresse où recevoir les nouveautés (facultatif)").fill("camille@example.org")
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url("**/veille?fait=enregistree")
        saved = page.locator("ul.saved")
        assert "Les crues" in saved.inner_text() and "chaque semaine à camille@example.org" in saved.inner_text()
        [stored] = running.subscriptions.of("camille")
        assert stored.params == {"q": ["crues"]} and stored.frequency == "weekly"
        page.get_by_label("Renommer « Les crues »").fill("Crues du Drac")
        page.get_by_role("button", name="Renommer").click()
        page.wait_for_url("**/veille?fait=renommee")
        assert "Crues du Drac" in page.locator("ul.saved").inner_text()
        page.get_by_role("button", name="Supprimer « Crues du Drac »").click()
        page.wait_for_url("**/veille?fait=supprimee")
        assert "Aucune recherche enregistrée." in page.locator("main").inner_text()
        assert running.subscriptions.of("camille") == []


def test_a_mail_server_that_requires_a_login(running: Container, tmp_path: Path) -> None:
    """With PHARE_SMTP__USER and __PASSWORD, phare logs in; a wrong password leaves the digest due."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:  # noqa: ANN401
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"phare", b"secret")
        return AuthResult(success=ok, handled=False)

    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=check, auth_required=True,
                            auth_require_tls=False)
    controller.start()
    try:
        key = running.api_keys.create("camille")
        TestClient(create_app(running)).post("/api/v1/subscriptions", headers={"X-API-Key": key}, json={
            "name": "Tout", "email": "camille@example.org", "frequency": "daily"})
        ingest_and_wait(running, [note(tmp_path / "a", "note.md", "# Une note\n\nUn texte sur les crues.\n")])
        subscriptions = running.subscriptions
        subscriptions.smtp = SmtpSettings(host="127.0.0.1", port=port, user="phare", password="intrus")
        refused = subscriptions.digest(now=time.time() + DAY + 60)
        assert refused.sent == 0 and refused.failed and box.messages == []
        subscriptions.smtp = SmtpSettings(host="127.0.0.1", port=port, user="phare", password="secret")
        assert subscriptions.digest(now=time.time() + DAY + 120).sent == 1 and len(box.messages) == 1
    finally:
        controller.stop()


def test_a_digest_of_a_search_by_words_quotes_the_passage_that_matched(
        running: Container, tmp_path: Path, mailbox: tuple[Mailbox, Controller]) -> None:
    box, _ = mailbox
    key = running.api_keys.create("camille")
    TestClient(create_app(running)).post("/api/v1/subscriptions", headers={"X-API-Key": key}, json={
        "name": "Digues", "params": {"q": "digues"}, "email": "camille@example.org", "frequency": "weekly"})
    ingest_and_wait(running, [note(tmp_path / "a", "crues.md", "# Crues\n\nLe quartier attend l'été. Les digues "
                                   "du Drac seront rehaussées avant l'hiver.\n")])
    assert running.subscriptions.digest(force=True).sent == 1
    text, html = parts(box.messages[-1])
    assert "digues du Drac seront rehaussées" in text and "(p. 1)" in text and "<mark>" not in html
