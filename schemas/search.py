"""Read models of the search API and CLI (the JSON contract of `phare search --json`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SearchQuery(BaseModel):
    text: str = ""
    themes: list[str] = Field(default_factory=list)
    territories: list[str] = Field(default_factory=list)
    formats: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    producers: list[str] = Field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    sort: Literal["relevance", "date"] = "relevance"
    limit: int = Field(default=10, ge=0, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)


class Snippet(BaseModel):
    text: str = Field(description="HTML-escaped passage; hits wrapped in <mark>")
    page: int


class SearchHit(BaseModel):
    id: str
    title: str
    path: str
    score: float
    format: str = ""
    year: int | None = None
    snippets: list[Snippet] = Field(default_factory=list)


class FacetValue(BaseModel):
    value: str
    label: str
    count: int


class Facets(BaseModel):
    themes: list[FacetValue] = Field(default_factory=list)
    territories: list[FacetValue] = Field(default_factory=list)
    formats: list[FacetValue] = Field(default_factory=list)
    years: list[FacetValue] = Field(default_factory=list)
    producers: list[FacetValue] = Field(default_factory=list)


class SearchResult(BaseModel):
    total: int
    hits: list[SearchHit]
    facets: Facets


class Suggestion(BaseModel):
    """One completion: a document title, a theme or a territory (``value`` is its filter value)."""

    text: str
    kind: Literal["title", "theme", "territory"]
    value: str = ""
