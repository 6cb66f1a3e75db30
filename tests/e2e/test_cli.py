"""The CLI contract, driven as a user would: subprocesses, embedded Redis, no network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import FIXTURES, OFFLINE

pytestmark = pytest.mark.slow
VIOLATIONS = Path("/tmp/phare-offline-violations.log")
WORDS_ONLY = {"PHARE_SEMANTIC__ENABLED": "false"}  # where meaning is not what a test is about: no encoder to load


def phare(workdir: Path, *args: str, timeout: float = 300, **extra_env: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHARE_")}
    env.update(extra_env)
    env["PYTHONPATH"] = os.pathsep.join([str(OFFLINE), env.get("PYTHONPATH", "")])
    env["PHARE_DATA_DIR"] = str(workdir / "data")
    proc = subprocess.run([sys.executable, "-m", "services.cli", *args], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedded-Redis data dir with the fixtures ingested by `phare ingest --wait`, offline."""
    VIOLATIONS.unlink(missing_ok=True)
    work = tmp_path_factory.mktemp("cli")
    docs = work / "docs" / "sous-dossier"
    docs.mkdir(parents=True)
    for name in ("220310_mandat_GT_CNIG_Friches.pdf", "glossaire_gt_paysages.docx", "example-10k-1p.html"):
        shutil.copy(FIXTURES / name, docs / name)
    (docs / "casse.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    out = phare(work, "ingest", str(work / "docs"), "--wait", "--json")
    (work / "ingest.json").write_text(json.dumps(out))
    return work


def test_ingest_reports_every_file_in_a_terminal_state(library: Path) -> None:
    docs = {Path(d["path"]).name: d for d in json.loads((library / "ingest.json").read_text())["documents"]}
    assert set(docs) == {"220310_mandat_GT_CNIG_Friches.pdf", "glossaire_gt_paysages.docx", "example-10k-1p.html",
                         "casse.pdf"}
    assert all(set(d) >= {"path", "id", "state", "reason"} for d in docs.values())
    assert docs["casse.pdf"]["state"] == "failed" and "PDF" in docs["casse.pdf"]["reason"]
    assert [d["state"] for n, d in docs.items() if n != "casse.pdf"] == ["indexed"] * 3


def test_nothing_tried_to_reach_the_network(library: Path) -> None:
    assert not VIOLATIONS.exists() or VIOLATIONS.read_text() == ""


def test_search_json_contract(library: Path) -> None:
    out = phare(library, "search", "recyclage des friches", "--limit", "5", "--json")
    assert set(out) >= {"total", "hits", "facets"}
    hit = out["hits"][0]
    assert set(hit) >= {"id", "title", "path", "score", "snippets"}
    assert hit["path"].endswith("220310_mandat_GT_CNIG_Friches.pdf")
    assert set(hit["snippets"][0]) == {"text", "page"} and "<mark>" in hit["snippets"][0]["text"]
    assert set(out["facets"]) >= {"themes", "territories", "formats", "years"}
    assert all(set(f) >= {"value", "label", "count"} for f in out["facets"]["themes"])
    filtered = phare(library, "search", "recyclage des friches", "--theme", out["facets"]["themes"][0]["value"],
                     "--json")
    assert filtered["total"] == out["facets"]["themes"][0]["count"]


def test_show_json_contract(library: Path) -> None:
    doc_id = phare(library, "search", "friches", "--json")["hits"][0]["id"]
    shown = phare(library, "show", doc_id, "--json")
    for key in ("id", "title", "paths", "format", "language", "pages", "year", "themes", "postures", "horizons",
                "territories", "entities"):
        assert key in shown
    assert shown["pages"] == 2 and shown["format"] == "pdf" and shown["year"] == 2022
    assert all(set(t) >= {"slug", "label", "score", "evidence"} for t in shown["themes"])
    assert all(set(t) >= {"code", "level", "name", "about"} for t in shown["territories"])
    assert all(set(e) == {"text", "label", "count"} for e in shown["entities"])
    with_text = phare(library, "show", doc_id, "--json", "--text")
    assert [p["page"] for p in with_text["pages"]] == [1, 2] and "friches" in with_text["pages"][0]["text"].lower()


def test_status_counts(library: Path) -> None:
    report = phare(library, "status", "--json")
    assert report["counts"] == {"indexed": 3, "failed": 1}
    assert 0 <= report["semantic"]["embedded"] <= 3  # searchable by meaning once the embed stage ran
    assert "semantic" not in phare(library, "status", "--json", PHARE_SEMANTIC__ENABLED="false")


def test_reindex_follows_a_taxonomy_edit_without_reextracting(tmp_path: Path) -> None:
    from schemas.reference import packaged_taxonomy_dir

    taxonomy = tmp_path / "taxonomie"
    shutil.copytree(packaged_taxonomy_dir(), taxonomy)
    env = {"PHARE_TAXONOMY_DIR": str(taxonomy), **WORDS_ONLY}
    shutil.copy(FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf", tmp_path / "mandat.pdf")
    doc_id = phare(tmp_path, "ingest", "mandat.pdf", "--wait", "--json", **env)["documents"][0]["id"]
    assert "culture-patrimoine" not in {t["slug"] for t in phare(tmp_path, "show", doc_id, "--json", **env)["themes"]}
    extraction = next((tmp_path / "data" / "artifacts" / "extract").rglob("*.json"))
    extracted_at = extraction.stat().st_mtime_ns

    themes = taxonomy / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace(
        "keywords: [patrimoine*,", "keywords: [friche*, friches industrielles, patrimoine*,"), encoding="utf-8")
    assert phare(tmp_path, "reindex", "--json", **env) == {"reindexed": 1}

    shown = phare(tmp_path, "show", doc_id, "--json", **env)
    assert "culture-patrimoine" in {t["slug"] for t in shown["themes"]} and shown["state"] == "indexed"
    assert extraction.stat().st_mtime_ns == extracted_at
    hits = phare(tmp_path, "search", "", "--theme", "culture-patrimoine", "--json", **env)["hits"]
    assert [h["id"] for h in hits] == [doc_id]


def test_the_whole_path_on_opensearch_with_a_rebuild(tmp_path: Path) -> None:
    """Same CLI, PHARE_OPENSEARCH_URL set: here the osmem-server emulator (not OpenSearch)."""
    from osmem_server import OsmemServer

    shutil.copy(FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf", tmp_path / "mandat.pdf")
    shutil.copy(FIXTURES / "glossaire_gt_paysages.docx", tmp_path / "glossaire.docx")
    with OsmemServer.start(japanese=False) as server:
        env = {"PHARE_OPENSEARCH_URL": server.url, **WORDS_ONLY}
        docs = phare(tmp_path, "ingest", "mandat.pdf", "glossaire.docx", "--wait", "--json", **env)["documents"]
        assert [d["state"] for d in docs] == ["indexed", "indexed"]
        found = phare(tmp_path, "search", "recyclage des friches", "--json", **env)
        assert found["hits"][0]["path"].endswith("mandat.pdf") and found["hits"][0]["snippets"][0]["page"] in (1, 2)
        assert phare(tmp_path, "reindex", "--rebuild", "--json", **env) == {"index": "phare-documents-v2",
                                                                            "documents": 2}
        assert phare(tmp_path, "search", "paysagistes", "--json", **env)["total"] == 1
    assert not (tmp_path / "data" / "index").exists()  # tantivy was never opened


def test_logs_can_be_json_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import json
    import logging

    from services.cli.common import setup_logging as _setup_logging

    monkeypatch.setenv("PHARE_LOG_FORMAT", "json")
    _setup_logging(verbose=True)
    try:
        logging.getLogger("workers.pipeline").info("indexed %s in %.2fs", "0123456789abcdef", 0.5)
        line = capsys.readouterr().err.strip().splitlines()[-1]
        record = json.loads(line)
        assert record["level"] == "INFO" and record["name"] == "workers.pipeline"
        assert record["message"] == "indexed 0123456789abcdef in 0.50s" and "time" in record
    finally:
        logging.basicConfig(force=True, handlers=[logging.NullHandler()])


def test_status_follows_a_batch_live(container, tmp_path: Path) -> None:  # noqa: ANN001
    """`phare status --follow` keeps drawing while documents wait, and ends when all are done."""
    import threading
    import time

    from workers.runtime import run_worker

    for i in range(3):
        note = tmp_path / f"note-{i}.md"
        note.write_text(f"# Note {i}\n\nLe tramway numéro {i} de la métropole.", encoding="utf-8")
        container.intake.submit(note)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHARE_")}
    env.update(PHARE_DATA_DIR=str(container.settings.data_dir), PHARE_REDIS_URL=container.settings.redis_url,
               COLUMNS="100")
    follow = subprocess.Popen([sys.executable, "-m", "services.cli", "status", "--follow"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    assert follow.poll() is None  # three documents queued, no worker yet: still following
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, daemon=True,
                              args=(container.broker, container.pipeline, stop, container.settings.worker_threads))
    worker.start()
    try:
        _, err = follow.communicate(timeout=120)
    finally:
        stop.set()
        worker.join(timeout=60)
    assert "tout est traité" in err and "3/3" in err
    assert "indexed     3" in err


def test_one_off_commands_leave_no_redis_behind_unless_in_use(library: Path) -> None:
    import time

    from tests.support import redis_running, until

    assert not redis_running(library)  # `phare ingest --wait` (workers included) stopped the one it started
    doc_id = phare(library, "search", "friches", "--json")["hits"][0]["id"]
    phare(library, "show", doc_id, "--json")
    phare(library, "status", "--json")
    phare(library, "reindex", "--json", **WORDS_ONLY)
    assert not redis_running(library)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHARE_")}
    env.update(PHARE_DATA_DIR=str(library / "data"), **WORDS_ONLY)
    worker = subprocess.Popen([sys.executable, "-m", "services.cli", "worker"], cwd=library, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until(lambda: redis_running(library), "the worker's Redis", 60)
        time.sleep(2)  # connected and consuming
        phare(library, "status", "--json")
        assert redis_running(library)  # a one-off command leaves a Redis in use alone
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    until(lambda: not redis_running(library), "the last process out stops it", 15)
