"""Thin dramatiq actors: decode the JSON event, run the pipeline stage. Declared on a given broker,
with the middleware that gives back the attempt of a stage that raised."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy

from schemas.events import (
    ACTORS,
    ROUTES,
    DocumentAnalyzed,
    DocumentExtracted,
    DocumentIndexed,
    DocumentQueued,
    DocumentRemoved,
)
from workers.extract.errors import ExtractionCrashed
from workers.pipeline import Pipeline

#: the actors whose stage claims the document (the claim is given back when the stage raises)
CLAIMING = ("extract", "analyze", "index")


class ReleaseOnError(dramatiq.Middleware):
    """When a claiming stage raises, give its attempt back so that dramatiq's retry (with backoff)
    finds the document free. A transient error (index locked, database busy) is not counted as an
    attempt; a crash of the extractor stays counted, so repeated crashes end in quarantine.

    Added last, so dramatiq runs it before ``Retries`` schedules the retry (after-hooks run in
    reverse order)."""

    def __init__(self, release: Callable[[str, bool], None]) -> None:
        self.release = release

    def after_process_message(self, broker: dramatiq.Broker, message: MessageProxy, *,
                              result: object = None, exception: BaseException | None = None) -> None:
        if exception is None or message.actor_name not in CLAIMING or not message.args:
            return
        doc_id = message.args[0].get("doc_id") if isinstance(message.args[0], dict) else None
        if doc_id:
            self.release(doc_id, isinstance(exception, ExtractionCrashed))


def declare_actors(broker: dramatiq.Broker, pipeline: Pipeline) -> list[dramatiq.Actor]:
    """Register one actor per stage on ``broker`` (names and queues follow ``ROUTES``), and the
    middleware that releases a failed stage's claim."""
    broker.add_middleware(ReleaseOnError(lambda doc_id, crashed: pipeline.release(doc_id, crashed=crashed)))

    def extract(payload: dict[str, Any]) -> None:
        pipeline.extract(DocumentQueued.model_validate(payload))

    def analyze(payload: dict[str, Any]) -> None:
        pipeline.analyze(DocumentExtracted.model_validate(payload))

    def index(payload: dict[str, Any]) -> None:
        pipeline.index(DocumentAnalyzed.model_validate(payload))

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
