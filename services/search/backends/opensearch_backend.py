"""SearchBackend on OpenSearch (opensearch-py): a versioned index behind an alias.

The mapping and analysis settings are data (``schemas/opensearch/documents-index.json``); text uses
OpenSearch's built-in ``french`` analyzer (elision, stop words, light French stemming). Writes
use ``streaming_bulk`` and check every item; snippets come from the nested ``pages`` field's inner
hits, so each one carries its page number, HTML-escaped by the engine except its ``<mark>`` tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import NotFoundError

from schemas.documents import IndexRecord, Page, title_trusted
from schemas.search import (
    FACET_FIELDS,
    KEYWORD_FILTERS,
    Facets,
    FacetValue,
    SearchHit,
    SearchQuery,
    SearchResult,
    Snippet,
)
from services.search.query import clean_user_query, territory_terms
from services.search.ranking import DEFAULT, Ranking

INDEX_VERSION = 1
#: searched fields: the title only when the document gives it (``title_text``); a guessed one is a name
_SEARCHED = {"title": "title_text", "names": "names", "headings": "headings", "body": "body"}
_FACET_SIZE = 50
_FACET_SIZES = {"territories": 300}  # every level at once: the territory tree is built from them
_SNIPPET_CHARS = 220
_SIMILAR_CHARS = 2000


class BulkError(RuntimeError):
    """Some documents of a bulk request were not written; ``failures`` says which and why."""

    def __init__(self, failures: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(failures)} document(s) non indexé(s)")
        self.failures = failures


def index_definition() -> dict[str, Any]:
    text = (resources.files("schemas") / "opensearch" / "documents-index.json").read_text(encoding="utf-8")
    return json.loads(text)


def to_simple_query_string(text: str) -> str:
    """phare's query syntax (quotes, -exclusion, OR, prefix*) in simple_query_string's words."""
    text = re.sub(r"\bOR\b", "|", text)
    return re.sub(r"\bAND\b", "+", text)


class OpenSearchBackend:
    """``alias`` points at ``<alias>-v<version>``; the index is created on first use if absent."""

    def __init__(self, url: str, alias: str = "phare-documents", client: OpenSearch | None = None,
                 ranking: Ranking = DEFAULT) -> None:
        """``ranking``: the searched fields' weights (``services/search/ranking.py``)."""
        self.fields = [f"{_SEARCHED[field]}^{boost:g}" for field, boost in ranking.boosts.items() if boost > 0]
        self.client = client or OpenSearch(hosts=[url], timeout=30, max_retries=5, retry_on_timeout=True,
                                           retry_on_status=(429, 502, 503, 504))
        self.alias = alias
        self._ready = False

    @property
    def index_name(self) -> str:
        return f"{self.alias}-v{INDEX_VERSION}"

    def ensure_index(self) -> None:
        if self._ready:
            return
        if not self.client.indices.exists_alias(name=self.alias):
            if not self.client.indices.exists(index=self.index_name):
                self.client.indices.create(index=self.index_name, body=index_definition())
            self.client.indices.put_alias(index=self.index_name, name=self.alias)
        else:  # fields added since the index was made (an upgrade) are added to it, never changed
            self.client.indices.put_mapping(index=self.alias, body={
                "properties": index_definition()["mappings"]["properties"]})
        self._ready = True

    # -- writes ---------------------------------------------------------------------------------
    def upsert(self, records: Sequence[IndexRecord]) -> int:
        self.ensure_index()
        return self._bulk(self._index_actions(records, self.alias))

    def _index_actions(self, records: Iterable[IndexRecord], index: str) -> Iterator[dict[str, Any]]:
        for r in records:
            yield {"_op_type": "index", "_index": index, "_id": r.id, "_source": self._source(r)}

    def rebuild(self, records: Iterable[IndexRecord]) -> str:
        """Write ``records`` into a new index version, then move the alias to it in one atomic step
        (searches never see a half-built index) and drop the old versions. Returns the new name."""
        self.ensure_index()
        old = sorted(self.client.indices.get_alias(name=self.alias))
        versions = [int(m.group(1)) for name in old if (m := re.search(r"-v(\d+)$", name))]
        new = f"{self.alias}-v{max(versions, default=INDEX_VERSION) + 1}"
        self.client.indices.create(index=new, body=index_definition())
        self._bulk(self._index_actions(records, new), refresh_index=new)
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        self.client.indices.update_aliases(body={"actions": [*actions, {"add": {"index": new, "alias": self.alias}}]})
        for name in old:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        return new

    def delete(self, doc_ids: Sequence[str]) -> int:
        self.ensure_index()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": doc_id} for doc_id in doc_ids)
        return self._bulk(actions, missing_ok=True)

    def _bulk(self, actions: Iterable[dict[str, Any]], missing_ok: bool = False,
              refresh_index: str | None = None) -> int:
        written, failures = 0, []
        for ok, item in helpers.streaming_bulk(self.client, actions, chunk_size=200, max_retries=5,
                                               initial_backoff=1, max_backoff=30, raise_on_error=False,
                                               raise_on_exception=False):
            result = next(iter(item.values()))
            if ok or (missing_ok and result.get("status") == 404):
                written += 1
            else:
                failures.append(result)
        self.client.indices.refresh(index=refresh_index or self.alias)
        if failures:
            raise BulkError(failures)
        return written

    @staticmethod
    def _source(r: IndexRecord) -> dict[str, Any]:
        source = r.model_dump(exclude={"pages"})
        source["title_text"] = r.searched_title
        source["names"] = r.searched_names  # authors and summary searched there, stored in their own fields
        source["pages"] = [p.model_dump() for p in r.pages]
        source["body"] = "\n\n".join(p.text for p in r.pages)
        return source

    def close(self) -> None:
        self.client.close()

    # -- reads ----------------------------------------------------------------------------------
    def count(self) -> int:
        self.ensure_index()
        return int(self.client.count(index=self.alias)["count"])

    def get(self, doc_id: str) -> IndexRecord | None:
        self.ensure_index()
        try:
            source = self.client.get(index=self.alias, id=doc_id)["_source"]
        except NotFoundError:
            return None
        source.pop("body", None)
        source.pop("title_text", None)
        if source.pop("names", None) is None and source.get("title_source") and not title_trusted(
                source["title_source"]):
            source["headings"] = source["headings"][1:]  # written before names: the guessed title led the headings
        source["pages"] = [Page(**p) for p in source["pages"]]
        return IndexRecord(**source)

    def _text_query(self, text: str) -> dict[str, Any] | None:
        cleaned = clean_user_query(text)
        if not cleaned or cleaned.strip() == "*":
            return None
        return {"simple_query_string": {"query": to_simple_query_string(cleaned), "fields": self.fields,
                                        "default_operator": "or", "lenient": True}}

    def _filters(self, q: SearchQuery) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for attribute, field in KEYWORD_FILTERS.items():
            if getattr(q, attribute):
                out.append({"terms": {field: getattr(q, attribute)}})
        if q.horizons:
            out.append({"terms": {"horizons": q.horizons}})
        out += [{"terms": {"territories": territory_terms(t)}} for t in q.territories]
        if q.year_min is not None or q.year_max is not None:
            out.append({"range": {"year": {k: v for k, v in (("gte", q.year_min), ("lte", q.year_max))
                                           if v is not None}}})
        return out

    def search(self, q: SearchQuery) -> SearchResult:
        self.ensure_index()
        text_query = self._text_query(q.text)
        query: dict[str, Any] = {"bool": {"must": [text_query or {"match_all": {}}], "filter": self._filters(q)}}
        if q.exclude_ids:
            query["bool"]["must_not"] = [{"ids": {"values": q.exclude_ids}}]
        if q.only_ids is not None:
            query["bool"]["filter"].append({"ids": {"values": q.only_ids}})
        if text_query is not None and q.snippets:
            pages_query = {"simple_query_string": {**text_query["simple_query_string"], "fields": ["pages.text"]}}
            query["bool"]["should"] = [{"nested": {
                "path": "pages", "score_mode": "max", "query": pages_query, "boost": 0.0,
                "inner_hits": {"size": 1, "_source": ["pages.page"], "highlight": {
                    "fields": {"pages.text": {"fragment_size": _SNIPPET_CHARS, "number_of_fragments": 1}},
                    "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html"}}}}]
        body = {"query": query, "from": min(q.offset, 10_000 - q.limit), "size": q.limit, "track_total_hits": True,
                "_source": {"excludes": ["pages", "body"]},
                "aggs": {name: {"terms": {"field": field, "size": _FACET_SIZES.get(name, _FACET_SIZE)}}
                         for name, field in FACET_FIELDS.items()}}
        if q.sort != "relevance":
            field = "year" if q.sort == "date" else "added_at"
            body["sort"] = [{field: {"order": "desc", "missing": "_last"}}, "_score"]
        raw = self.client.search(index=self.alias, body=body)
        hits = [self._hit(h) for h in raw["hits"]["hits"]]
        return SearchResult(total=raw["hits"]["total"]["value"], hits=hits, facets=self._facets(raw["aggregations"]))

    def similar(self, doc_id: str, limit: int = 5) -> list[SearchHit]:
        """The document's title and opening text as a loose query. (``more_like_this`` would do, but
        the osmem emulator used in CI answers it with the document alone.)"""
        self.ensure_index()
        try:
            source = self.client.get(index=self.alias, id=doc_id, _source_includes=["title", "body"])["_source"]
        except NotFoundError:
            return []
        like = f"{source['title']} {source.get('body', '')[:_SIMILAR_CHARS]}"
        body = {"size": limit, "_source": {"excludes": ["pages", "body"]}, "query": {"bool": {
            "should": [{"match": {"title": {"query": like}}}, {"match": {"body": {"query": like}}}],
            "minimum_should_match": 1, "must_not": [{"ids": {"values": [doc_id]}}]}}}
        return [self._hit(h) for h in self.client.search(index=self.alias, body=body)["hits"]["hits"]]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        cleaned = clean_user_query(prefix)
        if not re.search(r"\w", cleaned):
            return []
        self.ensure_index()
        body = {"size": limit, "_source": ["title"], "query": {"match_bool_prefix": {"title": cleaned}}}
        titles: list[str] = []
        for h in self.client.search(index=self.alias, body=body)["hits"]["hits"]:
            if h["_source"]["title"] not in titles:
                titles.append(h["_source"]["title"])
        return titles

    @staticmethod
    def _hit(h: dict[str, Any]) -> SearchHit:
        src = h["_source"]
        score = h.get("_score") or 0.0
        hit = SearchHit(id=src["id"], title=src["title"], path=src["path"], score=round(float(score), 4),
                        format=src["format"], year=src.get("year"), added_at=src.get("added_at") or 0.0)
        for inner in h.get("inner_hits", {}).get("pages", {}).get("hits", {}).get("hits", []):
            for fragment in inner.get("highlight", {}).get("pages.text", [])[:1]:
                hit.snippets.append(Snippet(text=fragment, page=inner["_source"]["page"]))
        return hit

    @staticmethod
    def _facets(aggs: dict[str, Any]) -> Facets:
        def values(name: str) -> list[FacetValue]:
            return [FacetValue(value=str(b["key"]), label=str(b["key"]), count=b["doc_count"])
                    for b in aggs.get(name, {}).get("buckets", []) if str(b["key"])]

        return Facets(**{name: values(name) for name in FACET_FIELDS})
