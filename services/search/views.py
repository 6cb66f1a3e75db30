"""Exploration views over any search: themes against postures or territories (a matrix that shows
blind spots), and target years against publication years (the horizon timeline).

Each view is a few facet counts: one search for the columns, then one per column with that column's
filter added, counting the rows (the engine's facets alone: no semantic fusion, as in a filter-only
search); every cell links to the search it counts.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from schemas.search import FacetValue, SearchQuery, SearchResult
from services.search.params import href
from services.search.service import SearchService

Axis = Literal["themes", "postures", "territories", "horizons", "years"]
_FILTER = {"themes": "themes", "postures": "postures", "territories": "territories", "horizons": "horizons"}
HORIZONS = range(2025, 2101)  # target years a timeline places


class Cell(BaseModel):
    count: int
    href: str = Field(description="la recherche que cette case compte")


class Matrix(BaseModel):
    """Counts of documents for each row value and column value (same search, both filters added)."""

    rows: list[FacetValue]
    columns: list[FacetValue]
    cells: dict[str, dict[str, Cell]] = Field(description="ligne → colonne → case")
    links: dict[str, str] = Field(default_factory=dict, description="la recherche de chaque ligne et colonne")
    total: int


def _with(query: SearchQuery, axis: Axis, value: str) -> SearchQuery:
    if axis == "years":
        return query.model_copy(update={"year_min": int(value), "year_max": int(value)})
    current = list(getattr(query, _FILTER[axis]))
    return query.model_copy(update={_FILTER[axis]: [*current, int(value) if axis == "horizons" else value]})


def counts(service: SearchService, query: SearchQuery) -> SearchResult:
    """The facet counts of ``query`` by its words and filters alone (no hits, no semantic fusion)."""
    return service.search(query.model_copy(update={"limit": 0, "snippets": False}), semantic=False)


def cross(service: SearchService, query: SearchQuery, rows: Axis, columns: Axis, level: str | None = None,
          max_columns: int = 8, max_rows: int = 30, base: SearchResult | None = None) -> Matrix:
    """``rows`` against ``columns`` over the documents ``query`` finds (territories: of ``level``;
    horizons: target years 2025–2100; themes: top level); ``base``: ``counts(service, query)`` if
    the caller has it already."""
    base = base or counts(service, query)

    def kept(axis: Axis, values: list[FacetValue]) -> list[FacetValue]:
        if axis == "themes":
            return [v for v in values if "/" not in v.value]
        if axis == "territories":
            return [v for v in values if v.value.split(":", 1)[0] == (level or "departement")]
        if axis == "horizons":
            return sorted((v for v in values if int(v.value) in HORIZONS), key=lambda v: int(v.value))
        if axis == "years":
            return sorted(values, key=lambda v: v.value)
        return values

    cols = kept(columns, getattr(base.facets, columns))
    cols = cols[-max_columns:] if columns == "years" else cols[:max_columns]  # years: the most recent
    if columns not in ("horizons", "years"):
        cols = sorted(cols, key=lambda v: -v.count)
    # every row value of the search, even one no column has: a blind spot is a row of zeros
    row_values = sorted(kept(rows, getattr(base.facets, rows)), key=lambda v: -v.count)[:max_rows]
    row_values.sort(key=(lambda v: v.value) if rows in ("horizons", "years") else (lambda v: v.label))
    cells: dict[str, dict[str, Cell]] = {r.value: {} for r in row_values}
    for column in cols:
        in_column = _with(query, columns, column.value)
        in_cells = {v.value: v.count for v in getattr(counts(service, in_column).facets, rows)}
        for row in row_values:
            cells[row.value][column.value] = Cell(count=in_cells.get(row.value, 0),
                                                  href=href("/recherche", _with(in_column, rows, row.value)))
    links = {**{r.value: href("/recherche", _with(query, rows, r.value)) for r in row_values},
             **{c.value: href("/recherche", _with(query, columns, c.value)) for c in cols}}
    return Matrix(rows=row_values, columns=cols, cells=cells, links=links, total=base.total)
