"""The vector store contract against the embedded usearch store and OpenSearch's k-NN index.

OpenSearch runs in CI against ``osmem-server``, an in-memory **emulator** that stores knn_vector
fields but answers no ``knn`` query: there only writes are checked. Set PHARE_TEST_OPENSEARCH_URL to
run every test against a real cluster with the k-NN plugin.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from services.search.backends.opensearch_vectors import OpenSearchVectorStore
from services.semantic.vectors import UsearchVectorStore

from .test_opensearch import REAL_CLUSTER, opensearch_url  # noqa: F401 - the session's server
from .vector_store import DIM, VectorStoreContract, unit


class TestUsearch(VectorStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[UsearchVectorStore]:
        store = UsearchVectorStore(tmp_path / "vectors", dim=DIM, save_every_s=60)
        yield store
        store.close()


class TestOpenSearchVectors(VectorStoreContract):
    can_search = bool(REAL_CLUSTER)

    @pytest.fixture
    def store(self, opensearch_url: str) -> Iterator[OpenSearchVectorStore]:  # noqa: F811
        store = OpenSearchVectorStore(opensearch_url, alias=f"phare-vtest-{uuid.uuid4().hex[:10]}")
        yield store
        store.client.indices.delete(index=f"{store.alias}-v*", ignore_unavailable=True)
        store.close()


def test_readers_follow_the_writers_saved_generations(tmp_path: Path) -> None:
    """The API process reads what the worker process wrote, once saved; old generations are pruned."""
    writer = UsearchVectorStore(tmp_path / "v", dim=DIM, save_every_s=3600)
    reader = UsearchVectorStore(tmp_path / "v", dim=DIM)
    assert reader.search(unit(1), 5) == [] and reader.missing(["a"]) == ["a"]
    writer.put("a", [0], unit(1)[None, :])
    assert reader.missing(["a"]) == ["a"]  # not saved yet
    writer.flush()
    assert reader.missing(["a"]) == [] and reader.search(unit(1), 1)[0].doc_id == "a"
    for i in range(4):
        writer.put(f"d{i}", [0], unit(10 + i)[None, :])
        writer.flush()
    assert len(list((tmp_path / "v").glob("gen-*"))) == 2
    assert reader.count() == 5
    restarted = UsearchVectorStore(tmp_path / "v", dim=DIM)  # a new writer starts from the saved state
    restarted.put("e", [0], np.stack([unit(99)]))
    restarted.flush()
    assert reader.count() == 6 and reader.search(unit(99), 1)[0].doc_id == "e"
