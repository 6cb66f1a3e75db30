"""Families in the catalog's database: the values of the documents' signatures as keys, and memberships."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import delete, func, select

from schemas.documents import DocState
from schemas.families import Membership
from services.ingest.catalog.models import DocumentRow, FamilyKeyRow, FamilyRow
from services.ingest.catalog.repository import Catalog


def _by_hand(row: FamilyRow, family_id: str, relation: str) -> FamilyRow:
    """``row`` placed by a documentalist: phare's indexing leaves it there."""
    row.family_id, row.relation, row.similarity, row.manual, row.at = family_id, relation, 1.0, True, time.time()
    return row


class FamilyStore:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def add_keys(self, doc_id: str, keys: Sequence[str]) -> None:
        with self.catalog.transaction() as s:
            s.execute(delete(FamilyKeyRow).where(FamilyKeyRow.doc_id == doc_id))
            s.add_all(FamilyKeyRow(key=k, doc_id=doc_id) for k in set(keys))

    def candidates(self, keys: Sequence[str], other_than: str, min_shared: int, limit: int = 50) -> list[str]:
        """Documents sharing at least ``min_shared`` of ``keys``, those sharing most first."""
        K = FamilyKeyRow
        shared = func.count().label("shared")
        with self.catalog.transaction() as s:
            rows = s.execute(select(K.doc_id, shared).where(K.key.in_(list(keys)), K.doc_id != other_than)
                             .group_by(K.doc_id).having(func.count() >= min_shared)
                             .order_by(shared.desc(), K.doc_id).limit(limit))
            return [doc_id for doc_id, _ in rows]

    def membership(self, doc_id: str) -> Membership | None:
        with self.catalog.transaction() as s:
            row = s.get(FamilyRow, doc_id)
            return Membership.model_validate(row, from_attributes=True) if row is not None else None

    def join(self, membership: Membership) -> None:
        with self.catalog.transaction() as s:
            row = s.get(FamilyRow, membership.doc_id)
            if row is None:
                s.add(FamilyRow(**membership.model_dump(), at=time.time()))
            else:
                for key, value in membership.model_dump().items():
                    setattr(row, key, value)
                row.at = time.time()

    def of(self, doc_ids: Sequence[str]) -> dict[str, tuple[str, int]]:
        """For each of ``doc_ids`` in a family: the family, and how many other live documents it has."""
        F, D = FamilyRow, DocumentRow
        with self.catalog.transaction() as s:
            families = dict(s.execute(select(F.doc_id, F.family_id).where(F.doc_id.in_(list(doc_ids)))).all())
            if not families:
                return {}
            sizes = dict(s.execute(select(F.family_id, func.count()).join(D, D.id == F.doc_id)
                                   .where(F.family_id.in_(set(families.values())), D.state != DocState.DELETED.value)
                                   .group_by(F.family_id)).all())
        return {d: (f, sizes.get(f, 1) - 1) for d, f in families.items() if sizes.get(f, 1) > 1}

    def members(self, family_id: str) -> list[Membership]:
        with self.catalog.transaction() as s:
            rows = s.scalars(select(FamilyRow).where(FamilyRow.family_id == family_id).order_by(FamilyRow.at))
            return [Membership.model_validate(r, from_attributes=True) for r in rows]

    def split(self, doc_id: str) -> None:
        """Take ``doc_id`` out of its family, for good (a documentalist's decision); if it was the
        family's first document, the next one takes its place."""
        with self.catalog.transaction() as s:
            row = s.get(FamilyRow, doc_id)
            if row is None:
                s.add(_by_hand(FamilyRow(doc_id=doc_id), doc_id, "principal"))
                return
            others = list(s.scalars(select(FamilyRow).where(FamilyRow.family_id == row.family_id,
                                                            FamilyRow.doc_id != doc_id).order_by(FamilyRow.at)))
            if row.family_id == doc_id and others:
                for other in others:
                    other.family_id = others[0].doc_id
                others[0].relation = "principal"
            _by_hand(row, doc_id, "principal")

    def merge(self, doc_id: str, with_id: str, relation: str) -> None:
        """Put ``doc_id`` in the family of ``with_id`` (made its first document if it had none)."""
        with self.catalog.transaction() as s:
            theirs = s.get(FamilyRow, with_id)
            if theirs is None:
                theirs = _by_hand(FamilyRow(doc_id=with_id), with_id, "principal")
                s.add(theirs)
            row = s.get(FamilyRow, doc_id)
            if row is None:
                row = FamilyRow(doc_id=doc_id)
                s.add(row)
            _by_hand(row, theirs.family_id, relation)
