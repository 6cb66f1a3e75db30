"""Publish pipeline events on the dramatiq broker (built by ``services.messaging``)."""

from __future__ import annotations

import dramatiq

from schemas.events import ACTORS, ROUTES, DocumentEvent


class DramatiqPublisher:
    """Sends an event to the queue of the stage that consumes it (``schemas.events.ROUTES``)."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker

    def __call__(self, event: DocumentEvent) -> None:
        self.broker.enqueue(dramatiq.Message(queue_name=ROUTES[type(event)], actor_name=ACTORS[type(event)],
                                             args=(event.model_dump(),), kwargs={}, options={}))
