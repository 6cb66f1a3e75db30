"""The producer side: a file path becomes a stored blob, a catalog row and (if new) a queued event.

Used by the folder watcher, ``phare ingest``, the upload API and the reconciler alike.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from schemas.documents import DocState
from schemas.events import DocumentAnalyzed, DocumentEvent, DocumentQueued, DocumentRemoved
from schemas.files import sha256_file, too_large_reason
from services.ingest.blobs import ArtifactStore, BlobStore
from services.ingest.catalog import Catalog

log = logging.getLogger(__name__)

#: names that are never documents: office lock files, partial downloads, OS litter
IGNORED = ("~$*", ".~lock.*", "*.part", "*.crdownload", "*.tmp", "*.swp", ".DS_Store", "Thumbs.db", "desktop.ini")


def is_ignored(path: Path) -> bool:
    return path.name.startswith(".") or any(fnmatch.fnmatch(path.name, pattern) for pattern in IGNORED)


def normalize_path(path: Path) -> str:
    """Absolute, NFC-normalised path string: the catalog key of a file."""
    return unicodedata.normalize("NFC", os.path.abspath(path))


def walk(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths (folders recursively, in name order), ignored names left out."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if not is_ignored(candidate):
                        yield candidate
        elif path.is_file() and not is_ignored(path):
            yield path


@dataclass(frozen=True)
class Submitted:
    path: str
    doc_id: str
    queued: bool


class Intake:
    def __init__(self, catalog: Catalog, blobs: BlobStore, publish: Callable[[DocumentEvent], None],
                 max_file_bytes: int, artifacts: ArtifactStore | None = None) -> None:
        self.catalog = catalog
        self.blobs = blobs
        self.artifacts = artifacts
        self.publish = publish
        self.max_file_bytes = max_file_bytes

    def submit(self, path: Path, key: str | None = None, owner: str | None = None) -> Submitted:
        """Register one file under ``key`` (default: its normalised path); queue it when its content is
        new. Safe to call again: a known path with unchanged size and mtime is not even read.
        ``owner``: the API key that uploaded it."""
        stat = path.stat()
        key = key or normalize_path(path)
        known = self.catalog.known_path(key)
        if known is not None and (known.size, known.mtime) == (stat.st_size, stat.st_mtime):
            return Submitted(path=key, doc_id=known.doc_id, queued=False)
        sha = sha256_file(path)
        if stat.st_size <= self.max_file_bytes:
            self.blobs.put_file(path, sha)
        reg = self.catalog.register(sha, stat.st_size, key, stat.st_mtime, owner=owner)
        if reg.orphaned:  # the file was edited: its old content is no longer in the library
            self.publish(DocumentRemoved(doc_id=reg.orphaned))
        if reg.created:
            if stat.st_size > self.max_file_bytes:
                reason = too_large_reason(stat.st_size, self.max_file_bytes)
                self.catalog.set_state(reg.doc_id, DocState.SKIPPED, reason)
            else:
                self.publish(DocumentQueued(doc_id=reg.doc_id))
        log.info("submitted %s as %s (new=%s)", key, reg.doc_id, reg.created)
        return Submitted(path=key, doc_id=reg.doc_id, queued=reg.created)

    def remove(self, key: str, purge: bool = False) -> bool:
        """Forget one path (deleted, or moved away): a document no path holds leaves the index; one
        that another path still holds is re-indexed under that path. False if the path was unknown.

        ``purge`` (a deletion asked for, not a file moved away): a document no path holds loses its
        stored original and artifacts at once. Without it they stay as a cache, should the file
        come back (a folder moved out and in again is not extracted twice)."""
        removal = self.catalog.remove_path(key)
        if removal is None:
            return False
        if removal.orphaned:
            if purge:
                self._purge(removal.doc_id)
            self.publish(DocumentRemoved(doc_id=removal.doc_id))
        elif removal.primary_changed:
            doc = self.catalog.get(removal.doc_id)
            if doc is not None and doc.state == DocState.INDEXED:
                self.catalog.set_state(doc.id, DocState.INDEXING)
                self.publish(DocumentAnalyzed(doc_id=doc.id))
        log.info("removed %s (document %s, orphaned=%s)", key, removal.doc_id, removal.orphaned)
        return True

    def _purge(self, doc_id: str) -> None:
        doc = self.catalog.get(doc_id)
        if doc is None or doc.state != DocState.DELETED:
            return
        self.blobs.delete(doc.sha256)
        if self.artifacts is not None:
            self.artifacts.delete_content(doc.sha256)
        log.info("purged the original and artifacts of %s", doc_id)

    def remove_missing(self, folder: Path) -> int:
        """Forget every known path inside ``folder`` whose file is gone (a deleted file or sub-folder,
        a move out, changes made while phare was stopped)."""
        gone = [p for p in self.catalog.paths_under(normalize_path(folder)) if not os.path.isfile(p)]
        return sum(self.remove(p) for p in gone)
