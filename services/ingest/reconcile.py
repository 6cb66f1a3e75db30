"""Catch what events missed: files in the folder not in the catalog, documents stuck mid-pipeline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from schemas.documents import DocState
from schemas.events import DocumentAnalyzed, DocumentEvent, DocumentExtracted, DocumentIndexed, DocumentQueued
from services.ingest.catalog import Catalog
from services.ingest.intake import Intake, walk
from services.search.backends.base import SearchBackend
from services.semantic.vectors import VectorStore

log = logging.getLogger(__name__)

#: a document left in this state is resumed by re-sending this event
RESUME: dict[str, type[DocumentEvent]] = {
    DocState.QUEUED: DocumentQueued,
    DocState.EXTRACTING: DocumentQueued,
    DocState.ANALYZING: DocumentExtracted,
    DocState.INDEXING: DocumentAnalyzed,
}


class Reconciler:
    def __init__(self, catalog: Catalog, intake: Intake, publish: Callable[[DocumentEvent], None],
                 backend: Callable[[], SearchBackend] | None = None,
                 vectors: Callable[[], VectorStore] | None = None) -> None:
        """``vectors``: the semantic vector store (None: semantic search is off)."""
        self._vectors = vectors
        self.catalog = catalog
        self.intake = intake
        self.publish = publish
        self._backend = backend

    def resync_index(self) -> int:
        """Send back to ``index`` every document the catalog calls indexed but the index lacks
        (a new index version after an upgrade, a restored catalog)."""
        if self._backend is None:
            return 0
        backend = self._backend()
        indexed = self.catalog.all_ids([DocState.INDEXED])
        if backend.count() >= len(indexed):
            return 0
        missing = [doc_id for doc_id in indexed if backend.get(doc_id) is None]
        for doc_id in missing:
            self.catalog.set_state(doc_id, DocState.INDEXING)
            self.publish(DocumentAnalyzed(doc_id=doc_id))
        log.info("re-indexing %d documents missing from the index", len(missing))
        return len(missing)

    def scan_folder(self, folder: Path) -> int:
        """Mirror ``folder``: forget the files that are gone, submit the others (known files with
        unchanged size and mtime are not read again)."""
        self.intake.remove_missing(folder)
        count = 0
        for path in walk([folder]):
            try:
                self.intake.submit(path)
                count += 1
            except OSError as exc:  # vanished or unreadable meanwhile: the next scan retries
                log.warning("cannot read %s: %s", path, exc)
        return count

    def resume_embedding(self) -> int:
        """Send to ``embed`` the indexed documents the vector store lacks (a worker stopped before
        saving them, semantic search just turned on, a new encoder)."""
        if self._vectors is None:
            return 0
        missing = self._vectors().missing(self.catalog.all_ids([DocState.INDEXED]))
        for doc_id in missing:
            self.publish(DocumentIndexed(doc_id=doc_id))
        if missing:
            log.info("sent %d indexed documents to be embedded", len(missing))
        return len(missing)

    def resume_stuck(self, older_than_s: float) -> int:
        """Re-send the pending event of every unfinished document untouched for ``older_than_s``."""
        ids = self.catalog.unfinished(older_than_s)
        for doc_id in ids:
            doc = self.catalog.get(doc_id)
            if doc is not None and doc.state in RESUME:
                self.publish(RESUME[doc.state](doc_id=doc_id))
        if ids:
            log.info("resumed %d unfinished documents", len(ids))
        return len(ids)
