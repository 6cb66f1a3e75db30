"""The whole path through real dramatiq workers on the real Redis server (127.0.0.1:6379)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from schemas.search import SearchQuery
from services.bootstrap import Container
from tests.support import FIXTURES, ingest_and_wait

pytestmark = pytest.mark.slow


def test_documents_flow_to_the_index(running: Container, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf", inbox / "mandat.pdf")
    shutil.copy(FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf", inbox / "copie du mandat.pdf")
    shutil.copy(FIXTURES / "glossaire_gt_paysages.docx", inbox / "glossaire.docx")
    (inbox / "vide.pdf").write_bytes(b"")
    (inbox / "~$brouillon.docx").write_bytes(b"lock file")

    states = ingest_and_wait(running, [inbox])

    assert set(states) == {"mandat.pdf", "copie du mandat.pdf", "glossaire.docx", "vide.pdf"}
    assert {states["mandat.pdf"][0], states["copie du mandat.pdf"][0]} == {"indexed", "duplicate"}
    assert states["glossaire.docx"] == ("indexed", None)
    assert states["vide.pdf"][0] == "failed" and "vide" in states["vide.pdf"][1]
    result = running.search_service.search(SearchQuery(text="recyclage des friches"))
    assert result.hits[0].title.startswith("Mandat du GT CNIG Friches")
    assert result.hits[0].snippets and result.hits[0].snippets[0].page in (1, 2)
    assert running.backend.count() == 2


def ingest_one(running: Container, tmp_path: Path) -> str:
    """Ingest the PDF fixture and wait: its document id."""
    doc = tmp_path / "mandat.pdf"
    shutil.copy(FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf", doc)
    ingest_and_wait(running, [doc])
    return running.catalog.path_status([str(doc)])[0].doc_id


def test_redelivery_is_harmless(running: Container, tmp_path: Path) -> None:
    from schemas.events import DocumentAnalyzed, DocumentQueued

    doc_id = ingest_one(running, tmp_path)
    running.publish(DocumentQueued(doc_id=doc_id))
    running.publish(DocumentAnalyzed(doc_id=doc_id))
    time.sleep(2)
    assert running.catalog.get(doc_id).state == "indexed"
    assert running.backend.count() == 1


def test_documents_missing_from_the_index_are_reindexed(running: Container, tmp_path: Path) -> None:
    from services.ingest.reconcile import Reconciler

    doc_id = ingest_one(running, tmp_path)
    running.backend.delete([doc_id])  # as after an index schema upgrade: a new, empty index
    reconciler = Reconciler(running.catalog, running.intake, running.publish, lambda: running.backend)
    assert reconciler.resync_index() == 1
    deadline = time.monotonic() + 60
    while running.backend.get(doc_id) is None or running.catalog.get(doc_id).state != "indexed":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert reconciler.resync_index() == 0


@pytest.mark.parametrize(("path", "collection"), [
    ("/srv/inbox/etude.pdf", ""), ("/srv/inbox/risques/ppri/note.pdf", "risques/ppri"),
    ("/home/doc/rapports/etude.pdf", "rapports")])
def test_collection_is_the_sub_folder_of_the_watched_folder(path: str, collection: str) -> None:
    from workers.records import collection_of

    assert collection_of(path, Path("/srv/inbox")) == collection


def test_an_extraction_by_an_older_extractor_is_redone(running: Container, tmp_path: Path) -> None:
    """After an upgrade of the extractor, re-analysis (``phare reindex``) re-extracts stale artifacts once."""
    from schemas.documents import DocState, Extraction
    from schemas.events import DocumentExtracted
    from workers.extract.extractor import EXTRACTOR_VERSION

    doc_id = ingest_one(running, tmp_path)
    sha = running.catalog.get(doc_id).sha256
    stale = running.artifacts.get("extract", sha, Extraction).model_copy(
        update={"extractor_version": EXTRACTOR_VERSION - 1, "title": "titre d'un ancien extracteur"})
    running.artifacts.put("extract", sha, stale)
    running.catalog.set_state(doc_id, DocState.ANALYZING)
    running.publish(DocumentExtracted(doc_id=doc_id))
    deadline = time.monotonic() + 90
    while running.artifacts.get("extract", sha, Extraction).extractor_version != EXTRACTOR_VERSION \
            or running.catalog.get(doc_id).state != DocState.INDEXED:
        assert time.monotonic() < deadline, running.catalog.get(doc_id).state
        time.sleep(0.3)
    assert running.artifacts.get("extract", sha, Extraction).title.startswith("Mandat du GT CNIG Friches")


def test_the_scope_of_a_document_comes_from_what_it_is_about() -> None:
    from schemas.documents import Analysis, TerritoryTag
    from workers.records import scope_of

    def tag(level: str, code: str, about: bool) -> TerritoryTag:
        return TerritoryTag(code=code, level=level, name=code, about=about)

    assert scope_of(Analysis(analyzer_version=5, territories=[tag("commune", "38185", True)])) == "locale"
    assert scope_of(Analysis(analyzer_version=5, territories=[tag("pays", "FR", True),
                                                              tag("commune", "38185", False)])) == "nationale"
    assert scope_of(Analysis(analyzer_version=5, territories=[tag("monde", "INT", True)])) == "internationale"
    assert scope_of(Analysis(analyzer_version=4)) == ""
