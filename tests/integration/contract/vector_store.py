"""The VectorStore contract. Each adapter subclasses it and provides the ``store`` fixture (empty)."""

from __future__ import annotations

import numpy as np
import pytest

from services.semantic.vectors import VectorStore

DIM = 384


def unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def near(v: np.ndarray, seed: int, noise: float = 0.05) -> np.ndarray:
    w = v + noise * np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return w / np.linalg.norm(w)


class VectorStoreContract:
    #: False where the server cannot answer nearest-neighbour queries (the osmem emulator)
    can_search = True

    @pytest.fixture
    def store(self) -> VectorStore:
        raise NotImplementedError

    def test_put_then_missing(self, store: VectorStore) -> None:
        store.put("a", [0, 3], np.stack([unit(1), unit(2)]))
        store.flush()
        assert store.missing(["a", "b"]) == ["b"] and store.count() == 1

    def test_delete(self, store: VectorStore) -> None:
        store.put("a", [0], unit(1)[None, :])
        store.put("b", [0], unit(2)[None, :])
        store.delete(["a", "absent"])
        store.flush()
        assert store.missing(["a", "b"]) == ["a"] and store.count() == 1

    def test_search_finds_each_document_once_at_its_best_unit(self, store: VectorStore) -> None:
        if not self.can_search:
            pytest.skip("this server answers no nearest-neighbour query (emulator)")
        target = unit(10)
        store.put("a", [0, 4, 7], np.stack([unit(11), near(target, 1), unit(12)]))
        store.put("b", [0, 2], np.stack([near(target, 2, 0.5), unit(13)]))
        store.put("c", [0], unit(14)[None, :])
        store.flush()
        hits = store.search(target, 2)
        assert [h.doc_id for h in hits] == ["a", "b"]
        assert hits[0].page == 4 and hits[0].score == pytest.approx(float(near(target, 1) @ target), abs=0.01)
        assert hits[0].score > hits[1].score

    def test_a_documents_card_draws_its_closeness(self, store: VectorStore) -> None:
        if not self.can_search:
            pytest.skip("this server answers no nearest-neighbour query (emulator)")
        target = unit(30)
        passage_only = np.stack([unit(31), near(target, 5, 0.02)])  # about something else, one close passage
        on_topic = np.stack([near(target, 6, 0.06), unit(32)])  # its card close to the query
        store.put("passage", [0, 2], passage_only)
        store.put("card", [0, 5], on_topic)
        store.flush()
        assert [h.doc_id for h in store.search(target, 2)] == ["passage", "card"]  # best unit alone
        hits = store.search(target, 2, card_weight=0.67)
        assert [h.doc_id for h in hits] == ["card", "passage"]
        sims = passage_only @ target
        expected = 0.33 * float(sims.max()) + 0.67 * float(sims[0])
        assert hits[1].score == pytest.approx(expected, abs=0.01) and hits[1].page == 2

    def test_put_replaces_a_documents_vectors(self, store: VectorStore) -> None:
        if not self.can_search:
            pytest.skip("this server answers no nearest-neighbour query (emulator)")
        target = unit(20)
        store.put("a", [1], near(target, 3)[None, :])
        store.put("a", [2], unit(21)[None, :])
        store.put("b", [5], near(target, 4, 0.3)[None, :])
        store.flush()
        assert store.search(target, 1)[0].doc_id == "b"
        assert store.count() == 2
