"""Server-side rendering time of the web pages at 10k documents, next to the JSON API in the same run.

Run: .venv/bin/python bench/web.py [--docs 10000] [--rounds 200] [../shared/data/corpus]
Documents are generated as in bench/search.py (corpus vocabulary and titles), with postures,
horizons and collections added so every facet of the results page has values. Pages are fetched
over HTTP from uvicorn on 127.0.0.1: the home page (counts, territory tree, latest additions) and
results pages (the query mix of bench/search.py, a third with a filter, all facets as trees, 20
snippets) and the exploration page of the same searches (/explorer: three matrices); the same
queries through ``GET /api/v1/search`` are the baseline. Goal: every page ≤ 100 ms. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")

from bench.running import free_port  # noqa: E402
from bench.search import generate, percentile, query_mix, vocabulary  # noqa: E402
from services.bootstrap import build  # noqa: E402
from services.search.app import create_app  # noqa: E402
from services.settings import Settings  # noqa: E402

POSTURES = ["attenuation", "adaptation", "transition", "resilience"]
COLLECTIONS = ["etudes", "etudes/climat", "plans/plu", "comptes-rendus", ""]


def timed_get(client: httpx.Client, url: str, params: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    response = client.get(url, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "data" / "corpus"))
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    words, weights, titles = vocabulary(Path(args.corpus))
    rng = random.Random(5)
    docs = [d.model_copy(update={"postures": rng.sample(POSTURES, rng.randint(0, 2)),
                                 "horizons": rng.sample([2030, 2040, 2050], rng.randint(0, 2)),
                                 "collection": rng.choice(COLLECTIONS)})
            for d in generate(args.docs, words, weights, titles)]
    with tempfile.TemporaryDirectory(prefix="phare-bench-web-") as tmp:
        container = build(Settings(data_dir=Path(tmp)))
        for start in range(0, len(docs), 2000):
            container.backend.upsert(docs[start:start + 2000])
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port,
                                               log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        mix = query_mix(args.rounds)
        home, results, api, explorer = [], [], [], []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for params in mix[:20]:  # warm templates, caches and both paths
                client.get("/recherche", params=params)
                client.get("/api/v1/search", params=params)
                client.get("/")
            for params in mix:
                home.append(timed_get(client, "/"))
                results.append(timed_get(client, "/recherche", params))
                api.append(timed_get(client, "/api/v1/search", {**params, "limit": "20"}))
                explorer.append(timed_get(client, "/explorer", params))
        server.should_exit = True
        thread.join(timeout=10)
        container.close()
    figures = {"docs": args.docs,
               "home_p50_ms": round(percentile(home, 0.5), 1), "home_p99_ms": round(percentile(home, 0.99), 1),
               "results_p50_ms": round(percentile(results, 0.5), 1),
               "results_p99_ms": round(percentile(results, 0.99), 1),
               "api_p50_ms": round(percentile(api, 0.5), 1),
               "explorer_p50_ms": round(percentile(explorer, 0.5), 1),
               "explorer_p99_ms": round(percentile(explorer, 0.99), 1),
               "results_over_api": round(percentile(results, 0.5) / percentile(api, 0.5), 2)}
    print(f"{args.docs} documents, {args.rounds} requêtes de chaque sorte")
    print(f"  accueil   : p50 {figures['home_p50_ms']} ms, p99 {figures['home_p99_ms']} ms")
    print(f"  résultats : p50 {figures['results_p50_ms']} ms, p99 {figures['results_p99_ms']} ms")
    print(f"  explorer  : p50 {figures['explorer_p50_ms']} ms, p99 {figures['explorer_p99_ms']} ms "
          "(thèmes × postures, thèmes × départements, frise des horizons)")
    print(f"  API JSON  : p50 {figures['api_p50_ms']} ms (même requête, 20 résultats)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
