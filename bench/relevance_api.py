"""Relevance as a user meets it: documents dropped into a running phare, questions through the API.

Run: .venv/bin/python bench/relevance_api.py [--sets cnil,extra] [--url http://127.0.0.1:8000]

``bench/relevance.py`` scores ranking choices on phare's own records with cross-validation; this
script checks that the product gives the same answers end to end. Without ``--url`` it starts its
own ``phare up`` (embedded defaults, a temporary data folder and inbox, a free port), copies each
set's files into the inbox, waits until every document is indexed and embedded (``phare status
--json``), then asks every question through ``GET /api/v1/search`` (the first page of 10, as the
web page shows it) and maps the hits back to files by their path. Plain BM25 on the text alone
(``bench/relevance.py``'s anchor) is scored in the same run. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance import EvalSet, load_sets, place_of, prepare, scores, word_rankings
from running import Phare

from services.search.backends.tantivy_backend import TantivyBackend
from workers.extract.extractor import TextExtractor


def api_rankings(url: str, s: EvalSet, place_of_shown: dict[str, str]) -> list[list[str]]:
    """The files of the first page of hits, for every query, by their place under ../shared/data (as
    ``prepare`` keys the grades); ``place_of_shown``: every file in phare, by the path the API shows."""
    out = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for q in s.queries:
            response = client.get("/api/v1/search", params={"q": q.text, "limit": 10})
            response.raise_for_status()
            hits = [h["path"] for h in response.json()["hits"]]
            strangers = [p for p in hits if p not in place_of_shown]
            if strangers:  # a hit mapped to no file would score as a miss: say so rather than mis-measure
                raise RuntimeError(f"résultat inconnu des jeux : {strangers[:3]}")
            out.append([place_of_shown[p] for p in hits])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="cnil,extra")
    parser.add_argument("--url", help="a phare already holding these files (same relative paths)")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    started = time.monotonic()
    sets = load_sets(args.sets.split(","))
    report: dict[str, dict[str, dict[str, float]]] = {}
    extractor = TextExtractor()
    folder = Path(tempfile.mkdtemp(prefix="phare-relevance-"))
    phare = None if args.url else Phare(folder)
    try:
        folder_of: dict[str, dict[str, str]] = {}
        for s in sets:  # inbox/<set>/<key>: the path the API shows for each file
            folder_of[s.name] = {key: f"{s.name}/{key}" for key in s.files}
            if phare is not None:
                for key, path in s.files.items():
                    target = phare.folder / "inbox" / folder_of[s.name][key]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
        if phare is not None:
            phare.wait(sum(len(s.files) for s in sets), args.timeout)
        url = args.url or (phare.url if phare is not None else "")
        place_of_shown = {folder_of[s.name][key]: place_of(path) for s in sets for key, path in s.files.items()}
        print(f"\n{'ensemble':8} {'système':28} {'nDCG@10':>8} {'MRR@10':>8} {'R@10':>8}")
        for s in sets:
            prepare(s, extractor)
            plain = TantivyBackend(None, boosts={"body": 1.0}, proximity_boost=0)
            plain.upsert(s.records)
            rows = {"bm25 (texte seul)": [[p for p, _ in r] for r in word_rankings(plain, s.queries, expand=False)],
                    "phare (API, réglages livrés)": api_rankings(url, s, place_of_shown)}
            report[s.name] = {}
            for label, ranked in rows.items():
                m = scores(ranked, s.queries)
                report[s.name][label] = m
                print(f"{s.name:8} {label:28} {m['ndcg@10']:8.3f} {m['mrr@10']:8.3f} {m['recall@10']:8.3f}")
    finally:
        if phare is not None:
            phare.stop()
            shutil.rmtree(folder, ignore_errors=True)
    losses = [name for name, rows in report.items()
              if rows["phare (API, réglages livrés)"]["ndcg@10"] < rows["bm25 (texte seul)"]["ndcg@10"]]
    print("phare perd contre BM25 : " + (", ".join(losses) if losses else "jamais"))
    print(f"({time.monotonic() - started:.0f} s)")
    print(json.dumps({"sets": report, "loses_to_bm25": losses}, ensure_ascii=False))


if __name__ == "__main__":
    main()
