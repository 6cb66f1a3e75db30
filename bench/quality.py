"""Precision, recall and F1 of the analysis, on two halves of the development set kept apart.

Run: .venv/bin/python bench/quality.py [--show-b]

Half A ("règles"), the documents the rules were written on: ../shared/data/corpus
(analysis_devset.yaml), ../shared/data/corpus-extra (analysis_extra.yaml) and bench/quality/texts
(analysis_texts.yaml; corpus-extra and these texts were the held-apart half until their failures
were read on 2026-12-03; five more, labelled on 2026-12-07 and measured once blind, joined them, and eleven
more late that day, measured blind as a batch first). Half B
("à part"): bench/quality/texts-apart (analysis_apart.yaml), twenty-eight public texts labelled before
phare's output on them was seen (ten on 2026-12-03, thirteen on 2026-12-07, five on 2026-12-08); nobody
writes a rule from them. A
rule change is judged on half B; half A only says whether it still holds where it was written.
Sources and licences of the texts are in each folder's manifest.csv.

Every document goes through phare's own extraction and analysis. Micro-averaged P/R/F1 per field
(top-level themes, postures, horizons, ``about`` territories as level:code, ``pays:FR`` included)
and per territory level; next to phare's territories, the baseline every territory change must beat
on half B: "the most-cited place if cited at least 3 times, else France", on phare's own place
counts. Entity precision on the top 10 entities of the documents judged in entities_devset.yaml.
Learning (``phare learn``): every labelled document taken as validated by a documentalist, themes
and postures by the rules alone against rules + learned models, 5-fold cross-validation (no
document is scored by a model that saw it). Out of the field, unlabelled: the tags of the 496 CNIL
fiches (national, no posture, no horizon expected). The last line is JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / "bench" / ".cache"
TEXTS = ROOT / "bench" / "quality" / "texts"
TEXTS_APART = ROOT / "bench" / "quality" / "texts-apart"
sys.path.insert(0, str(ROOT))

from schemas.documents import Analysis, Extraction  # noqa: E402
from schemas.text import fold  # noqa: E402
from workers.analyze.analyzer import Analyzer  # noqa: E402
from workers.analyze.entities import EntityRecognizer  # noqa: E402
from workers.analyze.learned import Counts  # noqa: E402
from workers.extract.errors import ExtractionError  # noqa: E402
from workers.extract.extractor import EXTRACTOR_VERSION, TextExtractor  # noqa: E402

FIELDS = ("themes", "postures", "horizons", "territories")
LEVELS = ("monde", "pays", "region", "departement", "epci", "commune")
HALVES = {"A (règles)": [("corpus", "analysis_devset.yaml"), ("corpus-extra", "analysis_extra.yaml"),
                         (TEXTS, "analysis_texts.yaml")],
          "B (à part)": [(TEXTS_APART, "analysis_apart.yaml")]}


def predicted(analysis: Analysis) -> dict[str, set[str]]:
    return {
        "themes": {t.slug for t in analysis.themes if "/" not in t.slug},  # the 20 top themes
        "postures": {p.slug for p in analysis.postures},
        "horizons": {str(h.year) for h in analysis.horizons},
        "territories": {f"{t.level}:{t.code}" for t in analysis.territories if t.about},
    }


def baseline_territories(analysis: Analysis) -> set[str]:
    """The most-cited place if cited at least 3 times, else France (on phare's own counts)."""
    cited = [t for t in analysis.territories if t.count > 0 and t.level != "pays"]
    top = max(cited, key=lambda t: t.count, default=None)
    return {f"{top.level}:{top.code}"} if top is not None and top.count >= 3 else {"pays:FR"}


def found_names(labels: list[str], analysis: Analysis) -> int:
    """How many of the labelled names are among the entities or the places (same words, or one
    inside the other: "Dinan Agglomération" is found as "CA Dinan Agglomération")."""
    seen = [fold(e.text) for e in analysis.entities] + [fold(t.name) for t in analysis.territories]
    return sum(any(fold(name) == s or f" {fold(name)} " in f" {s} " or f" {s} " in f" {fold(name)} "
                   for s in seen if s) for name in labels)


def extract(path: Path, extractor: TextExtractor) -> Extraction:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cached = CACHE / "extract" / f"{digest}-v{EXTRACTOR_VERSION}.json"
    if cached.exists():
        return Extraction.model_validate_json(cached.read_bytes())
    extraction = extractor.run(path, path.name)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(extraction.model_dump_json(), encoding="utf-8")
    return extraction


def by_level(keys: set[str], level: str) -> set[str]:
    return {k for k in keys if k.split(":", 1)[0] == level}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-b", action="store_true", help="also print half B's differences (then it is "
                        "no longer apart: do not write rules from what it shows)")
    args = parser.parse_args()
    extractor, analyzer = TextExtractor(), Analyzer(EntityRecognizer())
    report: dict[str, dict] = {}
    for half, sources in HALVES.items():
        counts = {f: Counts() for f in FIELDS}
        levels = {level: Counts() for level in LEVELS}
        baseline = Counts()
        documents = 0
        names_labelled = names_found = 0
        for folder, labels_file in sources:
            root = DATA / folder  # an absolute folder (TEXTS) stays itself
            gold = yaml.safe_load((ROOT / "bench" / "quality" / labels_file).read_text(encoding="utf-8")) or {}
            if not root.is_dir():
                print(f"! {root} absent : {len(gold)} documents non évalués")
                continue
            for name, labels in gold.items():
                try:
                    analysis = analyzer.run(extract(root / name, extractor))
                except ExtractionError as exc:
                    print(f"! {name}: {exc.reason}")
                    analysis = Analysis(analyzer_version=0)
                documents += 1
                pred = predicted(analysis)
                for field in FIELDS:
                    truth = {str(v) for v in (labels.get(field) or [])}
                    counts[field].add(truth, pred[field])
                    if truth != pred[field] and (half.startswith("A") or args.show_b):
                        print(f"  {half[0]} {field:<12} {name.rsplit('/', 1)[-1][:46]:<46} "
                              f"+{sorted(pred[field] - truth)} -{sorted(truth - pred[field])}")
                truth = {str(v) for v in (labels.get("territories") or [])}
                baseline.add(truth, baseline_territories(analysis))
                names_labelled += len(labels.get("names") or [])
                names_found += found_names(labels.get("names") or [], analysis)
                for level in LEVELS:
                    levels[level].add(by_level(truth, level), by_level(pred["territories"], level))
        report[half] = {"documents": documents, **{f: c.scores() for f, c in counts.items()},
                        "territories_baseline": baseline.scores(),
                        "territories_by_level": {lv: c.scores() for lv, c in levels.items() if c.tp + c.fp + c.fn},
                        "names_found": {"share": round(names_found / names_labelled, 3) if names_labelled else None,
                                        "labelled": names_labelled}}
    for half, r in report.items():
        print(f"\nmoitié {half} : {r['documents']} documents")
        for field in FIELDS:
            s = r[field]
            print(f"  {field:<12} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
                  f"({s['labels']} étiquettes)")
        b = r["territories_baseline"]
        print(f"  {'  référence':<12} P {b['precision']:.3f}  R {b['recall']:.3f}  F1 {b['f1']:.3f}  "
              "(le lieu le plus cité s'il l'est 3 fois, sinon la France)")
        for level, s in r["territories_by_level"].items():
            print(f"    {level:<11} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  ({s['labels']})")
        if r["names_found"]["labelled"]:
            print(f"  noms étiquetés trouvés parmi les entités et les lieux : {r['names_found']['share']:.0%} "
                  f"(sur {r['names_found']['labelled']})")
    report["out_of_domain"] = out_of_domain(extractor, analyzer)
    report["entities"] = entity_precision(extractor, analyzer)
    report["learning"] = learning_gain(extractor, analyzer)
    print(json.dumps(report, ensure_ascii=False))


def out_of_domain(extractor: TextExtractor, analyzer: Analyzer) -> dict:
    """Tags on documents outside the field and unlabelled: the CNIL's fiches on personal data
    (../shared/data/ir-dev/cnil). Each is national (France), none states a foresight posture or a
    target year, none is about water, risks or nature: whatever says otherwise is a false positive
    of a rule, read without labels. (Read 2026-12-07: acronyms taken for communes, addresses.)"""
    fiches = sorted((DATA / "ir-dev" / "cnil" / "fiches").glob("*.txt"))
    if not fiches:
        return {}
    national = with_posture = with_horizon = 0
    themes: dict[str, int] = {}
    for path in fiches:
        analysis = analyzer.run(extract(path, extractor))
        p = predicted(analysis)
        national += p["territories"] == {"pays:FR"}
        with_posture += bool(p["postures"])
        with_horizon += bool(p["horizons"])
        for slug in p["themes"]:
            themes[slug] = themes.get(slug, 0) + 1
    n = len(fiches)
    print(f"\nhors domaine, {n} fiches CNIL : portée nationale {national / n:.1%}, une posture {with_posture}, "
          f"un horizon {with_horizon} ; thèmes : " + ", ".join(f"{k} {v}" for k, v in
                                                              sorted(themes.items(), key=lambda kv: -kv[1])))
    return {"documents": n, "national": round(national / n, 3), "with_posture": with_posture,
            "with_horizon": with_horizon, "themes": themes}


def learning_gain(extractor: TextExtractor, analyzer: Analyzer) -> dict:
    """Rules alone against rules + models learned from validated documents (here: every labelled
    document of both halves), by 5-fold cross-validation, as ``phare learn`` measures it."""
    examples: dict[str, list] = {"themes": [], "postures": []}
    for sources in HALVES.values():
        for folder, labels_file in sources:
            gold = yaml.safe_load((ROOT / "bench" / "quality" / labels_file).read_text(encoding="utf-8")) or {}
            for name, labels in gold.items():
                try:
                    signals = analyzer.signals(extract(DATA / folder / name, extractor))
                except (ExtractionError, FileNotFoundError):
                    continue
                for field, found in examples.items():
                    found.append((signals[field], {str(v) for v in labels.get(field) or []}))
    _, reports = analyzer.learn(examples, min_documents=0)
    print("\napprentissage (documents étiquetés pris comme validés, validation croisée à 5 plis) :")
    for r in reports:
        print(f"  {r.field:<9} {r.documents} documents, {len(r.labels)} étiquettes apprises : règles F1 "
              f"{r.rules.get('f1', 0):.3f} (P {r.rules.get('precision', 0):.3f} R {r.rules.get('recall', 0):.3f}) ; "
              f"règles + modèle F1 {r.learned.get('f1', 0):.3f} (P {r.learned.get('precision', 0):.3f} "
              f"R {r.learned.get('recall', 0):.3f}) → {r.reason}")
    return {r.field: r.model_dump(include={"documents", "labels", "rules", "learned", "applied"}) for r in reports}


def entity_precision(extractor: TextExtractor, analyzer: Analyzer, top: int = 10) -> dict:
    """Precision of the top entities against the team's judgements (unjudged ones reported apart)."""
    judged = yaml.safe_load((ROOT / "bench" / "quality" / "entities_devset.yaml").read_text(encoding="utf-8"))
    good = bad = unjudged = 0
    for name, labels in judged.items():
        names, not_names = set(labels["names"]), set(labels["not_names"])
        for entity in analyzer.run(extract(DATA / "corpus" / name, extractor)).entities[:top]:
            if entity.text in names:
                good += 1
            elif entity.text in not_names:
                bad += 1
            else:
                unjudged += 1
    precision = good / (good + bad) if good + bad else 1.0
    print(f"entités (top {top}, moitié A) : précision {precision:.3f} sur {good + bad} jugées, {unjudged} non jugées")
    return {"precision": round(precision, 3), "judged": good + bad, "unjudged": unjudged}


if __name__ == "__main__":
    main()
