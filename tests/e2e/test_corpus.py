"""The 36 real documents of ../shared/data/corpus through the real pipeline (skipped without it)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from lxml import etree
from sickle import Sickle

from schemas.documents import DocState
from schemas.search import SearchQuery
from services.bootstrap import Container
from services.search.app import create_app
from services.settings import SemanticSettings, Settings
from tests.support import CORPUS, FIXTURES, ingest_and_wait, serving

pytestmark = [pytest.mark.slow, pytest.mark.corpus,
              pytest.mark.skipif(not (CORPUS / "manifest.csv").exists(), reason="../shared/data/corpus absent")]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Words only: the searches below are about words, and embedding 36 documents in the background
    would only compete with them for the CPU (semantic search end to end: test_semantic.py)."""
    return Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox", semantic=SemanticSettings(enabled=False))


@pytest.fixture(scope="module")
def manifest() -> list[dict[str, str]]:
    with (CORPUS / "manifest.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def library(running: Container, manifest: list[dict[str, str]]) -> Container:
    paths = [CORPUS / row["file"] for row in manifest]
    states = ingest_and_wait(running, paths, timeout=900)
    running.corpus_states = states  # type: ignore[attr-defined]
    return running


def _top_paths(c: Container, text: str, n: int = 3) -> list[str]:
    return [h.path for h in c.search_service.search(SearchQuery(text=text, limit=n)).hits]


def test_corpus_end_to_end(library: Container, manifest: list[dict[str, str]]) -> None:
    states = library.corpus_states  # type: ignore[attr-defined]
    assert len(states) == len(manifest)
    for row in manifest:
        name = row["file"].rsplit("/", 1)[-1]
        state, reason = states[name]
        if row["text_layer"].startswith("no"):
            assert state == "indexed" or (state == "failed" and "OCR" in (reason or "")), (name, state, reason)
            continue
        assert state in ("indexed", "duplicate"), (name, state, reason)
        if state == "indexed":
            doc_id = library.catalog.path_status([str(CORPUS / row["file"])])[0].doc_id
            shown = library.search_service.show(doc_id, with_text=True)
            chars = sum(len(p["text"]) for p in shown["pages"])
            assert chars >= 0.8 * int(row["extracted_chars"]), (name, chars, row["extracted_chars"])

    assert any("Imperméabilisation des sols" in p for p in _top_paths(library, "imperméabilisation des sols", 2))
    assert any("Standard_CNIG_Friches" in p for p in _top_paths(library, "recyclage des friches", 3))
    assert any("Methode_PPRI" in p or "ElaborationEAIP" in p for p in _top_paths(library, "PPRI", 3))
    assert any("grenoble.md" in p for p in _top_paths(library, "Grenoble climate neutrality", 3))

    # a library portal harvests the corpus over OAI-PMH: every indexed document, each a valid oai_dc record
    dublin_core = etree.XMLSchema(etree.parse(str(FIXTURES / "oai" / "oai_dc.xsd")))
    with serving(create_app(library)) as port:
        records = list(Sickle(f"http://127.0.0.1:{port}/oai").ListRecords(metadataPrefix="oai_dc"))
    assert len(records) == len(library.catalog.all_ids([DocState.INDEXED]))
    for record in records:
        [dc] = record.xml.iterfind(".//{http://www.openarchives.org/OAI/2.0/oai_dc/}dc")
        assert dublin_core.validate(etree.ElementTree(dc)), dublin_core.error_log
        assert record.metadata["title"] and record.header.datestamp.endswith("Z")
    assert sum("subject" in r.metadata for r in records) >= 0.9 * len(records)  # themes as subjects
