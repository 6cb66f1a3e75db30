"""The watched folder: new or changed files become submissions once they stop changing."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from watchfiles import Change, watch

from services.ingest.intake import Intake, is_ignored, normalize_path, walk
from services.ingest.reconcile import Reconciler

log = logging.getLogger(__name__)


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def stable_files(paths: list[Path], delay_s: float) -> tuple[list[Path], list[Path]]:
    """(stable, changing): a file is stable when its size and mtime do not change over ``delay_s``
    (a copy in progress does). One wait for the whole batch; vanished files are in neither list."""
    before = {p: _signature(p) for p in paths}
    time.sleep(delay_s)
    stable: list[Path] = []
    changing: list[Path] = []
    for p in paths:
        now = _signature(p)
        if now is not None:
            (stable if now == before[p] else changing).append(p)
    return stable, changing


def is_stable(path: Path, delay_s: float) -> bool:
    return stable_files([path], delay_s)[0] == [path]


class FolderWatcher:
    def __init__(self, folder: Path, intake: Intake, reconciler: Reconciler, debounce_ms: int = 1600,
                 stable_s: float = 1.0, reconcile_every_s: float = 300.0, stuck_after_s: float = 600.0,
                 polling: bool = False, poll_ms: int = 2000) -> None:
        self.folder = folder
        self.polling = polling  # network shares (SMB, NFS) send no change events: look at them instead
        self.poll_ms = poll_ms
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
                             rust_timeout=int(self.reconcile_every_s * 1000), yield_on_timeout=True,
                             force_polling=self.polling, poll_delay_ms=self.poll_ms):
            added = sorted({Path(raw) for change, raw in changes if change != Change.deleted})
            candidates = [p for p in added if p.is_file() and not is_ignored(p)]
            candidates += [inner for p in added if p.is_dir() for inner in walk([p])]  # a folder moved in
            # additions first, then removals: a renamed file is seen at its new path before the old one
            # is forgotten, so its document never leaves the index
            self._submit_when_stable(candidates)
            removed = sorted(raw for change, raw in changes if change == Change.deleted)
            for raw in removed:
                self.intake.remove(normalize_path(Path(raw)))
            if removed:  # a deleted or moved-away folder reports itself, not its files
                self.intake.remove_missing(self.folder)
            if time.monotonic() - last >= self.reconcile_every_s:
                self.reconcile(self.stuck_after_s)
                last = time.monotonic()

    def reconcile(self, stuck_after_s: float) -> None:
        self.reconciler.resync_index()
        self.reconciler.scan_folder(self.folder)
        self.reconciler.resume_stuck(stuck_after_s)
        self.reconciler.resume_embedding()

    def _submit_when_stable(self, paths: list[Path]) -> None:
        """Submit each file once its copy is over, waiting as long as some are still growing."""
        pending = list(dict.fromkeys(paths))
        while pending:
            stable, pending = stable_files(pending, self.stable_s)
            for path in stable:
                try:
                    self.intake.submit(path)
                except OSError as exc:
                    log.warning("cannot read %s: %s", path, exc)
            if pending:
                log.info("%d files still being written; waiting", len(pending))
