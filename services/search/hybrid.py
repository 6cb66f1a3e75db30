"""Hybrid search: the word search fused with semantic search (vectors of the documents' cards and
passages), for queries in plain words sorted by relevance.

Each side brings its best ``candidates`` documents (a document's semantic closeness is its best unit
drawn toward its card, ``Ranking.card_weight``); semantic candidates are checked against the
query's filters (and deletions) by the word engine; the two rankings are fused by weighted
reciprocal ranks (``services/search/ranking.py``). Counts and facets are the word search's, plus
the documents found by meaning alone in the total. A failure of the semantic side (model, vector
store) never fails a search: the words answer alone.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Protocol

import numpy as np

from schemas.search import SearchHit, SearchQuery, SearchResult, Snippet
from services.search.backends.base import SearchBackend
from services.search.query import has_operators
from services.search.ranking import Ranking
from services.semantic.vectors import VectorHit, VectorStore

log = logging.getLogger(__name__)
_SNIPPET_CHARS = 220


class QueryEncoder(Protocol):
    def query(self, text: str) -> np.ndarray: ...


class HybridSearch:
    def __init__(self, encoder: QueryEncoder, vectors: Callable[[], VectorStore], ranking: Ranking,
                 candidates: int = 100) -> None:
        self.encoder = encoder
        self._vectors = vectors
        self.ranking = ranking
        self.candidates = min(candidates, 100)

    @staticmethod
    def applies(query: SearchQuery, typed: str) -> bool:
        """Plain words sorted by relevance; quotes, exclusions and other syntax keep their strict meaning."""
        return bool(typed.strip()) and query.sort == "relevance" and not has_operators(typed)

    def _dense(self, typed: str) -> list[VectorHit]:
        try:
            return self._vectors().search(self.encoder.query(typed), self.candidates, self.ranking.card_weight)
        except Exception:  # semantic search is a bonus: the words still answer
            log.exception("semantic search failed; words only")
            return []

    def search(self, backend: SearchBackend, query: SearchQuery, typed: str) -> SearchResult:
        words = backend.search(query.model_copy(update={"limit": self.candidates, "offset": 0, "snippets": False}))
        word_ids = [h.id for h in words.hits]
        word_scores = [(h.id, h.score) for h in words.hits]
        dense = self._dense(typed)
        known = set(word_ids)
        admitted = self.ranking.admitted(word_scores, [(h.doc_id, h.score) for h in dense])
        others = [d for d, _ in admitted if d not in known]
        allowed: set[str] = set()
        if others:  # found by meaning alone: only if the filters (and deletions) let them through
            check = query.model_copy(update={"text": "", "only_ids": others, "limit": len(others), "offset": 0,
                                             "snippets": False})
            allowed = {h.id for h in backend.search(check).hits}
        dense_scores = [(d, score) for d, score in admitted if d in known or d in allowed]
        fused = self.ranking.fuse(word_scores, dense_scores, typed)
        page_ids = fused[query.offset:query.offset + query.limit]
        hits = self._hits(backend, query, page_ids, {h.doc_id: h for h in dense})
        return SearchResult(total=words.total + len(allowed), hits=hits, facets=words.facets)

    def _hits(self, backend: SearchBackend, query: SearchQuery, page_ids: list[str],
              dense: dict[str, VectorHit]) -> list[SearchHit]:
        if not page_ids:
            return []
        shown = {h.id: h for h in backend.search(query.model_copy(update={
            "only_ids": page_ids, "limit": len(page_ids), "offset": 0})).hits}
        alone = [d for d in page_ids if d not in shown]
        if alone:
            plain = SearchQuery(only_ids=alone, limit=len(alone), snippets=False, exclude_ids=query.exclude_ids)
            for hit in backend.search(plain).hits:
                shown[hit.id] = self._with_passage(backend, hit, dense.get(hit.id))
        count = len(page_ids)
        return [shown[d].model_copy(update={"score": round((count - i) / count, 4)})
                for i, d in enumerate(page_ids) if d in shown]

    @staticmethod
    def _with_passage(backend: SearchBackend, hit: SearchHit, found: VectorHit | None) -> SearchHit:
        """A hit found by meaning alone has no matched word to mark: show the page its best passage is on."""
        record = backend.get(hit.id)
        if record is None or not record.pages:
            return hit
        page_number = found.page if found is not None and found.page > 0 else record.pages[0].page
        page = next((p for p in record.pages if p.page == page_number), record.pages[0])
        text = " ".join(page.text.split())
        cut = text[:_SNIPPET_CHARS].rsplit(" ", 1)[0] + ("…" if len(text) > _SNIPPET_CHARS else "")
        return hit.model_copy(update={"snippets": [Snippet(text=html.escape(cut), page=page.page)]})
