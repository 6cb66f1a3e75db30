"""Facts about files shared by intake and the pipeline: the content hash that names a blob, and the
size limit as people read it (French, in Mo)."""

from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of the file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def megabytes(size: int, up: bool = False) -> str:
    """``size`` in Mo (MiB) the French way, to one decimal place when it is not whole ("5,8 Mo");
    ``up`` rounds up, so a size just past a limit never reads as the limit itself."""
    tenths = -(-size * 10 // 2**20) if up else round(size * 10 / 2**20)
    whole, tenth = divmod(tenths, 10)
    return f"{whole:,}".replace(",", "\u202f") + (f",{tenth}" if tenth else "") + " Mo"


def too_large_reason(size: int, limit: int) -> str:
    return f"fichier trop volumineux ({megabytes(size, up=True)} ; au plus {megabytes(limit)} par fichier)"
