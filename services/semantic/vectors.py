"""Vector stores: where the embed stage puts a document's unit vectors and semantic search finds them.

``VectorStore`` is the port; ``UsearchVectorStore`` the embedded default (an HNSW index from the
``usearch`` package, on disk next to the word index); ``services/search/backends/opensearch_vectors.py``
the cluster's (OpenSearch's k-NN plugin). Both pass ``tests/integration/contract/vector_store.py``.

The embedded store has one writer, the process that writes the word index, and any number of
readers. The writer keeps the index in memory and saves a new generation (index file and its
key → document table) at most every ``save_every_s`` seconds; readers open the newest generation,
memory-mapped, and follow it. A document is "embedded" once a saved generation holds it
(``missing`` tells the reconciler which are not).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VectorHit:
    doc_id: str
    score: float  # the document's closeness to the query (``document_score``)
    page: int  # the page of its best unit (0: the document's card)


class VectorStore(Protocol):
    """Unit vectors by document, the first of each its card. Contract: ``put`` replaces a document's
    vectors; ``search`` returns the documents of the nearest units, each once, scored by
    ``document_score`` from its nearest unit and its card, best first; ``missing`` lists the given
    ids not stored."""

    def put(self, doc_id: str, pages: Sequence[int], vectors: np.ndarray) -> None: ...

    def delete(self, doc_ids: Sequence[str]) -> None: ...

    def search(self, vector: np.ndarray, k: int, card_weight: float = 0.0) -> list[VectorHit]: ...

    def missing(self, doc_ids: Iterable[str]) -> list[str]: ...

    def flush(self) -> None:
        """Make every ``put`` and ``delete`` so far visible to readers."""
        ...

    def count(self) -> int:
        """Documents stored."""
        ...

    def close(self) -> None: ...


def document_score(similarities: Sequence[float], card_weight: float) -> float:
    """A document's closeness to a query from its units' similarities (its card first): its best unit,
    drawn toward its card by ``card_weight`` (0: the best unit alone; 1: the card alone). A passage
    alone can match a question by accident; the card says whether the document is about it."""
    return (1.0 - card_weight) * max(similarities) + card_weight * similarities[0]


def fold_units(nearest: Iterable[tuple[str, int, float]], cards: dict[str, float], card_weight: float,
               ) -> list[VectorHit]:
    """Unit hits (document, page, similarity), nearest first, folded into document hits: each document
    at its first (best) unit, scored with its card's similarity (``cards``), best first."""
    best: dict[str, tuple[int, float]] = {}
    for doc, page, similarity in nearest:
        best.setdefault(doc, (page, similarity))
    hits = [VectorHit(doc, document_score([cards.get(doc, sim), sim], card_weight), page)
            for doc, (page, sim) in best.items()]
    return sorted(hits, key=lambda h: -h.score)


class UsearchVectorStore:
    """Embedded store in ``folder`` (``gen-<n>/index.usearch`` + ``units.json``, ``CURRENT`` names the newest)."""

    def __init__(self, folder: Path, dim: int, save_every_s: float = 5.0, keep_generations: int = 2) -> None:
        self.folder = folder
        self.dim = dim
        self.save_every_s = save_every_s
        self.keep_generations = keep_generations
        self._lock = threading.RLock()
        self._index = None  # usearch.index.Index, in memory (writer) or memory-mapped (reader)
        self._owner: dict[int, tuple[str, int]] = {}  # unit key -> (document, page)
        self._keys: dict[str, list[int]] = {}  # document -> its unit keys
        self._next_key = 0
        self._generation = -1
        self._writable = False
        self._dirty = False
        self._saved_at = time.monotonic()
        self._timer: threading.Timer | None = None

    # -- generations ----------------------------------------------------------------------------
    def _current(self) -> int:
        try:
            return int((self.folder / "CURRENT").read_text())
        except (FileNotFoundError, ValueError):
            return -1

    def _empty(self):  # noqa: ANN202 - usearch.index.Index
        from usearch.index import Index

        return Index(ndim=self.dim, metric="ip", dtype="f16")

    def _load(self, generation: int, writable: bool) -> None:
        from usearch.index import Index

        units: dict[str, Any]
        if generation < 0:
            index, units = self._empty(), {"owner": [], "next_key": 0}
        else:
            folder = self.folder / f"gen-{generation}"
            units = json.loads((folder / "units.json").read_text(encoding="utf-8"))
            index = (Index.restore(str(folder / "index.usearch"), view=not writable) or self._empty())
        self._index = index
        self._owner = {int(key): (doc, int(page)) for key, doc, page in units["owner"]}
        self._keys = {}
        for key, (doc, _) in sorted(self._owner.items()):  # keys rise in put order: the card first
            self._keys.setdefault(doc, []).append(key)
        self._next_key = int(units["next_key"])
        self._generation = generation

    def _follow(self) -> None:
        """Readers: open the newest saved generation if it changed."""
        if self._writable:
            return
        newest = self._current()
        if newest != self._generation or self._index is None:
            self._load(newest, writable=False)

    def _writer(self) -> None:
        if not self._writable:
            self._load(self._current(), writable=True)
            self._writable = True

    # -- writes ---------------------------------------------------------------------------------
    def put(self, doc_id: str, pages: Sequence[int], vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        with self._lock:
            self._writer()
            self._remove(doc_id)
            keys = np.arange(self._next_key, self._next_key + len(vectors), dtype=np.uint64)
            self._next_key += len(vectors)
            if len(vectors):
                self._index.add(keys, vectors)  # type: ignore[attr-defined]
            for key, page in zip(keys, pages, strict=True):
                self._owner[int(key)] = (doc_id, int(page))
            self._keys[doc_id] = [int(k) for k in keys]
            self._changed()

    def delete(self, doc_ids: Sequence[str]) -> None:
        with self._lock:
            self._writer()
            for doc_id in doc_ids:
                self._remove(doc_id)
            self._changed()

    def _remove(self, doc_id: str) -> None:
        for key in self._keys.pop(doc_id, []):
            self._index.remove(key)  # type: ignore[attr-defined]
            self._owner.pop(key, None)

    def _changed(self) -> None:
        self._dirty = True
        if time.monotonic() - self._saved_at >= self.save_every_s:
            self.flush()
        elif self._timer is None:
            self._timer = threading.Timer(self.save_every_s, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not (self._writable and self._dirty):
                return
            generation = max(self._generation, self._current()) + 1
            folder = self.folder / f"gen-{generation}"
            folder.mkdir(parents=True, exist_ok=True)
            self._index.save(str(folder / "index.usearch"))  # type: ignore[attr-defined]
            owner = [[key, doc, page] for key, (doc, page) in self._owner.items()]
            (folder / "units.json").write_text(json.dumps({"owner": owner, "next_key": self._next_key}),
                                               encoding="utf-8")
            draft = self.folder / f".CURRENT.{os.getpid()}"
            draft.write_text(str(generation))
            os.replace(draft, self.folder / "CURRENT")
            self._generation, self._dirty, self._saved_at = generation, False, time.monotonic()
            self._prune(generation)

    def _prune(self, newest: int) -> None:
        """Old generations go once readers had time to move on (they follow CURRENT at each search)."""
        for old in self.folder.glob("gen-*"):
            number = int(old.name.split("-", 1)[1])
            if number <= newest - self.keep_generations:
                shutil.rmtree(old, ignore_errors=True)

    # -- reads ----------------------------------------------------------------------------------
    def search(self, vector: np.ndarray, k: int, card_weight: float = 0.0) -> list[VectorHit]:
        query = np.asarray(vector, dtype=np.float32)
        with self._lock:
            self._follow()
            if self._index is None or len(self._index) == 0:
                return []
            wanted = min(len(self._index), max(k * 4, 40))  # several units per document
            found = self._index.search(query, wanted)
            # usearch's "ip" distance is 1 - dot product
            nearest = [(*self._owner[int(key)], 1.0 - float(distance))
                       for key, distance in zip(found.keys, found.distances, strict=True) if int(key) in self._owner]
            docs = list(dict.fromkeys(doc for doc, _, _ in nearest))[:k]
            if not docs:
                return []
            card_keys = np.array([self._keys[doc][0] for doc in docs], dtype=np.uint64)
            cards = np.asarray(self._index.get(card_keys), dtype=np.float32).reshape(len(docs), self.dim)
        similarity = dict(zip(docs, (cards @ query).tolist(), strict=True))
        return fold_units([u for u in nearest if u[0] in similarity], similarity, card_weight)

    def missing(self, doc_ids: Iterable[str]) -> list[str]:
        with self._lock:
            self._follow()
            return [d for d in doc_ids if d not in self._keys]

    def count(self) -> int:
        with self._lock:
            self._follow()
            return len(self._keys)

    def close(self) -> None:
        self.flush()
