"""The catalog on SQLite and on the real PostgreSQL server, through the same assertions."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.documents import DocState
from services.ingest.catalog import HEAD_REVISION, Catalog

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


def test_path_status_of_a_large_batch_in_the_order_asked(catalog: Catalog) -> None:
    """More paths than one IN list holds; unknown paths are left out, the others keep the order given."""
    paths = [f"/inbox/{i:04d}.pdf" for i in range(1203)]
    for i, path in enumerate(paths):
        reg = catalog.register(f"{i:04x}" * 16, 10, path, 1.0)
        if i % 2:
            catalog.set_state(reg.doc_id, DocState.INDEXED)
    asked = ["/inbox/absent.pdf", *reversed(paths)]
    statuses = catalog.path_status(asked)
    assert [s.path for s in statuses] == list(reversed(paths))
    assert [s.state for s in statuses[:2]] == ["queued", "indexed"]  # 1202 is even, 1201 odd


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


def test_migrations_build_exactly_the_models(catalog: Catalog) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from services.ingest.catalog import Base

    with catalog._engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == HEAD_REVISION
        assert compare_metadata(context, Base.metadata) == []


def test_the_head_revision_the_catalog_knows_is_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from services.ingest.catalog import migrate as module

    config = Config()
    config.set_main_option("script_location", str(module.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == module.HEAD_REVISION


def test_a_catalog_from_before_migrations_is_upgraded_in_place(tmp_path: Path) -> None:
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Catalog(url)
    with old._engine.begin() as conn:  # the 0.1 schema, made by create_all, without the later index
        conn.execute(sa.text("CREATE TABLE documents (id VARCHAR(32) PRIMARY KEY, sha256 VARCHAR(64) NOT NULL, "
                             "state VARCHAR(16) NOT NULL, reason TEXT, size INTEGER NOT NULL, format VARCHAR(32), "
                             "title TEXT, attempts INTEGER NOT NULL, analysis_key VARCHAR(96), "
                             "created_at FLOAT NOT NULL, updated_at FLOAT NOT NULL)"))
        conn.execute(sa.text("INSERT INTO documents VALUES ('aaaaaaaaaaaaaaaa', '" + SHA_A + "', 'indexed', NULL, "
                             "10, 'pdf', 'Ancien', 0, NULL, 1.0, 1.0)"))
        conn.execute(sa.text("CREATE TABLE paths (path TEXT PRIMARY KEY, doc_id VARCHAR(32) NOT NULL "
                             "REFERENCES documents(id), duplicate BOOLEAN NOT NULL, size INTEGER NOT NULL, "
                             "mtime FLOAT NOT NULL)"))
    old.create_schema()
    assert old.get("aaaaaaaaaaaaaaaa").title == "Ancien"
    indexes = {ix["name"] for ix in sa.inspect(old._engine).get_indexes("documents")}
    assert "ix_documents_state_updated" in indexes
    old.dispose()


def test_transitions_only_from_the_expected_state(catalog: Catalog) -> None:
    doc_id = catalog.register(SHA_A, 10, "/inbox/a.pdf", 1.0).doc_id
    catalog.set_state(doc_id, DocState.INDEXING)
    assert catalog.transition(doc_id, DocState.INDEXING, DocState.INDEXED)
    catalog.remove_path("/inbox/a.pdf")  # deleted meanwhile
    assert not catalog.transition(doc_id, DocState.INDEXING, DocState.INDEXED)
    assert catalog.get(doc_id).state == DocState.DELETED


def _create_schema(url: str, start: float) -> str:
    import time

    time.sleep(max(0.0, start - time.time()))  # every process migrates at the same instant
    catalog = Catalog(url)
    catalog.create_schema()
    catalog.dispose()
    return "ok"


def test_processes_starting_together_on_a_new_sqlite_catalog_all_succeed(tmp_path: Path) -> None:
    """Without the lock about one round in eight ended with two alembic versions and a dead worker."""
    import time
    from concurrent.futures import ProcessPoolExecutor

    from services.ingest.catalog.migrate import at_head as _at_head

    with ProcessPoolExecutor(6) as pool:
        for round_ in range(12):
            url = f"sqlite:///{tmp_path / f'new{round_}.db'}"
            start = time.time() + 0.3
            assert list(pool.map(_create_schema, [url] * 6, [start] * 6)) == ["ok"] * 6
            catalog = Catalog(url)
            with catalog._engine.connect() as conn:
                assert _at_head(conn)
            catalog.dispose()


def test_corrections_are_kept_with_their_history(catalog: Catalog) -> None:
    doc_id = catalog.register(SHA_A, 10, "/inbox/a.pdf", 1.0).doc_id
    before = {"themes": ["eau"], "territories": ["commune:38185"], "year": 2020}
    first = catalog.curate(doc_id, {"themes": ["eau", "climat"], "year": None}, ["territories"], before, "camille")
    assert [(c.field, c.before, c.after, c.validated) for c in first] == [
        ("territories", ["commune:38185"], ["commune:38185"], True), ("themes", ["eau"], ["eau", "climat"], False),
        ("year", 2020, None, False)]
    stored = catalog.corrections(doc_id)
    assert stored["themes"].value == ["eau", "climat"] and stored["themes"].corrected
    assert stored["themes"].by == "camille"
    assert stored["territories"].validated and not stored["territories"].corrected
    assert stored["year"].corrected and stored["year"].value is None
    in_force = {"themes": ["eau", "climat"], "territories": ["commune:38185"], "year": None}
    assert catalog.curate(doc_id, {"themes": ["eau", "climat"]}, ["territories"], in_force, "dominique") == []
    catalog.curate(doc_id, {"themes": ["climat"]}, [], in_force, "dominique")
    history = catalog.history(doc_id)
    assert [(h.field, h.by) for h in history][:1] == [("themes", "dominique")] and len(history) == 4
    assert catalog.corrections(SHA_B[:16]) == {} and catalog.history(SHA_B[:16]) == []


def test_a_new_version_of_a_file_keeps_its_corrections(catalog: Catalog) -> None:
    old = catalog.register(SHA_A, 10, "/inbox/plan.pdf", 1.0).doc_id
    catalog.curate(old, {"territories": ["departement:38"]}, ["themes"], {"territories": []}, "camille")
    new = catalog.register(SHA_B, 12, "/inbox/plan.pdf", 2.0).doc_id  # the file was saved again, changed
    kept = catalog.corrections(new)
    assert kept["territories"].value == ["departement:38"] and kept["themes"].validated
    assert [h.field for h in catalog.history(new)] == ["themes", "territories"]
    other = catalog.register("c" * 64, 5, "/inbox/autre.pdf", 1.0).doc_id
    assert catalog.corrections(other) == {}
