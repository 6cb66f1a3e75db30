"""Warm workers (``phare workers``): forked from one parent that loaded the models, replaced by a new
fork when one dies, never outliving the parent. Real processes on a real Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from services.bootstrap import Container, build
from services.ingest.reconcile import Reconciler
from services.runtime.worker_pool import worker_specs
from services.settings import SemanticSettings, Settings
from tests.support import ROOT, notes, redis_running, until
from workers.heartbeat import workers_ready

pytestmark = pytest.mark.slow


def forked_workers(pool: subprocess.Popen) -> set[int]:
    """The pool's worker processes: its children running its own command line (not the fork server)."""
    try:
        parent = psutil.Process(pool.pid)
        return {c.pid for c in parent.children() if c.cmdline() == parent.cmdline() and c.status() != "zombie"}
    except psutil.NoSuchProcess:
        return set()


@pytest.fixture
def pool(tmp_path: Path, redis_url: str) -> Iterator[tuple[Container, subprocess.Popen]]:
    settings = Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox", redis_url=redis_url,
                        worker_processes=2, semantic=SemanticSettings(enabled=False))
    container = build(settings)
    env = {**os.environ, "PHARE_DATA_DIR": str(settings.data_dir), "PHARE_REDIS_URL": redis_url,
           "PHARE_CLAIM_LEASE_S": "5", "PHARE_WORKER_PROCESSES": "2", "PHARE_SEMANTIC__ENABLED": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "workers"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    expected = len(worker_specs(settings))
    until(lambda: workers_ready(container.broker.client) == expected, "every forked worker ready", 120)
    assert len(forked_workers(proc)) == expected == 2
    yield container, proc
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)
    container.close()


def test_a_killed_worker_is_replaced_by_a_fork_and_nothing_is_lost(pool, tmp_path: Path) -> None:  # noqa: ANN001
    container, proc = pool
    files = notes(tmp_path / "lot", 40)
    for path in files:
        container.intake.submit(path)
    until(lambda: container.catalog.counts().get("indexed", 0) >= 5, "first documents indexed", 120)
    before = forked_workers(proc)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)  # no cleanup: its messages in flight stay unacknowledged
    until(lambda: len(forked_workers(proc) - before) == 1 and victim not in forked_workers(proc),
          "a new worker forked in place of the killed one", 30)
    replacement = (forked_workers(proc) - before).pop()
    assert psutil.Process(replacement).ppid() == proc.pid  # a fork of the warm parent, not a new program
    until(lambda: workers_ready(container.broker.client) == 2, "the replacement ready", 30)
    reconciler = Reconciler(container.catalog, container.intake, container.publish, lambda: container.backend)
    until(lambda: container.catalog.counts().get("indexed", 0) == len(files), "every document indexed", 240,
          every=lambda: reconciler.resume_stuck(older_than_s=10))
    assert container.catalog.counts() == {"indexed": len(files)}
    until(lambda: container.backend.count() == len(files), "index caught up", 30)


def test_workers_stop_with_the_pool_and_die_with_it(pool) -> None:  # noqa: ANN001
    container, proc = pool
    workers = forked_workers(proc)
    everything = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    os.kill(proc.pid, signal.SIGKILL)  # the parent dies without a word: the kernel tells its workers
    proc.wait(timeout=10)
    until(lambda: not any(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie" for p in workers),
          "no worker outlives the pool", 60)
    # the extraction fork server ends once no process holds its pipe (the workers had it)
    until(lambda: not any(p.is_running() and p.status() != "zombie" for p in everything), "nothing left behind", 30)


def test_sigterm_stops_every_worker_cleanly(pool) -> None:  # noqa: ANN001
    container, proc = pool
    workers = forked_workers(proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert not any(psutil.pid_exists(p) for p in workers)
    until(lambda: workers_ready(container.broker.client) == 0, "heartbeats withdrawn", 10)


def test_the_pool_on_embedded_redis_leaves_nothing_behind(tmp_path: Path) -> None:
    """Its workers stop together, each seeing the others still connected: the parent, last out, stops it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHARE_")}
    env.update(PHARE_DATA_DIR=str(tmp_path / "data"), PHARE_SEMANTIC__ENABLED="false", PHARE_WORKER_PROCESSES="2")
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "workers"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        until(lambda: len(forked_workers(proc)) == 2 and redis_running(tmp_path), "workers on their Redis", 120)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    until(lambda: not redis_running(tmp_path), "the embedded Redis stopped with the pool", 15)
