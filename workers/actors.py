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
    DocumentIndexed,
    DocumentQueued,
    DocumentRemoved,
)
from workers.extract.errors import ExtractionCrashed
from workers.pipeline import Pipeline


def declare_actors(broker: dramatiq.Broker, pipeline: Pipeline) -> list[dramatiq.Actor]:
    """Register one actor per stage on ``broker``; names and queues follow ``ROUTES``."""

    def run(stage: Callable[[Any], None], event: DocumentEvent) -> None:
        try:
            stage(event)
        except ExtractionCrashed:
            pipeline.release(event.doc_id, crashed=True)  # retried with backoff, and counted: repeated
            raise  # crashes end in quarantine
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

    def embed(payload: dict[str, Any]) -> None:
        pipeline.embed(DocumentIndexed.model_validate(payload))

    queues = {ACTORS[event]: ROUTES[event] for event in ROUTES}
    # Lower runs first among the messages a worker holds: finish the documents under way before
    # starting new extractions (depth-first), so results land early and no big document is left
    # alone at the end of a batch.
    # Embedding comes last of all: words first, meaning when there is time.
    priorities = {"extract": 20, "analyze": 10, "index": 0, "unindex": 0, "embed": 30}
    return [dramatiq.actor(fn, actor_name=fn.__name__, queue_name=queues[fn.__name__], broker=broker,
                           priority=priorities[fn.__name__])
            for fn in (extract, analyze, index, unindex, embed)]
