"""Corrections made by documentalists: what may be corrected, how a request says it, and how the
values in force are made from the automatic ones (pure; used by the index stage and the read side).

A correction replaces a field's whole value ("themes": the full new list); a field may also be
marked validated, with or without a new value (the automatic value is then the one validated).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from schemas.documents import Analysis, IndexRecord, title_trusted
from schemas.search import SearchQuery

CuratedField = Literal["title", "year", "producer", "authors", "summary", "collection", "themes", "postures",
                       "horizons", "territories"]
CURATED_FIELDS: tuple[str, ...] = CuratedField.__args__  # type: ignore[attr-defined]
_TERRITORY_KEY = re.compile(r"^[a-z]+:[0-9A-Za-z]{1,12}$")
_SLUG = re.compile(r"^[a-z0-9-]+(/[a-z0-9-]+)?$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"identifiant invalide : {value!r}")
    return value


def _territory_key(value: str) -> str:
    if not _TERRITORY_KEY.match(value):
        raise ValueError(f"territoire invalide : {value!r} (attendu « niveau:code », ex. departement:38)")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
TerritoryKey = Annotated[str, AfterValidator(_territory_key)]
Horizon = Annotated[int, Field(ge=1900, le=2200)]
DocumentId = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
Author = Annotated[str, Field(min_length=1, max_length=200)]


class DocumentEdit(BaseModel):
    """A ``PATCH`` body: each field named gets its full new value; ``validated`` lists the fields a
    documentalist confirms (their value, new or automatic, is then the catalogue's)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=500)
    year: int | None = Field(default=None, ge=1800, le=2200)
    producer: str | None = Field(default=None, max_length=100)
    authors: list[Author] | None = Field(default=None, max_length=50, description="personnes ou organismes")
    summary: str | None = Field(default=None, max_length=5000, description="résumé")
    collection: str | None = Field(default=None, max_length=300)
    themes: list[Slug] | None = Field(default=None, max_length=50, description="slugs, sous-thèmes « parent/enfant »")
    postures: list[Slug] | None = Field(default=None, max_length=10)
    horizons: list[Horizon] | None = Field(default=None, max_length=20)
    territories: list[TerritoryKey] | None = Field(default=None, max_length=50,
                                                   description="« niveau:code », ex. departement:38")
    validated: list[CuratedField] = Field(default_factory=list, description="champs validés")

    def changes(self) -> dict[str, Any]:
        """The fields this edit sets, with their new values (``None`` clears year, producer…)."""
        return {name: getattr(self, name) for name in CURATED_FIELDS if name in self.model_fields_set}


class TagSet(BaseModel):
    """Tags to add to, or remove from, many documents at once."""

    model_config = ConfigDict(extra="forbid")

    themes: list[Slug] = Field(default_factory=list, max_length=50)
    postures: list[Slug] = Field(default_factory=list, max_length=10)
    horizons: list[Horizon] = Field(default_factory=list, max_length=20)
    territories: list[TerritoryKey] = Field(default_factory=list, max_length=50)

    def fields(self) -> dict[str, list[Any]]:
        return {name: list(getattr(self, name)) for name in ("themes", "postures", "horizons", "territories")
                if getattr(self, name)}


class BulkEdit(BaseModel):
    """Add or remove tags on the documents named (``ids``) or on every document a search finds
    (``query``: its words and filters). Without ``confirm``, nothing is changed: the answer says how
    many documents would be."""

    model_config = ConfigDict(extra="forbid")

    ids: list[DocumentId] | None = Field(default=None, max_length=10_000)
    query: SearchQuery | None = None
    add: TagSet = Field(default_factory=TagSet)
    remove: TagSet = Field(default_factory=TagSet)
    confirm: bool = False

    def new_values(self, current: Mapping[str, Any]) -> dict[str, Any]:
        """The fields this edit changes on a document whose values in force are ``current``."""
        add, remove = self.add.fields(), self.remove.fields()
        out: dict[str, Any] = {}
        for name in sorted(set(add) | set(remove)):
            before = list(current.get(name) or [])
            after = [v for v in before if v not in remove.get(name, [])]
            after += [v for v in add.get(name, []) if v not in after]
            if after != before:
                out[name] = after
        return out


class FieldCuration(BaseModel):
    """One field's correction as stored: its value (``None``: the automatic one stands) and whether
    a documentalist validated it."""

    value: Any = None
    corrected: bool = False
    validated: bool = False
    by: str = ""
    at: float = 0.0


class Change(BaseModel):
    """One line of a document's history."""

    field: str
    before: Any = None
    after: Any = None
    validated: bool = False
    by: str
    at: float


def values_of(record: IndexRecord, ancestors: Callable[[str], list[str]]) -> dict[str, Any]:
    """The curated fields of an index record as a documentalist reads them: territories without the
    ancestors the index adds for the facet tree, themes without the parent a sub-theme brings."""
    implied = {a for k in record.territories for a in ancestors(k)}
    themes = [t for t in record.themes if not any(o.startswith(t + "/") for o in record.themes)]
    return {"title": record.title, "year": record.year, "producer": record.producer or None,
            "authors": list(record.authors), "summary": record.summary or None,
            "collection": record.collection, "themes": themes, "postures": list(record.postures),
            "horizons": list(record.horizons), "territories": [k for k in record.territories if k not in implied]}


def in_force(record: IndexRecord | None, corrections: Mapping[str, FieldCuration],
             ancestors: Callable[[str], list[str]]) -> dict[str, dict[str, Any]]:
    """Each curated field: its value in force (the correction, else what the index holds), whether a
    documentalist corrected or validated it, who and when."""
    values = values_of(record, ancestors) if record is not None else {}
    out: dict[str, dict[str, Any]] = {}
    for name in CURATED_FIELDS:
        c = corrections.get(name)
        out[name] = {"value": c.value if c is not None and c.corrected else values.get(name),
                     "corrected": bool(c and c.corrected), "validated": bool(c and c.validated),
                     "by": c.by if c else None, "at": c.at if c else None}
    return out


def apply_corrections(record: IndexRecord, corrections: Mapping[str, FieldCuration],
                      ancestors: Callable[[str], list[str]]) -> IndexRecord:
    """``record`` with the corrected fields in force: sub-themes bring their parent theme, territories
    their ancestors (gazetteer), and the scope follows the corrected territories."""
    update: dict[str, Any] = {}
    for name, c in corrections.items():
        if not c.corrected or name not in CURATED_FIELDS:
            continue
        value = c.value
        if name == "title":
            update.update(title=value or record.title, title_source="curated")
        elif name == "themes":
            themes = list(value or [])
            update["themes"] = sorted({*themes, *(t.split("/")[0] for t in themes)})
        elif name == "territories":
            keys = list(value or [])
            update["territories"] = sorted({*keys, *(a for k in keys for a in ancestors(k))})
            update["scope"] = scope_of_keys(keys)
        elif name == "producer":
            update["producer"] = value or ""
        elif name in ("collection", "summary"):
            update[name] = value or ""
        elif name == "authors":
            update["authors"] = list(value or [])
        else:
            update[name] = value
    return record.model_copy(update=update)


def scope_of_keys(keys: list[str]) -> str:
    """``locale``, ``nationale`` or ``internationale`` from the levels of the places a document is about."""
    levels = {k.split(":", 1)[0] for k in keys}
    if levels - {"pays", "monde"}:
        return "locale"
    return "nationale" if "pays" in levels else "internationale" if "monde" in levels else ""


class Doubt(BaseModel):
    """Why a document's tags deserve a documentalist's look (``weight``: how much)."""

    field: CuratedField
    reason: str
    weight: int


def doubt_columns(found: list[Doubt]) -> dict[str, Any]:
    """How a document's doubts are kept in its catalog row (``doubt``, ``doubt_reasons``)."""
    return {"doubt": sum(d.weight for d in found), "doubt_reasons": [d.model_dump() for d in found]}


def doubts(analysis: Analysis, title_source: str | None, curated: Mapping[str, FieldCuration]) -> list[Doubt]:
    """What is uncertain in phare's proposal for one document: no or tied themes, no or tied places,
    a posture resting on one passage, a guessed title; a field a documentalist corrected or
    validated is settled."""
    found: list[Doubt] = []
    top = sorted((t.score for t in analysis.themes if "/" not in t.slug), reverse=True)
    if not top:
        found.append(Doubt(field="themes", reason="aucun thème reconnu", weight=3))
    elif len(top) > 1 and top[1] >= 0.9 * top[0]:
        found.append(Doubt(field="themes", reason="thèmes principaux à égalité", weight=1))
    about = [t for t in analysis.territories if t.about]
    if not about:
        found.append(Doubt(field="territories", reason="aucun territoire reconnu", weight=2))
    elif all(t.level in ("pays", "monde") for t in analysis.territories):
        found.append(Doubt(field="territories", reason="aucun lieu cité : portée nationale supposée", weight=2))
    else:
        best = max(t.count for t in about)
        if sum(1 for t in about if t.count == best) > 1 and len(about) > 1:
            found.append(Doubt(field="territories", reason="plusieurs territoires à égalité", weight=1))
    if any(len(p.evidence) <= 1 for p in analysis.postures):
        found.append(Doubt(field="postures", reason="posture appuyée sur un seul passage", weight=1))
    if not title_trusted(title_source):
        found.append(Doubt(field="title", reason="titre deviné (première ligne ou nom du fichier)", weight=1))
    settled = {name for name, c in curated.items() if c.corrected or c.validated}
    return [d for d in found if d.field not in settled]
