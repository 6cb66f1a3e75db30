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

from .conftest import FIXTURES

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
