"""Composition root: every long-lived object of a phare process is built here from Settings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from services.settings import Settings

if TYPE_CHECKING:  # each service's module is imported when the service is first built: a command
    # starts in a fraction of the time when it needs few of them (`phare up` only Redis, to begin with)
    from dramatiq.brokers.redis import RedisBroker

    from services.ingest.blobs import ArtifactStore, BlobStore
    from services.ingest.catalog import Catalog
    from services.ingest.intake import Intake
    from services.runtime.embedded_redis import EmbeddedRedis
    from services.search.backends.base import SearchBackend
    from services.search.ranking import Ranking
    from services.semantic.vectors import VectorStore
    from workers.analyze.analyzer import Analyzer


def quiet_third_parties() -> None:
    """No analytics, no banners: set before unstructured is first imported."""
    os.environ.setdefault("SCARF_NO_ANALYTICS", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@dataclass
class Container:
    """Lazily built services; building one never touches the others."""

    settings: Settings
    #: an analyzer whose models are already loaded (a worker forked from a warm parent), else built here
    warm_analyzer: Analyzer | None = None
    _closers: list = field(default_factory=list)

    @cached_property
    def catalog(self) -> Catalog:
        from services.ingest.catalog import Catalog

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(self.settings.catalog_url)
        catalog.create_schema()
        self._closers.append(catalog.dispose)
        return catalog

    @cached_property
    def blobs(self) -> BlobStore:
        from services.ingest.blobs import BlobStore

        return BlobStore(self.settings.blobs_dir)

    @cached_property
    def artifacts(self) -> ArtifactStore:
        from services.ingest.blobs import ArtifactStore

        return ArtifactStore(self.settings.artifacts_dir)

    @cached_property
    def ranking(self) -> Ranking:
        """How phare ranks (field weights, fusion with semantic search): chosen by cross-validation in
        ``bench/relevance.py``, one object for the backends, the hybrid search and the service."""
        from services.search.ranking import DEFAULT

        return DEFAULT

    @cached_property
    def backend(self) -> SearchBackend:
        """OpenSearch when PHARE_OPENSEARCH_URL is set, else the embedded tantivy index."""
        if self.settings.opensearch_url:
            from services.search.backends.opensearch_backend import OpenSearchBackend

            backend: SearchBackend = OpenSearchBackend(self.settings.opensearch_url, ranking=self.ranking)
            self._closers.append(backend.close)
            return backend
        from services.search.backends.tantivy_backend import TantivyBackend

        backend = TantivyBackend(self.settings.index_dir, ranking=self.ranking)
        self._closers.append(backend.close)
        return backend

    @cached_property
    def embedded_redis(self) -> EmbeddedRedis | None:
        """The per-data-dir Redis server when no PHARE_REDIS_URL is set; on close, stopped unless another
        process is connected to it (the last phare process out stops it)."""
        if self.settings.redis_url:
            return None
        from services.runtime.embedded_redis import EmbeddedRedis

        server = EmbeddedRedis(self.settings.redis_dir)
        self._closers.append(server.release)
        return server

    @cached_property
    def broker(self) -> RedisBroker:
        from services.messaging import close_broker, make_broker

        broker = make_broker(self.settings, self.embedded_redis)
        self._closers.append(lambda: close_broker(broker))
        return broker

    @cached_property
    def publish(self):  # noqa: ANN201 - Callable[[DocumentEvent], None]
        from workers.broker import DramatiqPublisher

        return DramatiqPublisher(self.broker)

    @cached_property
    def intake(self) -> Intake:
        from services.ingest.intake import Intake

        # the broker is built at the first file queued: an API process that only searches never imports it
        return Intake(self.catalog, self.blobs, lambda event: self.publish(event), self.max_file_bytes, self.artifacts)

    @cached_property
    def api_keys(self):  # noqa: ANN201 - services.api_keys.ApiKeys
        from services.api_keys import ApiKeys

        return ApiKeys(self.settings.api_keys_file)

    @cached_property
    def csrf(self):  # noqa: ANN201 - services.csrf.CsrfTokens
        from services.csrf import CsrfTokens, load_secret

        return CsrfTokens(load_secret(self.settings.secret_file, self.settings.secret_key))

    @cached_property
    def write_limiter(self):  # noqa: ANN201 - services.http_auth.WriteLimiter
        from services.http_auth import WriteLimiter

        return WriteLimiter(self.settings.write_rate)

    @cached_property
    def uploads(self):  # noqa: ANN201 - services.ingest.uploads.Uploads
        from services.ingest.uploads import Uploads

        s = self.settings
        return Uploads(self.catalog, self.intake, self.api_keys, s.uploads_dir, s.inbox, self.max_file_bytes,
                       s.upload_max_mb * 2**20)

    @property
    def max_file_bytes(self) -> int:
        return self.settings.extract.max_file_mb * 1024 * 1024

    @cached_property
    def analyzer(self) -> Analyzer:
        if self.warm_analyzer is not None:
            return self.warm_analyzer
        from schemas.reference import ReferenceData
        from workers.analyze.analyzer import Analyzer
        from workers.analyze.entities import EntityRecognizer

        a = self.settings.analyze
        reference = ReferenceData.default(self.settings.taxonomy_dir, self.settings.learned_file)
        return Analyzer(EntityRecognizer(a.spacy_model, a.batch_size, self.settings.cache_dir / "patterns"),
                        reference)

    @cached_property
    def pipeline(self):  # noqa: ANN201 - workers.pipeline.Pipeline
        from services.runtime.stage_stats import StageStats
        from workers.extract.sandbox import ExtractionSandbox
        from workers.pipeline import Pipeline

        e = self.settings.extract
        sandbox = ExtractionSandbox(e.timeout_s, e.memory_mb, e.ocr_language)
        observe = StageStats(self.broker.client).observe
        return Pipeline(self.catalog, self.blobs, self.artifacts, sandbox, self.analyzer,
                        lambda: self.backend, self.publish, self.max_file_bytes, self.settings.inbox,
                        observe=observe, claim_lease_s=self.settings.claim_lease_s,
                        embed=self._embed_stage(observe), families=self.families)

    @cached_property
    def families(self):  # noqa: ANN201 - services.ingest.catalog.families.FamilyStore
        from services.ingest.catalog.families import FamilyStore

        return FamilyStore(self.catalog)

    def _embed_stage(self, observe):  # noqa: ANN001, ANN202 - workers.embed.stage.EmbedStage | None
        semantic = self.settings.semantic
        if self.encoder is None:
            return None
        from workers.embed.stage import EmbedStage
        from workers.records import card_headings

        return EmbedStage(self.catalog, self.artifacts, self.encoder, lambda: self.vectors, card_headings,
                          semantic.passage_words, semantic.max_passages, observe)

    @cached_property
    def encoder(self):  # noqa: ANN201 - services.semantic.encoder.E5Encoder | None
        """The text encoder of semantic search; None when it is turned off."""
        if not self.settings.semantic.enabled:
            return None
        from services.semantic.encoder import E5Encoder

        return E5Encoder(threads=1)

    @cached_property
    def vectors(self) -> VectorStore:
        """Where document vectors live: OpenSearch's k-NN index with PHARE_OPENSEARCH_URL, else usearch on disk."""
        store: VectorStore
        if self.settings.opensearch_url:
            from services.search.backends.opensearch_vectors import OpenSearchVectorStore

            store = OpenSearchVectorStore(self.settings.opensearch_url)
        else:
            from services.semantic.vectors import UsearchVectorStore

            store = UsearchVectorStore(self.settings.vectors_dir / self.encoder.fingerprint, dim=self.encoder.dim)
        self._closers.append(store.close)
        return store

    @cached_property
    def search_service(self):  # noqa: ANN201 - services.search.service.SearchService
        from schemas.gazetteer import Gazetteer
        from schemas.reference import load_glossary
        from services.search.service import Labels, SearchService
        from workers.analyze.taxonomy import Taxonomy

        taxonomy_dir = self.settings.taxonomy_dir
        labels = Labels(Taxonomy.load("themes", taxonomy_dir).labels, Gazetteer.load,
                        Taxonomy.load("producers", taxonomy_dir).labels, Taxonomy.load("postures", taxonomy_dir).labels)
        glossary = load_glossary(self.settings.taxonomy_dir)
        hybrid = None
        if self.encoder is not None:
            from services.search.hybrid import HybridSearch

            hybrid = HybridSearch(self.encoder, lambda: self.vectors, self.ranking, self.settings.semantic.candidates)
        return SearchService(self.backend, self.catalog, self.artifacts, labels, glossary, self.blobs,
                             self.settings.inbox, hybrid, self.families, self.ranking)

    @cached_property
    def curation(self):  # noqa: ANN201 - services.curation.Curation
        from services.curation import Curation

        labels = self.search_service.labels
        known = {"themes": set(labels.themes), "postures": set(labels.postures), "producer": set(labels.producers)}
        return Curation(self.catalog, self.artifacts, lambda: self.backend, labels.gazetteer, known, self.publish)

    @cached_property
    def subscriptions(self):  # noqa: ANN201 - services.veille.subscriptions.Subscriptions
        from services.ingest.catalog.subscriptions import SubscriptionStore
        from services.veille.subscriptions import Subscriptions

        return Subscriptions(SubscriptionStore(self.catalog), self.search_service, self.settings.smtp,
                             self.settings.base_url)

    @cached_property
    def learning(self):  # noqa: ANN201 - services.learning.Learning
        from services.learning import Learning

        return Learning(self.catalog, self.artifacts, self.curation, self.analyzer, self.settings.learned_file,
                        self.settings.analyze.learn_min_documents)

    def close(self) -> None:
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        self._closers.clear()


def build(settings: Settings | None = None, analyzer: Analyzer | None = None) -> Container:
    """``analyzer``: one already warm, shared with the process this one was forked from."""
    quiet_third_parties()
    return Container(settings or Settings(), warm_analyzer=analyzer)
