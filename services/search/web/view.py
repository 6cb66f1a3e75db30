"""What the results page needs beyond the search result: URLs that add or remove one filter, the
active-filter chips, pagination, and query terms highlighted in page text. Pure functions of the query."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from schemas.search import SCOPES, SearchQuery
from schemas.territory_levels import territory_keys
from schemas.text import fold
from services.search.params import LIST_PARAMS, href
from services.search.service import Labels

PER_PAGE = 20
MAX_PAGE = 10_000 // PER_PAGE
_KIND = {"themes": "Thème", "territories": "Territoire", "formats": "Format", "languages": "Langue",
         "producers": "Producteur", "postures": "Posture", "collections": "Collection", "horizons": "Horizon",
         "scopes": "Portée", "places": "Lieu cité"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Chip:
    kind: str
    label: str
    remove_url: str


@dataclass
class ResultsView:
    query: SearchQuery
    labels: Labels
    page: int = 1
    total: int = 0
    path: str = "/recherche"

    def url(self, query: SearchQuery | None = None, page: int = 1) -> str:
        return href(self.path, query or self.query, page)

    def _with(self, **changes: object) -> SearchQuery:
        return self.query.model_copy(update=changes)

    def active(self, attribute: str, value: str | int) -> bool:
        return _typed(attribute, value) in getattr(self.query, attribute)

    def toggle(self, attribute: str, value: str | int) -> str:
        """The URL with ``value`` added to the filter, or removed if already there (back to page 1)."""
        value = _typed(attribute, value)
        values = list(getattr(self.query, attribute))
        values.remove(value) if value in values else values.append(value)
        return self.url(self._with(**{attribute: values}))

    def year(self, year: str | int) -> str:
        """The URL filtering on one publication year, or dropping that filter if it is the one set."""
        year = int(year)
        if self.query.year_min == year and self.query.year_max == year:
            return self.url(self._with(year_min=None, year_max=None))
        return self.url(self._with(year_min=year, year_max=year))

    def sort_url(self, sort: str) -> str:
        return self.url(self._with(sort=sort))

    @property
    def feed_url(self) -> str:
        return href("/api/v1/search.atom", self.query)

    @property
    def explorer_url(self) -> str:
        return href("/explorer", self.query)

    @property
    def veille_url(self) -> str:
        return href("/veille", self.query)

    @property
    def bulk_url(self) -> str:
        """The page that adds or removes tags on every document of this search (key holders)."""
        return href("/recherche/corriger", self.query)

    def label(self, attribute: str, value: str | int) -> str:
        v = str(value)
        if attribute == "themes":
            return self.labels.themes.get(v, v)
        if attribute in ("territories", "places"):
            keys = [k for k in territory_keys(v) if k in self.labels.gazetteer.by_key]
            return " ou ".join(self.labels.territory(k) for k in keys) if keys else v
        if attribute == "scopes":
            return SCOPES.get(v, v)
        if attribute == "postures":
            return self.labels.postures.get(v, v)
        if attribute == "producers":
            return self.labels.producers.get(v, v)
        if attribute == "languages":
            return self.labels.language(v)
        if attribute == "formats":
            return v.upper()
        return v.replace("/", " › ")

    def chips(self) -> list[Chip]:
        out = [Chip(_KIND[a], self.label(a, v), self.toggle(a, v)) for a in LIST_PARAMS for v in getattr(self.query, a)]
        q = self.query
        if q.year_min is not None and q.year_min == q.year_max:
            out.append(Chip("Année", str(q.year_min), self.url(self._with(year_min=None, year_max=None))))
        else:
            if q.year_min is not None:
                out.append(Chip("Année", f"à partir de {q.year_min}", self.url(self._with(year_min=None))))
            if q.year_max is not None:
                out.append(Chip("Année", f"jusqu'à {q.year_max}", self.url(self._with(year_max=None))))
        return out

    @property
    def clear_url(self) -> str:
        return self.url(SearchQuery(text=self.query.text, sort=self.query.sort))

    @property
    def last_page(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // PER_PAGE)))

    def pages(self) -> list[int | None]:
        """Page numbers around the current one, the first and the last; None marks a gap."""
        wanted = {1, self.last_page, *range(self.page - 2, self.page + 3)}
        shown = sorted(p for p in wanted if 1 <= p <= self.last_page)
        out: list[int | None] = []
        for p in shown:
            if out and p - (out[-1] or 0) > 1:
                out.append(None)
            out.append(p)
        return out

    def page_url(self, page: int) -> str:
        return self.url(page=page)


def _typed(attribute: str, value: str | int) -> str | int:
    return int(value) if attribute == "horizons" else str(value)


def acronyms_in(text: str, glossary: dict[str, str]) -> list[tuple[str, str]]:
    """Glossary acronyms written in ``text`` (case kept as in the glossary), each once, in order."""
    by_upper = {k.upper(): k for k in glossary}
    seen: dict[str, str] = {}
    for word in _WORD.findall(text):
        key = by_upper.get(word.upper())
        if key and key not in seen and (word.isupper() or len(word) > 2):
            seen[key] = glossary[key]
    return list(seen.items())


def highlight(text: str, query: str) -> Markup:
    """``text`` HTML-escaped, its words that share a stem with a query word wrapped in ``<mark>``."""
    stems = {fold(w)[:max(4, len(fold(w)) - 2)] for w in _WORD.findall(query) if len(w) >= 3}
    stems.discard("")
    if not stems:
        return Markup(escape(text))
    out, last = [], 0
    for match in _WORD.finditer(text):
        folded = fold(match.group(0))
        if any(folded.startswith(s) for s in stems):
            out += [escape(text[last:match.start()]), Markup("<mark>"), escape(match.group(0)), Markup("</mark>")]
            last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)
