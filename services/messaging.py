"""The dramatiq broker, built from settings: the only place a broker is created (wiring, used by the
composition root)."""

from __future__ import annotations

from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Retries

from schemas.events import NAMESPACE
from services.runtime.embedded_redis import EmbeddedRedis
from services.settings import Settings

#: transient failures (index locked, database busy) are retried with exponential backoff
RETRY_POLICY = {"max_retries": 8, "min_backoff": 500, "max_backoff": 60_000}


def redis_kwargs(settings: Settings, embedded: EmbeddedRedis | None) -> dict[str, str]:
    """Connection arguments for redis-py: the external URL, or the embedded server's socket."""
    if settings.redis_url:
        return {"url": settings.redis_url}
    if embedded is None:
        raise ValueError("no PHARE_REDIS_URL and no embedded Redis server")
    embedded.ensure()
    return {"unix_socket_path": str(embedded.socket)}


def make_broker(settings: Settings, embedded: EmbeddedRedis | None = None) -> RedisBroker:
    broker = RedisBroker(namespace=NAMESPACE, **redis_kwargs(settings, embedded))
    for middleware in broker.middleware:
        if isinstance(middleware, Retries):
            middleware.max_retries = RETRY_POLICY["max_retries"]
            middleware.min_backoff = RETRY_POLICY["min_backoff"]
            middleware.max_backoff = RETRY_POLICY["max_backoff"]
    return broker


def close_broker(broker: RedisBroker) -> None:
    """Close the broker and its Redis connections (dramatiq's ``close`` leaves them open, and an open
    connection says "in use" to the embedded server's ``release``)."""
    broker.close()
    broker.client.connection_pool.disconnect()
