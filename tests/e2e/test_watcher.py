"""The watched folder with a real worker: drop a file, find it; temp files are ignored."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from schemas.search import SearchQuery
from services.bootstrap import Container
from services.ingest.intake import is_ignored
from services.ingest.reconcile import Reconciler
from services.ingest.watcher import FolderWatcher, is_stable
from tests.support import FIXTURES

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["~$rapport.docx", ".~lock.rapport.odt#", "rapport.pdf.part", "x.tmp", ".DS_Store",
                                  "Thumbs.db", ".cache"])
def test_temporary_and_hidden_files_are_ignored(name: str) -> None:
    assert is_ignored(Path("/inbox") / name)


def test_a_growing_file_is_not_stable(tmp_path: Path) -> None:
    path = tmp_path / "copie.pdf"
    path.write_bytes(b"x")

    def copy_slowly() -> None:  # like a network copy: chunks over ~1 s
        for _ in range(20):
            with path.open("ab") as fh:
                fh.write(b"y" * 1000)
            time.sleep(0.05)

    writer = threading.Thread(target=copy_slowly)
    writer.start()
    assert not is_stable(path, 0.2)
    writer.join()
    assert is_stable(path, 0.2)


def test_a_dropped_file_is_found(running: Container, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "études").mkdir(parents=True)
    shutil.copy(FIXTURES / "glossaire_gt_paysages.docx", inbox / "déjà là.docx")  # reconciled at start
    watcher = FolderWatcher(inbox, running.intake, Reconciler(running.catalog, running.intake, running.publish),
                            debounce_ms=200, stable_s=0.3)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        time.sleep(1)
        shutil.copy(FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf", inbox / "études" / "mandat.pdf")
        deadline = time.monotonic() + 90
        while running.search_service.search(SearchQuery(text="friches")).total == 0:
            assert time.monotonic() < deadline, running.catalog.counts()
            time.sleep(0.3)
        deadline = time.monotonic() + 90
        while running.search_service.search(SearchQuery(text="paysagistes")).total == 0:
            assert time.monotonic() < deadline, running.catalog.counts()
            time.sleep(0.3)
    finally:
        stop.set()
        thread.join(timeout=10)


def _note(path: Path, word: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Note {word}\n\nCette note d'étude parle du {word} et de ses enjeux pour le territoire.\n",
                    encoding="utf-8")
    return path


def _until(predicate, what: str, timeout: float = 60) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _found(container: Container, word: str) -> list:
    return container.search_service.search(SearchQuery(text=word), server_paths=True).hits


class _Watching:
    def __init__(self, container: Container, inbox: Path, polling: bool = False) -> None:
        reconciler = Reconciler(container.catalog, container.intake, container.publish, lambda: container.backend)
        self.watcher = FolderWatcher(inbox, container.intake, reconciler, debounce_ms=200, stable_s=0.2,
                                     polling=polling, poll_ms=300)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop,), daemon=True)

    def __enter__(self) -> _Watching:
        self.thread.start()
        time.sleep(1)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


def test_the_library_mirrors_the_folder(running: Container, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with _Watching(running, inbox):
        note = _note(inbox / "risques" / "note.md", "glissement")
        _until(lambda: _found(running, "glissement"), "added file indexed")
        assert running.search_service.search(SearchQuery(collections=["risques"])).total == 1

        renamed = inbox / "risques" / "note-renommée.md"
        note.rename(renamed)
        _until(lambda: [h.path for h in _found(running, "glissement")] == [str(renamed)], "rename followed")

        _note(renamed, "ruissellement")  # edited in place: new content, old content gone
        _until(lambda: _found(running, "ruissellement") and not _found(running, "glissement"), "edit followed")

        renamed.unlink()
        _until(lambda: not _found(running, "ruissellement"), "deletion followed")

        outside = tmp_path / "dossier"
        _note(outside / "a.md", "avalanche")
        _note(outside / "b.md", "éboulement")
        shutil.move(str(outside), str(inbox / "dossier"))
        _until(lambda: _found(running, "avalanche") and _found(running, "éboulement"), "folder moved in")

        shutil.rmtree(inbox / "dossier")
        _until(lambda: not _found(running, "avalanche") and not _found(running, "éboulement"), "folder removed")
    counts = running.catalog.counts()
    assert counts.get("indexed", 0) == 0 and counts["deleted"] == 4


def test_polling_mode_for_network_shares(running: Container, tmp_path: Path) -> None:
    inbox = tmp_path / "partage"
    inbox.mkdir()
    with _Watching(running, inbox, polling=True) as watching:
        assert watching.watcher.polling
        _note(inbox / "smb" / "note.md", "géothermie")
        _until(lambda: _found(running, "géothermie"), "found by polling")
        (inbox / "smb" / "note.md").unlink()
        _until(lambda: not _found(running, "géothermie"), "removal found by polling")


def test_changes_made_while_stopped_are_reconciled(running: Container, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    kept, dropped = _note(inbox / "gardée.md", "tramway"), _note(inbox / "retirée.md", "téléphérique")
    with _Watching(running, inbox):
        _until(lambda: _found(running, "tramway") and _found(running, "téléphérique"), "first scan")
    dropped.unlink()  # while phare is stopped
    _note(inbox / "nouvelle" / "ajoutée.md", "covoiturage")
    copied = inbox / "ancienne.md"
    shutil.copy2(_note(tmp_path / "archive.md", "funiculaire"), copied)  # an old mtime, kept by the copy
    with _Watching(running, inbox):
        _until(lambda: _found(running, "covoiturage") and _found(running, "funiculaire")
               and not _found(running, "téléphérique"), "reconciled at start")
    assert _found(running, "tramway") and kept.exists()


def test_unchanged_files_are_not_read_again(running: Container, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    note = _note(tmp_path / "note.md", "sobriété")
    first = running.intake.submit(note)
    import services.ingest.intake as intake_module

    reads: list[Path] = []
    monkeypatch.setattr(intake_module, "sha256_file", lambda p: reads.append(p) or "x")
    again = running.intake.submit(note)
    assert again.doc_id == first.doc_id and not again.queued and reads == []
