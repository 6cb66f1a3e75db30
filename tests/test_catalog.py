"""The catalog on SQLite and on the real PostgreSQL server, through the same assertions."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.documents import DocState
from services.ingest.catalog import Catalog

SHA_A = "a" * 64
SHA_B = "b" * 64


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Catalog:
    url = f"sqlite:///{tmp_path / 'c.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    cat = Catalog(url)
    cat.create_schema()
    yield cat
    cat.dispose()


def test_new_content_creates_a_queued_document(catalog: Catalog) -> None:
    reg = catalog.register(SHA_A, 10, "/inbox/a.pdf", 1.0)
    assert reg.created and not reg.duplicate
    assert catalog.get(reg.doc_id).state == DocState.QUEUED
    assert catalog.path_status(["/inbox/a.pdf"])[0].state == "queued"


def test_same_path_again_is_idempotent(catalog: Catalog) -> None:
    first = catalog.register(SHA_A, 10, "/inbox/a.pdf", 1.0)
    again = catalog.register(SHA_A, 10, "/inbox/a.pdf", 1.0)
    assert again.doc_id == first.doc_id and not again.created and not again.duplicate
    assert catalog.paths_of(first.doc_id) == ["/inbox/a.pdf"]


def test_same_content_under_another_name_is_a_duplicate(catalog: Catalog) -> None:
    first = catalog.register(SHA_A, 10, "/inbox/a.pdf", 1.0)
    catalog.set_state(first.doc_id, DocState.INDEXED)
    copy = catalog.register(SHA_A, 10, "/inbox/copie de a.pdf", 2.0)
    assert copy.duplicate and not copy.created and copy.doc_id == first.doc_id
    statuses = {s.path: s for s in catalog.path_status(["/inbox/a.pdf", "/inbox/copie de a.pdf"])}
    assert statuses["/inbox/a.pdf"].state == "indexed"
    assert statuses["/inbox/copie de a.pdf"].state == "duplicate"
    assert first.doc_id in statuses["/inbox/copie de a.pdf"].reason
    assert catalog.paths_of(first.doc_id) == ["/inbox/a.pdf", "/inbox/copie de a.pdf"]


def test_changed_content_at_a_path_moves_the_path(catalog: Catalog) -> None:
    catalog.register(SHA_A, 10, "/inbox/a.pdf", 1.0)
    reg_b = catalog.register(SHA_B, 12, "/inbox/a.pdf", 3.0)
    assert reg_b.created
    assert catalog.path_status(["/inbox/a.pdf"])[0].doc_id == reg_b.doc_id


def test_counts_and_unfinished(catalog: Catalog) -> None:
    a = catalog.register(SHA_A, 10, "/a", 1.0)
    b = catalog.register(SHA_B, 10, "/b", 1.0)
    catalog.set_state(a.doc_id, DocState.FAILED, "fichier vide (0 octet)")
    assert catalog.counts() == {"failed": 1, "queued": 1}
    assert catalog.unfinished() == [b.doc_id]
    assert catalog.get(a.doc_id).reason == "fichier vide (0 octet)"
