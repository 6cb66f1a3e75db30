"""Faults that must lose nothing: a worker killed with SIGKILL, Redis restarted, everything killed at
once, repeated crashes, a burst of files. Real worker processes (``phare worker``, ``phare up``) on
real Redis servers."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from schemas.documents import TERMINAL_STATES, DocState
from services.bootstrap import Container, build
from services.ingest.intake import walk
from services.ingest.reconcile import Reconciler
from services.settings import Settings
from tests.support import ROOT, notes, until

pytestmark = pytest.mark.slow
def spawn_worker(env: dict[str, str], indexer: bool = True) -> subprocess.Popen:
    """A ``phare worker`` process; as under ``phare up``, only one of them writes the embedded index."""
    queues = [] if indexer else ["--queues", "extract,analyze"]
    return subprocess.Popen([sys.executable, "-m", "services.cli", "worker", "--threads", "2", *queues], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def terminal(container: Container) -> int:
    counts = container.catalog.counts()
    return sum(n for state, n in counts.items() if state in TERMINAL_STATES and state != DocState.DUPLICATE)


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """The worker and its extraction fork server: everything it started."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


@pytest.fixture
def workers(tmp_path: Path, redis_url: str) -> Iterator[tuple[Container, dict[str, str], list[subprocess.Popen]]]:
    settings = Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox", redis_url=redis_url)
    container = build(settings)
    # a short lease: the documents a killed worker had claimed are taken up again after 5 s, not 60
    env = {**os.environ, "PHARE_DATA_DIR": str(settings.data_dir), "PHARE_REDIS_URL": redis_url,
           "PHARE_CLAIM_LEASE_S": "5"}
    procs: list[subprocess.Popen] = []
    yield container, env, procs
    for proc in procs:
        kill_group(proc, signal.SIGTERM)
    container.close()


def test_a_worker_killed_mid_run_loses_nothing(workers, tmp_path: Path) -> None:  # noqa: ANN001
    container, env, procs = workers
    procs += [spawn_worker(env), spawn_worker(env, indexer=False)]
    files = notes(tmp_path / "lot", 40)
    for path in files:
        container.intake.submit(path)
    until(lambda: container.catalog.counts().get("indexed", 0) >= 10, "first documents indexed", 120)
    kill_group(procs[0])  # SIGKILL: no cleanup, messages in flight stay unacknowledged
    procs.append(spawn_worker(env))
    reconciler = Reconciler(container.catalog, container.intake, container.publish, lambda: container.backend)
    # what `phare up` does periodically: documents stuck in a stage are sent again
    until(lambda: terminal(container) == len(files), "every document terminal", 240,
          every=lambda: reconciler.resume_stuck(older_than_s=10))
    failed = [(d.id, d.reason) for d in container.catalog.by_state(DocState.FAILED)]
    assert container.catalog.counts() == {"indexed": len(files)}, failed
    until(lambda: container.backend.count() == len(files), "index caught up", 30)
    assert container.backend.count() == len(files)  # once each


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    """A Redis server of this test only, persisting to its AOF (as deploy/ configures Redis): restartable."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path / "redis"
    folder.mkdir()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
               "--appendonly", "yes", "--appendfsync", "always", "--save", ""]

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=port)
        until(lambda: _pings(client), "redis up", 20)
        return proc

    server = [start()]

    def restart() -> None:
        redis.Redis(port=port).shutdown(nosave=False)
        server[0].wait(timeout=20)
        time.sleep(3)  # workers see the connection refused
        server[0] = start()

    yield f"redis://127.0.0.1:{port}/0", restart
    server[0].terminate()
    server[0].wait(timeout=20)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def test_redis_restarted_mid_run(own_redis, tmp_path: Path) -> None:  # noqa: ANN001
    url, restart = own_redis
    settings = Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox", redis_url=url)
    container = build(settings)
    env = {**os.environ, "PHARE_DATA_DIR": str(settings.data_dir), "PHARE_REDIS_URL": url, "PHARE_CLAIM_LEASE_S": "5"}
    procs = [spawn_worker(env), spawn_worker(env, indexer=False)]
    try:
        files = notes(tmp_path / "lot", 40)
        for path in files:
            container.intake.submit(path)
        until(lambda: container.catalog.counts().get("indexed", 0) >= 10, "first documents indexed", 120)
        restart()
        reconciler = Reconciler(container.catalog, container.intake, container.publish, lambda: container.backend)
        until(lambda: terminal(container) == len(files), "every document terminal", 240,
              every=lambda: reconciler.resume_stuck(older_than_s=10))
        assert container.catalog.counts() == {"indexed": len(files)}
    finally:
        for proc in procs:
            kill_group(proc, signal.SIGTERM)
        container.close()


def test_repeated_crashes_end_in_quarantine_and_retry_recovers(workers, tmp_path: Path) -> None:  # noqa: ANN001
    container, env, procs = workers
    [path] = notes(tmp_path / "un", 1)
    doc_id = container.intake.submit(path).doc_id
    container.catalog.set_state(doc_id, DocState.EXTRACTING, attempts=3)  # three starts, none finished
    procs.append(spawn_worker(env))  # takes the message the submission queued: a fourth start
    until(lambda: container.catalog.get(doc_id).state == DocState.FAILED, "quarantined", 60)
    assert container.catalog.get(doc_id).reason.startswith("mis en quarantaine : l'extraction a été interrompue 3 fois")
    retried = subprocess.run([sys.executable, "-m", "services.cli", "retry", doc_id], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert "1 document(s) relancé(s)" in retried.stderr
    until(lambda: container.catalog.get(doc_id).state == DocState.INDEXED, "indexed after retry", 60)


def test_a_burst_of_files_and_a_folder_moved_in(workers, tmp_path: Path) -> None:  # noqa: ANN001
    """Two worker processes, a burst and a folder moved in: every document ends indexed once. (How fast
    a drop of thousands of files goes is bench/burst.py's measure, not a test's: 120 files show the
    behaviour.)"""
    container, env, procs = workers
    procs += [spawn_worker(env), spawn_worker(env, indexer=False)]
    burst = notes(tmp_path / "inbox" / "rafale", 100)
    moved = notes(tmp_path / "ailleurs" / "dossier", 20, first=len(burst))
    shutil.move(str(moved[0].parent), str(tmp_path / "inbox" / "dossier"))
    reconciler = Reconciler(container.catalog, container.intake, container.publish, lambda: container.backend)
    started = time.monotonic()
    reconciler.scan_folder(tmp_path / "inbox")
    assert len(list(walk([tmp_path / "inbox"]))) == len(burst) + len(moved)
    until(lambda: terminal(container) == len(burst) + len(moved), "every document terminal", 900,
          every=lambda: reconciler.resume_stuck(older_than_s=120))
    assert container.catalog.counts() == {"indexed": len(burst) + len(moved)}
    print(f"{len(burst) + len(moved)} small files indexed in {time.monotonic() - started:.0f} s")


def test_everything_killed_mid_run_loses_nothing(tmp_path: Path) -> None:
    """`phare up` on embedded defaults, and everything killed at once with SIGKILL mid-run — supervisor,
    warm workers, watcher, API, fork servers and the embedded Redis (its last second of queue may be
    lost: the AOF is synced every second) — as a power cut would: once started again, every file in the
    folder ends indexed exactly once."""
    import psutil

    from tests.support import redis_running

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHARE_")}
    env.update(PHARE_DATA_DIR=str(data), PHARE_INBOX=str(inbox), PHARE_PORT=str(port), PHARE_CLAIM_LEASE_S="5",
               PHARE_SEMANTIC__ENABLED="false", PHARE_WATCH_STABLE_S="0.2")
    files = notes(inbox, 60)
    settings = Settings(data_dir=data, inbox=inbox, redis_url=None)

    def up() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "services.cli", "up"], cwd=tmp_path, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def indexed() -> int:
        catalog = build(settings).catalog
        try:
            return catalog.counts().get("indexed", 0)
        finally:
            catalog.dispose()

    first = up()
    until(lambda: indexed() >= 5, "first documents indexed", 180)
    group = [psutil.Process(first.pid), *psutil.Process(first.pid).children(recursive=True)]
    redis_pid = int((data / "redis" / "redis.pid").read_text())
    os.killpg(first.pid, signal.SIGKILL)
    os.kill(redis_pid, signal.SIGKILL)
    first.wait(timeout=30)
    until(lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in group), "all dead", 30)
    assert indexed() < len(files)  # killed mid-run
    second = up()
    try:
        until(lambda: indexed() == len(files), "every file indexed after the restart", 300)
        catalog = build(settings).catalog
        try:
            assert catalog.counts() == {"indexed": len(files)}
        finally:
            catalog.dispose()
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(second.pid, signal.SIGKILL)
    from services.search.backends.tantivy_backend import TantivyBackend

    index = TantivyBackend(settings.index_dir)
    try:
        assert index.count() == len(files)  # once each
    finally:
        index.close()
    until(lambda: not redis_running(tmp_path), "nothing left behind", 15)
