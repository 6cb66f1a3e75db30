"""The three stages wired to the catalog, the stores and the search engine.

Each method takes one event, is idempotent by document id, records its outcome in the catalog and
publishes the next event. Deterministic failures end the document in ``failed`` with a French
reason; anything else (Redis, index or database unavailable) raises so the broker retries it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from schemas.curation import FieldCuration, doubt_columns, doubts
from schemas.documents import Analysis, DocState, Extraction, IndexRecord, Resemblance, file_name_words
from schemas.events import (
    DocumentAnalyzed,
    DocumentEvent,
    DocumentExtracted,
    DocumentIndexed,
    DocumentQueued,
    DocumentRemoved,
)
from schemas.files import sha256_file, too_large_reason
from schemas.library_paths import is_upload, upload_name
from workers.analyze.analyzer import Analyzer
from workers.embed.stage import EmbedStage
from workers.extract.errors import ExtractionCrashed, ExtractionError
from workers.extract.extractor import EXTRACTOR_VERSION
from workers.extract.sandbox import ExtractionSandbox
from workers.families import FamilyPlacer
from workers.ports import ArtifactsPort, BlobsPort, CatalogPort, FamiliesPort, IndexWriter, StoredDocument
from workers.records import index_record

log = logging.getLogger(__name__)
Publish = Callable[[DocumentEvent], None]
_INDEX_BATCH = 50


def quarantine_reason(stage: DocState, attempts: int, cause: str = "plantage du traitement ou arrêt brutal") -> str:
    stage_name = {DocState.EXTRACTING: "extraction", DocState.ANALYZING: "analyse",
                  DocState.INDEXING: "indexation"}.get(stage, str(stage))
    return f"mis en quarantaine : l'{stage_name} a été interrompue {attempts} fois ({cause}) ; `phare retry` la relance"


class Pipeline:
    def __init__(self, catalog: CatalogPort, blobs: BlobsPort, artifacts: ArtifactsPort, sandbox: ExtractionSandbox,
                 analyzer: Analyzer, backend: Callable[[], IndexWriter], publish: Publish,
                 max_file_bytes: int, inbox: Path | None = None, max_attempts: int = 3,
                 observe: Callable[[str, float], None] | None = None, claim_lease_s: float = 60.0,
                 embed: EmbedStage | None = None, families: FamiliesPort | None = None) -> None:
        """``claim_lease_s``: a stage started less than this ago is under way; a duplicate message for
        it is dropped (after a crash, the broker's or the reconciler's resend comes later than that).
        ``embed``: the semantic stage (None: semantic search is off); ``families``: where documents'
        families are kept (None: no families)."""
        self.max_attempts = max_attempts
        self.claim_lease_s = claim_lease_s
        self.embedder = embed
        self.observe = observe or (lambda stage, seconds: None)
        self.inbox = inbox.resolve() if inbox is not None else None
        self.catalog = catalog
        self.blobs = blobs
        self.artifacts = artifacts
        self.sandbox = sandbox
        self.analyzer = analyzer
        self._backend = backend
        self.publish = publish
        self.max_file_bytes = max_file_bytes
        self.families = FamilyPlacer(families, self._resemblance_of) if families is not None else None

    def warm_up(self) -> None:
        """Start the extraction fork server and load the NLP models (in parallel); return once both
        are ready."""
        self.sandbox.warm_up()
        self.analyzer.warm_up()
        self.sandbox.wait_ready()

    def warm_up_embedding(self) -> None:
        """Load the text encoder only (an embedding worker extracts and analyzes nothing)."""
        if self.embedder is not None:
            self.embedder.warm_up()

    def _claim(self, event: DocumentEvent, accepted: set[DocState], new_state: DocState) -> StoredDocument | None:
        """The document if ``event`` is still due, its attempt counted; None when it is not due, when
        another worker started this stage moments ago (a duplicate message), or when this stage
        already started too often without finishing (a crash each time): quarantine."""
        doc = self.catalog.claim(event.doc_id, accepted, new_state, self.claim_lease_s)
        if doc is None:
            log.info("ignored %s for %s (not due, or under way elsewhere)", type(event).__name__, event.doc_id)
            return None
        if doc.attempts > self.max_attempts:
            self.catalog.transition(doc.id, new_state, DocState.FAILED, quarantine_reason(new_state, doc.attempts - 1))
            log.error("quarantined %s after %d interrupted attempts", doc.id, doc.attempts - 1)
            return None
        return doc

    def _finish(self, doc: StoredDocument, state: DocState, reason: str | None = None, **fields: object) -> bool:
        """Move ``doc`` out of the stage it claimed, unless it moved meanwhile (deleted while this
        stage ran: the deletion wins); whether it did."""
        moved = self.catalog.transition(doc.id, DocState(doc.state), state, reason, **fields)
        if not moved:
            log.info("%s left %s while it was processed: outcome %s dropped", doc.id, doc.state, state)
        return moved

    def _cached_extraction(self, sha256: str) -> Extraction | None:
        """The cached extraction of this content, unless missing or made by an older extractor."""
        cached = self.artifacts.get("extract", sha256, Extraction)
        return cached if cached is not None and cached.extractor_version >= EXTRACTOR_VERSION else None

    def release(self, doc_id: str, crashed: bool = False) -> None:
        """An attempt ended in an error that will be retried: its retry may start at once; a transient
        error (index or database unavailable) does not count towards quarantine, a crash does. Best
        effort: the catalog may be what is unavailable."""
        try:
            self.catalog.release(doc_id, uncount=not crashed)
        except Exception:  # noqa: BLE001 - the original error is the one to report
            log.warning("could not release the attempt of %s", doc_id)

    def extract(self, event: DocumentQueued) -> None:
        doc = self._claim(event, {DocState.QUEUED, DocState.EXTRACTING}, DocState.EXTRACTING)
        if doc is None:
            return
        if doc.size > self.max_file_bytes:
            self._finish(doc, DocState.SKIPPED, too_large_reason(doc.size, self.max_file_bytes))
            return
        extraction = self._cached_extraction(doc.sha256)
        if extraction is None and not self._original_at_hand(doc):
            self._finish(doc, DocState.FAILED, "fichier original introuvable (retiré pendant son traitement ?)")
            return
        if extraction is None:
            started = time.monotonic()
            try:
                paths = self.catalog.paths_of(doc.id)
                name = upload_name(paths[0]) if paths and is_upload(paths[0]) else Path(paths[0]).name if paths else ""
                extraction = self.sandbox.run(self.blobs.path_for(doc.sha256), name)
            except ExtractionError as exc:
                self._finish(doc, DocState.FAILED, exc.reason)
                return
            except ExtractionCrashed as exc:
                if doc.attempts >= self.max_attempts:
                    self._finish(doc, DocState.FAILED, quarantine_reason(DocState.EXTRACTING, doc.attempts, exc.reason))
                    log.error("quarantined %s: extraction crashed %d times (%s)", doc.id, doc.attempts, exc.reason)
                    return
                log.warning("extraction of %s crashed (attempt %d of %d), retried: %s", doc.id, doc.attempts,
                            self.max_attempts, exc.reason)
                raise  # retried by the broker with backoff; the attempt stays counted
            self.observe("extract", time.monotonic() - started)
            log.info("extracted %s in %.2fs", doc.id, time.monotonic() - started)
            self.artifacts.put("extract", doc.sha256, extraction)
        title = extraction.title or file_name_words((self.catalog.paths_of(doc.id) or [doc.id])[0])
        if self._finish(doc, DocState.ANALYZING, format=extraction.format, title=title, attempts=0):
            self.publish(DocumentExtracted(doc_id=doc.id))

    def _original_at_hand(self, doc: StoredDocument) -> bool:
        """Whether the stored original exists; if a deletion purged it while the same content was
        being added again, it is stored anew from a folder file that still holds it."""
        if self.blobs.exists(doc.sha256):
            return True
        for path in self.catalog.paths_of(doc.id):
            candidate = Path(path)
            if not is_upload(path) and candidate.is_file() and sha256_file(candidate) == doc.sha256:
                self.blobs.put_file(candidate, doc.sha256)
                return True
        return False

    def analyze(self, event: DocumentExtracted) -> None:
        doc = self._claim(event, {DocState.ANALYZING}, DocState.ANALYZING)
        if doc is None:
            return
        extraction = self._cached_extraction(doc.sha256)
        if extraction is None:  # lost, or made by an older extractor (an upgrade): start over from the original
            if self._finish(doc, DocState.QUEUED):
                self.publish(DocumentQueued(doc_id=doc.id))
            return
        key = self.analyzer.key(doc.sha256)
        if not self.artifacts.exists("analysis", key):
            started = time.monotonic()
            self.artifacts.put("analysis", key, self.analyzer.run(extraction))
            self.observe("analyze", time.monotonic() - started)
            log.info("analyzed %s in %.2fs", doc.id, time.monotonic() - started)
        if self._finish(doc, DocState.INDEXING, analysis_key=key, attempts=0):
            self.publish(DocumentAnalyzed(doc_id=doc.id))

    def index(self, event: DocumentAnalyzed) -> None:
        """Index the document, and with it the others already waiting in ``indexing``: one commit for
        the batch (the index has one writer; a commit per document would make it the bottleneck of a
        large drop). The others' own messages then find them indexed and are ignored."""
        doc = self._claim(event, {DocState.INDEXING}, DocState.INDEXING)
        if doc is None:
            return
        started = time.monotonic()
        waiting = [d for d in self.catalog.by_state(DocState.INDEXING, _INDEX_BATCH) if d.id != doc.id]
        records, doubtful, resemblances = [], {}, {}
        for row in [doc, *waiting]:
            extraction = self.artifacts.get("extract", row.sha256, Extraction)
            analysis = self.artifacts.get("analysis", row.analysis_key, Analysis) if row.analysis_key else None
            if extraction is not None and analysis is not None:
                corrections = self.catalog.corrections(row.id)
                records.append(self.record(row, extraction, analysis, corrections))
                doubtful[row.id] = doubts(analysis, extraction.shown_title_source, corrections)
                resemblances[row.id] = analysis.resemblance
            elif row is doc and self._finish(doc, DocState.ANALYZING):  # an artifact is lost: analyze again
                self.publish(DocumentExtracted(doc_id=doc.id))  # (the others keep their own message)
        if not records:
            return
        backend = self._backend()
        backend.upsert(records)
        moved = [r.id for r in records
                 if not self.catalog.transition(r.id, DocState.INDEXING, DocState.INDEXED, attempts=0, in_index=True,
                                                **doubt_columns(doubtful[r.id]))]
        gone = [doc_id for doc_id in moved if (now := self.catalog.get(doc_id)) and now.state == DocState.DELETED]
        if gone:  # deleted while being indexed: its removal may have run before this upsert
            backend.delete(gone)
            self.catalog.mark_unindexed(gone)
        if self.families is not None:
            for doc_id in (r.id for r in records if r.id not in moved):
                self.families.run(doc_id, resemblances[doc_id])
        if self.embedder is not None:
            for doc_id in (r.id for r in records if r.id not in moved):
                self.publish(DocumentIndexed(doc_id=doc_id))
        self.observe("index", time.monotonic() - started)
        log.info("indexed %d documents in %.2fs", len(records), time.monotonic() - started)

    def unindex(self, event: DocumentRemoved) -> None:
        """Take a document out of the index if it is still deleted (it may have come back since)."""
        doc = self.catalog.get(event.doc_id)
        if doc is not None and doc.state == DocState.DELETED:
            self._backend().delete([doc.id])
            if self.embedder is not None:
                self.embedder.forget([doc.id])
            self.catalog.mark_unindexed([doc.id])
            log.info("unindexed %s", doc.id)

    def embed(self, event: DocumentIndexed) -> None:
        if self.embedder is not None:
            self.embedder.run(event)

    def handle(self, event: DocumentEvent) -> None:
        """Run the stage a message is for: what the dramatiq actors do, for a caller without a broker."""
        if isinstance(event, DocumentQueued):
            self.extract(event)
        elif isinstance(event, DocumentExtracted):
            self.analyze(event)
        elif isinstance(event, DocumentAnalyzed):
            self.index(event)
        elif isinstance(event, DocumentRemoved):
            self.unindex(event)
        elif isinstance(event, DocumentIndexed):
            self.embed(event)
        else:
            raise TypeError(f"no stage for {type(event).__name__}")

    def _resemblance_of(self, doc_id: str) -> Resemblance | None:
        row = self.catalog.get(doc_id)
        if row is None or row.state not in (DocState.INDEXED, DocState.INDEXING) or not row.analysis_key:
            return None
        analysis = self.artifacts.get("analysis", row.analysis_key, Analysis)
        return analysis.resemblance if analysis is not None else None

    def record(self, doc: StoredDocument, extraction: Extraction, analysis: Analysis,
               corrections: Mapping[str, FieldCuration] | None = None) -> IndexRecord:
        """The search document for a catalog row and its artifacts (``workers.records.index_record``),
        with the document's corrections (read from the catalog unless given)."""
        corrections = self.catalog.corrections(doc.id) if corrections is None else corrections
        return index_record(doc, self.catalog.paths_of(doc.id), extraction, analysis, self.inbox, corrections,
                            self.analyzer.ancestors)
