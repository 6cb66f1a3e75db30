"""Checks made before a parser touches a file: decompression bombs in zip-based formats."""

from __future__ import annotations

import zipfile
from pathlib import Path

from workers.extract.errors import ExtractionError

MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024  # small entries compress very well legitimately (XML boilerplate)
MAX_ENTRIES = 20_000


def check_zip_bomb(path: Path, max_total: int = MAX_UNCOMPRESSED_BYTES, max_ratio: int = MAX_RATIO) -> None:
    """Raise ExtractionError when the zip directory announces too much data or too high a ratio.

    The sizes come from the central directory; a forged directory is caught later by the
    sandbox's memory limit, the only guard that does not trust the file.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractionError(f"archive corrompue ({exc})") from exc
    if len(infos) > MAX_ENTRIES:
        raise ExtractionError(f"archive suspecte : {len(infos)} fichiers internes (limite {MAX_ENTRIES})")
    total = sum(i.file_size for i in infos)
    if total > max_total:
        raise ExtractionError(f"bombe de décompression : {total // 2**20} Mo décompressés annoncés "
                              f"(limite {max_total // 2**20} Mo)")
    for info in infos:
        if info.file_size >= RATIO_FROM_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ExtractionError(f"bombe de décompression : taux de compression {ratio}:1 pour {info.filename!r} "
                                  f"(limite {max_ratio}:1)")
