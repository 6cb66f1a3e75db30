"""Tags learned from the documents documentalists validated, combined with the taxonomy rules.

For each theme (or posture) with enough validated examples, a logistic regression reads the
document's words (TF-IDF) *and* what the rules said (each concept's rule score, and whether the
rules kept it), so it learns when to trust the rules and which words they miss. A label without
enough examples stays with the rules. Most labels are rare, so classes are weighted by their
frequency ("balanced"); the regularisation is chosen by an inner cross-validation on the training
documents only.

Models are kept as JSON (vocabulary, IDF weights, coefficients), never pickled: a model file is
data a worker reads, not code it runs. Prediction needs numpy only; training imports scikit-learn.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field

from schemas.text import fold

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

MIN_POSITIVES = 3  # a label needs this many validated documents with it, and as many without
MAX_WORDS = 30_000  # words read per document: enough to know its subject, bounded cost
MAX_CHARS = 250_000  # text kept per document while training (memory)
_WORD = re.compile(r"[a-z]{3,}")


def terms(text: str) -> list[str]:
    """The words a model reads: folded (no case, no accents), three letters or more, no digits."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class Signals:
    """What the rules saw in one document: its text, every concept's rule score, the concepts kept."""

    text: str
    scores: dict[str, float] = field(default_factory=dict)
    kept: frozenset[str] = frozenset()


class LearnedField(BaseModel):
    """One field's models (``themes`` or ``postures``): one logistic regression per label."""

    field: str
    documents: int = Field(description="validated documents it was trained on")
    labels: list[str]
    rule_labels: list[str] = Field(description="concepts whose rule signals are features")
    vocabulary: dict[str, int]
    idf: list[float]
    coef: list[list[float]]
    intercept: list[float]
    threshold: float = 0.5

    def features(self, signals: Signals) -> np.ndarray:
        """TF-IDF of the words (sublinear tf, L2-normalised, as scikit-learn's ``TfidfVectorizer``)
        followed by two rule signals per concept: kept (0/1) and the score's ``log1p / 3``."""
        counts = Counter(t for t in terms(signals.text)[:MAX_WORDS] if t in self.vocabulary)
        words = np.zeros(len(self.vocabulary))
        for term, n in counts.items():
            words[self.vocabulary[term]] = (1.0 + math.log(n)) * self.idf[self.vocabulary[term]]
        norm = np.linalg.norm(words)
        return np.concatenate([words / norm if norm else words, rule_features(signals, self.rule_labels)])

    def probabilities(self, signals: Signals) -> dict[str, float]:
        logits = np.asarray(self.coef) @ self.features(signals) + np.asarray(self.intercept)
        return {label: float(p) for label, p in zip(self.labels, 1.0 / (1.0 + np.exp(-logits)), strict=True)}

    def decide(self, signals: Signals, limit: int | None = None) -> dict[str, float | None]:
        """The labels in force, most likely first (at most ``limit``): a modelled label when its
        probability reaches the threshold, any other label when the rules kept it (value ``None``:
        the rules' alone, ranked as if at the threshold)."""
        probabilities = self.probabilities(signals)
        chosen: dict[str, float | None] = {k: p for k, p in probabilities.items() if p >= self.threshold}
        chosen.update({k: None for k in signals.kept if k not in probabilities})
        ranked = sorted(chosen.items(), key=lambda kv: -(self.threshold if kv[1] is None else kv[1]))
        return dict(ranked[:limit])


class LearnedTags(BaseModel):
    """What ``phare learn`` writes: the models of each field that had enough examples."""

    themes: LearnedField | None = None
    postures: LearnedField | None = None

    @classmethod
    def load(cls, path: Path) -> LearnedTags | None:
        return cls.model_validate_json(path.read_bytes()) if path.exists() else None

    def save(self, path: Path) -> None:
        """Write atomically (a worker may be reading the previous model)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(), encoding="utf-8")
        tmp.replace(path)


def rule_features(signals: Signals, rule_labels: Sequence[str]) -> np.ndarray:
    kept = [1.0 if k in signals.kept else 0.0 for k in rule_labels]
    scores = [math.log1p(max(0.0, signals.scores.get(k, 0.0))) / 3.0 for k in rule_labels]
    return np.asarray(kept + scores)


def vectorizer_for(documents: int, max_terms: int = 20_000) -> TfidfVectorizer:
    """scikit-learn's TF-IDF as ``fit`` configures it (words joined by spaces, from ``terms``);
    ``LearnedField.features`` computes the same vectors without it."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=str.split, sublinear_tf=True, min_df=2 if documents >= 10 else 1,
                           max_df=0.9, max_features=max_terms)


def fit(name: str, examples: Sequence[tuple[Signals, set[str]]], rule_labels: Sequence[str],
        max_terms: int = 20_000) -> LearnedField | None:
    """Train one model per label that has ``MIN_POSITIVES`` documents with it and without it;
    ``None`` when no label has."""
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold

    labels = sorted(k for k in {k for _, truth in examples for k in truth}
                    if MIN_POSITIVES <= sum(k in t for _, t in examples) <= len(examples) - MIN_POSITIVES)
    if not labels:
        return None
    texts = [" ".join(terms(s.text)[:MAX_WORDS]) for s, _ in examples]
    vectorizer = vectorizer_for(len(examples), max_terms)
    words = vectorizer.fit_transform(texts).toarray()
    rules = np.vstack([rule_features(s, rule_labels) for s, _ in examples])
    x = np.hstack([words, rules])
    coef, intercept = [], []
    for label in labels:
        y = np.asarray([label in truth for _, truth in examples], dtype=int)
        folds = StratifiedKFold(n_splits=min(3, int(y.sum()), int(len(y) - y.sum())), shuffle=True, random_state=0)
        model = LogisticRegressionCV(Cs=[0.1, 1.0, 10.0], cv=folds, scoring="neg_log_loss", max_iter=2000,
                                     l1_ratios=(0.0,), class_weight="balanced", use_legacy_attributes=False)
        model.fit(x, y)
        coef.append([round(float(c), 6) for c in model.coef_[0]])
        intercept.append(round(float(model.intercept_[0]), 6))
    return LearnedField(field=name, documents=len(examples), labels=labels, rule_labels=list(rule_labels),
                        vocabulary={t: int(i) for t, i in vectorizer.vocabulary_.items()},
                        idf=[round(float(v), 6) for v in vectorizer.idf_], coef=coef, intercept=intercept)


@dataclass
class Counts:
    """True and false positives and false negatives of labels, and the micro P/R/F1 they make."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, truth: set[str], predicted: set[str]) -> None:
        self.tp += len(truth & predicted)
        self.fp += len(predicted - truth)
        self.fn += len(truth - predicted)

    def scores(self) -> dict[str, Any]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3),
                "labels": self.tp + self.fn}


def cross_validate(name: str, examples: Sequence[tuple[Signals, set[str]]], rule_labels: Sequence[str],
                   folds: int = 5, limit: int | None = None) -> dict[str, Any]:
    """Rules alone against rules + learned models, each document scored by models that never saw it
    (``folds``-fold, documents dealt in a fixed order): micro P/R/F1 of both."""
    rules, learned = Counts(), Counts()
    for k in range(folds):
        train = [e for i, e in enumerate(examples) if i % folds != k]
        model = fit(name, train, rule_labels)
        for signals, truth in (e for i, e in enumerate(examples) if i % folds == k):
            rules.add(truth, set(signals.kept))
            learned.add(truth, set(model.decide(signals, limit)) if model else set(signals.kept))
    return {"documents": len(examples), "rules": rules.scores(), "learned": learned.scores()}


class FieldReport(BaseModel):
    """What ``phare learn`` found for one field, in the documentalists' words."""

    field: str
    documents: int = Field(description="documents validés ou corrigés pour ce champ")
    labels: list[str] = Field(default_factory=list, description="étiquettes apprises")
    rules: dict[str, Any] = Field(default_factory=dict, description="règles seules, validation croisée")
    learned: dict[str, Any] = Field(default_factory=dict, description="règles + modèle, validation croisée")
    applied: bool = False
    reason: str


def learn(name: str, examples: Sequence[tuple[Signals, set[str]]], rule_labels: Sequence[str],
          limit: int | None, min_documents: int) -> tuple[LearnedField | None, FieldReport]:
    """Train ``name``'s models on every example, and keep them only if, by cross-validation over the
    same examples, rules + models score a better F1 than the rules alone."""
    if len(examples) < min_documents:
        return None, FieldReport(field=name, documents=len(examples), reason=(
            f"pas encore assez de documents validés ({len(examples)} sur {min_documents}) : règles seules"))
    model = fit(name, examples, rule_labels)
    if model is None:
        return None, FieldReport(field=name, documents=len(examples), reason=(
            f"aucune étiquette n'a {MIN_POSITIVES} documents validés avec et {MIN_POSITIVES} sans : règles seules"))
    cv = cross_validate(name, examples, rule_labels, limit=limit)
    applied = cv["learned"]["f1"] > cv["rules"]["f1"]
    reason = ("meilleur que les règles seules en validation croisée : appliqué" if applied else
              "pas meilleur que les règles seules en validation croisée : non appliqué")
    return (model if applied else None), FieldReport(field=name, documents=len(examples), labels=model.labels,
                                                     rules=cv["rules"], learned=cv["learned"], applied=applied,
                                                     reason=reason)
