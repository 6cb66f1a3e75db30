"""The same contract against OpenSearch over HTTP.

In CI the server is ``osmem-server`` — an in-memory OpenSearch *emulator*, not OpenSearch. Set
PHARE_TEST_OPENSEARCH_URL to run the suite against a real cluster instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from schemas.search import SearchQuery
from services.search.backends.opensearch_backend import OpenSearchBackend

from .search_backend import LIBRARY, SearchBackendContract

REAL_CLUSTER = os.environ.get("PHARE_TEST_OPENSEARCH_URL")


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    if REAL_CLUSTER:
        yield REAL_CLUSTER
        return
    from osmem_server import OsmemServer

    with OsmemServer.start(japanese=False) as server:
        yield server.url


class TestOpenSearch(SearchBackendContract):
    @pytest.fixture
    def backend(self, opensearch_url: str) -> Iterator[OpenSearchBackend]:
        backend = OpenSearchBackend(opensearch_url, alias=f"phare-test-{uuid.uuid4().hex[:10]}")
        yield backend
        backend.client.indices.delete(index=f"{backend.alias}-v*", ignore_unavailable=True)
        backend.close()


def test_rebuild_swaps_the_alias_to_a_new_version(opensearch_url: str) -> None:
    backend = OpenSearchBackend(opensearch_url, alias=f"phare-test-{uuid.uuid4().hex[:10]}")
    try:
        backend.upsert(LIBRARY)
        assert backend.index_name.endswith("-v1")
        new = backend.rebuild(LIBRARY[:2])
        assert new == f"{backend.alias}-v2"
        assert list(backend.client.indices.get_alias(name=backend.alias)) == [new]
        assert not backend.client.indices.exists(index=f"{backend.alias}-v1")
        assert backend.count() == 2 and {h.id for h in backend.search(SearchQuery()).hits} == {"erc", "friches"}
        assert backend.rebuild(LIBRARY).endswith("-v3") and backend.count() == len(LIBRARY)
    finally:
        backend.client.indices.delete(index=f"{backend.alias}-v*", ignore_unavailable=True)
