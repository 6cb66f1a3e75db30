from __future__ import annotations

from pathlib import Path

import pytest

from schemas.search import SearchQuery
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


def test_names_and_section_titles_weigh_apart() -> None:
    """The file name and a guessed title are one field, section titles another: turning a weight off
    leaves what only that field holds unfound."""
    docs = [record("nomme", "Compte rendu", "Le conseil a débattu.", path="/inbox/hydroliennes_drac.pdf"),
            record("section", "Compte rendu du conseil", "Le conseil a débattu.", headings=["Hydroliennes"]),
            record("devine", "Hydroliennes en débat", "Le conseil a débattu.", title_source="first_line")]
    for boosts, found in [({"names": 0.0, "headings": 1.0, "body": 1.0}, ["section"]),
                          ({"names": 1.0, "headings": 0.0, "body": 1.0}, ["devine", "nomme"]),
                          ({"title": 1.0, "body": 1.0}, [])]:
        backend = TantivyBackend(None, boosts=boosts)
        backend.upsert(docs)
        assert sorted(h.id for h in backend.search(SearchQuery(text="hydroliennes")).hits) == found
