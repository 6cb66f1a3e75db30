"""What the tests share besides fixtures: where the data is, which services they use, and helpers.

Real services only: Redis on 127.0.0.1:6379, PostgreSQL on 127.0.0.1:5432. A missing service skips
its tests on a developer machine and fails them in CI (CI=true).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from schemas.documents import TERMINAL_STATES
from services.bootstrap import Container
from services.ingest.intake import walk

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
OFFLINE = TESTS / "offline"
CORPUS = ROOT.parent / "shared" / "data" / "corpus"
REDIS_URL = os.environ.get("PHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
SHARED_REDIS_URL = os.environ.get("PHARE_TEST_SHARED_REDIS_URL", "redis://127.0.0.1:6379/10")
PG_URL = os.environ.get("PHARE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("PHARE_TEST_CHROMIUM", "/usr/bin/chromium")


def unavailable(what: str, exc: Exception) -> None:
    if IN_CI:
        raise RuntimeError(f"{what} is required in CI") from exc
    pytest.skip(f"{what} unavailable: {exc}")


def ingest_and_wait(container: Container, paths: list[Path], timeout: float = 120) -> dict[str, tuple[str, str]]:
    submitted = [container.intake.submit(p).path for p in walk(paths)]
    deadline = time.monotonic() + timeout
    while True:
        statuses = container.catalog.path_status(submitted)
        if all(s.state in TERMINAL_STATES for s in statuses):
            return {Path(s.path).name: (s.state, s.reason) for s in statuses}
        assert time.monotonic() < deadline, statuses
        time.sleep(0.2)


TOPICS = ["tramway", "covoiturage", "funiculaire", "téléphérique", "trolleybus", "autopartage", "vélopartage",
          "navette", "métrocâble", "péage"]


def notes(folder: Path, n: int, first: int = 0) -> list[Path]:
    """``n`` small, distinct French notes (numbered from ``first``)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(first, first + n):
        path = folder / f"note-{i:04d}.md"
        path.write_text(f"# Note {i} sur le {TOPICS[i % len(TOPICS)]}\n\nÉtude numéro {i} du {TOPICS[i % 10]} "
                        f"dans la métropole grenobloise, horizon 2040.\n", encoding="utf-8")
        out.append(path)
    return out


@contextmanager
def worker_running(container: Container) -> Iterator[None]:
    """A real dramatiq worker consuming ``container``'s queues in a background thread, for the duration."""
    from workers.heartbeat import workers_alive
    from workers.runtime import run_worker

    stop = threading.Event()
    # a short idle poll: the worker stops in a fraction of a second at the end of a test
    thread = threading.Thread(target=run_worker, daemon=True,
                              args=(container.broker, container.pipeline, stop, container.settings.worker_threads),
                              kwargs={"idle_poll_ms": 100})
    thread.start()
    until(lambda: workers_alive(container.broker.client) > 0, "worker did not start", 60)
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=60)


def until(predicate: Callable[[], bool], what: str, timeout: float, every: Callable[[], object] | None = None) -> None:
    """Wait for ``predicate`` (calling ``every`` between looks); fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        if every is not None:
            every()
        time.sleep(0.5)


@contextmanager
def serving(app: object, **config: object) -> Iterator[int]:
    """``app`` served by a real uvicorn on 127.0.0.1 in a thread, for the duration; yields its port."""
    import socket

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def redis_running(work: Path) -> bool:
    """An embedded Redis server of the data dir ``work / "data"`` is running."""
    import psutil

    socket = str(work / "data" / "redis")
    for proc in psutil.process_iter(["name", "cmdline", "status"]):
        if "redis-server" in (proc.info["name"] or "") and socket in " ".join(proc.info["cmdline"] or []) \
                and proc.info["status"] != psutil.STATUS_ZOMBIE:
            return True
    return False
