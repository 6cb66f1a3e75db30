"""Readiness checks and Prometheus metrics of a phare deployment, read from its real dependencies."""

from __future__ import annotations

from collections.abc import Iterator

import redis
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from schemas.events import NAMESPACE, ROUTES
from services.bootstrap import Container
from services.runtime.embedded_redis import EmbeddedRedis
from services.runtime.stage_stats import StageStats


def redis_client(container: Container) -> redis.Redis:
    """A client of the queue's Redis that never starts the embedded server (reads only)."""
    settings = container.settings
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    return redis.Redis(unix_socket_path=str(EmbeddedRedis(settings.redis_dir).socket), socket_timeout=2)


def readiness(container: Container) -> dict[str, str]:
    """``{"catalogue"|"index"|"file": "ok" | reason}``, each dependency tried for real."""
    checks: dict[str, str] = {}
    for name, probe in (("catalogue", lambda: container.catalog.counts()),
                        ("index", lambda: container.backend.count()),
                        ("file", lambda: redis_client(container).ping())):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure makes the service not ready; say which
            checks[name] = f"indisponible ({type(exc).__name__})"
    return checks


class PhareCollector(Collector):
    """Documents by state (catalog) and messages waiting per stage (Redis), read at scrape time."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def collect(self) -> Iterator[Metric]:
        documents = GaugeMetricFamily("phare_documents", "Documents du catalogue par état", labels=["state"])
        for state, count in sorted(self.container.catalog.counts().items()):
            documents.add_metric([state], count)
        yield documents
        failures = GaugeMetricFamily("phare_failures", "Documents en échec par raison", labels=["reason"])
        for reason, count in self.container.catalog.failure_reasons().items():
            failures.add_metric([reason], count)
        yield failures
        stages = list(dict.fromkeys(ROUTES.values()))
        queued = GaugeMetricFamily("phare_queue_messages", "Messages en attente par étape", labels=["stage"])
        runs = CounterMetricFamily("phare_stage_runs", "Passages par étape", labels=["stage"])
        seconds = CounterMetricFamily("phare_stage_seconds", "Durée cumulée par étape", labels=["stage"],
                                      unit="seconds")
        try:
            client = redis_client(self.container)
            for stage in stages:
                queued.add_metric([stage], client.llen(f"{NAMESPACE}:{stage}"))
            for stage, (n, total) in StageStats(client).read(stages).items():
                runs.add_metric([stage], n)
                seconds.add_metric([stage], total)
        except redis.RedisError:
            pass  # the queue's absence shows as missing samples, and /readyz says why
        yield queued
        yield runs
        yield seconds


def metrics_registry(container: Container) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(PhareCollector(container))
    return registry
