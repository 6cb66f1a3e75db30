"""nDCG@10 and MRR@10 of phare's search on the development query set, next to plain BM25.

Run: .venv/bin/python bench/relevance.py [../shared/data/corpus]
Indexes every corpus document as phare's index stage builds it (extraction; title, file name and
section titles, pages) into an in-memory tantivy index twice: phare's configuration (field boosts,
phrase proximity, acronym expansion) and two BM25 baselines with the same French analysis and no
expansion: one given the same fields (title, file name and section titles, body, weighted alike),
one on the text alone (title and body, as a plain engine indexes a document). The last line is JSON.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from schemas.documents import IndexRecord  # noqa: E402
from schemas.search import SearchQuery  # noqa: E402
from services.search.backends.tantivy_backend import TantivyBackend  # noqa: E402
from services.search.query import expand_acronyms  # noqa: E402
from workers.analyze.reference import load_glossary  # noqa: E402
from workers.extract.errors import ExtractionError  # noqa: E402
from workers.extract.extractor import TextExtractor  # noqa: E402
from workers.pipeline import record_headings  # noqa: E402

K = 10


def records(corpus: Path) -> list[IndexRecord]:
    with (corpus / "manifest.csv").open(encoding="utf-8") as fh:
        names = [r["file"] for r in csv.DictReader(fh)]
    extractor, out = TextExtractor(), []
    for name in names:
        try:
            e = extractor.run(corpus / name)
        except ExtractionError:
            continue
        out.append(IndexRecord(id=f"d{len(out)}", title=e.title or Path(name).stem, path=name, format=e.format,
                               language=e.language, year=e.year, pages=e.pages,
                               headings=record_headings(e, name)))
    return out


def ndcg(ranked: list[str], grades: dict[str, int]) -> float:
    dcg = sum((2 ** grades.get(p, 0) - 1) / math.log2(i + 2) for i, p in enumerate(ranked[:K]))
    ideal = sorted(grades.values(), reverse=True)[:K]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr(ranked: list[str], grades: dict[str, int]) -> float:
    return next((1 / (i + 1) for i, p in enumerate(ranked[:K]) if grades.get(p, 0) > 0), 0.0)


def evaluate(backend: TantivyBackend, queries: list[dict], expand: bool, verbose: bool = False) -> dict[str, float]:
    glossary = load_glossary() if expand else {}
    n_sum = m_sum = 0.0
    for q in queries:
        text = expand_acronyms(q["query"], glossary) if expand else q["query"]
        ranked = [h.path for h in backend.search(SearchQuery(text=text, limit=K)).hits]
        n, m = ndcg(ranked, q["relevant"]), mrr(ranked, q["relevant"])
        n_sum, m_sum = n_sum + n, m_sum + m
        if verbose and n < 0.8:
            print(f"  nDCG {n:.2f} MRR {m:.2f}  {q['query']!r}: {[r.rsplit('/', 1)[-1][:30] for r in ranked[:3]]}")
    return {"ndcg@10": round(n_sum / len(queries), 4), "mrr@10": round(m_sum / len(queries), 4)}


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "corpus"
    queries = yaml.safe_load((ROOT / "bench" / "relevance" / "queries.yaml").read_text(encoding="utf-8"))
    docs = records(corpus)
    phare = TantivyBackend(None)
    phare.upsert(docs)
    same_fields = TantivyBackend(None, boosts={"title": 1.0, "headings": 1.0, "body": 1.0}, proximity_boost=0)
    same_fields.upsert(docs)
    text_only = TantivyBackend(None, boosts={"title": 1.0, "body": 1.0}, proximity_boost=0)
    text_only.upsert([d.model_copy(update={"headings": []}) for d in docs])
    ours = evaluate(phare, queries, expand=True, verbose=True)
    plain = evaluate(same_fields, queries, expand=False)
    text = evaluate(text_only, queries, expand=False)
    print(f"{len(queries)} requêtes, {len(docs)} documents")
    print(f"  phare                                    nDCG@10 {ours['ndcg@10']:.3f}  MRR@10 {ours['mrr@10']:.3f}")
    print(f"  BM25 français, mêmes champs              nDCG@10 {plain['ndcg@10']:.3f}  MRR@10 {plain['mrr@10']:.3f}")
    print(f"  BM25 français sur le texte (titre+corps) nDCG@10 {text['ndcg@10']:.3f}  MRR@10 {text['mrr@10']:.3f}")
    print(json.dumps({"queries": len(queries), "phare": ours, "bm25_french": plain, "bm25_french_text": text}))

if __name__ == "__main__":
    main()
