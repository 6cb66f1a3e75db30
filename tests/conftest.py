"""Shared fixtures (helpers and constants live in ``tests/support.py``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from services.bootstrap import Container, build
from services.settings import Settings
from tests.support import CHROMIUM, PG_URL, REDIS_URL, SHARED_REDIS_URL, unavailable, worker_running


@pytest.fixture(autouse=True)
def _clean_phare_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build their Settings explicitly; a developer's PHARE_* variables must not leak in."""
    for key in list(os.environ):
        if key.startswith("PHARE_") and not key.startswith("PHARE_TEST_"):
            monkeypatch.delenv(key)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox")


@contextmanager
def empty_redis(url: str) -> Iterator[str]:
    """The Redis database at ``url``, emptied before and after (down: skipped, or failed in CI)."""
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable("Redis at " + url, exc)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()


@pytest.fixture
def redis_url() -> Iterator[str]:
    with empty_redis(REDIS_URL) as url:
        yield url


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
    with worker_running(container):
        yield container


@pytest.fixture(scope="module")
def shared_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    """One library and its worker for a whole module whose tests only read (Redis: its own database)."""
    root = tmp_path_factory.mktemp("library")
    with empty_redis(SHARED_REDIS_URL) as url:
        c = build(Settings(data_dir=root / "data", inbox=root / "inbox", redis_url=url))
        with worker_running(c):
            yield c
        c.close()


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
