from __future__ import annotations

from pathlib import Path

import pytest

from services.search.backends.tantivy_backend import TantivyBackend

from .search_backend import LIBRARY, SearchBackendContract, record


class TestTantivyInMemory(SearchBackendContract):
    @pytest.fixture
    def backend(self) -> TantivyBackend:
        return TantivyBackend(None)


class TestTantivyOnDisk(SearchBackendContract):
    @pytest.fixture
    def backend(self, tmp_path: Path) -> TantivyBackend:
        return TantivyBackend(tmp_path / "index")


def test_a_reader_in_another_instance_sees_committed_documents(tmp_path: Path) -> None:
    writer = TantivyBackend(tmp_path / "index")
    reader = TantivyBackend(tmp_path / "index")  # like the API process next to the worker
    assert reader.count() == 0
    writer.upsert(LIBRARY[:2])
    assert reader.count() == 2
    writer.upsert([record("n", "Nouveau", "texte neuf")])
    assert reader.get("n") is not None
