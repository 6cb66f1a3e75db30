"""French OCR through the tesseract command line (Debian ``tesseract-ocr tesseract-ocr-fra``)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL.Image import Image

from workers.extract.errors import ExtractionError


@functools.lru_cache(maxsize=8)
def tesseract_available(language: str = "fra") -> bool:
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False)
    return language in out.stdout.split()


def ocr_image(image: Image, language: str = "fra") -> str:
    """Text of one page image. Raises ExtractionError("OCR indisponible...") without tesseract."""
    if not tesseract_available(language):
        raise ExtractionError(
            f"OCR indisponible : page sans couche texte et tesseract ({language}) n'est pas installé"
        )
    with tempfile.TemporaryDirectory(prefix="phare-ocr-") as tmp:
        # greyscale PNG at the fastest compression level: tesseract reads it faster than raw PGM
        png = Path(tmp) / "page.png"
        image.convert("L").save(png, compress_level=1)
        proc = subprocess.run(
            ["tesseract", str(png), "stdout", "-l", language, "--psm", "3"],
            capture_output=True, text=True, check=False, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
    if proc.returncode != 0:
        raise ExtractionError(f"échec de l'OCR : {proc.stderr.strip()[:200]}")
    return proc.stdout


def ocr_images(images: list[Image], language: str = "fra") -> list[str]:
    """OCR several pages at once, one tesseract process per core (tesseract itself runs single-threaded)."""
    if len(images) == 1:
        return [ocr_image(images[0], language)]
    with ThreadPoolExecutor(max_workers=min(len(images), os.cpu_count() or 1)) as pool:
        return list(pool.map(lambda image: ocr_image(image, language), images))
