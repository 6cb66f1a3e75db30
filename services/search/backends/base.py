"""The search port. Every engine adapter implements it and passes tests/integration/contract/."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from schemas.documents import IndexRecord
from schemas.search import SearchHit, SearchQuery, SearchResult


class SearchBackend(Protocol):
    """Stores IndexRecords and answers SearchQuery.

    Contract: ``upsert`` is idempotent by ``record.id`` and durable when it returns (a document
    reported indexed survives a crash); snippets are HTML-escaped text where only ``<mark>``
    tags are markup, each with the page it comes from; facet counts roll territories up to
    every enclosing level.
    """

    def upsert(self, records: Sequence[IndexRecord]) -> int:
        """Insert or replace records by id; return how many were written."""
        ...

    def delete(self, doc_ids: Sequence[str]) -> int:
        """Remove documents by id; unknown ids are ignored."""
        ...

    def get(self, doc_id: str) -> IndexRecord | None:
        ...

    def count(self) -> int:
        ...

    def search(self, query: SearchQuery) -> SearchResult:
        """Hits (with snippets) and facet counts for the query and its filters. Never raises on syntax."""
        ...

    def similar(self, doc_id: str, limit: int = 5) -> list[SearchHit]:
        """Documents whose text is closest to ``doc_id``'s (more-like-this), the document itself excluded."""
        ...

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Titles completing what the user is typing (the last word may be unfinished)."""
        ...

    def close(self) -> None:
        ...


@runtime_checkable
class Rebuildable(Protocol):
    """An engine that can build a new index version from records and switch readers to it at once
    (OpenSearch: a new index, then an alias swap); tantivy rewrites in place and has no need of it."""

    def rebuild(self, records: Iterable[IndexRecord]) -> str:
        """Write ``records`` into a fresh index, point the alias at it, return the new index name."""
        ...


def matching_ids(backend: SearchBackend, query: SearchQuery, cap: int = 10_000) -> list[str]:
    """Every document the query's words and filters select, page by page (at most ``cap``)."""
    out: list[str] = []
    page = query.model_copy(update={"limit": 100, "offset": 0, "snippets": False})
    while True:
        found = backend.search(page)
        out += [h.id for h in found.hits]
        if not found.hits or len(out) >= found.total or page.offset + 100 >= cap:
            return out[:cap]
        page = page.model_copy(update={"offset": page.offset + 100})
