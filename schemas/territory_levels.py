"""Territory levels: one owner for their order, their French names and the ``level:code`` keys.

Keys are ``level:code`` everywhere (index, filters, facets): codes collide across levels (région 84
Auvergne-Rhône-Alpes, département 84 Vaucluse), so a bare code is only ever a shorthand a person
types, matched at every level (``territory_keys``).
"""

from __future__ import annotations

from enum import StrEnum


class TerritoryLevel(StrEnum):
    MONDE = "monde"  # the scope of a document about no French place
    PAYS = "pays"
    REGION = "region"
    DEPARTEMENT = "departement"
    EPCI = "epci"
    COMMUNE = "commune"

    @property
    def rank(self) -> int:
        """Larger areas first: international, France, région … commune."""
        return list(TerritoryLevel).index(self) - 1

    @property
    def label(self) -> str:
        """The level in French, as a heading ("Département")."""
        return _LABELS[self]

    @property
    def noun(self) -> str:
        """The level in French, after a name ("Isère (département)")."""
        return _LABELS[self].lower() if self is not TerritoryLevel.MONDE else "hors de France"


_LABELS = {TerritoryLevel.MONDE: "Hors de France", TerritoryLevel.PAYS: "Pays", TerritoryLevel.REGION: "Région",
           TerritoryLevel.DEPARTEMENT: "Département", TerritoryLevel.EPCI: "Intercommunalité",
           TerritoryLevel.COMMUNE: "Commune"}


def level_of(key: str) -> TerritoryLevel | None:
    """The level of a ``level:code`` key, or None for a bare code or an unknown level."""
    level, sep, _ = key.partition(":")
    try:
        return TerritoryLevel(level) if sep else None
    except ValueError:
        return None


def territory_keys(value: str) -> list[str]:
    """Index keys a territory filter matches: ``departement:84`` as is; a bare ``84`` at every level."""
    if ":" in value:
        return [value]
    return [f"{level}:{value}" for level in TerritoryLevel]
