"""Families of documents on the real corpus: precision and recall of the grouping on labelled pairs,
and what it costs at ingestion.

Run: .venv/bin/python bench/families.py

Every document of ../shared/data/corpus and ../shared/data/corpus-extra (manifest order) goes through
phare's extraction and analysis (cached in bench/.cache), then is placed in a family as the index
stage does (``workers.families.FamilyPlacer`` on a real SQLite catalog). Pairs in one family are
compared with bench/families/pairs.yaml (any other pair: not one family): pair precision and recall,
and whether the relation is the labelled one. Cost per document: computing the signature, and
placing it (catalog lookups and writes), next to the analysis of the same document in the same run.
The last line is JSON.
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from bench.quality import extract  # noqa: E402
from schemas.documents import Resemblance  # noqa: E402
from services.ingest.catalog import Catalog  # noqa: E402
from services.ingest.catalog.families import FamilyStore  # noqa: E402
from workers.analyze.analyzer import Analyzer  # noqa: E402
from workers.analyze.entities import EntityRecognizer  # noqa: E402
from workers.analyze.resemblance import signature  # noqa: E402
from workers.extract.errors import ExtractionError  # noqa: E402
from workers.extract.extractor import TextExtractor  # noqa: E402
from workers.families import FamilyPlacer  # noqa: E402

_SAME = {"summary": {"summary", "full"}, "same-content": {"same-content"}, "version": {"version"}}


def documents() -> list[str]:
    out = []
    for folder in ("corpus", "corpus-extra"):
        with (DATA / folder / "manifest.csv").open(encoding="utf-8") as fh:
            out += [f"{folder}/{row['file']}" for row in csv.DictReader(fh)]
    return out


def main() -> None:
    extractor, analyzer = TextExtractor(), Analyzer(EntityRecognizer())
    gold = {frozenset((f"corpus/{a}", f"corpus/{b}")): relation
            for a, b, relation in yaml.safe_load((ROOT / "bench" / "families" / "pairs.yaml").read_text("utf-8"))}
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog(f"sqlite:///{tmp}/catalog.db")
        catalog.create_schema()
        store = FamilyStore(catalog)
        signatures: dict[str, Resemblance] = {}
        placer = FamilyPlacer(store, signatures.get)
        analysis_ms, signature_ms, placing_ms, names = [], [], [], []
        for name in documents():
            try:
                extraction = extract(DATA / name, extractor)
            except (ExtractionError, FileNotFoundError):
                continue
            started = time.perf_counter()
            analyzer.run(extraction)
            analysis_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            mine = signature(extraction.pages, extraction.title or "")
            signature_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            placer.run(name, mine)
            placing_ms.append((time.perf_counter() - started) * 1000)
            if mine is not None:
                signatures[name] = mine
            names.append(name)
        members = {n: store.membership(n) for n in names}
    predicted = {frozenset((a, b)) for a, b in combinations(names, 2)
                 if members[a] and members[b] and members[a].family_id == members[b].family_id}
    found = predicted & set(gold)
    precision = len(found) / len(predicted) if predicted else 1.0
    recall = len(found) / len(gold) if gold else 1.0
    right = sum({m.relation for n in pair if (m := members[n])} - {"principal"} <= _SAME[gold[pair]]
                for pair in found)
    for pair in sorted(predicted | set(gold), key=sorted):
        a, b = sorted(pair)
        mark = "ok " if pair in found else "en trop" if pair in predicted else "manqué"
        relations = [members[n].relation if members[n] else "—" for n in (a, b)]
        print(f"  {mark:<7} {a.rsplit('/', 1)[-1][:44]:<44} {b.rsplit('/', 1)[-1][:44]:<44} {relations}")
    report = {"documents": len(names), "labelled_pairs": len(gold), "predicted_pairs": len(predicted),
              "precision": round(precision, 3), "recall": round(recall, 3),
              "relation_right": f"{right}/{len(found)}",
              "signature_ms_median": round(statistics.median(signature_ms), 2),
              "placing_ms_median": round(statistics.median(placing_ms), 2),
              "analysis_ms_median": round(statistics.median(analysis_ms), 1),
              "cost_share_of_analysis": round(sum(signature_ms + placing_ms) / sum(analysis_ms), 3)}
    print(f"\n{report['documents']} documents : paires d'une même famille, précision {precision:.3f}, "
          f"rappel {recall:.3f} ({len(found)} trouvées sur {len(gold)} étiquetées, {len(predicted)} proposées) ; "
          f"relation juste {right}/{len(found)}")
    print(f"coût par document (médiane) : signature {report['signature_ms_median']} ms, placement "
          f"{report['placing_ms_median']} ms, contre {report['analysis_ms_median']} ms d'analyse "
          f"({report['cost_share_of_analysis']:.1%} du temps d'analyse en tout)")
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
