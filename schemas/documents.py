"""Shapes of a document as it moves through the pipeline. Data only, no I/O."""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, Field


class DocState(StrEnum):
    """Catalog state of a document. The last five are terminal."""

    QUEUED = "queued"
    EXTRACTING = "extracting"
    ANALYZING = "analyzing"
    INDEXING = "indexing"
    INDEXED = "indexed"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    DELETED = "deleted"  # no file holds this content any more: out of the index, kept for history

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATES


TERMINAL_STATES = frozenset({DocState.INDEXED, DocState.FAILED, DocState.DUPLICATE, DocState.SKIPPED,
                             DocState.DELETED})


class Element(BaseModel):
    """One structural element of the text (unstructured's category: Title, NarrativeText, ListItem...)."""

    category: str
    text: str
    page: int


class Page(BaseModel):
    page: int
    text: str


#: where a title comes from: a documentalist ("curated"), the document's own word for it (the next
#: five), or a guess (the last two)
TitleSource = Literal["curated", "properties", "cover", "html", "markdown", "heading", "first_line", "filename"]
TRUSTED_TITLE_SOURCES = frozenset({"curated", "properties", "cover", "html", "markdown", "heading"})


def title_trusted(source: str | None) -> bool:
    """Whether a title of this source may weigh as a title in ranking (a guessed one weighs as a name)."""
    return source in TRUSTED_TITLE_SOURCES


def file_name_words(path: str) -> str:
    """A file's name read as words ("plan_climat-2030.pdf" → "plan climat 2030"); ``path`` when it has none."""
    return PurePosixPath(path.replace("\\", "/")).stem.replace("_", " ").replace("-", " ").strip() or path


class Extraction(BaseModel):
    """What the extract stage produces; cached as an artifact keyed by the content hash."""

    extractor_version: int
    format: str
    mime_type: str
    title: str | None = None
    title_source: TitleSource | None = None
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    language: str = "fr"
    page_count: int
    pages: list[Page]
    elements: list[Element] = Field(default_factory=list)

    @property
    def shown_title_source(self) -> TitleSource | None:
        """Where the title a reader sees comes from: the extraction's, or the file name when it found none."""
        return self.title_source if self.title else "filename"

    @property
    def char_count(self) -> int:
        return sum(len(p.text) for p in self.pages)


class Evidence(BaseModel):
    text: str
    page: int


class Entity(BaseModel):
    text: str
    label: str
    count: int


class ThemeTag(BaseModel):
    slug: str
    label: str
    score: float
    evidence: list[Evidence] = Field(default_factory=list)
    learned: float | None = Field(default=None, description="probability from the models trained on validated "
                                  "documents (None: the taxonomy rules alone)")


class PostureTag(BaseModel):
    slug: str
    label: str
    score: float
    evidence: list[Evidence] = Field(default_factory=list)
    learned: float | None = Field(default=None, description="probability from the models trained on validated "
                                  "documents (None: the taxonomy rules alone)")


class ProducerTag(BaseModel):
    slug: str
    label: str
    evidence: list[Evidence] = Field(default_factory=list)


class HorizonTag(BaseModel):
    year: int
    evidence: list[Evidence] = Field(default_factory=list)


class TerritoryTag(BaseModel):
    code: str
    level: str  # commune | epci | departement | region | pays
    name: str
    about: bool
    count: int = 1
    ancestors: list[str] = Field(default_factory=list, description="codes of the enclosing territories")
    evidence: list[Evidence] = Field(default_factory=list)


class Resemblance(BaseModel):
    """A document's MinHash signature of word shingles and how many distinct shingles it was made
    from (``workers.analyze.resemblance``): what finds its near-duplicates and versions."""

    minhash: list[int]
    shingles: int
    title: list[str] = Field(default_factory=list, description="the title's folded words (a summary rewords its "
                             "report but keeps its title)")


class Analysis(BaseModel):
    """What the analyze stage produces; cached per content hash and analyzer version."""

    analyzer_version: int
    entities: list[Entity] = Field(default_factory=list)
    themes: list[ThemeTag] = Field(default_factory=list)
    postures: list[PostureTag] = Field(default_factory=list)
    horizons: list[HorizonTag] = Field(default_factory=list)
    territories: list[TerritoryTag] = Field(default_factory=list)
    producer: ProducerTag | None = None
    resemblance: Resemblance | None = None


class IndexRecord(BaseModel):
    """The search document: everything the engine stores for one catalog document."""

    id: str
    title: str
    title_source: TitleSource | None = None
    path: str
    format: str
    language: str
    year: int | None = None
    pages: list[Page]
    headings: list[str] = Field(default_factory=list, description="section titles, as the extraction found them")
    themes: list[str] = Field(default_factory=list, description="theme slugs, parents included")
    territories: list[str] = Field(default_factory=list, description="what the document is about (level:code), "
                                   "ancestors included")
    places: list[str] = Field(default_factory=list, description="places only cited in passing (level:code)")
    scope: str = Field(default="", description="locale | nationale | internationale (schemas.search.SCOPES)")
    postures: list[str] = Field(default_factory=list)
    horizons: list[int] = Field(default_factory=list)
    collection: str = ""
    producer: str = ""
    authors: list[str] = Field(default_factory=list, description="from the file's properties, or a documentalist's")
    summary: str = Field(default="", description="a documentalist's summary (searched with the names)")
    added_at: float = 0.0

    # What each searched field holds; ranking weighs them apart (services/search/ranking.py).
    @property
    def searched_title(self) -> str:
        """The title where the document gives it; "" where phare guessed it."""
        return self.title if self.title_source is None or title_trusted(self.title_source) else ""

    @property
    def searched_names(self) -> list[str]:
        """What the document is called besides a title it gives itself: its file name as words, a title
        phare guessed (a first line, the file name), its authors, a documentalist's summary."""
        names = [file_name_words(self.path)] if self.path else []
        if not self.searched_title and self.title not in names:
            names.append(self.title)
        return [*names, *self.authors, *filter(None, [self.summary])]
