"""Extraction outcomes that are not a success. Messages are French: they reach the user as-is."""


class ExtractionError(Exception):
    """A deterministic failure: the file will fail the same way every time. Never retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ExtractionSkipped(Exception):
    """The file is deliberately not processed (too large, unsupported kind)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ExtractionCrashed(Exception):
    """The extraction process died without an answer (killed by a signal, the kernel's OOM killer, a
    parser that aborts). Possibly transient: retried with backoff, quarantined after a few attempts."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
