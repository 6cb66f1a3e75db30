"""Misbehaving extraction children, importable by the fork server (see ExtractionSandbox.target)."""

from __future__ import annotations

import os
import signal
import time
from multiprocessing.connection import Connection


def hang(path: str, ocr_language: str, conn: Connection, name: str = "") -> None:
    time.sleep(3600)


def crash(path: str, ocr_language: str, conn: Connection, name: str = "") -> None:
    os._exit(139)


def balloon(path: str, ocr_language: str, conn: Connection, name: str = "") -> None:
    hog = []
    for _ in range(400):
        hog.append(bytearray(10 * 2**20))  # touched pages: real RSS growth, 4 GB if never stopped
        time.sleep(0.005)
    conn.send(("ok", "{}"))


def killed(path: str, ocr_language: str, conn: Connection, name: str = "") -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def killed_from_outside_once(path: str, ocr_language: str, conn: Connection, name: str = "") -> None:
    """Waits to be killed by the test (its pid next to the blob) the first time; extracts the second."""
    from pathlib import Path

    from workers.extract.sandbox import _child

    pid_file = Path(path).with_suffix(".pid")
    if not pid_file.exists():
        pid_file.write_text(str(os.getpid()))
        time.sleep(60)
    _child(path, ocr_language, conn, name)
