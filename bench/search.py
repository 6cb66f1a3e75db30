"""Search latency through the HTTP API next to the raw engine, on generated French libraries.

Run: .venv/bin/python bench/search.py [--sizes 10000 100000] [../shared/data/corpus]
Documents are generated from the corpus vocabulary (word frequencies and titles of the real
documents), with themes, territories, formats and years. For each size: indexing throughput into
tantivy, then a query mix (2-3 French words, some phrases and acronyms, a third with a filter) run
through `GET /api/v1/search` (uvicorn on 127.0.0.1, 3 facets and highlights on every query) and
through the engine alone, same queries, same process; then the same mix through the hybrid search
(semantic search on: the query embedded by the real encoder, one thread, the nearest documents
found in the embedded vector store, fused with the words). Document vectors are random unit vectors,
one card per document: the store's speed does not depend on what they say, and embedding 100,000
real cards would take hours. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.running import free_port  # noqa: E402
from schemas.documents import IndexRecord, Page  # noqa: E402
from schemas.search import SearchQuery  # noqa: E402
from services.bootstrap import Container, build  # noqa: E402
from services.search.app import create_app  # noqa: E402
from services.settings import SemanticSettings, Settings  # noqa: E402

THEMES = ["climat", "energie", "eau", "risques-naturels", "sols-foncier", "urbanisme-planification", "mobilites",
          "biodiversite", "habitat-logement", "numerique-donnees"]
TERRITORIES = [["commune:38185", "epci:200040715", "departement:38", "region:84", "pays:FR"],
               ["commune:38151", "epci:200040715", "departement:38", "region:84", "pays:FR"],
               ["departement:73", "region:84", "pays:FR"], ["departement:69", "region:84", "pays:FR"],
               ["departement:05", "region:93", "pays:FR"], ["pays:FR"]]
QUERIES = ["imperméabilisation des sols", "recyclage des friches", "risques d'inondation", "PPRI", "ZAN",
           "plan local d'urbanisme", "neutralité carbone", "mobilité douce", "gestion de l'eau",
           '"trame verte"', "adaptation climat", "énergie renouvelable", "paysage montagne", "données géographiques"]
_WORD = re.compile(r"[a-zà-ÿ]{3,}")


def vocabulary(corpus: Path) -> tuple[list[str], list[int], list[str]]:
    from workers.extract.errors import ExtractionError
    from workers.extract.extractor import TextExtractor

    counts: Counter[str] = Counter()
    titles: list[str] = []
    extractor = TextExtractor()
    for path in sorted(corpus.rglob("*")):
        if path.suffix.lower() not in (".pdf", ".docx", ".odt", ".md", ".html"):
            continue
        try:
            extraction = extractor.run(path)
        except ExtractionError:
            continue
        counts.update(_WORD.findall(" ".join(p.text for p in extraction.pages).lower()))
        if extraction.title:
            titles.append(extraction.title)
    words, weights = zip(*counts.most_common(20_000), strict=True)
    return list(words), list(weights), titles


def generate(n: int, words: list[str], weights: list[int], titles: list[str], seed: int = 7) -> list[IndexRecord]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        pages = [Page(page=p + 1, text=" ".join(rng.choices(words, weights, k=rng.randint(150, 350))))
                 for p in range(rng.randint(1, 4))]
        out.append(IndexRecord(
            id=f"{i:016x}", title=f"{rng.choice(titles)} ({i})", path=f"/bench/{i}.pdf",
            format=rng.choice(["pdf", "pdf", "docx", "odt", "pptx"]), language="fr", year=rng.randint(2005, 2026),
            pages=pages, themes=rng.sample(THEMES, rng.randint(1, 3)), territories=rng.choice(TERRITORIES),
            added_at=float(i)))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def query_mix(rounds: int) -> list[dict[str, str]]:
    rng = random.Random(11)
    mix = []
    for i in range(rounds):
        params = {"q": rng.choice(QUERIES), "limit": "10"}
        if i % 3 == 0:
            params["theme"] = rng.choice(THEMES)
        if i % 5 == 0:
            params["territory"] = "38"
        mix.append(params)
    return mix


def serve(container: Container) -> tuple[uvicorn.Server, threading.Thread, int]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, port


def timed(container: Container, mix: list[dict[str, str]]) -> tuple[list[float], list[float]]:
    """Milliseconds per query through the service (in process) and through the HTTP API."""
    server, thread, port = serve(container)
    service = container.search_service
    engine_ms, api_ms = [], []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for params in mix[:20]:  # warm both paths
            client.get("/api/v1/search", params=params)
        for params in mix:
            query = SearchQuery(text=params["q"], themes=[params["theme"]] if "theme" in params else [],
                                territories=[params["territory"]] if "territory" in params else [], limit=10)
            t0 = time.perf_counter()
            service.search(query)
            engine_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            response = client.get("/api/v1/search", params=params)
            api_ms.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
    server.should_exit = True
    thread.join(timeout=10)
    return engine_ms, api_ms


def run_size(n: int, docs: list[IndexRecord], rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="phare-bench-search-") as tmp:
        words_only = build(Settings(data_dir=Path(tmp), semantic=SemanticSettings(enabled=False)))
        backend = words_only.backend
        started = time.perf_counter()
        for start in range(0, n, 2000):
            backend.upsert(docs[start:start + 2000])
        index_docs_per_s = n / (time.perf_counter() - started)
        mix = query_mix(rounds)
        engine_ms, api_ms = timed(words_only, mix)
        words_only.close()

        hybrid = build(Settings(data_dir=Path(tmp)))
        rng = np.random.default_rng(3)
        for doc in docs[:n]:
            vector = rng.normal(size=hybrid.encoder.dim).astype(np.float32)
            hybrid.vectors.put(doc.id, [0], (vector / np.linalg.norm(vector))[None, :])
        hybrid.vectors.flush()
        hybrid_engine_ms, hybrid_api_ms = timed(hybrid, mix)
        hybrid.close()
    return {"docs": n, "p50_ms": round(percentile(api_ms, 0.5), 2), "p99_ms": round(percentile(api_ms, 0.99), 2),
            "engine_p50_ms": round(percentile(engine_ms, 0.5), 2),
            "engine_p99_ms": round(percentile(engine_ms, 0.99), 2),
            "api_over_engine": round(statistics.median(api_ms) / statistics.median(engine_ms), 3),
            "hybrid_p50_ms": round(percentile(hybrid_api_ms, 0.5), 2),
            "hybrid_p99_ms": round(percentile(hybrid_api_ms, 0.99), 2),
            "hybrid_engine_p99_ms": round(percentile(hybrid_engine_ms, 0.99), 2),
            "index_docs_per_s": round(index_docs_per_s)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "data" / "corpus"))
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    words, weights, titles = vocabulary(Path(args.corpus))
    docs = generate(max(args.sizes), words, weights, titles)
    result = {}
    for n in sorted(args.sizes):
        result = run_size(n, docs, args.rounds)
        print(f"{n:>7} documents : p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms par l'API "
              f"(moteur seul p50 {result['engine_p50_ms']} ms, p99 {result['engine_p99_ms']} ms), "
              f"API/moteur {result['api_over_engine']}, indexation {result['index_docs_per_s']} docs/s ; "
              f"hybride (mots + sens) p50 {result['hybrid_p50_ms']} ms, p99 {result['hybrid_p99_ms']} ms par l'API")
    print(json.dumps({k: result[k] for k in ("docs", "p50_ms", "p99_ms", "api_over_engine", "hybrid_p99_ms",
                                             "index_docs_per_s")}))


if __name__ == "__main__":
    main()
