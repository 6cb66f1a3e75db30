"""Document vectors in OpenSearch's k-NN plugin: one OpenSearch document per unit (card or passage).

The index ``<alias>-v1`` maps ``vector`` as a ``knn_vector`` (HNSW, Lucene engine, cosine similarity)
next to ``doc_id`` and ``page``; any worker may write it. Search asks for the nearest units, then
scores their documents' cards exactly (the plugin's ``knn_score`` script) and folds both into
documents (``document_score``). The osmem emulator used in CI creates the index and stores units but answers
no ``knn`` query: searches are checked only against a real cluster (``PHARE_TEST_OPENSEARCH_URL``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from opensearchpy import OpenSearch, helpers

from services.semantic.vectors import VectorHit, fold_units

INDEX_VERSION = 1


def vector_index_definition(dim: int) -> dict[str, Any]:
    return {"settings": {"index": {"knn": True, "number_of_shards": 1, "number_of_replicas": 0}},
            "mappings": {"dynamic": "strict", "properties": {
                "doc_id": {"type": "keyword"}, "page": {"type": "integer"},
                "vector": {"type": "knn_vector", "dimension": dim, "method": {
                    "name": "hnsw", "space_type": "cosinesimil", "engine": "lucene",
                    "parameters": {"m": 16, "ef_construction": 128}}}}}}


class OpenSearchVectorStore:
    def __init__(self, url: str, alias: str = "phare-vectors", dim: int = 384,
                 client: OpenSearch | None = None) -> None:
        self.client = client or OpenSearch(hosts=[url], timeout=30, max_retries=5, retry_on_timeout=True,
                                           retry_on_status=(429, 502, 503, 504))
        self.alias = alias
        self.dim = dim
        self._ready = False

    def _ensure(self) -> None:
        if self._ready:
            return
        name = f"{self.alias}-v{INDEX_VERSION}"
        if not self.client.indices.exists_alias(name=self.alias):
            if not self.client.indices.exists(index=name):
                self.client.indices.create(index=name, body=vector_index_definition(self.dim))
            self.client.indices.put_alias(index=name, name=self.alias)
        self._ready = True

    def put(self, doc_id: str, pages: Sequence[int], vectors: np.ndarray) -> None:
        self._ensure()
        self.delete([doc_id])
        rows = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        actions = ({"_op_type": "index", "_index": self.alias, "_id": f"{doc_id}-{i}",
                    "_source": {"doc_id": doc_id, "page": int(page), "vector": row.tolist()}}
                   for i, (page, row) in enumerate(zip(pages, rows, strict=True)))
        helpers.bulk(self.client, actions, refresh=True)

    def delete(self, doc_ids: Sequence[str]) -> None:
        if not doc_ids:
            return
        self._ensure()
        self.client.delete_by_query(index=self.alias, body={"query": {"terms": {"doc_id": list(doc_ids)}}},
                                    refresh=True, conflicts="proceed")

    def search(self, vector: np.ndarray, k: int, card_weight: float = 0.0) -> list[VectorHit]:
        self._ensure()
        query = np.asarray(vector, dtype=np.float32).tolist()
        wanted = max(k * 4, 40)
        body = {"size": wanted, "_source": ["doc_id", "page"],
                "query": {"knn": {"vector": {"vector": query, "k": wanted}}}}
        # cosinesimil scores are (1 + cosine) / 2 for knn queries, 1 + cosine for the scoring script
        nearest = [(h["_source"]["doc_id"], int(h["_source"]["page"]), 2 * float(h["_score"]) - 1)
                   for h in self.client.search(index=self.alias, body=body)["hits"]["hits"]]
        docs = list(dict.fromkeys(doc for doc, _, _ in nearest))[:k]
        if not docs:
            return []
        exact = {"size": len(docs), "_source": ["doc_id"], "query": {"script_score": {
            "query": {"ids": {"values": [f"{doc}-0" for doc in docs]}},  # each document's card
            "script": {"source": "knn_score", "lang": "knn", "params": {
                "field": "vector", "query_value": query, "space_type": "cosinesimil"}}}}}
        cards = {h["_source"]["doc_id"]: float(h["_score"]) - 1.0
                 for h in self.client.search(index=self.alias, body=exact)["hits"]["hits"]}
        return fold_units([u for u in nearest if u[0] in docs], cards, card_weight)

    def missing(self, doc_ids: Iterable[str]) -> list[str]:
        self._ensure()
        wanted = list(doc_ids)
        present: set[str] = set()
        for start in range(0, len(wanted), 1000):
            batch = wanted[start:start + 1000]
            body = {"size": 0, "query": {"terms": {"doc_id": batch}},
                    "aggs": {"ids": {"terms": {"field": "doc_id", "size": len(batch)}}}}
            buckets = self.client.search(index=self.alias, body=body)["aggregations"]["ids"]["buckets"]
            present.update(b["key"] for b in buckets)
        return [d for d in wanted if d not in present]

    def flush(self) -> None:
        """Writes are refreshed as they are made."""

    def count(self) -> int:
        self._ensure()
        body = {"size": 0, "aggs": {"docs": {"cardinality": {"field": "doc_id"}}}}
        return int(self.client.search(index=self.alias, body=body)["aggregations"]["docs"]["value"])

    def close(self) -> None:
        self.client.close()
