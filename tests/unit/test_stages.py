"""The stage state machine, fast: the real catalog (SQLite), stores, extraction sandbox, analyzer and an
in-memory tantivy index, with the stages driven message by message by an in-memory queue, so every
transition is checked in seconds and in order; the last tests run the same stages through dramatiq's
own worker on a ``StubBroker``, to check its retries and phare's release-on-error middleware."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.documents import DocState
from schemas.events import DocumentEvent, DocumentExtracted, DocumentQueued
from services.ingest.blobs import ArtifactStore, BlobStore
from services.ingest.catalog import Catalog
from services.ingest.intake import Intake
from services.search.backends.tantivy_backend import TantivyBackend
from tests import sandbox_targets
from workers.analyze.analyzer import Analyzer
from workers.analyze.entities import EntityRecognizer
from workers.extract.errors import ExtractionCrashed
from workers.extract.sandbox import ExtractionSandbox
from workers.pipeline import Pipeline

TEXT = ("Plan climat de Grenoble-Alpes Métropole\n\nLa métropole réduit ses émissions de gaz à effet de "
        "serre de 50 % d'ici 2030 et adapte ses quartiers aux canicules.\n")


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    a = Analyzer(EntityRecognizer())
    a.warm_up()
    return a


@pytest.fixture(scope="module")
def sandbox() -> ExtractionSandbox:
    s = ExtractionSandbox(timeout_s=60)
    s.warm_up()
    return s


class Stages:
    """One library: catalog, stores, index, pipeline, and the messages the stages published."""

    def __init__(self, root: Path, analyzer: Analyzer, sandbox: ExtractionSandbox, **pipeline: object) -> None:
        self.queue: list[DocumentEvent] = []
        self.catalog = Catalog(f"sqlite:///{root / 'catalog.db'}")
        self.catalog.create_schema()
        self.blobs, self.artifacts = BlobStore(root / "blobs"), ArtifactStore(root / "artifacts")
        self.index = TantivyBackend(None)
        self.intake = Intake(self.catalog, self.blobs, self.queue.append, 10 * 2**20, self.artifacts)
        self.pipeline = Pipeline(self.catalog, self.blobs, self.artifacts, sandbox, analyzer, lambda: self.index,
                                 self.queue.append, 10 * 2**20, **pipeline)  # type: ignore[arg-type]
        self.root = root

    def drop(self, name: str, text: str = TEXT) -> str:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return self.intake.submit(path).doc_id

    def step(self) -> DocumentEvent:
        """Deliver the oldest message to its stage."""
        event = self.queue.pop(0)
        self.pipeline.handle(event)
        return event

    def drain(self) -> list[str]:
        delivered = []
        while self.queue:
            delivered.append(type(self.step()).__name__)
        return delivered

    def state(self, doc_id: str) -> str:
        row = self.catalog.get(doc_id)
        assert row is not None
        return row.state


@pytest.fixture
def stages(tmp_path: Path, analyzer: Analyzer, sandbox: ExtractionSandbox) -> Iterator[Stages]:
    s = Stages(tmp_path, analyzer, sandbox)
    yield s
    s.catalog.dispose()


def test_a_document_goes_through_every_stage_in_order(stages: Stages) -> None:
    doc_id = stages.drop("plan.txt")
    assert stages.state(doc_id) == DocState.QUEUED
    assert stages.drain() == ["DocumentQueued", "DocumentExtracted", "DocumentAnalyzed"]
    assert stages.state(doc_id) == DocState.INDEXED
    record = stages.index.get(doc_id)
    assert record is not None and "2030" in [str(h) for h in record.horizons]


def test_a_message_delivered_twice_is_harmless(stages: Stages) -> None:
    doc_id = stages.drop("plan.txt")
    stages.queue.append(stages.queue[0])  # the broker redelivers
    stages.drain()
    assert stages.state(doc_id) == DocState.INDEXED and stages.index.count() == 1


def test_a_duplicate_message_is_dropped_while_its_stage_is_under_way(stages: Stages) -> None:
    doc_id = stages.drop("plan.txt")
    assert stages.catalog.claim(doc_id, {DocState.QUEUED}, DocState.EXTRACTING, lease_s=60) is not None
    stages.step()  # another worker's copy of the message, moments later
    assert stages.state(doc_id) == DocState.EXTRACTING and stages.queue == []


def test_attempts_interrupted_again_and_again_end_in_quarantine(tmp_path: Path, analyzer: Analyzer,
                                                               sandbox: ExtractionSandbox) -> None:
    s = Stages(tmp_path, analyzer, sandbox, max_attempts=2, claim_lease_s=0.0)
    doc_id = s.drop("plan.txt")
    for _ in range(2):  # a worker claims the stage and dies before finishing it
        assert s.catalog.claim(doc_id, {DocState.QUEUED, DocState.EXTRACTING}, DocState.EXTRACTING, 0.0)
    s.step()
    row = s.catalog.get(doc_id)
    assert row is not None and row.state == DocState.FAILED and "extraction" in (row.reason or "")
    assert s.queue == [] and s.index.count() == 0
    s.catalog.dispose()


def test_a_crashing_extractor_is_retried_then_quarantined(tmp_path: Path, analyzer: Analyzer) -> None:
    s = Stages(tmp_path, analyzer, ExtractionSandbox(timeout_s=10, target=sandbox_targets.crash), max_attempts=2)
    doc_id = s.drop("plan.txt")
    event = s.queue.pop(0)
    with pytest.raises(ExtractionCrashed):  # the broker retries it with backoff; the attempt stays counted
        s.pipeline.extract(event)
    s.pipeline.release(doc_id, crashed=True)
    row = s.catalog.get(doc_id)
    assert row is not None and row.state == DocState.EXTRACTING and row.attempts == 1
    s.pipeline.extract(event)  # the second crash is the last attempt allowed
    row = s.catalog.get(doc_id)
    assert row is not None and row.state == DocState.FAILED and "2" in (row.reason or "")
    s.catalog.dispose()


def test_a_transient_error_releases_its_attempt(stages: Stages) -> None:
    doc_id = stages.drop("plan.txt")
    claimed = stages.catalog.claim(doc_id, {DocState.QUEUED}, DocState.EXTRACTING, lease_s=60)
    assert claimed is not None and claimed.attempts == 1
    stages.pipeline.release(doc_id)  # the index or the database was unavailable: retried at once, not counted
    stages.drain()
    row = stages.catalog.get(doc_id)
    assert row is not None and row.state == DocState.INDEXED and row.attempts == 0


def test_a_document_deleted_while_it_is_indexed_leaves_the_index(stages: Stages) -> None:
    doc_id = stages.drop("plan.txt")
    stages.step(), stages.step()  # extracted, analyzed: its indexing message is waiting
    assert stages.state(doc_id) == DocState.INDEXING
    assert stages.intake.remove(str((stages.root / "plan.txt").resolve()))
    stages.drain()
    row = stages.catalog.get(doc_id)
    assert row is not None and row.state == DocState.DELETED and not row.in_index
    assert stages.index.get(doc_id) is None


def test_a_lost_extraction_is_made_again(stages: Stages) -> None:
    doc_id = stages.drop("plan.txt")
    stages.step()  # extracted
    row = stages.catalog.get(doc_id)
    assert row is not None
    for cached in (stages.root / "artifacts" / "extract").rglob("*"):
        if cached.is_file():
            cached.unlink()
    assert stages.step().__class__ is DocumentExtracted  # analyze finds no extraction: back to the queue
    assert stages.state(doc_id) == DocState.QUEUED and [type(e) for e in stages.queue] == [DocumentQueued]
    stages.drain()
    assert stages.state(doc_id) == DocState.INDEXED


def test_a_corrupt_file_fails_with_a_reason_and_stops(stages: Stages) -> None:
    path = stages.root / "rapport.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200)
    doc_id = stages.intake.submit(path).doc_id
    assert stages.drain() == ["DocumentQueued"]
    row = stages.catalog.get(doc_id)
    assert row is not None and row.state == DocState.FAILED and row.reason


class FlakyIndex(TantivyBackend):
    """The real in-memory index, unavailable for its first ``failures`` writes (a lock, a restart)."""

    def __init__(self, failures: int) -> None:
        super().__init__(None)
        self.failures = failures

    def upsert(self, records: list) -> None:  # type: ignore[override]
        if self.failures:
            self.failures -= 1
            raise OSError("index locked by another writer")
        super().upsert(records)


def through_dramatiq(root: Path, analyzer: Analyzer, sandbox: ExtractionSandbox, index: TantivyBackend,
                     **pipeline: object) -> tuple[Catalog, str]:
    """Drop a note and run every message through dramatiq's own worker and middleware (StubBroker,
    retries after a few milliseconds) until no message is left; the catalog and the note's id."""
    import dramatiq
    from dramatiq.brokers.stub import StubBroker
    from dramatiq.middleware import Retries

    from workers.actors import declare_actors
    from workers.broker import DramatiqPublisher

    broker = StubBroker()
    broker.emit_after("process_boot")
    for middleware in broker.middleware:
        if isinstance(middleware, Retries):
            middleware.min_backoff, middleware.max_backoff = 10, 50
    catalog = Catalog(f"sqlite:///{root / 'catalog.db'}")
    catalog.create_schema()
    blobs, artifacts = BlobStore(root / "blobs"), ArtifactStore(root / "artifacts")
    publish = DramatiqPublisher(broker)
    declare_actors(broker, Pipeline(catalog, blobs, artifacts, sandbox, analyzer, lambda: index, publish,
                                    10 * 2**20, **pipeline))  # type: ignore[arg-type]
    path = root / "plan.txt"
    path.write_text(TEXT, encoding="utf-8")
    doc_id = Intake(catalog, blobs, publish, 10 * 2**20, artifacts).submit(path).doc_id
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    try:
        for _ in range(3):  # a retry may land on a queue already joined
            for queue in sorted(broker.queues):
                broker.join(queue, fail_fast=False, timeout=60_000)
        worker.join()
    finally:
        worker.stop()
    return catalog, doc_id


def test_dramatiq_retries_a_transient_error_without_counting_it(tmp_path: Path, analyzer: Analyzer,
                                                                sandbox: ExtractionSandbox) -> None:
    index = FlakyIndex(failures=2)
    catalog, doc_id = through_dramatiq(tmp_path, analyzer, sandbox, index, max_attempts=2)
    row = catalog.get(doc_id)
    # two failed writes, more than the attempts allowed: released each time, so never quarantined
    assert row is not None and row.state == DocState.INDEXED and row.attempts == 0
    assert index.failures == 0 and index.get(doc_id) is not None
    catalog.dispose()


def test_dramatiq_retries_a_crash_and_counts_it_until_quarantine(tmp_path: Path, analyzer: Analyzer) -> None:
    crashing = ExtractionSandbox(timeout_s=10, target=sandbox_targets.crash)
    catalog, doc_id = through_dramatiq(tmp_path, analyzer, crashing, TantivyBackend(None), max_attempts=2)
    row = catalog.get(doc_id)
    assert row is not None and row.state == DocState.FAILED and "2" in (row.reason or "")
    catalog.dispose()
