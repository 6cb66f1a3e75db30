"""User query clean-up shared by the engine adapters."""

from __future__ import annotations

import re

MAX_QUERY_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LEVELS = ("commune", "epci", "departement", "region", "pays")


def clean_user_query(text: str) -> str:
    """Strip control characters and bound the length; the engines' lenient parsers do the rest."""
    text = _CONTROL.sub(" ", text or "")[:MAX_QUERY_CHARS]
    return text.replace("’", "'").strip()


def territory_terms(value: str) -> list[str]:
    """Index terms a territory filter matches: ``departement:38`` as is; a bare ``38`` at any level."""
    if ":" in value:
        return [value]
    return [f"{level}:{value}" for level in _LEVELS]
