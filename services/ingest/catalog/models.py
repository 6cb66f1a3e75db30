"""The catalog's tables: one row per content hash (``documents``), one per file path (``paths``), the
documentalists' corrections in force (``corrections``) and every change made (``edits``)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from schemas.documents import DocState


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_state_updated", "state", "updated_at"),
                      Index("ix_documents_state_doubt", "state", "doubt"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    state: Mapped[str] = mapped_column(String(16), index=True, default=DocState.QUEUED)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    size: Mapped[int] = mapped_column(Integer, default=0)
    format: Mapped[str | None] = mapped_column(String(32), default=None)
    title: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    analysis_key: Mapped[str | None] = mapped_column(String(96), default=None)
    #: the search index holds this document (set when indexed, cleared once it is taken out)
    in_index: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: when a worker started the stage of ``state`` (None: waiting for it); any state change clears it
    claimed_at: Mapped[float | None] = mapped_column(Float, default=None)
    #: how doubtful the tags are (sum of ``schemas.curation.Doubt`` weights; None: not computed yet) and why
    doubt: Mapped[int | None] = mapped_column(Integer, default=None)
    doubt_reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True, default=None)
    created_at: Mapped[float] = mapped_column(Float, default=time.time)
    updated_at: Mapped[float] = mapped_column(Float, default=time.time)


class PathRow(Base):
    __tablename__ = "paths"

    path: Mapped[str] = mapped_column(Text, primary_key=True)
    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    duplicate: Mapped[bool] = mapped_column(default=False)
    size: Mapped[int] = mapped_column(Integer, default=0)
    mtime: Mapped[float] = mapped_column(Float, default=0.0)
    #: the API key name that uploaded this path (None for folder files)
    owner: Mapped[str | None] = mapped_column(String(64), default=None)


class CorrectionRow(Base):
    """One field of one document as a documentalist set or validated it (applied over the automatic tags)."""

    __tablename__ = "corrections"

    doc_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[object] = mapped_column(JSON, nullable=True)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    validated: Mapped[bool] = mapped_column(Boolean, default=False)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float, default=time.time)


class EditRow(Base):
    """The history: who changed which field of which document, when, from what to what."""

    __tablename__ = "edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(String(32), index=True)
    field: Mapped[str] = mapped_column(String(32))
    before: Mapped[object] = mapped_column(JSON, nullable=True)
    after: Mapped[object] = mapped_column(JSON, nullable=True)
    validated: Mapped[bool] = mapped_column(Boolean, default=False)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float, default=time.time)


def doc_id_for(sha256: str) -> str:
    """Document ids are the first 16 hex digits of the content hash (64 bits)."""
    return sha256[:16]


class SubscriptionRow(Base):
    """A saved search of one user (key name), and where and how often to send what is new."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    frequency: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[float] = mapped_column(Float, default=time.time)
    last_sent_at: Mapped[float | None] = mapped_column(Float, default=None)
    #: why the last attempt failed (SMTP down…); cleared by the next digest sent
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class DigestItemRow(Base):
    """A document a subscription's digest has listed: never listed again by it."""

    __tablename__ = "digest_items"

    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sent_at: Mapped[float] = mapped_column(Float, default=time.time)


class FamilyKeyRow(Base):
    """One value of a document's signature: documents sharing enough of them are compared."""

    __tablename__ = "family_keys"

    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class FamilyRow(Base):
    """A document's family (its versions, formats, summaries): the family is named after its first
    document; ``manual``: a documentalist split or merged it, and phare leaves it so."""

    __tablename__ = "families"

    doc_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    relation: Mapped[str] = mapped_column(String(16))
    similarity: Mapped[float] = mapped_column(Float, default=1.0)
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[float] = mapped_column(Float, default=time.time)
