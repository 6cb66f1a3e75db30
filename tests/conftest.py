"""Shared fixtures. Real services only: Redis on 127.0.0.1:6379, PostgreSQL on 127.0.0.1:5432.

A missing service skips its tests on a developer machine and fails them in CI (CI=true).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from schemas.documents import TERMINAL_STATES
from services.bootstrap import Container, build
from services.ingest.intake import walk
from services.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus"
REDIS_URL = os.environ.get("PHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
PG_URL = os.environ.get("PHARE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("PHARE_TEST_CHROMIUM", "/usr/bin/chromium")


def unavailable(what: str, exc: Exception) -> None:
    if IN_CI:
        raise RuntimeError(f"{what} is required in CI") from exc
    pytest.skip(f"{what} unavailable: {exc}")


@pytest.fixture(autouse=True)
def _clean_phare_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build their Settings explicitly; a developer's PHARE_* variables must not leak in."""
    for key in list(os.environ):
        if key.startswith("PHARE_") and not key.startswith("PHARE_TEST_"):
            monkeypatch.delenv(key)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox")


@pytest.fixture
def redis_url() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable("Redis at " + REDIS_URL, exc)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def pg_url() -> Iterator[str]:
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # noqa: BLE001
        unavailable("PostgreSQL at " + PG_URL, exc)
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def container(settings: Settings, redis_url: str) -> Iterator[Container]:
    c = build(settings.model_copy(update={"redis_url": redis_url}))
    yield c
    c.close()


@pytest.fixture
def running(container: Container) -> Iterator[Container]:
    """The container with a real dramatiq worker consuming in a background thread."""
    from workers.runtime import run_worker, workers_alive

    stop = threading.Event()
    thread = threading.Thread(target=run_worker, daemon=True,
                              args=(container.broker, container.pipeline, stop, container.settings.worker_threads))
    thread.start()
    deadline = time.monotonic() + 60
    while not workers_alive(container.broker.client):
        assert time.monotonic() < deadline, "worker did not start"
        time.sleep(0.1)
    yield container
    stop.set()
    thread.join(timeout=60)


def ingest_and_wait(container: Container, paths: list[Path], timeout: float = 120) -> dict[str, tuple[str, str]]:
    submitted = [container.intake.submit(p).path for p in walk(paths)]
    deadline = time.monotonic() + timeout
    while True:
        statuses = container.catalog.path_status(submitted)
        if all(s.state in TERMINAL_STATES for s in statuses):
            return {Path(s.path).name: (s.state, s.reason) for s in statuses}
        assert time.monotonic() < deadline, statuses
        time.sleep(0.2)


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable("playwright", exc)
    if not Path(CHROMIUM).exists():
        unavailable("Chromium", FileNotFoundError(CHROMIUM))
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
        yield b
        b.close()


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
