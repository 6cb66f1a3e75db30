"""HTTP query parameters of a search, shared by the JSON API, the Atom feed and the web pages.

The names are the URL's (singular, repeatable: ``?theme=eau&theme=climat``); ``to_params`` writes a
``SearchQuery`` back to them, so a page's URL always holds its whole state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Query

from schemas.search import SearchQuery

#: SearchQuery list attribute → URL parameter
LIST_PARAMS = {"themes": "theme", "territories": "territory", "formats": "format", "languages": "language",
               "producers": "producer", "postures": "posture", "collections": "collection", "horizons": "horizon",
               "scopes": "scope", "places": "place"}
_MAX_VALUES = 20

_POSTURE = "Posture : `attenuation`, `adaptation`, `transition`, `resilience`"
_TERRITORY = "Territoire : code INSEE/SIREN ou `niveau:code` (ex. `38185`, `epci:200040715`, `departement:38`)"


def _values(description: str) -> Any:  # noqa: ANN401 - a FastAPI parameter declaration
    return Query(max_length=_MAX_VALUES, description=f"{description} ; répétable, au plus {_MAX_VALUES}")


def search_query(
    q: Annotated[str, Query(max_length=1000, examples=["risques d'inondation"],
                            description='Texte recherché : mots, "expression exacte", -exclusion, OR, préfixe*')] = "",
    theme: Annotated[list[str], _values("Thème (ex. `eau`, `risques-naturels/inondations`)")] = [],  # noqa: B006
    territory: Annotated[list[str], _values(_TERRITORY)] = [],  # noqa: B006
    format: Annotated[list[str], _values("Format (ex. `pdf`, `docx`)")] = [],  # noqa: B006, A002
    language: Annotated[list[str], _values("Langue (`fr`, `en`, `other`)")] = [],  # noqa: B006
    producer: Annotated[list[str], _values("Organisme producteur (identifiant)")] = [],  # noqa: B006
    posture: Annotated[list[str], _values(_POSTURE)] = [],  # noqa: B006
    collection: Annotated[list[str], _values("Sous-dossier du dossier surveillé")] = [],  # noqa: B006
    horizon: Annotated[list[int], _values("Horizon visé (année, ex. 2050)")] = [],  # noqa: B006
    scope: Annotated[list[str], _values("Portée : `locale`, `nationale`, `internationale`")] = [],  # noqa: B006
    place: Annotated[list[str], _values("Lieu cité en passant (`niveau:code`)")] = [],  # noqa: B006
    year_min: Annotated[int | None, Query(ge=0, le=9999, description="Année de publication minimale")] = None,
    year_max: Annotated[int | None, Query(ge=0, le=9999, description="Année de publication maximale")] = None,
    sort: Annotated[Literal["relevance", "date", "added"],
                    Query(description="`relevance` (pertinence), `date` (publication, récents d'abord) ou "
                                      "`added` (derniers ajouts)")] = "relevance",
) -> SearchQuery:
    lists = {"themes": theme, "territories": territory, "formats": format, "languages": language,
             "producers": producer, "postures": posture, "collections": collection, "scopes": scope,
             "places": place}
    return SearchQuery(text=q, **lists, horizons=[h for h in horizon if 0 <= h <= 9999],
                       year_min=year_min, year_max=year_max, sort=sort)


def to_params(query: SearchQuery, page: int = 1) -> list[tuple[str, str]]:
    """The URL parameters that ``search_query`` reads back into ``query`` (plus the page number)."""
    out = [("q", query.text)] if query.text else []
    for attribute, name in LIST_PARAMS.items():
        out += [(name, str(v)) for v in getattr(query, attribute)]
    out += [(name, str(v)) for name, v in (("year_min", query.year_min), ("year_max", query.year_max))
            if v is not None]
    if query.sort != "relevance":
        out.append(("sort", query.sort))
    if page > 1:
        out.append(("page", str(page)))
    return out


def href(path: str, query: SearchQuery, page: int = 1) -> str:
    params = to_params(query, page)
    return f"{path}?{urlencode(params)}" if params else path


def query_from_params(params: Mapping[str, object]) -> SearchQuery:
    """A search from its URL parameters given as a mapping (a saved search's ``params``: a value or a
    list of values per name); an unknown name is refused, in French."""
    names = {"q", "year_min", "year_max", "sort", *LIST_PARAMS.values()}
    unknown = sorted(set(params) - names)
    if unknown:
        raise ValueError(f"paramètre(s) de recherche inconnu(s) : {', '.join(unknown)}")
    given: dict[str, Any] = {}
    for name, value in params.items():
        values = value if isinstance(value, list) else [value]
        given[name] = values if name in LIST_PARAMS.values() else values[0] if values else None
    given["horizon"] = [int(h) for h in given.get("horizon", [])]
    return search_query(**given)


def params_of(query: SearchQuery) -> dict[str, list[str]]:
    """``query``'s URL parameters as a mapping of lists (how saved searches keep them)."""
    out: dict[str, list[str]] = {}
    for name, value in to_params(query):
        out.setdefault(name, []).append(value)
    return out
