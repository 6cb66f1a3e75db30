"""Thin dramatiq actors: decode the JSON event, run the pipeline stage. Declared on a given broker."""

from __future__ import annotations

from typing import Any

import dramatiq

from schemas.events import ROUTES, DocumentAnalyzed, DocumentEvent, DocumentExtracted, DocumentQueued
from workers.pipeline import Pipeline


class DramatiqPublisher:
    """Sends an event to the queue of the stage that consumes it (``schemas.events.ROUTES``)."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker

    def __call__(self, event: DocumentEvent) -> None:
        stage = ROUTES[type(event)]
        self.broker.enqueue(dramatiq.Message(queue_name=stage, actor_name=stage, args=(event.model_dump(),),
                                             kwargs={}, options={}))


def declare_actors(broker: dramatiq.Broker, pipeline: Pipeline) -> list[dramatiq.Actor]:
    """Register one actor per stage on ``broker``; names and queues follow ``ROUTES``."""

    def extract(payload: dict[str, Any]) -> None:
        pipeline.extract(DocumentQueued.model_validate(payload))

    def analyze(payload: dict[str, Any]) -> None:
        pipeline.analyze(DocumentExtracted.model_validate(payload))

    def index(payload: dict[str, Any]) -> None:
        pipeline.index(DocumentAnalyzed.model_validate(payload))

    return [dramatiq.actor(fn, actor_name=fn.__name__, queue_name=fn.__name__, broker=broker)
            for fn in (extract, analyze, index)]
