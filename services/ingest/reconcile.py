"""Catch what events missed: files in the folder not in the catalog, documents stuck mid-pipeline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from schemas.documents import DocState
from schemas.events import DocumentAnalyzed, DocumentEvent, DocumentExtracted, DocumentQueued
from services.ingest.catalog import Catalog
from services.ingest.intake import Intake, walk

log = logging.getLogger(__name__)

#: a document left in this state is resumed by re-sending this event
RESUME: dict[str, type[DocumentEvent]] = {
    DocState.QUEUED: DocumentQueued,
    DocState.EXTRACTING: DocumentQueued,
    DocState.ANALYZING: DocumentExtracted,
    DocState.INDEXING: DocumentAnalyzed,
}


class Reconciler:
    def __init__(self, catalog: Catalog, intake: Intake, publish: Callable[[DocumentEvent], None]) -> None:
        self.catalog = catalog
        self.intake = intake
        self.publish = publish

    def scan_folder(self, folder: Path) -> int:
        """Submit every file of ``folder``; known files with unchanged content are no-ops."""
        count = 0
        for path in walk([folder]):
            try:
                self.intake.submit(path)
                count += 1
            except OSError as exc:  # vanished or unreadable meanwhile: the next scan retries
                log.warning("cannot read %s: %s", path, exc)
        return count

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
