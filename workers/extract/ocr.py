"""French OCR through the tesseract command line (Debian ``tesseract-ocr tesseract-ocr-fra``)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL.Image import Image

from workers.extract.errors import ExtractionError


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
        png = Path(tmp) / "page.png"
        image.convert("L").save(png)
        proc = subprocess.run(
            ["tesseract", str(png), "stdout", "-l", language, "--psm", "3"],
            capture_output=True, text=True, check=False, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
    if proc.returncode != 0:
        raise ExtractionError(f"échec de l'OCR : {proc.stderr.strip()[:200]}")
    return proc.stdout
