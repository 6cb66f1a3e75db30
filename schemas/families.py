"""Families of documents: the same study as several files (formats, versions, a summary)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: how a member relates to the document it was found alike (``principal``: the family's first document;
#: ``full``: the complete text another member summarises)
Relation = Literal["principal", "same-content", "summary", "full", "version"]
RELATION_LABELS = {"principal": "document principal", "same-content": "même contenu, autre format",
                   "summary": "résumé", "full": "texte complet", "version": "autre version"}


class Membership(BaseModel):
    doc_id: str
    family_id: str
    relation: Relation
    similarity: float = 1.0
    manual: bool = False


class Merge(BaseModel):
    """``POST /api/v1/documents/{id}/family``: put the document in the family of ``with_``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    with_: str = Field(alias="with", pattern=r"^[0-9a-f]{16}$", description="un document de la famille à rejoindre")
    relation: Literal["same-content", "summary", "full", "version"] = "version"
