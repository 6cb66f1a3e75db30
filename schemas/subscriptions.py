"""Saved searches and subscriptions ("veille"): a named search of one user (an API key's name),
optionally sent by e-mail as a digest of what is new, daily or weekly."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Frequency = Literal["daily", "weekly"]
PERIODS_S: dict[str, float] = {"daily": 86_400.0, "weekly": 7 * 86_400.0}
_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"adresse électronique invalide : {value!r}")
    return value


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
#: the search parameters as in the URL (``{"q": "crues", "territory": ["departement:38"]}``)
SearchParams = Mapping[str, str | int | list[str] | list[int]]


class SubscriptionRequest(BaseModel):
    """``POST /api/v1/subscriptions``: a search to keep, and, with an address and a frequency, to
    receive by e-mail."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="nom de la recherche")
    params: SearchParams = Field(default_factory=dict, description="paramètres de la recherche, comme dans "
                                 "l'adresse : q, theme, territory, posture, horizon…")
    email: Email | None = Field(default=None, description="adresse où envoyer les nouveautés")
    frequency: Frequency | None = Field(default=None, description="daily (chaque jour) ou weekly (chaque semaine)")


class Rename(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)


class Subscription(BaseModel):
    """A saved search as stored. Its digests list the matching documents added since its creation
    that no earlier digest of it listed."""

    id: int
    owner: str
    name: str
    params: dict[str, list[str]]
    email: str | None = None
    frequency: Frequency | None = None
    created_at: float
    last_sent_at: float | None = None
    last_error: str | None = None

    def due(self, now: float) -> bool:
        """Whether a digest should go out at ``now``: one period after the last (or the creation)."""
        if not self.email or not self.frequency:
            return False
        return now >= (self.last_sent_at or self.created_at) + PERIODS_S[self.frequency]
