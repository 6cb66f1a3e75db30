"""Request validation errors told in French."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_PARAMETER = {"q": "texte recherché", "limit": "nombre de résultats", "offset": "rang du premier résultat",
              "page": "page", "sort": "tri", "year_min": "année minimale", "year_max": "année maximale",
              "horizon": "horizon", "doc_id": "identifiant du document", "number": "numéro de page",
              "format": "format", "title": "titre", "year": "année", "producer": "producteur",
              "collection": "collection", "themes": "thèmes", "postures": "postures", "horizons": "horizons",
              "territories": "territoires", "validated": "champs validés"}


def _reason(error: dict[str, Any]) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return "obligatoire"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "doit être un nombre entier"
    if kind in ("bool_parsing", "bool_type"):
        return "doit valoir true ou false"
    if kind == "less_than_equal":
        return f"doit être au plus {ctx.get('le')}"
    if kind == "greater_than_equal":
        return f"doit être au moins {ctx.get('ge')}"
    if kind == "string_too_long":
        return f"au plus {ctx.get('max_length')} caractères"
    if kind == "string_pattern_mismatch":
        return "forme invalide"
    if kind == "extra_forbidden":
        return "champ inconnu"
    if kind == "too_long":
        return f"au plus {ctx.get('max_length')} valeurs"
    if kind == "string_too_short":
        return "ne peut être vide"
    if kind == "value_error":
        return str(ctx.get("error", "valeur invalide"))
    if kind == "literal_error":
        return f"valeurs possibles : {ctx.get('expected', '')}".replace(" or ", " ou ")
    return "valeur invalide"


def french_validation_message(errors: Sequence[Any]) -> str:
    """« paramètre invalide : nombre de résultats (doit être au plus 100) », one clause per error."""
    parts = []
    for error in errors:
        loc = [str(x) for x in error.get("loc", ()) if x not in ("query", "path", "body")]
        name = _PARAMETER.get(loc[0], loc[0]) if loc else "requête"
        parts.append(f"{name} ({_reason(error)})")
    return "paramètre invalide : " + "; ".join(parts)
