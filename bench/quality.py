"""Precision, recall and F1 of the analysis on the hand-labelled development set.

Run: .venv/bin/python bench/quality.py [../shared/data/corpus]
Extracts and analyzes every labelled corpus document with phare's own stages, then compares
themes, postures, horizons and `about` territories (level:code) with bench/quality/analysis_devset.yaml.
Micro-averaged over documents; entity precision is measured on the top 10 entities of the documents
judged in bench/quality/entities_devset.yaml. The last line is JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workers.analyze.analyzer import Analyzer  # noqa: E402
from workers.analyze.entities import EntityRecognizer  # noqa: E402
from workers.extract.errors import ExtractionError  # noqa: E402
from workers.extract.extractor import TextExtractor  # noqa: E402

FIELDS = ("themes", "postures", "horizons", "territories")


def predicted(analysis) -> dict[str, set[str]]:  # noqa: ANN001
    return {
        "themes": {t.slug for t in analysis.themes if "/" not in t.slug},  # the 20 top themes
        "postures": {p.slug for p in analysis.postures},
        "horizons": {str(h.year) for h in analysis.horizons},
        "territories": {f"{t.level}:{t.code}" for t in analysis.territories if t.about},
    }


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "corpus"
    gold = yaml.safe_load((ROOT / "bench" / "quality" / "analysis_devset.yaml").read_text(encoding="utf-8"))
    extractor, analyzer = TextExtractor(), Analyzer(EntityRecognizer())
    counts = {f: {"tp": 0, "fp": 0, "fn": 0} for f in FIELDS}
    for name, labels in gold.items():
        try:
            pred = predicted(analyzer.run(extractor.run(corpus / name)))
        except ExtractionError as exc:
            print(f"! {name}: {exc.reason}")
            pred = {f: set() for f in FIELDS}
        for field in FIELDS:
            truth = {str(v) for v in (labels.get(field) or [])}
            counts[field]["tp"] += len(truth & pred[field])
            counts[field]["fp"] += len(pred[field] - truth)
            counts[field]["fn"] += len(truth - pred[field])
            if truth != pred[field]:
                print(f"  {field:<12} {name.rsplit('/', 1)[-1][:50]:<50} +{sorted(pred[field] - truth)} "
                      f"-{sorted(truth - pred[field])}")
    report = {}
    for field, c in counts.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        report[field] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3)}
        print(f"{field:<12} P={p:.3f} R={r:.3f} F1={f1:.3f}")
    report["entities"] = entity_precision(corpus, extractor, analyzer)
    print(json.dumps({"documents": len(gold), **report}))


def entity_precision(corpus: Path, extractor: TextExtractor, analyzer: Analyzer, top: int = 10) -> dict:
    """Precision of the top entities against the team's judgements (unjudged ones reported apart)."""
    judged = yaml.safe_load((ROOT / "bench" / "quality" / "entities_devset.yaml").read_text(encoding="utf-8"))
    good = bad = unjudged = 0
    for name, labels in judged.items():
        names, not_names = set(labels["names"]), set(labels["not_names"])
        for entity in analyzer.run(extractor.run(corpus / name)).entities[:top]:
            if entity.text in names:
                good += 1
            elif entity.text in not_names:
                bad += 1
                print(f"  entity wrong: {entity.text!r} ({name.rsplit('/', 1)[-1][:40]})")
            else:
                unjudged += 1
                print(f"  entity unjudged: {entity.text!r} ({name.rsplit('/', 1)[-1][:40]})")
    precision = good / (good + bad) if good + bad else 1.0
    print(f"entities     P={precision:.3f} on {good + bad} judged, {unjudged} unjudged")
    return {"precision": round(precision, 3), "judged": good + bad, "unjudged": unjudged}


if __name__ == "__main__":
    main()
