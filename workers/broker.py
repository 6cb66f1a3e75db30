"""Build the dramatiq broker from settings (the only place a broker is created), and publish events on it."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Retries

from schemas.events import ACTORS, ROUTES, DocumentEvent
from services.embedded_redis import EmbeddedRedis
from services.settings import Settings

NAMESPACE = "phare"
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


def make_broker(settings: Settings, embedded: EmbeddedRedis | None = None) -> dramatiq.Broker:
    broker = RedisBroker(namespace=NAMESPACE, **redis_kwargs(settings, embedded))
    for middleware in broker.middleware:
        if isinstance(middleware, Retries):
            middleware.max_retries = RETRY_POLICY["max_retries"]
            middleware.min_backoff = RETRY_POLICY["min_backoff"]
            middleware.max_backoff = RETRY_POLICY["max_backoff"]
    return broker


class DramatiqPublisher:
    """Sends an event to the queue of the stage that consumes it (``schemas.events.ROUTES``)."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker

    def __call__(self, event: DocumentEvent) -> None:
        self.broker.enqueue(dramatiq.Message(queue_name=ROUTES[type(event)], actor_name=ACTORS[type(event)],
                                             args=(event.model_dump(),), kwargs={}, options={}))
