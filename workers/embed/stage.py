"""The embed stage: after indexing, a document's card and passages become vectors in the vector store.

Lowest priority of all stages: a document is searchable by its words as soon as it is indexed, and
by meaning once this stage has run. Vectors are kept as an artifact per content and encoder, so
re-indexing (a new taxonomy, an upgrade) never embeds the same text twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import numpy as np

from schemas.documents import DocState, Extraction
from schemas.events import DocumentIndexed
from workers.embed.units import UNITS_VERSION, embedding_headings, embedding_title, units
from workers.ports import CatalogPort

log = logging.getLogger(__name__)


class Encoder(Protocol):
    fingerprint: str

    def warm_up(self) -> None: ...

    def passages(self, texts: list[str]) -> np.ndarray: ...


class Vectors(Protocol):
    def put(self, doc_id: str, pages: Sequence[int], vectors: np.ndarray) -> None: ...

    def missing(self, doc_ids: Iterable[str]) -> list[str]: ...

    def delete(self, doc_ids: Sequence[str]) -> None: ...


class Artifacts(Protocol):
    def get(self, kind: str, key: str, model: type[Extraction]) -> Extraction | None: ...

    def get_arrays(self, kind: str, key: str) -> dict[str, np.ndarray] | None: ...

    def put_arrays(self, kind: str, key: str, **arrays: np.ndarray) -> None: ...


class EmbedStage:
    def __init__(self, catalog: CatalogPort, artifacts: Artifacts, encoder: Encoder, vectors: Callable[[], Vectors],
                 headings: Callable[[Extraction, str], list[str]], passage_words: int = 120,
                 max_passages: int = 24, observe: Callable[[str, float], None] | None = None) -> None:
        """``headings``: of an extraction and its file, what the card reads besides the title, the file
        name as words first (workers.records.card_headings)."""
        self.catalog = catalog
        self.artifacts = artifacts
        self.encoder = encoder
        self._vectors = vectors
        self.headings = headings
        self.passage_words = passage_words
        self.max_passages = max_passages
        self.observe = observe or (lambda stage, seconds: None)

    def warm_up(self) -> None:
        self.encoder.warm_up()

    def _key(self, sha256: str) -> str:
        return (f"{sha256}-{self.encoder.fingerprint}-{self.passage_words}x{self.max_passages}"
                f"-u{UNITS_VERSION}").replace("_", "-")

    def run(self, event: DocumentIndexed) -> None:
        doc = self.catalog.get(event.doc_id)
        if doc is None or doc.state != DocState.INDEXED:
            return  # deleted or back in the pipeline meanwhile: its next indexing sends it again
        key = self._key(doc.sha256)
        stored = self.artifacts.get_arrays("vectors", key)
        if stored is not None and not self._vectors().missing([doc.id]):
            # already there (the reconciler resends what a slow embedder has not reached yet); vectors
            # made by an earlier version (other units, other settings) have no artifact under this key
            # and are replaced: `phare reindex` brings every document up to date
            return
        if stored is None:
            extraction = self.artifacts.get("extract", doc.sha256, Extraction)
            if extraction is None:
                return
            paths = self.catalog.paths_of(doc.id)
            source = extraction.shown_title_source
            headings = embedding_headings(self.headings(extraction, paths[0] if paths else ""))
            found = units(embedding_title(doc.title or "", source), headings, extraction, self.passage_words,
                          self.max_passages)
            started = time.monotonic()
            vectors = self.encoder.passages([u.text for u in found])
            self.observe("embed", time.monotonic() - started)
            stored = {"pages": np.array([u.page for u in found], dtype=np.int32), "vectors": vectors}
            self.artifacts.put_arrays("vectors", key, **stored)
            log.info("embedded %s: %d units in %.2fs", doc.id, len(found), time.monotonic() - started)
        self._vectors().put(doc.id, stored["pages"].tolist(), stored["vectors"])

    def forget(self, doc_ids: Iterable[str]) -> None:
        self._vectors().delete(list(doc_ids))
