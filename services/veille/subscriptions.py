"""Saved searches and their digests, shared by the API, the web pages and ``phare digest``.

A digest lists the documents its search matches that were added after the subscription was made
and that no earlier digest of it listed; they are recorded as listed only once the mail server
accepted the message, so a server that is down loses nothing (the digest stays due and is tried at
the next pass) and nothing is sent twice.
"""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from pydantic import BaseModel, Field

from schemas.search import SearchQuery
from schemas.subscriptions import Subscription, SubscriptionRequest
from services.ingest.catalog.subscriptions import SubscriptionStore
from services.search.backends.base import matching_ids
from services.search.params import href, params_of, query_from_params
from services.search.service import SearchService
from services.settings import SmtpSettings
from services.veille.mail import MailError, compose, send

log = logging.getLogger(__name__)
_LISTED = 50  # documents a digest lists; the rest is a link to the search
_TAGS = re.compile(r"</?mark>")


class SubscriptionError(ValueError):
    """A refused request, with a French message and the HTTP status that says why."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class Sent(BaseModel):
    """What one digest pass did."""

    sent: int = Field(default=0, description="messages acceptés par le serveur")
    documents: int = Field(default=0, description="documents listés en tout")
    empty: int = Field(default=0, description="veilles dues sans nouveauté (rien n'est envoyé)")
    failed: list[str] = Field(default_factory=list, description="veilles non envoyées, et pourquoi")


class Subscriptions:
    def __init__(self, store: SubscriptionStore, service: SearchService, smtp: SmtpSettings, base_url: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.service = service
        self.smtp = smtp
        self.base_url = base_url.rstrip("/")
        self.clock = clock

    # -- saved searches --------------------------------------------------------------------------
    def create(self, owner: str, request: SubscriptionRequest) -> Subscription:
        if (request.email is None) != (request.frequency is None):
            raise SubscriptionError("pour recevoir les nouveautés, donnez une adresse et une fréquence "
                                    "(daily ou weekly) ; sans l'une ni l'autre, la recherche est seulement enregistrée")
        try:
            query = query_from_params(request.params)
        except ValueError as exc:
            raise SubscriptionError(str(exc)) from exc
        return self.store.add(owner, request, params_of(query))

    def of(self, owner: str) -> list[Subscription]:
        return self.store.of(owner)

    def owned(self, subscription_id: int, owner: str) -> Subscription:
        """``owner``'s subscription, or 404 (another user's is not even said to exist)."""
        found = self.store.get(subscription_id)
        if found is None or found.owner != owner:
            raise SubscriptionError("recherche enregistrée introuvable", 404)
        return found

    def rename(self, subscription_id: int, owner: str, name: str) -> Subscription:
        self.owned(subscription_id, owner)
        self.store.rename(subscription_id, name)
        return self.owned(subscription_id, owner)

    def remove(self, subscription_id: int, owner: str) -> None:
        self.owned(subscription_id, owner)
        self.store.remove(subscription_id)

    def query(self, subscription: Subscription) -> SearchQuery:
        return query_from_params(subscription.params)

    def links(self, subscription: Subscription) -> dict[str, str]:
        """Where a reader runs the search, and its Atom feed (for feed readers: no key needed)."""
        query = self.query(subscription)
        return {"search": self.base_url + href("/recherche", query),
                "feed": self.base_url + href("/api/v1/search.atom", query)}

    # -- digests ---------------------------------------------------------------------------------
    def new_documents(self, subscription: Subscription) -> list[str]:
        """Matching documents added since the subscription was made, not listed before, newest first."""
        listed = self.store.listed(subscription.id)
        rows = [(doc_id, row) for doc_id in matching_ids(self.service.backend, self.query(subscription))
                if doc_id not in listed and (row := self.service.visible(doc_id)) is not None
                and row.created_at >= subscription.created_at]
        return [doc_id for doc_id, row in sorted(rows, key=lambda r: -r[1].created_at)]

    def digest(self, now: float | None = None, force: bool = False) -> Sent:
        """Send every digest due at ``now`` (``force``: every subscription with an address)."""
        now = self.clock() if now is None else now
        outcome = Sent()
        for subscription in self.store.of():
            if not subscription.email or not (force or subscription.due(now)):
                continue
            new = self.new_documents(subscription)
            if not new:
                self.store.sent(subscription.id, [], now)
                outcome.empty += 1
                continue
            try:
                send(self.message(subscription, new), self.smtp)
            except MailError as exc:
                log.warning("digest of subscription %d not sent: %s", subscription.id, exc)
                self.store.failed(subscription.id, str(exc))
                outcome.failed.append(f"{subscription.name} : {exc}")
                continue
            self.store.sent(subscription.id, new, now)
            outcome.sent += 1
            outcome.documents += len(new)
        return outcome

    def message(self, subscription: Subscription, new: list[str]) -> EmailMessage:
        query, listed = self.query(subscription), new[:_LISTED]
        passages: dict[str, tuple[str, int]] = {}
        if query.text:  # the passages that matched the words: one search for every listed document
            for hit in self.service.search(query.model_copy(update={"only_ids": listed, "limit": len(listed)})).hits:
                if hit.snippets:
                    passages[hit.id] = (html.unescape(_TAGS.sub("", hit.snippets[0].text)), hit.snippets[0].page)
        count = len(new)
        subject = (f"phare — {count} nouveau{'x' if count > 1 else ''} document{'s' if count > 1 else ''} : "
                   f"{subscription.name}")
        assert subscription.email is not None
        return compose(self.smtp.sender, subscription.email, subject, {
            "name": subscription.name, "documents": [self._item(d, passages.get(d)) for d in listed],
            "more": max(0, count - _LISTED), "search_url": self.links(subscription)["search"],
            "manage_url": f"{self.base_url}/veille"})

    def _item(self, doc_id: str, matched: tuple[str, int] | None) -> dict[str, Any]:
        """One listed document: title, year, themes and territories, the passage that matched (else
        the first passage that justifies a theme)."""
        doc = self.service.show(doc_id) or {"title": doc_id, "curation": {}}
        labels, curation = self.service.labels, doc["curation"]
        tags = [labels.themes.get(t, t) for t in (curation.get("themes") or {}).get("value") or []]
        tags += [labels.territory(k) for k in (curation.get("territories") or {}).get("value") or []]
        evidence = [(e["text"], e["page"]) for t in doc.get("themes") or [] for e in t.get("evidence") or []]
        passage, page = matched or (evidence[0] if evidence else ("", None))
        return {"title": doc["title"] or doc_id, "year": doc.get("year"), "tags": tags, "passage": passage,
                "page": page, "url": f"{self.base_url}/documents/{doc_id}"}
