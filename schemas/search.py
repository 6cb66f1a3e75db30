"""Read models of the search API and CLI (the JSON contract of `phare search --json`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

#: SearchQuery list filters on keyword fields → the index field (both engines); any value matches
KEYWORD_FILTERS = {"themes": "themes", "formats": "format", "languages": "language", "producers": "producer",
                   "postures": "postures", "collections": "collection", "scopes": "scope", "places": "places"}
#: Facets attribute → the index field counted (both engines)
FACET_FIELDS = {"themes": "themes", "territories": "territories", "formats": "format", "years": "year",
                "producers": "producer", "postures": "postures", "horizons": "horizons",
                "collections": "collection", "languages": "language", "scopes": "scope", "places": "places"}
#: the geographic scope of a document (``IndexRecord.scope``): where its subject lies
SCOPES = {"locale": "portée locale", "nationale": "France, portée nationale", "internationale": "portée internationale"}


class SearchQuery(BaseModel):
    text: str = ""
    themes: list[str] = Field(default_factory=list)
    territories: list[str] = Field(default_factory=list)
    formats: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    producers: list[str] = Field(default_factory=list)
    postures: list[str] = Field(default_factory=list)
    collections: list[str] = Field(default_factory=list)
    scopes: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list, description="places cited in passing (level:code)")
    horizons: list[int] = Field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    sort: Literal["relevance", "date", "added"] = "relevance"
    limit: int = Field(default=10, ge=0, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)
    #: documents to leave out whatever the query (deleted, not yet out of the index); set by the read
    #: side from the catalog, never from a URL
    exclude_ids: list[str] = Field(default_factory=list, exclude=True)
    #: only these documents (semantic candidates checked against the filters); None: any
    only_ids: list[str] | None = Field(default=None, exclude=True)
    #: passages with the hits; a ranking that only needs ids (fusion candidates) leaves them out
    snippets: bool = Field(default=True, exclude=True)
    #: one hit per family of documents on a page (the web results); the API lists every document
    group_families: bool = Field(default=False, exclude=True)


class Snippet(BaseModel):
    text: str = Field(description="HTML-escaped passage; hits wrapped in <mark>",
                      examples=["les zones exposées aux <mark>inondations</mark> par débordement"])
    page: int = Field(examples=[12])


class FamilyRef(BaseModel):
    id: str = Field(description="la famille (du nom de son premier document)")
    others: int = Field(description="autres documents de la famille : formats, versions, résumés")


class SearchHit(BaseModel):
    id: str = Field(examples=["3f2a9c0d1b4e5f67"])
    title: str = Field(examples=["Plan de prévention du risque inondation de la Romanche"])
    path: str = Field(examples=["/srv/inbox/risques/ppri-romanche.pdf"])
    score: float
    format: str = Field(default="", examples=["pdf"])
    year: int | None = Field(default=None, examples=[2024])
    added_at: float = Field(default=0.0, description="seconds since the epoch when the document was catalogued")
    snippets: list[Snippet] = Field(default_factory=list)
    family: FamilyRef | None = None


class FacetValue(BaseModel):
    value: str = Field(examples=["epci:200040715"])
    label: str = Field(examples=["Grenoble-Alpes-Métropole (intercommunalité)"])
    count: int = Field(examples=[42])


class Facets(BaseModel):
    themes: list[FacetValue] = Field(default_factory=list)
    territories: list[FacetValue] = Field(default_factory=list)
    formats: list[FacetValue] = Field(default_factory=list)
    years: list[FacetValue] = Field(default_factory=list)
    producers: list[FacetValue] = Field(default_factory=list)
    postures: list[FacetValue] = Field(default_factory=list)
    horizons: list[FacetValue] = Field(default_factory=list)
    collections: list[FacetValue] = Field(default_factory=list)
    languages: list[FacetValue] = Field(default_factory=list)
    scopes: list[FacetValue] = Field(default_factory=list)
    places: list[FacetValue] = Field(default_factory=list)


class SearchResult(BaseModel):
    total: int
    hits: list[SearchHit]
    facets: Facets


class FacetNode(BaseModel):
    """A facet value in its hierarchy (territories: région → département → EPCI → commune)."""

    value: str
    label: str
    count: int
    children: list[FacetNode] = Field(default_factory=list)


class FacetTrees(BaseModel):
    themes: list[FacetNode] = Field(default_factory=list)
    territories: list[FacetNode] = Field(default_factory=list)


SuggestionKind = Literal["title", "theme", "territory"]


class Suggestion(BaseModel):
    """One completion: a document title, a theme or a territory (``value`` is its filter value)."""

    text: str
    kind: SuggestionKind
    value: str = ""
