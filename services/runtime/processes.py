"""Spawning and stopping phare's own processes (workers, watcher, API) as subprocesses."""

from __future__ import annotations

import subprocess
import sys

from services.settings import Settings


def self_command(*args: str) -> list[str]:
    """The command line of a phare sub-command run by this same interpreter."""
    return [sys.executable, "-m", "services.cli", *args]


def worker_command() -> list[str]:
    """The command that runs this machine's workers, forked warm from one parent (``phare workers``)."""
    return self_command("workers")


def stop_processes(procs: list[subprocess.Popen], timeout: float = 40) -> None:
    """SIGTERM (workers finish their message), then SIGKILL past ``timeout`` seconds."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def ensure_workers(settings: Settings) -> list[subprocess.Popen]:
    """Start workers for the duration of a command unless some already serve this data dir.

    Light (the settings and a Redis connection), so that a command calls it first: the workers load
    their models while the command imports the rest and reads its files. Their output goes to
    ``<data dir>/logs/workers.log``."""
    if _workers_alive(settings):
        return []
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "workers.log").open("ab") as log:
        return [subprocess.Popen(worker_command(), stdout=log, stderr=log)]


def _workers_alive(settings: Settings) -> bool:
    import redis

    from workers.heartbeat import workers_alive

    if settings.redis_url:
        client = redis.Redis.from_url(settings.redis_url)
    else:
        from services.runtime.embedded_redis import EmbeddedRedis

        server = EmbeddedRedis(settings.redis_dir)
        if not server.alive():  # no broker yet, so no worker: the workers start it
            return False
        client = server.client()
    with client:
        return workers_alive(client) > 0
