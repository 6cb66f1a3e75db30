"""Tags learned from validated documents: the models' features are scikit-learn's TF-IDF, a word the
rules miss is learned, models are kept only where they beat the rules, and the analyzer uses them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from schemas.documents import Extraction, Page
from schemas.reference import ReferenceData
from workers.analyze.analyzer import Analyzer
from workers.analyze.entities import EntityRecognizer
from workers.analyze.learned import LearnedTags, Signals, fit, learn, terms, vectorizer_for

RULES = ["eau", "mobilites", "energie"]
FILLER = ["réunion du conseil", "compte rendu de séance", "délibération adoptée", "ordre du jour",
          "rapport annuel", "budget primitif"]


def examples(n: int = 12) -> list[tuple[Signals, set[str]]]:
    """Half the documents speak of the "kermesse" and documentalists file them under ``mobilites``,
    a theme the rules never proposed for them; all are about water, which the rules see."""
    out = []
    for i in range(n):
        festive = i % 2 == 0
        text = (f"{FILLER[i % len(FILLER)]} sur la gestion de l'eau potable. "
                + ("La kermesse du quartier et ses navettes gratuites. " if festive else "Les captages et réseaux. "))
        out.append((Signals(text, {"eau": 4.0}, frozenset({"eau"})), {"eau", "mobilites"} if festive else {"eau"}))
    return out


def test_features_are_scikit_learns_tfidf_then_the_rule_signals() -> None:
    data = examples()
    model = fit("themes", data, RULES)
    assert model is not None
    reference = vectorizer_for(len(data))
    reference.fit([" ".join(terms(s.text)) for s, _ in data])
    assert model.vocabulary == {t: int(i) for t, i in reference.vocabulary_.items()}
    signals = data[0][0]
    expected = reference.transform([" ".join(terms(signals.text))]).toarray()[0]
    features = model.features(signals)
    assert np.allclose(features[:len(expected)], expected, atol=1e-5)
    assert list(features[len(expected):]) == pytest.approx([1.0, 0.0, 0.0, np.log1p(4.0) / 3, 0.0, 0.0])


def test_a_label_the_rules_miss_is_learned_and_others_stay_with_the_rules() -> None:
    model = fit("themes", examples(), RULES)
    assert model is not None and model.labels == ["mobilites"]  # "eau": never absent, nothing to learn
    festive = Signals("Compte rendu : la kermesse et ses navettes, l'eau potable.", {"eau": 3.0}, frozenset({"eau"}))
    plain = Signals("Compte rendu : les captages et l'eau potable.", {"eau": 3.0}, frozenset({"eau"}))
    assert set(model.decide(festive)) == {"eau", "mobilites"} and model.decide(festive)["eau"] is None
    assert set(model.decide(plain)) == {"eau"}
    assert list(model.decide(festive, limit=1)) == ["mobilites"]  # the model's sure label ranks first


def test_models_are_kept_only_where_cross_validation_shows_a_gain(tmp_path: Path) -> None:
    model, report = learn("themes", examples(), RULES, limit=4, min_documents=20)
    assert model is None and not report.applied and "pas encore assez" in report.reason
    model, report = learn("themes", examples(), RULES, limit=4, min_documents=10)
    assert model is not None and report.applied and report.learned["f1"] > report.rules["f1"]
    agreeing = [(Signals(s.text, s.scores, frozenset(truth)), truth) for s, truth in examples()]
    model, report = learn("themes", agreeing, RULES, limit=4, min_documents=10)  # the rules are already right
    assert model is None and not report.applied and report.rules["f1"] == 1.0

    saved = LearnedTags(themes=fit("themes", examples(), RULES))
    saved.save(tmp_path / "tags.json")
    loaded = LearnedTags.load(tmp_path / "tags.json")
    assert loaded is not None and loaded.themes is not None and saved.themes is not None
    signals = examples()[0][0]
    assert loaded.themes.probabilities(signals) == pytest.approx(saved.themes.probabilities(signals))


def note(text: str) -> Extraction:
    return Extraction(extractor_version=1, mime_type="text/plain", format="txt", page_count=1,
                      pages=[Page(page=1, text=text)], language="fr")


def test_the_analyzer_follows_a_new_model(tmp_path: Path) -> None:
    path = tmp_path / "learned" / "tags.json"
    analyzer = Analyzer(EntityRecognizer(), ReferenceData.default(learned=path))
    text = "Compte rendu : la kermesse du quartier et ses navettes gratuites, l'eau potable et les captages."
    extraction = note(text)
    before, key = analyzer.run(extraction), analyzer.key("0" * 64)
    assert "mobilites" not in {t.slug for t in before.themes}

    data = [(analyzer.signals(note(s.text))["themes"], truth) for s, truth in examples()]
    learned, reports = analyzer.learn({"themes": data}, min_documents=10)
    assert [r.applied for r in reports] == [True, False]  # postures: no validated document
    learned.save(path)
    assert analyzer.key("0" * 64) != key  # every analysis is stale: `phare reindex` redoes them
    after = {t.slug: t for t in analyzer.run(extraction).themes}
    assert "mobilites" in after and after["mobilites"].learned is not None and after["mobilites"].learned >= 0.5
