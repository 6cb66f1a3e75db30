"""The analyze stage: entities, themes, postures, horizons and territories of one extraction."""

from __future__ import annotations

from schemas.documents import Analysis, Extraction, PostureTag, ThemeTag
from workers.analyze.entities import EntityRecognizer
from workers.analyze.horizons import find_horizons
from workers.analyze.taxonomy import Taxonomy
from workers.analyze.territories import Gazetteer, TerritoryTagger

ANALYZER_VERSION = 1
_MAX_THEMES = 4
_MIN_THEME_SCORE = 1.5
_MIN_POSTURE_SCORE = 1.0


def analysis_key(sha256: str) -> str:
    """Artifact key of an analysis: content hash and analyzer version (a new version re-analyzes)."""
    return f"{sha256}-a{ANALYZER_VERSION}"


class Analyzer:
    """``warm_up`` loads spaCy, the gazetteer and the taxonomies once; ``run`` is pure after that."""

    def __init__(self, entities: EntityRecognizer) -> None:
        self.entities = entities
        self._themes: Taxonomy | None = None
        self._postures: Taxonomy | None = None
        self._territories: TerritoryTagger | None = None

    def warm_up(self) -> None:
        self.entities.warm_up()
        if self._themes is None:
            self._themes = Taxonomy.load("themes")
            self._postures = Taxonomy.load("postures")
            self._territories = TerritoryTagger(Gazetteer.load())

    @property
    def theme_labels(self) -> dict[str, str]:
        self.warm_up()
        assert self._themes is not None
        return self._themes.labels

    @property
    def gazetteer(self) -> Gazetteer:
        self.warm_up()
        assert self._territories is not None
        return self._territories.gazetteer

    def run(self, extraction: Extraction) -> Analysis:
        self.warm_up()
        assert self._themes and self._postures and self._territories
        title = extraction.title or ""
        themes = self._themes.score(extraction.pages, title)
        kept = [t for t in themes if t.score >= _MIN_THEME_SCORE][:_MAX_THEMES] or themes[:1]
        postures = [p for p in self._postures.score(extraction.pages, title) if p.score >= _MIN_POSTURE_SCORE]
        return Analysis(
            analyzer_version=ANALYZER_VERSION,
            # fr_core_news_sm on English text finds mostly noise; no English model can be fetched offline
            entities=self.entities.run(extraction.pages) if extraction.language == "fr" else [],
            themes=[ThemeTag(slug=t.slug, label=t.label, score=t.score, evidence=t.evidence) for t in kept],
            postures=[PostureTag(slug=p.slug, label=p.label, score=p.score, evidence=p.evidence) for p in postures],
            horizons=find_horizons(extraction.pages, extraction.year),
            territories=self._territories.run(extraction.pages, title),
        )
