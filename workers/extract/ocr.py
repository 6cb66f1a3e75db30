"""French OCR through the tesseract command line (Debian ``tesseract-ocr tesseract-ocr-fra``)."""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import statistics
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL.Image import Image

from workers.extract.cover import TITLE_BLOCK_SHARE, TITLE_SIZE_RATIO
from workers.extract.errors import ExtractionError


@functools.lru_cache(maxsize=8)
def tesseract_available(language: str = "fra") -> bool:
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False)
    return language in out.stdout.split()


#: tesseract's mean word confidence for a line to count in a cover's title (stamps, handwriting and
#: specks read as words score lower: "Où grréié on dsis du:" 64, the real title 94)
_COVER_CONFIDENCE = 85.0


def cover_title_from_tsv(tsv: str) -> str | None:
    """The first block of the tallest lines tesseract read with confidence on a page (its TSV
    output), if they stand out from the page's other lines: a scanned cover's title."""
    lines: dict[tuple[str, str, str], list[tuple[str, int, float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            key = (row["block_num"], row["par_num"], row["line_num"])
            lines.setdefault(key, []).append((row["text"].strip(), int(row["height"]), float(row["conf"])))
    read = [(" ".join(w for w, _, _ in words), statistics.median(h for _, h, _ in words))
            for words in lines.values()
            if statistics.mean(c for _, _, c in words) >= _COVER_CONFIDENCE
            and sum(ch.isalpha() for w, _, _ in words for ch in w) >= 3]
    if len(read) < 3:
        return None
    tallest = max(h for _, h in read)
    if tallest < TITLE_SIZE_RATIO * statistics.median(h for _, h in read):
        return None
    block: list[str] = []
    for text, height in read:
        if height >= TITLE_BLOCK_SHARE * tallest:
            block.append(text)
        elif block:
            break
    title = " ".join(block)
    return title if sum(ch.isalpha() for ch in title) >= 4 else None


def _tesseract(image: Image, language: str, outputs: tuple[str, ...]) -> dict[str, str]:
    """tesseract's ``outputs`` ("txt", "tsv") for one page image, from a single recognition."""
    if not tesseract_available(language):
        raise ExtractionError(
            f"OCR indisponible : page sans couche texte et tesseract ({language}) n'est pas installé"
        )
    with tempfile.TemporaryDirectory(prefix="phare-ocr-") as tmp:
        # greyscale PNG at the fastest compression level: tesseract reads it faster than raw PGM
        png = Path(tmp) / "page.png"
        image.convert("L").save(png, compress_level=1)
        base = Path(tmp) / "out"
        proc = subprocess.run(
            ["tesseract", str(png), str(base), "-l", language, "--psm", "3", *outputs],
            capture_output=True, text=True, check=False, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
        if proc.returncode != 0:
            raise ExtractionError(f"échec de l'OCR : {proc.stderr.strip()[:200]}")
        # an output this tesseract cannot write is missing, not an error: the text is what matters
        return {kind: out.read_text(encoding="utf-8") for kind in outputs
                if (out := base.with_suffix(f".{kind}")).exists()}


def ocr_image(image: Image, language: str = "fra") -> str:
    """Text of one page image. Raises ExtractionError("OCR indisponible...") without tesseract."""
    return _tesseract(image, language, ("txt",)).get("txt", "")


def ocr_cover(image: Image, language: str = "fra") -> tuple[str, str | None]:
    """Text of a cover page image and its title (``cover_title_from_tsv``), read once."""
    out = _tesseract(image, language, ("txt", "tsv"))
    return out.get("txt", ""), cover_title_from_tsv(out["tsv"]) if "tsv" in out else None


def ocr_images(images: list[Image], language: str = "fra", cover: bool = False) -> tuple[list[str], str | None]:
    """OCR several pages at once, one tesseract process per core (tesseract itself runs single-threaded).
    ``cover``: the first image is a cover page, whose title is returned too (else None)."""
    def read(index: int) -> tuple[str, str | None]:
        if cover and index == 0:
            return ocr_cover(images[index], language)
        return ocr_image(images[index], language), None

    if len(images) == 1:
        results = [read(0)]
    else:
        with ThreadPoolExecutor(max_workers=min(len(images), os.cpu_count() or 1)) as pool:
            results = list(pool.map(read, range(len(images))))
    return [text for text, _ in results], results[0][1] if results else None
