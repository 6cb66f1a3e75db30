"""The analyze stage: entities, themes, postures, horizons and territories of one extraction."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from schemas.documents import Analysis, Entity, Extraction, Page, PostureTag, TerritoryTag, ThemeTag
from schemas.gazetteer import Gazetteer
from schemas.reference import ReferenceData
from workers.analyze.bodies import KnownBodies
from workers.analyze.entities import EntityRecognizer
from workers.analyze.horizons import find_horizons
from workers.analyze.learned import MAX_CHARS, FieldReport, LearnedTags, Signals, learn
from workers.analyze.names import rule_names
from workers.analyze.producers import find_producer
from workers.analyze.reference import ANALYZER_VERSION, analysis_key
from workers.analyze.resemblance import signature
from workers.analyze.taxonomy import ConceptScore, Taxonomy, fold_pages
from workers.analyze.territories import TerritoryTagger, with_scope

_MAX_THEMES = 4
_MAX_SUBTHEMES = 6
_MIN_THEME_SCORE = 1.5
#: a theme beside the main one needs a few mentions: one word in a short note ("votre collectivité",
#: "une population de 50 000 habitants") is not a topic, however dense it makes the page (2 or 3, and a
#: share of 0.25, 0.35 or 0.5 of the main theme's score, chosen on half A of bench/quality.py)
_MIN_THEME_HITS = 3
_THEME_SHARE_OF_TOP = 0.35  # a theme far below the document's main theme is noise, not a topic
_MIN_POSTURE_DENSITY = 0.5  # mentions per thousand words
#: mentions a posture needs outside the headings (more in a long report): 2 or 3, chosen on half A
_MIN_POSTURE_HITS = 3
_STYLED = frozenset({"docx", "odt", "pptx", "odp", "html", "md", "epub", "rtf"})


def addressed_postures(taxonomy: Taxonomy, extraction: Extraction, title: str,
                       scored: list[ConceptScore]) -> list[ConceptScore]:
    """Among the postures ``scored`` on the document, those it addresses, not those a word names in
    passing: in its title or a section title, or argued throughout (several mentions, at a density a
    report gives its subject; a programme's name, "Territoire engagé transition écologique", is one
    mention however repeated in the same sentence)."""
    words = sum(len(p.text.split()) for p in extraction.pages) or 1
    # section titles where the document marked them (styles, tags, Markdown), not short lines guessed on plain text
    headings = [e.text for e in extraction.elements if e.category == "Title"] if extraction.format in _STYLED else []
    in_headings = {c.slug for c in taxonomy.score([Page(page=1, text="\n".join([title, *headings]))])}
    needed = max(_MIN_POSTURE_HITS, min(4, 1 + words // 1500))
    out = []
    for posture in scored:
        density = 1000 * posture.hits / words
        if posture.slug in in_headings or (posture.hits >= needed and density >= _MIN_POSTURE_DENSITY):
            out.append(posture)
    return out


class Analyzer:
    """``warm_up`` loads spaCy, the gazetteer and the taxonomies; ``run`` reloads the latter two when
    their files change, so a running worker follows a documentalist's edit."""

    def __init__(self, entities: EntityRecognizer, reference: ReferenceData | None = None) -> None:
        self.entities = entities
        self.reference = reference or ReferenceData.default()
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self.fingerprint = ""
        self._themes: Taxonomy | None = None
        self._postures: Taxonomy | None = None
        self._territories: TerritoryTagger | None = None
        self._producers: Taxonomy | None = None
        self._bodies: KnownBodies | None = None
        self._learned: LearnedTags | None = None

    def warm_up(self) -> None:
        """Load the NLP model and the reference data."""
        self.entities.warm_up()
        self.refresh()

    def ancestors(self, key: str) -> list[str]:
        """Keys of the territories enclosing ``key`` (level:code), nearest first, from the gazetteer."""
        self.refresh()
        assert self._territories is not None
        return self._territories.gazetteer.ancestors(key)

    def refresh(self) -> None:
        """(Re)load the reference data if its files changed since the last load."""
        stamp = self.reference.stamp()
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            self._themes = Taxonomy.load("themes", self.reference.taxonomy_dir)
            self._postures = Taxonomy.load("postures", self.reference.taxonomy_dir, match_labels=False)
            self._territories = TerritoryTagger(Gazetteer.load(self.reference.gazetteer_dir))
            self._producers = Taxonomy.load("producers", self.reference.taxonomy_dir)
            self._bodies = KnownBodies.load(self.reference.taxonomy_dir)
            self._learned = LearnedTags.load(self.reference.learned) if self.reference.learned else None
            self.fingerprint = self.reference.fingerprint(ANALYZER_VERSION)
            self._stamp = stamp

    def _names(self, extraction: Extraction, territories: list[TerritoryTag]) -> list[Entity]:
        """spaCy's French names (noise cleaned, the curated public bodies merged in), or, for a
        document in another language, the curated bodies, the gazetteer's places and a rule-based
        matcher: fr_core_news_sm on English text finds mostly noise, and no model can be fetched."""
        assert self._bodies is not None
        bodies = self._bodies.run(extraction.pages)
        if extraction.language == "fr":
            return self._bodies.merge(bodies, self.entities.run(extraction.pages))
        return self._bodies.merge(bodies, rule_names(extraction.pages, territories))

    def key(self, sha256: str) -> str:
        """Artifact key of this document's analysis under the current reference data."""
        self.refresh()
        return analysis_key(sha256, self.fingerprint)

    def signals(self, extraction: Extraction) -> dict[str, Signals]:
        """What the rules see in a document, per field (``themes``, ``postures``): the features of
        the learned models, for training them."""
        self.refresh()
        return {name: rules.signals for name, rules in self._rules(extraction).items()}

    def learn(self, examples: dict[str, list[tuple[Signals, set[str]]]], min_documents: int,
              ) -> tuple[LearnedTags, list[FieldReport]]:
        """Models for themes and postures from validated documents (``examples``: each field's
        signals and the labels a documentalist confirmed), each kept only where it beats the rules."""
        self.refresh()
        assert self._themes and self._postures
        out, reports = LearnedTags(), []
        for name, taxonomy, limit in (("themes", self._themes, _MAX_THEMES), ("postures", self._postures, None)):
            model, report = learn(name, examples.get(name, []), [c.slug for c in taxonomy.concepts], limit,
                                  min_documents)
            setattr(out, name, model)
            reports.append(report)
        return out, reports

    def _rules(self, extraction: Extraction, folded: list[str] | None = None) -> dict[str, _Proposal]:
        """``folded``: the pages as ``fold_pages`` gives them (computed here if not given)."""
        assert self._themes and self._postures
        title = extraction.title or ""
        text = "\n".join([title, *(p.text for p in extraction.pages)])
        folded = fold_pages(extraction.pages) if folded is None else folded
        themes = self._themes.score(extraction.pages, title, folded=folded)
        floor = max(_MIN_THEME_SCORE, _THEME_SHARE_OF_TOP * themes[0].score) if themes else 0
        kept = [t for i, t in enumerate(themes) if t.score >= floor and (i == 0 or t.hits >= _MIN_THEME_HITS)
                ][:_MAX_THEMES] or themes[:1]
        postures = self._postures.score(extraction.pages, title, folded=folded)
        return {"themes": _Proposal(themes, kept, text), "postures": _Proposal(
            postures, addressed_postures(self._postures, extraction, title, postures), text)}

    def _decide(self, name: str, proposal: _Proposal, labels: dict[str, str], limit: int | None = None,
                ) -> list[tuple[ConceptScore, float | None]]:
        """The rules' choice, or, once ``phare learn`` trained a model for the field, the combined one."""
        model = getattr(self._learned, name) if self._learned else None
        if model is None:
            return [(c, None) for c in proposal.kept]
        scored = {c.slug: c for c in proposal.scored}
        return [(scored.get(k) or ConceptScore(k, labels.get(k, k), 0.0, 0, []), p)
                for k, p in model.decide(proposal.signals, limit).items()]

    def run(self, extraction: Extraction) -> Analysis:
        self.entities.warm_up()
        self.refresh()
        assert self._themes and self._postures and self._territories
        title = extraction.title or ""
        folded = fold_pages(extraction.pages)  # scored three times and more: folded once
        rules = self._rules(extraction, folded)
        kept = self._decide("themes", rules["themes"], self._themes.labels, _MAX_THEMES)
        subthemes = [s for t, _ in kept
                     for s in self._themes.score(extraction.pages, title, self._themes.children.get(t.slug, []), folded)
                     if s.score >= _MIN_THEME_SCORE][:_MAX_SUBTHEMES]
        postures = self._decide("postures", rules["postures"], self._postures.labels)
        territories = with_scope(self._territories.run(extraction.pages, title), extraction.language)
        return Analysis(
            analyzer_version=ANALYZER_VERSION,
            # fr_core_news_sm on English text finds mostly noise; no English model can be fetched offline
            entities=self._names(extraction, territories),
            themes=[ThemeTag(slug=t.slug, label=t.label, score=t.score, evidence=t.evidence, learned=p)
                    for t, p in [*kept, *((s, None) for s in subthemes)]],
            postures=[PostureTag(slug=c.slug, label=c.label, score=c.score, evidence=c.evidence, learned=p)
                      for c, p in postures],
            horizons=find_horizons(extraction.pages, extraction.year),
            territories=territories,
            producer=find_producer(extraction, self._producers) if self._producers else None,
            resemblance=signature(extraction.pages, extraction.title or ""),
        )


@dataclass(frozen=True)
class _Proposal:
    """One field as the rules see it: every concept scored, those kept, and the document's text."""

    scored: list[ConceptScore]
    kept: list[ConceptScore]
    text: str

    @property
    def signals(self) -> Signals:
        scores = {c.slug: c.score for c in self.scored}
        return Signals(self.text[:MAX_CHARS], scores, frozenset(c.slug for c in self.kept))
