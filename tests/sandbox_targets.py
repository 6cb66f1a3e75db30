"""Misbehaving extraction children, importable by the fork server (see ExtractionSandbox.target)."""

from __future__ import annotations

import os
import time
from multiprocessing.connection import Connection


def hang(path: str, ocr_language: str, conn: Connection) -> None:
    time.sleep(3600)


def crash(path: str, ocr_language: str, conn: Connection) -> None:
    os._exit(139)


def balloon(path: str, ocr_language: str, conn: Connection) -> None:
    hog = []
    for _ in range(400):
        hog.append(bytearray(10 * 2**20))  # touched pages: real RSS growth, 4 GB if never stopped
        time.sleep(0.005)
    conn.send(("ok", "{}"))
