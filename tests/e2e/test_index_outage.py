"""The search engine unavailable for 30 s while documents arrive: nothing is lost.

The engine is ``osmem-server`` — an in-memory OpenSearch *emulator*, stopped and restarted on the
same address. It comes back empty (it keeps nothing in memory across a restart), which is harder
than a real cluster's restart: the reconciler must also put back what was indexed before."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.bootstrap import Container
from services.ingest.reconcile import Reconciler
from services.settings import Settings
from tests.support import notes, until

pytestmark = pytest.mark.slow


class Engine:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.addr = f"127.0.0.1:{s.getsockname()[1]}"
        self.server = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://{self.addr}"

    def start(self) -> None:
        from osmem_server import OsmemServer

        self.server = OsmemServer.start(japanese=False, addr=self.addr)

    def stop(self) -> None:
        self.server.process.terminate()
        self.server.process.wait(timeout=20)


@pytest.fixture
def engine() -> Iterator[Engine]:
    e = Engine()
    yield e
    e.stop()


@pytest.fixture
def settings(tmp_path: Path, engine: Engine) -> Settings:
    # a short lease: a document whose indexing was cut off is taken up again 10 s later, not 60
    return Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox", opensearch_url=engine.url,
                    claim_lease_s=10)


def test_index_unavailable_for_30_seconds(running: Container, engine: Engine, tmp_path: Path) -> None:
    before = notes(tmp_path / "avant", 10)
    for path in before:
        running.intake.submit(path)
    until(lambda: running.catalog.counts().get("indexed", 0) == 10, "first documents indexed", 120)

    engine.stop()
    during = notes(tmp_path / "pendant", 10, first=10)
    for path in during:
        running.intake.submit(path)
    time.sleep(30)
    counts = running.catalog.counts()
    assert counts.get("indexed") == 10 and counts.get("failed", 0) == 0  # waiting, not lost, not failed

    engine.start()
    reconciler = Reconciler(running.catalog, running.intake, running.publish, lambda: running.backend)
    until(lambda: running.catalog.counts() == {"indexed": 20}, "indexed after the outage", 240,
          every=lambda: reconciler.resume_stuck(older_than_s=10))
    until(lambda: running.backend.count() == 20, "index complete again", 120, every=reconciler.resync_index)
