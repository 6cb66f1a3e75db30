"""Saved searches and subscriptions in the catalog's database, and what each digest has listed."""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlalchemy import delete, select

from schemas.subscriptions import Subscription, SubscriptionRequest
from services.ingest.catalog.models import DigestItemRow, SubscriptionRow
from services.ingest.catalog.repository import Catalog


def _model(row: SubscriptionRow) -> Subscription:
    return Subscription.model_validate(row, from_attributes=True)


class SubscriptionStore:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def add(self, owner: str, request: SubscriptionRequest, params: dict[str, list[str]]) -> Subscription:
        """Keep ``request`` for ``owner``, with its search parameters in their canonical form."""
        with self.catalog.transaction() as s:
            row = SubscriptionRow(owner=owner, name=request.name, params=params, email=request.email,
                                  frequency=request.frequency, created_at=time.time())
            s.add(row)
            s.flush()
            return _model(row)

    def of(self, owner: str | None = None) -> list[Subscription]:
        """``owner``'s saved searches (None: everybody's), newest first."""
        with self.catalog.transaction() as s:
            q = select(SubscriptionRow).order_by(SubscriptionRow.created_at.desc(), SubscriptionRow.id.desc())
            if owner is not None:
                q = q.where(SubscriptionRow.owner == owner)
            return [_model(r) for r in s.scalars(q)]

    def get(self, subscription_id: int) -> Subscription | None:
        with self.catalog.transaction() as s:
            row = s.get(SubscriptionRow, subscription_id)
            return _model(row) if row is not None else None

    def rename(self, subscription_id: int, name: str) -> None:
        with self.catalog.transaction() as s:
            row = s.get(SubscriptionRow, subscription_id)
            if row is not None:
                row.name = name

    def remove(self, subscription_id: int) -> None:
        with self.catalog.transaction() as s:
            s.execute(delete(DigestItemRow).where(DigestItemRow.subscription_id == subscription_id))
            s.execute(delete(SubscriptionRow).where(SubscriptionRow.id == subscription_id))

    def listed(self, subscription_id: int) -> set[str]:
        """The documents this subscription's digests have already listed."""
        with self.catalog.transaction() as s:
            return set(s.scalars(select(DigestItemRow.doc_id).where(DigestItemRow.subscription_id == subscription_id)))

    def sent(self, subscription_id: int, doc_ids: Iterable[str], at: float) -> None:
        """A digest went out at ``at`` listing ``doc_ids`` (one transaction: all or nothing)."""
        with self.catalog.transaction() as s:
            s.add_all(DigestItemRow(subscription_id=subscription_id, doc_id=d, sent_at=at) for d in set(doc_ids))
            row = s.get(SubscriptionRow, subscription_id)
            if row is not None:
                row.last_sent_at, row.last_error = at, None

    def failed(self, subscription_id: int, reason: str) -> None:
        with self.catalog.transaction() as s:
            row = s.get(SubscriptionRow, subscription_id)
            if row is not None:
                row.last_error = reason
