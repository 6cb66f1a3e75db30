"""The watched folder: new or changed files become submissions once they stop changing."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from watchfiles import Change, watch

from services.ingest.intake import Intake, is_ignored
from services.ingest.reconcile import Reconciler

log = logging.getLogger(__name__)


def is_stable(path: Path, delay_s: float) -> bool:
    """True when size and mtime do not change over ``delay_s`` (a copy in progress does)."""
    try:
        before = path.stat()
        time.sleep(delay_s)
        after = path.stat()
    except OSError:
        return False
    return (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)


class FolderWatcher:
    def __init__(self, folder: Path, intake: Intake, reconciler: Reconciler, debounce_ms: int = 1600,
                 stable_s: float = 1.0, reconcile_every_s: float = 300.0, stuck_after_s: float = 600.0) -> None:
        self.folder = folder
        self.intake = intake
        self.reconciler = reconciler
        self.debounce_ms = debounce_ms
        self.stable_s = stable_s
        self.reconcile_every_s = reconcile_every_s
        self.stuck_after_s = stuck_after_s

    def run(self, stop: threading.Event) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.reconcile(stuck_after_s=0)
        last = time.monotonic()
        for changes in watch(self.folder, recursive=True, debounce=self.debounce_ms, stop_event=stop,
                             rust_timeout=int(self.reconcile_every_s * 1000), yield_on_timeout=True):
            for change, raw in sorted(changes, key=lambda c: c[1]):
                path = Path(raw)
                if change != Change.deleted and path.is_file() and not is_ignored(path):
                    self._submit_when_stable(path)
            if time.monotonic() - last >= self.reconcile_every_s:
                self.reconcile(self.stuck_after_s)
                last = time.monotonic()

    def reconcile(self, stuck_after_s: float) -> None:
        self.reconciler.resync_index()
        self.reconciler.scan_folder(self.folder)
        self.reconciler.resume_stuck(stuck_after_s)

    def _submit_when_stable(self, path: Path) -> None:
        if not is_stable(path, self.stable_s):
            log.info("%s still changing; the next event or reconciliation will take it", path)
            return
        try:
            self.intake.submit(path)
        except OSError as exc:
            log.warning("cannot read %s: %s", path, exc)
