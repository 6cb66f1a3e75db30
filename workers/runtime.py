"""Run the pipeline actors in this process: a dramatiq Worker plus a liveness heartbeat in Redis."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from threadpoolctl import threadpool_limits

from workers.actors import declare_actors
from workers.heartbeat import HEARTBEAT_PREFIX, HEARTBEAT_TTL_S, READY, WARMING
from workers.pipeline import Pipeline

log = logging.getLogger(__name__)
_HEARTBEAT_EVERY_S = 3.0
_STOP_CHECK_S = 0.1


def _lowest_priority() -> None:
    try:
        os.nice(19 - os.nice(0))
    except OSError:  # not permitted here: the stage still runs, at the usual priority
        log.warning("could not lower the embedding worker's CPU priority")


def run_worker(broker: RedisBroker, pipeline: Pipeline, stop: threading.Event, threads: int,
               queues: set[str] | None = None, idle_poll_ms: int = 250) -> None:
    """Consume until ``stop`` is set.

    ``idle_poll_ms``: the longest an idle worker waits before looking at its queues again (dramatiq's
    ``worker_timeout``); stopping takes about twice that. A quarter of a second: a document dropped on
    idle workers (or a stage's queue that was empty) waits at most that, and an idle worker costs a
    few cheap Redis calls a second.

    Consumption starts at once: extraction runs in the fork server while this process loads the
    NLP models (seconds, mostly compiling spaCy's French tokenizer patterns), and analysis waits
    for them. The heartbeat says ``warming`` until then, ``ready`` after."""
    import numpy  # noqa: F401 - loads the BLAS library threadpool_limits must find

    declare_actors(broker, pipeline)
    # Parallelism comes from worker processes: a multi-threaded BLAS in each of them only adds
    # spinning threads fighting for the same cores (measured: 30 % slower ingestion on 2 cores).
    threadpool_limits(limits=1, user_api="blas")
    embed_only = queues is not None and queues <= {"embed"}
    if embed_only:  # embedding takes only the CPU the other stages leave
        _lowest_priority()
    warm_up = pipeline.warm_up_embedding if embed_only else pipeline.warm_up
    warming = threading.Thread(target=warm_up, name="phare-warm-up", daemon=True)
    warming.start()
    worker = dramatiq.Worker(broker, queues=queues, worker_threads=threads, worker_timeout=idle_poll_ms)
    # dramatiq holds twice its threads' worth of messages per queue by default: at the end of a batch
    # one process then sits on documents the other, idle, could be working on.
    worker.queue_prefetch = threads
    worker.start()
    key = f"{HEARTBEAT_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    log.info("worker %s consuming %s", key, sorted(queues) if queues else "all queues")
    try:
        sent, due = b"", 0.0
        while not stop.is_set():
            state = WARMING if warming.is_alive() else READY
            if state != sent or time.monotonic() >= due:
                try:
                    broker.client.set(key, state, ex=HEARTBEAT_TTL_S)
                except Exception:  # Redis may be restarting; dramatiq reconnects on its own
                    log.warning("heartbeat failed", exc_info=True)
                sent, due = state, time.monotonic() + _HEARTBEAT_EVERY_S
            # Short waits: the kernel gives a stop signal to any thread of the process, and one taken by
            # a dramatiq thread reaches Python's handler only when this thread next runs (blocking the
            # signals in those threads would also block them in every program they start).
            stop.wait(_STOP_CHECK_S)
    finally:
        # An embedding under way is not waited for (a long document takes seconds at the lowest priority):
        # its message stays unacknowledged and comes back (dramatiq's maintenance, or the reconciler).
        worker.stop(timeout=200 if embed_only else 30_000)
        try:
            broker.client.delete(key)
        except Exception:  # noqa: BLE001
            pass
