"""The correction form of a document page: from the values in force to the form's fields, and from
a submitted form to a ``DocumentEdit`` naming only what the documentalist changed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from schemas.curation import CURATED_FIELDS, BulkEdit, DocumentEdit, TagSet
from schemas.gazetteer import Gazetteer
from schemas.search import SearchQuery
from schemas.text import fold
from services.curation import CurationError

_LIST_FIELDS = ("authors", "themes", "postures", "horizons", "territories")
_SEPARATORS = re.compile(r"[,;\n]+")


def territory_keys(text: str, gazetteer: Gazetteer) -> list[str]:
    """Territories as typed: ``niveau:code`` keys or names ("Savoie", "Grenoble-Alpes Métropole"),
    one per line or separated by commas; a name the gazetteer does not know is refused, named."""
    keys, unknown = [], []
    for part in (p.strip() for p in _SEPARATORS.split(text)):
        if not part:
            continue
        if part in gazetteer.by_key:
            keys.append(part)
        elif found := gazetteer.by_name.get(fold(part)):
            keys.append(found[0].key)
        else:
            unknown.append(part)
    if unknown:
        raise CurationError(f"territoire(s) introuvable(s) dans le référentiel : {', '.join(unknown)}")
    return list(dict.fromkeys(keys))


def submitted_edit(form: Mapping[str, Any], getlist: Any, in_force: Mapping[str, Mapping[str, Any]],  # noqa: ANN401
                   gazetteer: Gazetteer) -> DocumentEdit:
    """The fields whose submitted value differs from the one in force, and the fields ticked as
    validated (``getlist``: the form's multi-value accessor)."""
    submitted: dict[str, Any] = {
        "title": str(form.get("title", "")).strip() or None,
        "year": int(y) if (y := str(form.get("year", "")).strip()).isdigit() else None,
        "producer": str(form.get("producer", "")) or None,
        "authors": list(dict.fromkeys(a.strip() for a in str(form.get("authors", "")).splitlines() if a.strip())),
        "summary": str(form.get("summary", "")).strip() or None,
        "collection": str(form.get("collection", "")).strip(),
        "themes": sorted(getlist("themes")),
        "postures": sorted(getlist("postures")),
        "horizons": sorted({int(h) for h in re.findall(r"\d{4}", str(form.get("horizons", "")))}),
        "territories": territory_keys(str(form.get("territories", "")), gazetteer),
    }
    changed: dict[str, Any] = {}
    for name in CURATED_FIELDS:
        now = in_force[name]["value"]
        value = submitted[name]
        same = sorted(now or []) == sorted(value) if name in _LIST_FIELDS else (now or None) == (value or None)
        if not same:
            changed[name] = value
    return DocumentEdit.model_validate({**changed, "validated": [v for v in getlist("validated")
                                                                  if v in CURATED_FIELDS]})


def submitted_bulk(form: Mapping[str, Any], getlist: Any, query: SearchQuery,  # noqa: ANN401
                   gazetteer: Gazetteer) -> BulkEdit:
    """A bulk edit of every document ``query`` selects, from the results page's form."""
    def tags(prefix: str) -> dict[str, Any]:
        return {"themes": getlist(f"{prefix}_themes"), "postures": getlist(f"{prefix}_postures"),
                "territories": territory_keys(str(form.get(f"{prefix}_territories", "")), gazetteer)}
    return BulkEdit(query=query, add=TagSet.model_validate(tags("add")), remove=TagSet.model_validate(tags("remove")),
                    confirm=form.get("confirm") == "1")
