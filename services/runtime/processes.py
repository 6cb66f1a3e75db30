"""Spawning and stopping phare's own processes (workers, watcher, API) as subprocesses."""

from __future__ import annotations

import subprocess
import sys

from services.bootstrap import Container


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


def ensure_workers(container: Container) -> list[subprocess.Popen]:
    """Start workers for the duration of a command unless some already serve this data dir.

    Their output goes to ``<data dir>/logs/workers.log``."""
    from workers.runtime import workers_alive

    if workers_alive(container.broker.client):
        return []
    log_dir = container.settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "workers.log").open("ab") as log:
        return [subprocess.Popen(worker_command(), stdout=log, stderr=log)]
