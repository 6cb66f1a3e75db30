"""Thin dramatiq actors: decode the JSON event, run the pipeline stage. Declared on a given broker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq

from schemas.events import (
    ACTORS,
    ROUTES,
    DocumentAnalyzed,
    DocumentEvent,
    DocumentExtracted,
    DocumentQueued,
    DocumentRemoved,
)
from workers.pipeline import Pipeline


class DramatiqPublisher:
    """Sends an event to the queue of the stage that consumes it (``schemas.events.ROUTES``)."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker

    def __call__(self, event: DocumentEvent) -> None:
        self.broker.enqueue(dramatiq.Message(queue_name=ROUTES[type(event)], actor_name=ACTORS[type(event)],
                                             args=(event.model_dump(),), kwargs={}, options={}))


def declare_actors(broker: dramatiq.Broker, pipeline: Pipeline) -> list[dramatiq.Actor]:
    """Register one actor per stage on ``broker``; names and queues follow ``ROUTES``."""

    def run(stage: Callable[[Any], None], event: DocumentEvent) -> None:
        try:
            stage(event)
        except Exception:
            pipeline.release(event.doc_id)  # retried by dramatiq with backoff; not a crash
            raise

    def extract(payload: dict[str, Any]) -> None:
        run(pipeline.extract, DocumentQueued.model_validate(payload))

    def analyze(payload: dict[str, Any]) -> None:
        run(pipeline.analyze, DocumentExtracted.model_validate(payload))

    def index(payload: dict[str, Any]) -> None:
        run(pipeline.index, DocumentAnalyzed.model_validate(payload))

    def unindex(payload: dict[str, Any]) -> None:
        pipeline.unindex(DocumentRemoved.model_validate(payload))

    queues = {ACTORS[event]: ROUTES[event] for event in ROUTES}
    return [dramatiq.actor(fn, actor_name=fn.__name__, queue_name=queues[fn.__name__], broker=broker)
            for fn in (extract, analyze, index, unindex)]
