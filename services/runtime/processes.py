"""Spawning and stopping phare's own processes (workers, watcher, API) as subprocesses."""

from __future__ import annotations

import subprocess
import sys

from services.bootstrap import Container
from services.settings import Settings


def self_command(*args: str) -> list[str]:
    """The command line of a phare sub-command run by this same interpreter."""
    return [sys.executable, "-m", "services.cli", *args]


def worker_commands(settings: Settings) -> dict[str, list[str]]:
    """One worker holds the index writer (it consumes every stage's queue); the others extract and
    analyze. With semantic search on, one more process embeds, at the lowest CPU priority (it lowers
    its own niceness): it only takes the time the others leave, so indexing never waits for it.

    NER and parsing are CPU-bound Python: processes, not threads, are what uses several cores.
    """
    semantic = settings.semantic.enabled
    commands = {"worker": self_command("worker", *(["--queues", "extract,analyze,index"] if semantic else []))}
    for n in range(1, settings.worker_processes):
        commands[f"worker-{n + 1}"] = self_command("worker", "--queues", "extract,analyze")
    if semantic:
        commands["embedder"] = self_command("worker", "--queues", "embed", "--threads", "1")
    return commands


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

    Their output goes to ``<data dir>/logs/<name>.log``."""
    from workers.runtime import workers_alive

    if workers_alive(container.broker.client):
        return []
    log_dir = container.settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    for name, cmd in worker_commands(container.settings).items():
        with (log_dir / f"{name}.log").open("ab") as log:
            procs.append(subprocess.Popen(cmd, stdout=log, stderr=log))
    return procs
