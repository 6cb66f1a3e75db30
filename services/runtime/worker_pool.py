"""Warm workers: one parent loads what every worker needs once, then forks its workers.

The parent (``phare workers``) imports the pipeline's code, loads the reference data and spaCy's
French pipeline (seconds, mostly compiling the tokenizer's patterns) and starts the extraction fork
server (which imports unstructured), then forks one process per worker (gunicorn's "preload"): the
loaded models are shared copy-on-write, and a worker is ready as soon as it has connected to Redis.
A worker that dies is replaced by a new fork of the still-warm parent, never by a cold start.

Fork safety: the parent runs no thread and opens no connection before forking; each worker builds
its own container (Redis, catalog, index) after the fork. Workers ignore Ctrl-C (the terminal sends
it to the whole process group): the parent stops them with SIGTERM, and the kernel sends them
SIGTERM if the parent dies, so none outlives it.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.settings import Settings

if TYPE_CHECKING:
    from services.bootstrap import Container
    from workers.analyze.analyzer import Analyzer

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1
#: a worker that dies sooner than this after its start counts as a crash loop: its next start waits
_QUICK_DEATH_S = 5.0
_MAX_BACKOFF_S = 30.0


@dataclass(frozen=True)
class WorkerSpec:
    """One worker process: its name (for logs), the queues it consumes (None: all), its threads."""

    name: str
    queues: frozenset[str] | None
    threads: int

    @property
    def embed_only(self) -> bool:
        return self.queues is not None and self.queues <= {"embed"}


def worker_specs(settings: Settings) -> list[WorkerSpec]:
    """One worker holds the index writer (it consumes every stage's queue); the others extract and
    analyze. With semantic search on, one more process embeds, at the lowest CPU priority (it lowers
    its own niceness): it only takes the time the others leave, so indexing never waits for it.

    NER and parsing are CPU-bound Python: processes, not threads, are what uses several cores.
    """
    semantic = settings.semantic.enabled
    threads = settings.worker_threads
    specs = [WorkerSpec("worker", frozenset({"extract", "analyze", "index"}) if semantic else None, threads)]
    specs += [WorkerSpec(f"worker-{n + 1}", frozenset({"extract", "analyze"}), threads)
              for n in range(1, settings.worker_processes)]
    if semantic:
        specs.append(WorkerSpec("embedder", frozenset({"embed"}), 1))
    return specs


def preload(container: Container) -> Analyzer:
    """What every worker needs before its first document, loaded in this (parent) process (the
    extraction fork server is already importing its parsers: ``phare workers`` starts it first)."""
    import numpy  # noqa: F401 - loads the BLAS library threadpool_limits must find
    from threadpoolctl import threadpool_limits

    import services.ingest.catalog  # noqa: F401 - the workers' own imports, paid once here
    import workers.pipeline
    import workers.runtime  # noqa: F401

    threadpool_limits(limits=1, user_api="blas")  # as in every worker: processes are the parallelism
    container.analyzer.warm_up()
    return container.analyzer


def _die_with_parent(parent: int) -> None:
    """Ask the kernel for SIGTERM when the parent dies (Linux); exit now if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(0)


def adopt_fork_server() -> None:
    """Use the extraction fork server the parent started (multiprocessing checks on its fork server
    with ``waitpid``, which only works in the process that started it); if that server has died,
    start this process's own."""
    from multiprocessing import forkserver

    import psutil

    server: Any = forkserver._forkserver  # the module's single instance (private: no public way)
    inherited = server._forkserver_pid
    if inherited is None:
        return
    start_own = type(server).ensure_running.__get__(server)

    def ensure_running() -> None:
        if server._forkserver_pid == inherited:
            try:
                if psutil.Process(inherited).status() != psutil.STATUS_ZOMBIE:
                    return
            except psutil.Error:
                pass
            os.close(server._forkserver_alive_fd)
            server._forkserver_address = server._forkserver_alive_fd = server._forkserver_pid = None
        start_own()

    server.ensure_running = ensure_running  # what connect_to_new_process calls
    forkserver.ensure_running = ensure_running  # the module's alias (sandbox.warm_up calls it)


def _run_child(spec: WorkerSpec, settings: Settings, analyzer: Analyzer, parent: int) -> int:
    from services.bootstrap import build
    from services.cli.common import stop_on_signals
    from workers.runtime import run_worker

    _die_with_parent(parent)
    stop = stop_on_signals()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    adopt_fork_server()
    container = build(settings, analyzer=analyzer)
    try:
        run_worker(container.broker, container.pipeline, stop, spec.threads,
                   set(spec.queues) if spec.queues is not None else None)
    finally:
        container.close()
    return 0


class WorkerPool:
    """``run(stop)`` forks the workers of ``specs`` from this warm process and keeps them alive until
    ``stop`` is set; then stops them (SIGTERM: each finishes its message) and returns."""

    def __init__(self, settings: Settings, specs: list[WorkerSpec], analyzer: Analyzer,
                 stop_timeout_s: float = 40.0) -> None:
        self.settings = settings
        self.specs = specs
        self.analyzer = analyzer
        self.stop_timeout_s = stop_timeout_s
        self.children: dict[int, WorkerSpec] = {}
        self._started: dict[str, float] = {}
        self._backoff: dict[str, float] = {}
        self._stopping = False

    def _fork(self, spec: WorkerSpec) -> None:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the parent's stack
            code = 1
            try:
                code = _run_child(spec, self.settings, self.analyzer, parent)
            except BaseException:
                log.exception("worker %s stopped on an error", spec.name)
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = spec
        self._started[spec.name] = time.monotonic()
        log.info("worker %s started (pid %d, forked warm)", spec.name, pid)

    def _reap(self) -> list[WorkerSpec]:
        """The specs of workers that ended since the last call."""
        ended = []
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:  # none left (reaped elsewhere)
                self.children.clear()
                break
            if pid == 0:
                break
            spec = self.children.pop(pid, None)
            if spec is None:  # the fork server (a child of this process): workers start their own
                continue
            code = os.waitstatus_to_exitcode(status)
            log.log(logging.INFO if self._stopping else logging.WARNING, "worker %s (pid %d) ended (code %d)",
                    spec.name, pid, code)
            ended.append(spec)
        return ended

    def run(self, stop: threading.Event) -> None:
        if stop.is_set():
            return
        for spec in self.specs:
            self._fork(spec)
        due: dict[str, tuple[float, WorkerSpec]] = {}
        while not stop.is_set():
            for spec in self._reap():
                lived = time.monotonic() - self._started[spec.name]
                wait = min(_MAX_BACKOFF_S, 2 * self._backoff.get(spec.name, 0.5)) if lived < _QUICK_DEATH_S else 0.0
                self._backoff[spec.name] = wait
                due[spec.name] = (time.monotonic() + wait, spec)
            for name, (when, spec) in list(due.items()):
                if time.monotonic() >= when and not stop.is_set():
                    del due[name]
                    self._fork(spec)
            stop.wait(0.2)
        self.stop()

    def stop(self) -> None:
        self._stopping = True
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout_s
        while self.children and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.1)
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        while self.children:
            self._reap()
            time.sleep(0.05)
