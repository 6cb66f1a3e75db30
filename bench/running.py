"""A real ``phare up`` for the benchmarks that measure the product as a user runs it.

``Phare(folder)`` starts ``phare up`` on embedded defaults in a folder of its own (data, inbox, a
free port) and waits for ``/healthz``; ``status()`` reads ``phare status --json``; ``wait()`` polls
it until the expected documents are terminal (and, optionally, embedded); ``stop()`` sends SIGINT
as Ctrl-C would and kills the whole process group if it does not stop.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PHARE = ROOT / ".venv" / "bin" / "phare"
TERMINAL = ("indexed", "failed", "duplicate")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Phare:
    """``phare up`` in a folder of its own, stopped (with its workers) on ``stop()``."""

    def __init__(self, folder: Path, **env: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.env = {**os.environ, "PHARE_DATA_DIR": str(folder / "data"), "PHARE_INBOX": str(folder / "inbox"),
                    "PHARE_PORT": str(self.port), **env}
        self.url = f"http://127.0.0.1:{self.port}"
        self.inbox = folder / "inbox"
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.log = (folder / "up.log").open("w")
        self.process = subprocess.Popen([str(PHARE), "up"], cwd=folder, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"phare up n'a pas démarré (voir {folder / 'up.log'})")

    def status(self) -> dict:
        out = subprocess.run([str(PHARE), "status", "--json"], cwd=self.folder, env=self.env, check=True,
                             capture_output=True, text=True).stdout
        return dict(json.loads(out))

    def wait(self, expected: int, timeout: float, embedded: bool = True, every_s: float = 5) -> dict:
        """The status once ``expected`` documents are terminal (and every indexed one embedded, if asked)."""
        deadline = time.monotonic() + timeout
        while True:
            report = self.status()
            done = sum(n for state, n in report["counts"].items() if state in TERMINAL)
            indexed = report["counts"].get("indexed", 0)
            vectors = report.get("semantic", {}).get("embedded", indexed)
            print(f"\r  {done}/{expected} traités, {vectors} avec vecteurs", end="", file=sys.stderr)
            if done >= expected and (not embedded or vectors >= indexed):
                print(file=sys.stderr)
                return report
            if time.monotonic() > deadline:
                raise TimeoutError(f"après {timeout:.0f} s : {report}")
            time.sleep(every_s)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        except ProcessLookupError:
            pass
        self.log.close()
