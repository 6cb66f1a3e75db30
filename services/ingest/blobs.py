"""Content-addressed storage: original files (blobs) and stage outputs (artifacts).

Keys are sha256 hex digests, never user-supplied names, so no file name can escape the store.
Writes go through a temporary file and an atomic rename: a reader never sees half a file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_CHUNK = 1 << 20


def _atomic_write(target: Path, write) -> None:  # noqa: ANN001 - write(fh) callback
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class BlobStore:
    """Originals, stored once per content hash under ``root/ab/abcdef...``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("clé de contenu invalide")
        return self.root / sha256[:2] / sha256

    def put_file(self, src: Path, sha256: str) -> Path:
        target = self.path_for(sha256)
        if not target.exists():
            with src.open("rb") as fh:
                _atomic_write(target, lambda out: shutil.copyfileobj(fh, out, _CHUNK))
        return target

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)


class ArtifactStore:
    """JSON artifacts of the stages, keyed by ``kind`` and a content key (e.g. ``extract/<sha>.json``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, kind: str, key: str) -> Path:
        if not key.replace("-", "").isalnum() or not kind.isalnum():
            raise ValueError("clé d'artefact invalide")
        return self.root / kind / key[:2] / f"{key}.json"

    def put(self, kind: str, key: str, model: BaseModel) -> None:
        data = model.model_dump_json().encode()
        _atomic_write(self._path(kind, key), lambda out: out.write(data))

    def get(self, kind: str, key: str, model: type[M]) -> M | None:
        path = self._path(kind, key)
        if not path.exists():
            return None
        return model.model_validate_json(path.read_bytes())

    def exists(self, kind: str, key: str) -> bool:
        return self._path(kind, key).exists()

    def put_arrays(self, kind: str, key: str, **arrays: np.ndarray) -> None:
        """Numeric artifacts (vectors), as one ``.npz`` file."""
        target = self._path(kind, key).with_suffix(".npz")
        _atomic_write(target, lambda out: np.savez(out, **arrays))

    def get_arrays(self, kind: str, key: str) -> dict[str, np.ndarray] | None:
        path = self._path(kind, key).with_suffix(".npz")
        if not path.exists():
            return None
        with np.load(path) as data:
            return {name: data[name] for name in data.files}

    def delete_content(self, sha256: str) -> int:
        """Remove every artifact made from content ``sha256`` (its extraction, its analyses under any
        reference fingerprint); how many files were removed."""
        self._path("extract", sha256)  # validates the key
        removed = 0
        for kind_dir in (self.root.iterdir() if self.root.is_dir() else []):
            for path in (kind_dir / sha256[:2]).glob(f"{sha256}*.*"):
                path.unlink(missing_ok=True)
                removed += 1
        return removed
